package org.virtgpu.core.protocol;

/**
 * virtio-gpu wire constants with their spec names (virtio 1.3 + drafts, {@code device-types/gpu/description.tex};
 * Linux {@code include/uapi/linux/virtio_gpu.h}). Grouped as the spec groups them.
 */
public final class VirtioGpu {
    private VirtioGpu() {
    }

    // 2d commands
    public static final int VIRTIO_GPU_CMD_GET_DISPLAY_INFO = 0x0100;
    public static final int VIRTIO_GPU_CMD_RESOURCE_CREATE_2D = 0x0101;
    public static final int VIRTIO_GPU_CMD_RESOURCE_UNREF = 0x0102;
    public static final int VIRTIO_GPU_CMD_SET_SCANOUT = 0x0103;
    public static final int VIRTIO_GPU_CMD_RESOURCE_FLUSH = 0x0104;
    public static final int VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D = 0x0105;
    public static final int VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING = 0x0106;
    public static final int VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING = 0x0107;
    public static final int VIRTIO_GPU_CMD_GET_CAPSET_INFO = 0x0108;
    public static final int VIRTIO_GPU_CMD_GET_CAPSET = 0x0109;
    public static final int VIRTIO_GPU_CMD_GET_EDID = 0x010A;
    public static final int VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID = 0x010B;
    public static final int VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB = 0x010C;
    public static final int VIRTIO_GPU_CMD_SET_SCANOUT_BLOB = 0x010D;

    // 3d commands
    public static final int VIRTIO_GPU_CMD_CTX_CREATE = 0x0200;
    public static final int VIRTIO_GPU_CMD_CTX_DESTROY = 0x0201;
    public static final int VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE = 0x0202;
    public static final int VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE = 0x0203;
    public static final int VIRTIO_GPU_CMD_RESOURCE_CREATE_3D = 0x0204;
    public static final int VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D = 0x0205;
    public static final int VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D = 0x0206;
    public static final int VIRTIO_GPU_CMD_SUBMIT_3D = 0x0207;
    public static final int VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB = 0x0208;
    public static final int VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB = 0x0209;

    // cursor commands
    public static final int VIRTIO_GPU_CMD_UPDATE_CURSOR = 0x0300;
    public static final int VIRTIO_GPU_CMD_MOVE_CURSOR = 0x0301;

    // success responses
    public static final int VIRTIO_GPU_RESP_OK_NODATA = 0x1100;
    public static final int VIRTIO_GPU_RESP_OK_DISPLAY_INFO = 0x1101;
    public static final int VIRTIO_GPU_RESP_OK_CAPSET_INFO = 0x1102;
    public static final int VIRTIO_GPU_RESP_OK_CAPSET = 0x1103;
    public static final int VIRTIO_GPU_RESP_OK_EDID = 0x1104;
    public static final int VIRTIO_GPU_RESP_OK_RESOURCE_UUID = 0x1105;
    public static final int VIRTIO_GPU_RESP_OK_MAP_INFO = 0x1106;

    // error responses (the values also live in org.virtgpu.spi.GpuError)
    public static final int VIRTIO_GPU_RESP_ERR_UNSPEC = 0x1200;
    public static final int VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY = 0x1201;
    public static final int VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID = 0x1202;
    public static final int VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID = 0x1203;
    public static final int VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID = 0x1204;
    public static final int VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER = 0x1205;

    // ctrl hdr flags
    public static final int VIRTIO_GPU_FLAG_FENCE = 1 << 0;
    public static final int VIRTIO_GPU_FLAG_INFO_RING_IDX = 1 << 1;

    /** Rings per context (Linux MAX_RINGS; ring_idx is 0..63). */
    public static final int VIRTIO_GPU_MAX_RINGS = 64;
    /** At most this many scanouts (VIRTIO_GPU_MAX_SCANOUTS). */
    public static final int VIRTIO_GPU_MAX_SCANOUTS = 16;
    /** context_init: the capset id lives in the low byte. */
    public static final int VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK = 0x000000FF;

    // formats (enum virtio_gpu_formats); all 32 bpp
    public static final int VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM = 1;
    public static final int VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM = 2;
    public static final int VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM = 3;
    public static final int VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM = 4;
    public static final int VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM = 67;
    public static final int VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM = 68;
    public static final int VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM = 121;
    public static final int VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM = 134;

