package org.virtgpu.spi;

/**
 * Host facts a context type builds its capsets from.
 *
 * @param hostPageSize    the host page size in bytes: the OS's, or the configured override (4096, 16384 or
 *                        65536) so a 4 KiB machine can act as a 16 KiB or 64 KiB host
 * @param blobAlignment   the alignment the device reports in VIRTIO_GPU_F_BLOB_ALIGNMENT: the maximum of the
 *                        host page size and every loaded context type's {@link PageSizePolicy#requiredAlignment()}
 * @param hostVisibleSize size in bytes of the host-visible shared-memory region (shm id 1); 0 when none
 */
public record HostInfo(int hostPageSize, long blobAlignment, long hostVisibleSize) {
    public HostInfo {
        if (Integer.bitCount(hostPageSize) != 1) {
            throw new IllegalArgumentException("host page size must be a power of two: " + hostPageSize);
        }
        if (Long.bitCount(blobAlignment) != 1 || blobAlignment < hostPageSize) {
            throw new IllegalArgumentException("blob alignment " + blobAlignment + " must be a power of two >= page " + hostPageSize);
        }
    }

    /** Rounds {@code size} up to a multiple of the host page size. */
    public long roundUpToPage(long size) {
        long mask = hostPageSize - 1L;
        return Math.addExact(size, mask) & ~mask;
    }
}
