package org.virtgpu.spi;

/**
 * The errors a device command can end in, one per virtio-gpu error response
 * (virtio 1.3, "Device Operation: Request header", VIRTIO_GPU_RESP_ERR_*). Kept alphabetical.
 */
public enum GpuError {
    /** A context id that no live context has (VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID, 0x1204). */
    INVALID_CONTEXT_ID(0x1204),
    /** A request field out of range or inconsistent (VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, 0x1205). */
    INVALID_PARAMETER(0x1205),
    /** A resource id that is 0, taken (on create) or unknown (VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, 0x1203). */
    INVALID_RESOURCE_ID(0x1203),
    /** A scanout id not below num_scanouts (VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID, 0x1202). */
    INVALID_SCANOUT_ID(0x1202),
    /** A limit of the client or the host was reached (VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, 0x1201). */
    OUT_OF_MEMORY(0x1201),
    /** Anything else: malformed or truncated request, unsupported operation, lost context (VIRTIO_GPU_RESP_ERR_UNSPEC, 0x1200). */
    UNSPEC(0x1200);

    private final int responseType;

    GpuError(int responseType) {
        this.responseType = responseType;
    }

    /** The VIRTIO_GPU_RESP_ERR_* value written into the response header. */
    public int responseType() {
        return responseType;
    }
}
