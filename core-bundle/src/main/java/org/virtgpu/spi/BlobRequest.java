package org.virtgpu.spi;

/**
 * A RESOURCE_CREATE_BLOB for host memory that the core hands to the owning context.
 *
 * @param resourceId the new resource id
 * @param blobMem    VIRTIO_GPU_BLOB_MEM_HOST3D (2) or HOST3D_GUEST (3)
 * @param blobFlags  VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE (1) | USE_SHAREABLE (2) | USE_CROSS_DEVICE (4)
 * @param blobId     the context-defined object id (0: plain shared memory)
 * @param size       the size in bytes, already checked against blob_alignment by the core
 */
public record BlobRequest(int resourceId, int blobMem, int blobFlags, long blobId, long size) {
    public static final int BLOB_MEM_GUEST = 1;
    public static final int BLOB_MEM_HOST3D = 2;
    public static final int BLOB_MEM_HOST3D_GUEST = 3;
    public static final int FLAG_MAPPABLE = 1;
    public static final int FLAG_SHAREABLE = 2;
    public static final int FLAG_CROSS_DEVICE = 4;
}
