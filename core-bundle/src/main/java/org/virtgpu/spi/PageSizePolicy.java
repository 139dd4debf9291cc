package org.virtgpu.spi;

/**
 * How a context type tells the guest about host page granularity, and what alignment it needs.
 *
 * @param reporting          where the guest finds the alignment
 * @param requiredAlignment  the blob size / map offset alignment this context type needs in bytes (a power of
 *                           two), or 0 for "the host page size is enough". The core reports
 *                           {@code max(host page, every loaded type's requiredAlignment)} as blob_alignment.
 */
public record PageSizePolicy(Reporting reporting, long requiredAlignment) {

    /** Where a context type reports page granularity to its guest driver. */
    public enum Reporting {
        /** A field of the capset carries it (gfxstream's {@code blobAlignment}). */
        IN_CAPSET,
        /** Sizes the context returns are already rounded (cross-domain image requirements, venus allocations). */
        IN_SIZES,
        /** The context type says nothing; the guest relies on VIRTIO_GPU_F_BLOB_ALIGNMENT alone. */
        NONE
    }

    public PageSizePolicy {
        if (requiredAlignment != 0 && Long.bitCount(requiredAlignment) != 1) {
            throw new IllegalArgumentException("required alignment must be 0 or a power of two: " + requiredAlignment);
        }
    }

    public static PageSizePolicy none() {
        return new PageSizePolicy(Reporting.NONE, 0);
    }
}
