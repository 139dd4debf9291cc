package org.virtgpu.core.transport.vtest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.virtgpu.api.GuestMemory;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Memfd;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * The "guest memory" of a vtest client: the shm regions the server created for it (RESOURCE_CREATE2 with
 * data_size, GUEST blobs, staging for inline TRANSFER_GET/PUT), each a memfd mapped here and in the client.
 * The device model reaches them through ordinary ATTACH_BACKING mem entries: every region gets a made-up
 * "guest address" from a bump allocator that never reuses an address, so a stale entry can only miss.
 * <p>
 * Regions are added and removed by the connection thread; {@link #slice} may be called from any thread.
 */
final class ShmSpace implements GuestMemory {
    /** Addresses start high and leave a page-aligned gap after every region, so neighbours never touch. */
    private static final long BASE = 1L << 40;
    private static final long GAP = 1L << 21;

    private record Region(long address, MemorySegment segment, Arena arena) {
    }

    private final ConcurrentSkipListMap<Long, Region> regions = new ConcurrentSkipListMap<>();
    private final long maxBytes;
    private long next = BASE;
    private long bytes;

    ShmSpace(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A new shm region: its guest address, its mapping here and its memfd (the caller sends and closes the fd). */
    record Shm(long address, MemorySegment segment, int fd) {
    }

    Shm create(String name, long size) throws ClientError {
        if (size <= 0 || size > maxBytes - bytes) {
            throw new ClientError("shm of " + size + " bytes refused: " + bytes + " of " + maxBytes + " bytes in use");
        }
        int fd;
        try {
            fd = Memfd.create(name, size);
        } catch (NativeException e) {
            throw new ClientError("shm of " + size + " bytes: " + e.getMessage());
        }
        Arena arena = Arena.ofShared();
        MemorySegment seg;
        try {
            seg = Mman.mapShared(fd, 0, size, arena);
        } catch (NativeException e) {
            arena.close();
            Fds.closeQuietly(fd);
            throw new ClientError("shm of " + size + " bytes: " + e.getMessage());
        }
        long address = next;
        next = Math.addExact(next, (size + GAP + GAP - 1) & -GAP);
        regions.put(address, new Region(address, seg, arena));
        bytes += size;
        return new Shm(address, seg, fd);
    }

    /** Unmaps a region (after the device no longer uses it: its resource's UNREF or DETACH_BACKING was answered). */
    void remove(long address) {
        Region r = regions.remove(address);
        if (r != null) {
            bytes -= r.segment().byteSize();
            r.arena().close();
        }
    }

    /** Unmaps everything (session closed). */
    void clear() {
        for (Map.Entry<Long, Region> e : regions.entrySet()) {
            remove(e.getKey());
        }
    }

    @Override
    public MemorySegment slice(long address, long length) throws GpuException {
        Map.Entry<Long, Region> e = regions.floorEntry(address);
        if (e != null && length >= 0) {
            Region r = e.getValue();
            long off = address - r.address();
            if (off <= r.segment().byteSize() - length) {
                return r.segment().asSlice(off, length);
            }
        }
        throw new GpuException(GpuError.UNSPEC, "no vtest shm at 0x" + Long.toHexString(address) + "+" + length);
    }
}