    // blob
    public static final int VIRTIO_GPU_BLOB_MEM_GUEST = 0x0001;
    public static final int VIRTIO_GPU_BLOB_MEM_HOST3D = 0x0002;
    public static final int VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST = 0x0003;
    public static final int VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE = 0x0001;
    public static final int VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE = 0x0002;
    public static final int VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE = 0x0004;
    public static final int BLOB_FLAGS_KNOWN = 0x7;

    // map_info cache types (low nibble only: Linux compares the whole word)
    public static final int VIRTIO_GPU_MAP_CACHE_MASK = 0x0f;
    public static final int VIRTIO_GPU_MAP_CACHE_NONE = 0x00;
    public static final int VIRTIO_GPU_MAP_CACHE_CACHED = 0x01;
    public static final int VIRTIO_GPU_MAP_CACHE_UNCACHED = 0x02;
    public static final int VIRTIO_GPU_MAP_CACHE_WC = 0x03;

    /** Shared memory region ids. */
    public static final int VIRTIO_GPU_SHM_ID_UNDEFINED = 0;
    public static final int VIRTIO_GPU_SHM_ID_HOST_VISIBLE = 1;

    /** QEMU and crosvm refuse more mem entries than this in ATTACH_BACKING / CREATE_BLOB. */
    public static final int MAX_MEM_ENTRIES = 16384;

    // wire sizes (checked by compiling the C structs, see research/virtio-gpu.md)
    public static final int CTRL_HDR_SIZE = 24;
    public static final int DISPLAY_ONE_SIZE = 24;
    public static final int RESP_DISPLAY_INFO_SIZE = CTRL_HDR_SIZE + VIRTIO_GPU_MAX_SCANOUTS * DISPLAY_ONE_SIZE;
    public static final int RESP_CAPSET_INFO_SIZE = 40;
    public static final int RESP_EDID_SIZE = 1056;
    public static final int EDID_MAX = 1024;
    public static final int RESP_RESOURCE_UUID_SIZE = 40;
    public static final int RESP_MAP_INFO_SIZE = 32;
    public static final int MEM_ENTRY_SIZE = 16;
    public static final int UPDATE_CURSOR_SIZE = 56;

    /** A name for logs. */
    public static String commandName(int type) {
        return switch (type) {
            case VIRTIO_GPU_CMD_GET_DISPLAY_INFO -> "GET_DISPLAY_INFO";
            case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D -> "RESOURCE_CREATE_2D";
            case VIRTIO_GPU_CMD_RESOURCE_UNREF -> "RESOURCE_UNREF";
            case VIRTIO_GPU_CMD_SET_SCANOUT -> "SET_SCANOUT";
            case VIRTIO_GPU_CMD_RESOURCE_FLUSH -> "RESOURCE_FLUSH";
            case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D -> "TRANSFER_TO_HOST_2D";
            case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING -> "RESOURCE_ATTACH_BACKING";
            case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING -> "RESOURCE_DETACH_BACKING";
            case VIRTIO_GPU_CMD_GET_CAPSET_INFO -> "GET_CAPSET_INFO";
            case VIRTIO_GPU_CMD_GET_CAPSET -> "GET_CAPSET";
            case VIRTIO_GPU_CMD_GET_EDID -> "GET_EDID";
            case VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID -> "RESOURCE_ASSIGN_UUID";
            case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB -> "RESOURCE_CREATE_BLOB";
            case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB -> "SET_SCANOUT_BLOB";
            case VIRTIO_GPU_CMD_CTX_CREATE -> "CTX_CREATE";
            case VIRTIO_GPU_CMD_CTX_DESTROY -> "CTX_DESTROY";
            case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE -> "CTX_ATTACH_RESOURCE";
            case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE -> "CTX_DETACH_RESOURCE";
            case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D -> "RESOURCE_CREATE_3D";
            case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D -> "TRANSFER_TO_HOST_3D";
            case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D -> "TRANSFER_FROM_HOST_3D";
            case VIRTIO_GPU_CMD_SUBMIT_3D -> "SUBMIT_3D";
            case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB -> "RESOURCE_MAP_BLOB";
            case VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB -> "RESOURCE_UNMAP_BLOB";
            case VIRTIO_GPU_CMD_UPDATE_CURSOR -> "UPDATE_CURSOR";
            case VIRTIO_GPU_CMD_MOVE_CURSOR -> "MOVE_CURSOR";
            default -> "0x" + Integer.toHexString(type);
        };
    }
}
