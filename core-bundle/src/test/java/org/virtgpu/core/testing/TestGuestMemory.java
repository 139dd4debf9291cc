package org.virtgpu.core.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.virtgpu.api.GuestMemory;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/** Guest RAM for tests: one zeroed block at guest-physical {@link #BASE}, with a bump allocator for buffers. */
public final class TestGuestMemory implements GuestMemory {
    public static final long BASE = 0x1_0000_0000L;
    private final MemorySegment ram;
    private long next;

    public TestGuestMemory(long size) {
        ram = Arena.ofAuto().allocate(size, 4096);
    }

    @Override
    public MemorySegment slice(long address, long length) throws GpuException {
        long off = address - BASE;
        if (address < BASE || length < 0 || off > ram.byteSize() || length > ram.byteSize() - off) {
            throw new GpuException(GpuError.UNSPEC, "0x" + Long.toHexString(address) + "+" + length + " is not guest RAM");
        }
        return ram.asSlice(off, length);
    }

    /** Reserves {@code size} bytes (page aligned) and returns their guest address. */
    public long alloc(long size) {
        long at = next;
        next += (size + 4095) & ~4095L;
        if (next > ram.byteSize()) {
            throw new IllegalStateException("test guest RAM exhausted");
        }
        return BASE + at;
    }

    /** The bytes at a guest address, for filling and checking. */
    public MemorySegment at(long address, long length) {
        return ram.asSlice(address - BASE, length);
    }
}
