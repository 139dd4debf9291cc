package org.virtgpu.spi;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * What a context may see of a core-owned resource while it is attached to the context.
 * A view must not be used after {@link GpuContext#detachResource(int)} for its id.
 */
public interface ResourceView {
    int id();

    /** Size in bytes of the resource's storage (blob size, or the 3D resource's host storage). */
    long size();

    /** Blob memory for HOST3D / HOST3D_GUEST blobs and resources with host storage. */
    Optional<SharedMemory> hostMemory();

    /**
     * Copies {@code dst.byteSize()} bytes of the guest backing starting at {@code offset} into {@code dst}.
     *
     * @throws GpuException UNSPEC without backing, INVALID_PARAMETER when the range is outside it
     */
    void readBacking(long offset, MemorySegment dst) throws GpuException;

    /** Copies {@code src} into the guest backing at {@code offset}. Same errors as {@link #readBacking}. */
    void writeBacking(long offset, MemorySegment src) throws GpuException;
}
