package org.virtgpu.core.transport.vhostuser;

import org.virtgpu.core.protocol.VirtioGpu;

/**
 * Wire constants of vhost-user (QEMU docs/interop/vhost-user.rst), its GPU side channel
 * (docs/interop/vhost-user-gpu.rst) and the split virtqueue (virtio 1.3, 2.7 "Split Virtqueues").
 * Names follow the specs.
 */
final class VhostUserProtocol {
    private VhostUserProtocol() {
    }

    // Message header: u32 request, u32 flags, u32 size (vhost-user.rst "Header")
    static final int HEADER_SIZE = 12;
    static final int FLAG_VERSION_1 = 0x1;
    static final int FLAG_REPLY = 0x4;
    static final int FLAG_NEED_REPLY = 0x8;
    /** Flags of every back-end reply: QEMU rejects anything else (research/vhost-user.md 0.7). */
    static final int REPLY_FLAGS = FLAG_VERSION_1 | FLAG_REPLY;
    /** Largest payload accepted from the front-end; the biggest real one is GET/SET_CONFIG (12 + 256). */
    static final int MAX_PAYLOAD = 4096;

    // Front-end requests (vhost-user.rst "Front-end message types")
    static final int GET_FEATURES = 1;
    static final int SET_FEATURES = 2;
    static final int SET_OWNER = 3;
    static final int RESET_OWNER = 4;
    static final int SET_MEM_TABLE = 5;
    static final int SET_VRING_NUM = 8;
    static final int SET_VRING_ADDR = 9;
    static final int SET_VRING_BASE = 10;
    static final int GET_VRING_BASE = 11;
    static final int SET_VRING_KICK = 12;
    static final int SET_VRING_CALL = 13;
    static final int SET_VRING_ERR = 14;
    static final int GET_PROTOCOL_FEATURES = 15;
    static final int SET_PROTOCOL_FEATURES = 16;
    static final int GET_QUEUE_NUM = 17;
    static final int SET_VRING_ENABLE = 18;
    static final int SET_BACKEND_REQ_FD = 21;
    static final int GET_CONFIG = 24;
    static final int SET_CONFIG = 25;
    static final int GPU_SET_SOCKET = 33;
    static final int RESET_DEVICE = 34;

    // Protocol feature bits (vhost-user.rst "Protocol features")
    static final int PROTOCOL_F_MQ = 0;
    static final int PROTOCOL_F_REPLY_ACK = 3;
    static final int PROTOCOL_F_CONFIG = 9;
    static final int PROTOCOL_F_RESET_DEVICE = 13;
    static final long PROTOCOL_FEATURES = (1L << PROTOCOL_F_MQ) | (1L << PROTOCOL_F_REPLY_ACK)
            | (1L << PROTOCOL_F_CONFIG) | (1L << PROTOCOL_F_RESET_DEVICE);

    /** VHOST_USER_F_PROTOCOL_FEATURES: rings start disabled and SET_VRING_ENABLE turns them on. */
    static final int F_PROTOCOL_FEATURES = 30;

    // Transport feature bits (virtio 1.3, 6 "Reserved Feature Bits")
    static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    static final int VIRTIO_RING_F_EVENT_IDX = 29;
    static final int VIRTIO_F_VERSION_1 = 32;

    /** Device bits QEMU 10's vhost-user-gpu lets through (research/vhost-user.md 4.2); others are dropped there. */
    static final long PASSED_DEVICE_FEATURES = 0b111; // VIRGL | EDID | RESOURCE_UUID

    // SET_VRING_KICK/CALL/ERR payload: bits 0-7 queue index, bit 8 "no fd" (polling mode)
    static final long VRING_IDX_MASK = 0xff;
    static final long VRING_NOFD_MASK = 0x100;

    /** virtio-gpu has two queues: 0 control, 1 cursor (virtio 1.3, 5.7.2). */
    static final int NUM_QUEUES = 2;
    static final int CURSORQ = 1;

    // Memory table (vhost-user.rst "Memory regions description"): u32 nregions, u32 pad, regions of 32 bytes
    static final int MAX_MEM_REGIONS = 8;
    static final int MEM_REGION_SIZE = 32;

    // virtio_gpu_config (virtio 1.3, 5.7.4): events_read, events_clear, num_scanouts, num_capsets
    static final int GPU_CONFIG_SIZE = 16;

    // GPU side channel requests (vhost-user-gpu.rst "Message types"): the back-end is the requester
    static final int GPU_GET_PROTOCOL_FEATURES = 1;
    static final int GPU_SET_PROTOCOL_FEATURES = 2;
    static final int GPU_GET_DISPLAY_INFO = 3;
    static final int GPU_CURSOR_POS = 4;
    static final int GPU_CURSOR_POS_HIDE = 5;
    static final int GPU_CURSOR_UPDATE = 6;
    static final int GPU_SCANOUT = 7;
    static final int GPU_UPDATE = 8;
    static final int GPU_GET_EDID = 11;
    static final int GPU_PROTOCOL_F_EDID = 0;
    /** virtio_gpu_resp_display_info: ctrl_hdr (24) + 16 x {x, y, w, h, enabled, flags}. */
    static final int DISPLAY_INFO_SIZE = VirtioGpu.RESP_DISPLAY_INFO_SIZE;
    /** virtio_gpu_resp_edid: ctrl_hdr (24) + size + pad + 1024 bytes. */
    static final int EDID_RESP_SIZE = VirtioGpu.RESP_EDID_SIZE;
    static final int CURSOR_SIZE = 64;

    // Split virtqueue descriptor flags (virtio 1.3, 2.7.5)
    static final int VIRTQ_DESC_F_NEXT = 1;
    static final int VIRTQ_DESC_F_WRITE = 2;
    static final int VIRTQ_DESC_F_INDIRECT = 4;
    static final int VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
    static final int MAX_QUEUE_SIZE = 32768;

    static String requestName(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case SET_BACKEND_REQ_FD -> "SET_BACKEND_REQ_FD";
            case GET_CONFIG -> "GET_CONFIG";
            case SET_CONFIG -> "SET_CONFIG";
            case GPU_SET_SOCKET -> "GPU_SET_SOCKET";
            case RESET_DEVICE -> "RESET_DEVICE";
            default -> "request " + request;
        };
    }
}
