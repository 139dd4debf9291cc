package org.virtgpu.core.transport.vtest;

/**
 * vtest wire constants, named as in virglrenderer's {@code vtest/vtest_protocol.h} (protocol version 3).
 * Every message is {@code [length, command id]} followed by {@code length} dwords of payload, little-endian;
 * only VCMD_CREATE_RENDERER counts its length in bytes. See research/vtest-venus.md section 1.
 */
final class VtestProtocol {
    private VtestProtocol() {
    }

    /** The newest protocol version this server speaks (virglrenderer 1.1.x, Mesa 25). */
    static final int VTEST_PROTOCOL_VERSION = 3;
    /** Header: [length, id]. */
    static final int VTEST_HDR_SIZE = 8;

    static final int VCMD_GET_CAPS = 1;
    static final int VCMD_RESOURCE_CREATE = 2;
    static final int VCMD_RESOURCE_UNREF = 3;
    static final int VCMD_TRANSFER_GET = 4;
    static final int VCMD_TRANSFER_PUT = 5;
    static final int VCMD_SUBMIT_CMD = 6;
    static final int VCMD_RESOURCE_BUSY_WAIT = 7;
    static final int VCMD_CREATE_RENDERER = 8;
    static final int VCMD_GET_CAPS2 = 9;
    static final int VCMD_PING_PROTOCOL_VERSION = 10;
    static final int VCMD_PROTOCOL_VERSION = 11;
    // since protocol version 2
    static final int VCMD_RESOURCE_CREATE2 = 12;
    static final int VCMD_TRANSFER_GET2 = 13;
    static final int VCMD_TRANSFER_PUT2 = 14;
    // since protocol version 3
    static final int VCMD_GET_PARAM = 15;
    static final int VCMD_GET_CAPSET = 16;
    static final int VCMD_CONTEXT_INIT = 17;
    static final int VCMD_RESOURCE_CREATE_BLOB = 18;
    static final int VCMD_SYNC_CREATE = 19;
    static final int VCMD_SYNC_UNREF = 20;
    static final int VCMD_SYNC_READ = 21;
    static final int VCMD_SYNC_WRITE = 22;
    static final int VCMD_SYNC_WAIT = 23;
    static final int VCMD_SUBMIT_CMD2 = 24;

    /** Fixed payload sizes in dwords. */
    static final int VCMD_RES_CREATE_SIZE = 10;
    static final int VCMD_RES_CREATE2_SIZE = 11;
    static final int VCMD_RES_UNREF_SIZE = 1;
    static final int VCMD_TRANSFER_HDR_SIZE = 11;
    static final int VCMD_TRANSFER2_HDR_SIZE = 10;
    static final int VCMD_BUSY_WAIT_SIZE = 2;
    static final int VCMD_PROTOCOL_VERSION_SIZE = 1;
    static final int VCMD_GET_PARAM_SIZE = 1;
    static final int VCMD_GET_CAPSET_SIZE = 2;
    static final int VCMD_CONTEXT_INIT_SIZE = 1;
    static final int VCMD_RES_CREATE_BLOB_SIZE = 6;
    static final int VCMD_SYNC_CREATE_SIZE = 2;
    static final int VCMD_SYNC_UNREF_SIZE = 1;
    static final int VCMD_SYNC_READ_SIZE = 1;
    static final int VCMD_SYNC_WRITE_SIZE = 3;

    static final int VCMD_BUSY_WAIT_FLAG_WAIT = 1;
    static final int VCMD_PARAM_MAX_TIMELINE_COUNT = 1;
    /** Timelines (rings) per context that SUBMIT_CMD2 may name; Mesa fails with "no timeline support" on 0. */
    static final int VTEST_MAX_TIMELINE_COUNT = 64;
    static final int VCMD_SYNC_WAIT_FLAG_ANY = 1;
    static final int VCMD_SUBMIT_CMD2_FLAG_RING_IDX = 1;
    /** Dwords per SUBMIT_CMD2 batch header as Mesa writes it (sizeof(struct vcmd_submit_cmd2_batch)). */
    static final int VCMD_SUBMIT_CMD2_BATCH_DW = 6;

    /** The capsets GET_CAPS / GET_CAPS2 answer from (VIRTGPU_DRM_CAPSET_VIRGL / VIRGL2). */
    static final int CAPSET_VIRGL = 1;
    static final int CAPSET_VIRGL2 = 2;

    static String name(int cmd) {
        return switch (cmd) {
            case VCMD_GET_CAPS -> "GET_CAPS";
            case VCMD_RESOURCE_CREATE -> "RESOURCE_CREATE";
            case VCMD_RESOURCE_UNREF -> "RESOURCE_UNREF";
            case VCMD_TRANSFER_GET -> "TRANSFER_GET";
            case VCMD_TRANSFER_PUT -> "TRANSFER_PUT";
            case VCMD_SUBMIT_CMD -> "SUBMIT_CMD";
            case VCMD_RESOURCE_BUSY_WAIT -> "RESOURCE_BUSY_WAIT";
            case VCMD_CREATE_RENDERER -> "CREATE_RENDERER";
            case VCMD_GET_CAPS2 -> "GET_CAPS2";
            case VCMD_PING_PROTOCOL_VERSION -> "PING_PROTOCOL_VERSION";
            case VCMD_PROTOCOL_VERSION -> "PROTOCOL_VERSION";
            case VCMD_RESOURCE_CREATE2 -> "RESOURCE_CREATE2";
            case VCMD_TRANSFER_GET2 -> "TRANSFER_GET2";
            case VCMD_TRANSFER_PUT2 -> "TRANSFER_PUT2";
            case VCMD_GET_PARAM -> "GET_PARAM";
            case VCMD_GET_CAPSET -> "GET_CAPSET";
            case VCMD_CONTEXT_INIT -> "CONTEXT_INIT";
            case VCMD_RESOURCE_CREATE_BLOB -> "RESOURCE_CREATE_BLOB";
            case VCMD_SYNC_CREATE -> "SYNC_CREATE";
            case VCMD_SYNC_UNREF -> "SYNC_UNREF";
            case VCMD_SYNC_READ -> "SYNC_READ";
            case VCMD_SYNC_WRITE -> "SYNC_WRITE";
            case VCMD_SYNC_WAIT -> "SYNC_WAIT";
            case VCMD_SUBMIT_CMD2 -> "SUBMIT_CMD2";
            default -> "command " + Integer.toUnsignedString(cmd);
        };
    }
}
