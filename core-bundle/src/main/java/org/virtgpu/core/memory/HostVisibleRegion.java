package org.virtgpu.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;

/**
 * The host-visible shared memory region (virtio shm id 1, VIRTIO_GPU_SHM_ID_HOST_VISIBLE) of one session.
 * <p>
 * It is a real address-space reservation ({@code PROT_NONE}, {@code MAP_NORESERVE}, so it costs no memory) of the
 * configured size. RESOURCE_MAP_BLOB places a blob's memfd at the guest's offset with {@code MAP_FIXED}; unmapping
 * puts the {@code PROT_NONE} reservation back, so the guest-visible window never shows stale pages. A transport
 * that forwards the region (vhost-user SHMEM_MAP) reads placements from {@link #placements()}.
 * The guest sub-allocates the region itself, so the device only checks: in range, aligned, no overlap.
 * Dispatcher thread only, except {@link #placements()} which copies under the monitor.
 */
public final class HostVisibleRegion implements AutoCloseable {
    /** One blob placed in the region. */
    public record Placement(int resourceId, long offset, long length, SharedMemory memory, Arena arena,
                            MemorySegment window) {
    }

    private final long size;
    private final Arena reservationArena = Arena.ofShared();
    private final MemorySegment base;
    private final TreeMap<Long, Placement> byOffset = new TreeMap<>();

    public HostVisibleRegion(long size) throws NativeException {
        this.size = size;
        this.base = Mman.map(MemorySegment.NULL, size, 0 /* PROT_NONE */,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0, reservationArena);
    }

    public long size() {
        return size;
    }

    /** Base address of the reservation in this process. */
    public long baseAddress() {
        return base.address();
    }

    /**
     * Places {@code memory} at {@code offset} for {@code length} bytes (a multiple of the page size).
     *
     * @throws GpuException INVALID_PARAMETER when out of range or overlapping, UNSPEC when mmap fails
     */
    @SuppressWarnings("restricted")
    public synchronized Placement map(int resourceId, long offset, long length, SharedMemory memory) throws GpuException {
        if (offset < 0 || length <= 0 || offset > size || length > size - offset) {
            throw new GpuException(GpuError.INVALID_PARAMETER, "MAP_BLOB of resource " + resourceId + " at offset "
                    + Long.toUnsignedString(offset) + " length " + length + " is outside the host-visible region of "
                    + size + " bytes");
        }
        Map.Entry<Long, Placement> below = byOffset.floorEntry(offset);
        Map.Entry<Long, Placement> above = byOffset.ceilingEntry(offset);
        Placement clash = below != null && below.getValue().offset() + below.getValue().length() > offset ? below.getValue()
                : above != null && above.getKey() < offset + length ? above.getValue() : null;
        if (clash != null) {
            throw new GpuException(GpuError.INVALID_PARAMETER, "MAP_BLOB of resource " + resourceId + " at [0x"
                    + Long.toHexString(offset) + ", 0x" + Long.toHexString(offset + length) + ") overlaps resource "
                    + clash.resourceId() + " at [0x" + Long.toHexString(clash.offset()) + ", 0x"
                    + Long.toHexString(clash.offset() + clash.length()) + ")");
        }
        long mapLen = Math.min(length, memory.size());
        try {
            MemorySegment at = MemorySegment.ofAddress(base.address() + offset);
            Mman.map(at, mapLen, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED | Mman.MAP_FIXED, memory.fd(), 0,
                    Arena.global());
        } catch (NativeException e) {
            throw new GpuException(GpuError.UNSPEC, "MAP_BLOB of resource " + resourceId + ": " + e.getMessage());
        }
        memory.retain();
        Arena arena = Arena.ofShared();
        long addr = base.address() + offset;
        // closing the arena invalidates Java views of the window and puts the reservation back
        MemorySegment window = MemorySegment.ofAddress(addr).reinterpret(mapLen, arena, s -> reserve(addr, mapLen));
        Placement p = new Placement(resourceId, offset, length, memory, arena, window);
        byOffset.put(offset, p);
        return p;
    }

    @SuppressWarnings("restricted")
    private static void reserve(long addr, long len) {
        try {
            Mman.map(MemorySegment.ofAddress(addr), len, 0,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE | Mman.MAP_FIXED, -1, 0, Arena.global());
        } catch (NativeException e) {
            System.getLogger(HostVisibleRegion.class.getName()).log(System.Logger.Level.ERROR,
                    "could not restore the host-visible reservation: " + e.getMessage());
        }
    }

    /** Removes the placement; the blob's pages are gone from the window when this returns. */
    public synchronized void unmap(Placement p) {
        if (byOffset.remove(p.offset(), p)) {
            p.arena().close();
            p.memory().release();
        }
    }

    public synchronized Optional<Placement> at(long offset) {
        return Optional.ofNullable(byOffset.get(offset));
    }

    public synchronized java.util.List<Placement> placements() {
        return java.util.List.copyOf(byOffset.values());
    }

    @Override
    public synchronized void close() {
        for (Placement p : byOffset.values()) {
            p.arena().close();
            p.memory().release();
        }
        byOffset.clear();
        reservationArena.close();
    }
}
