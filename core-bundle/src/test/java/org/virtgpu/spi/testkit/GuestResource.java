package org.virtgpu.spi.testkit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/**
 * A resource with guest backing (a BLOB_MEM_GUEST blob, a query ring) for context tests: the backing is plain
 * heap memory the test can read back, with the range checks the core's view makes.
 */
public final class GuestResource implements ResourceView {
    private final int id;
    private final MemorySegment backing;

    public GuestResource(int id, long size) {
        this.id = id;
        this.backing = Arena.ofAuto().allocate(size, 8);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public long size() {
        return backing.byteSize();
    }

    @Override
    public Optional<SharedMemory> hostMemory() {
        return Optional.empty();
    }

    /** What the context wrote, as the guest would see it. */
    public MemorySegment backing() {
        return backing;
    }

    @Override
    public void readBacking(long offset, MemorySegment dst) throws GpuException {
        check(offset, dst.byteSize());
        MemorySegment.copy(backing, offset, dst, 0, dst.byteSize());
    }

    @Override
    public void writeBacking(long offset, MemorySegment src) throws GpuException {
        check(offset, src.byteSize());
        MemorySegment.copy(src, 0, backing, offset, src.byteSize());
    }

    private void check(long offset, long length) throws GpuException {
        if (offset < 0 || length < 0 || offset > backing.byteSize() - length) {
            throw new GpuException(GpuError.INVALID_PARAMETER, "range " + offset + "+" + length
                    + " outside the " + backing.byteSize() + "-byte backing of resource " + id);
        }
    }
}
