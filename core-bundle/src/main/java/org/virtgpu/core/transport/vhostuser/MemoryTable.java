package org.virtgpu.core.transport.vhostuser;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * The guest's RAM as one SET_MEM_TABLE described it: each region's memfd mapped shared, read-write.
 * Two address spaces resolve through it: guest-physical (descriptor buffers, mem_entry addresses) and the
 * front-end's virtual addresses (ring addresses of SET_VRING_ADDR; vhost-user.rst "Memory region description").
 * Every lookup checks the whole range against one region, so a guest address can never reach outside a mapping.
 * Closing it unmaps every region at once (one shared arena per table).
 */
final class MemoryTable implements AutoCloseable {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One mapped region; {@code bytes} starts at the region's guest_phys_addr / userspace_addr. */
    record Region(long guestPhys, long size, long userAddr, long mmapOffset, MemorySegment bytes) {
    }

    static final MemoryTable EMPTY = new MemoryTable(Arena.ofShared(), new Region[0]);

    private final Arena arena;
    private final Region[] regions;

    private MemoryTable(Arena arena, Region[] regions) {
        this.arena = arena;
        this.regions = regions;
    }

    /**
     * Maps a SET_MEM_TABLE payload ({@code u32 nregions; u32 pad; region[n]}) with one fd per region. The fds
     * are always closed here: the mappings keep the memory alive.
     */
    static MemoryTable map(MemorySegment payload, int[] fds) throws NativeException, IllegalArgumentException {
        Arena arena = Arena.ofShared();
        try {
            if (payload.byteSize() < 8) {
                throw new IllegalArgumentException("memory table of " + payload.byteSize() + " bytes");
            }
            int n = payload.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            if (n < 0 || n > VhostUserProtocol.MAX_MEM_REGIONS) {
                throw new IllegalArgumentException(n + " memory regions (at most " + VhostUserProtocol.MAX_MEM_REGIONS + ")");
            }
            if (payload.byteSize() < 8L + (long) n * VhostUserProtocol.MEM_REGION_SIZE) {
                throw new IllegalArgumentException("memory table of " + payload.byteSize() + " bytes for " + n + " regions");
            }
            if (fds.length != n) {
                throw new IllegalArgumentException(n + " memory regions but " + fds.length + " fds");
            }
            Region[] rs = new Region[n];
            for (int i = 0; i < n; i++) {
                long off = 8L + (long) i * VhostUserProtocol.MEM_REGION_SIZE;
                long gpa = payload.get(U64, off);
                long size = payload.get(U64, off + 8);
                long uva = payload.get(U64, off + 16);
                long mmapOffset = payload.get(U64, off + 24);
                if (size <= 0 || mmapOffset < 0 || size + mmapOffset < 0 || Long.compareUnsigned(gpa + size, gpa) < 0
                        || Long.compareUnsigned(uva + size, uva) < 0) {
                    throw new IllegalArgumentException("memory region " + i + " gpa 0x" + Long.toHexString(gpa) + " size 0x"
                            + Long.toHexString(size) + " offset 0x" + Long.toHexString(mmapOffset) + " is malformed");
                }
                // libvhost-user maps from file offset 0 and skips mmap_offset: the offset need not be page aligned
                MemorySegment m = Mman.map(MemorySegment.NULL, size + mmapOffset, Mman.PROT_READ | Mman.PROT_WRITE,
                        Mman.MAP_SHARED | Mman.MAP_NORESERVE, fds[i], 0, arena);
                rs[i] = new Region(gpa, size, uva, mmapOffset, m.asSlice(mmapOffset, size));
            }
            return new MemoryTable(arena, rs);
        } catch (NativeException | IllegalArgumentException e) {
            arena.close();
            throw e;
        } finally {
            for (int fd : fds) {
                Fds.closeQuietly(fd);
            }
        }
    }

    List<Region> regions() {
        return List.of(regions);
    }

    /** The region holding the guest-physical range, or null. */
    private Region byGuest(long gpa, long len) {
        for (Region r : regions) {
            if (holds(r, r.guestPhys, gpa, len)) {
                return r;
            }
        }
        return null;
    }

    /** Whether {@code [address, address + len)} lies inside {@code r}, whose first byte is at {@code base}. */
    private static boolean holds(Region r, long base, long address, long len) {
        long rel = address - base;
        // unsigned compare: rel in [0, size) and len <= size - rel
        return Long.compareUnsigned(rel, r.size) < 0 && Long.compareUnsigned(len, r.size - rel) <= 0;
    }

    /**
     * The guest-physical range as one segment, or null when it is not entirely inside one region.
     * Zero-length ranges resolve to an empty slice when the address is inside guest memory.
     */
    MemorySegment guest(long gpa, long len) {
        Region r = byGuest(gpa, len);
        return r == null ? null : r.bytes.asSlice(gpa - r.guestPhys, len);
    }

    /**
     * Appends the guest-physical range to {@code out}, split where it crosses from one region into the next
     * (regions may be adjacent in guest-physical space). False when any byte is outside guest memory.
     */
    boolean guestInto(long gpa, long len, List<MemorySegment> out) {
        while (len > 0) {
            Region hit = null;
            for (Region r : regions) {
                if (Long.compareUnsigned(gpa - r.guestPhys, r.size) < 0) {
                    hit = r;
                    break;
                }
            }
            if (hit == null) {
                return false;
            }
            long rel = gpa - hit.guestPhys;
            long n = Math.min(len, hit.size - rel);
            out.add(hit.bytes.asSlice(rel, n));
            gpa += n;
            len -= n;
        }
        return true;
    }

    /** A front-end virtual address range (ring addresses) as one segment, or null. */
    MemorySegment user(long uva, long len) {
        for (Region r : regions) {
            if (holds(r, r.userAddr, uva, len)) {
                return r.bytes.asSlice(uva - r.userAddr, len);
            }
        }
        return null;
    }

    /** {@link #guest} for the device model: throws the spec's UNSPEC for ranges outside guest memory. */
    MemorySegment slice(long gpa, long len) throws GpuException {
        MemorySegment s = len < 0 ? null : guest(gpa, len);
        if (s == null) {
            throw new GpuException(GpuError.UNSPEC, "guest range 0x" + Long.toHexString(gpa) + "+" + len
                    + " is not inside guest memory");
        }
        return s;
    }

    /** Unmaps every region. Segments handed out before become inaccessible (IllegalStateException, never a crash). */
    @Override
    public void close() {
        if (this != EMPTY) {
            arena.close();
        }
    }
}
