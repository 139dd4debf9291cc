package org.virtgpu.context.crossdomain;

/**
 * Layout of {@code CrossDomainSendReceive} (SEND guest to host, RECEIVE host to guest; 352 bytes, then the opaque
 * data) and {@code CrossDomainReadWrite} (READ / WRITE; 24 bytes, then the data). Fact sheet §3.2.
 */
final class SendReceive {
    static final int SIZE = 352;
    static final int NUM_IDENTIFIERS = 8;
    static final int OPAQUE_DATA_SIZE = 12;
    static final int IDENTIFIERS = 16;
    static final int IDENTIFIER_TYPES = 128;
    static final int IDENTIFIER_SIZES = 240;
    static final int MAX_IDENTIFIERS = 28;

    static final int ID_TYPE_VIRTGPU_BLOB = 1;
    static final int ID_TYPE_VIRTGPU_SYNC = 2;
    static final int ID_TYPE_READ_PIPE = 3;
    static final int ID_TYPE_WRITE_PIPE = 4;

    // ReadWrite
    static final int RW_SIZE = 24;
    static final int RW_IDENTIFIER = 8;
    static final int RW_HANG_UP = 12;
    static final int RW_OPAQUE_DATA_SIZE = 16;

    private SendReceive() {
    }
}
