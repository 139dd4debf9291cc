package org.virtgpu.context.crossdomain;

/**
 * Constants and fixed layouts of the cross-domain protocol (rutabaga_gfx {@code src/cross_domain/
 * cross_domain_protocol.rs}; fact sheet context-types.md §3). Little-endian; every command starts with an
 * 8-byte header and a SUBMIT_3D may carry several commands back to back.
 */
final class CrossDomainProtocol {
    private CrossDomainProtocol() {
    }

    // commands (u8 at header offset 0)
    static final int CMD_INIT = 1;
    static final int CMD_GET_IMAGE_REQUIREMENTS = 2;
    static final int CMD_POLL = 3;
    static final int CMD_SEND = 4;
    static final int CMD_RECEIVE = 5;
    static final int CMD_READ = 6;
    static final int CMD_WRITE = 7;
    /** The highest command number any known protocol copy defines (ASSIGN_SOCKET_UUID). */
    static final int CMD_LAST_KNOWN = 13;

    // channel types (u32); a capset advertises type t as bit (1 << t)
    static final int CHANNEL_TYPE_NONE = 0;
    static final int CHANNEL_TYPE_WAYLAND = 1;
    static final int CHANNEL_TYPE_CAMERA = 2;

    // rings
    static final int QUERY_RING = 0;
    static final int CHANNEL_RING = 1;

    // CrossDomainHeader (8 bytes): cmd u8 @0, ring_idx u8 @1, cmd_size u16 @2 (whole command), pad u32 @4
    static final int HEADER_SIZE = 8;
    static final int HDR_CMD = 0;
    static final int HDR_RING_IDX = 1;
    static final int HDR_CMD_SIZE = 2;

    // INIT, told apart by cmd_size: legacy 16 {query_ring_id @8, channel_type @12};
    // v1 20 {query_ring_id @8, channel_ring_id @12, channel_type @16}; current 36 = v1 + internal_socket_uuid[16] @20
    static final int INIT_LEGACY_SIZE = 16;
    static final int INIT_V1_SIZE = 20;
    static final int INIT_SIZE = 36;
    static final int INIT_QUERY_RING_ID = 8;

    // GET_IMAGE_REQUIREMENTS (24): width @8, height @12, drm_format @16, flags @20
    static final int GIR_SIZE = 24;
    static final int GIR_WIDTH = 8;
    static final int GIR_HEIGHT = 12;
    static final int GIR_DRM_FORMAT = 16;
    static final int GIR_FLAGS = 20;

    // ImageRequirements reply (64), written at offset 0 of the query ring: strides[4] @0, offsets[4] @16,
    // modifier u64 @32, size u64 @40, blob_id u32 @48, map_info u32 @52, memory_idx i32 @56,
    // physical_device_idx i32 @60 (deprecated, always -1)
    static final int REPLY_SIZE = 64;
    static final int REPLY_STRIDES = 0;
    static final int REPLY_OFFSETS = 16;
    static final int REPLY_MODIFIER = 32;
    static final int REPLY_SIZE_FIELD = 40;
    static final int REPLY_BLOB_ID = 48;
    static final int REPLY_MAP_INFO = 52;
    static final int REPLY_MEMORY_IDX = 56;
    static final int REPLY_PHYSICAL_DEVICE_IDX = 60;

    /** DRM_FORMAT_MOD_LINEAR. */
    static final long MODIFIER_LINEAR = 0;
    /** VIRTIO_GPU_MAP_CACHE_CACHED: the memory is a plain memfd mapping. */
    static final int MAP_CACHE_CACHED = 1;

    // CrossDomainCapabilities (16): version @0, supported_channels @4, supports_dmabuf @8,
    // supports_external_gpu_memory @12
    static final int CAPS_SIZE = 16;
    static final int CAPS_VERSION = 0;
    static final int CAPS_SUPPORTED_CHANNELS = 4;
    static final int CAPS_SUPPORTS_DMABUF = 8;
    static final int CAPS_SUPPORTS_EXTERNAL_GPU_MEMORY = 12;
}
