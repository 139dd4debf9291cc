package org.virtgpu.context.venus;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ThreadPoolExecutor;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Sched;
import org.virtgpu.spi.SharedMemory;

/**
 * One context's host-visible memory after the client freed it: the executor's own mapping of it becomes a
 * placeholder, reused by later allocations of the same device and size and unmapped when the device is destroyed
 * (see {@link #retire}). All mapping changes happen on one thread for every context ({@link #RETIRER}), in order.
 */
final class Placeholders {
    /**
     * Retires host-visible memory the client freed (see {@link #retire}), in order, on one thread for all contexts at
     * nice 19 like the core's reclaim thread: replacing 64 MiB of populated mapping costs milliseconds that a ring
     * thread must not wait for.
     */
    private static final ThreadPoolExecutor RETIRER = VenusExecutor.background("venus-retire", () -> {
        try {
            Sched.niceCurrentThread(19);
        } catch (NativeException e) {
            VenusContext.LOG.log(System.Logger.Level.DEBUG, "venus: retire thread stays at normal priority: "
                    + e.getMessage());
        }
    });

    /** Address ranges of retired memory of a device (see {@link #retire}), unmapped once the device is destroyed. */
    private record Placeholder(long device, long address, long size) {
    }

    /** guarded by itself; filled on {@link #RETIRER}, taken by allocations of the same device and size */
    private final java.util.List<Placeholder> placeholders = new java.util.ArrayList<>();
    /** bytes of placeholders of all executors, mapped now (for tests and logs) */
    private static final java.util.concurrent.atomic.AtomicLong PLACEHOLDER_BYTES =
            new java.util.concurrent.atomic.AtomicLong();
    /** bytes retired since placeholders were last emptied of stale writes (see {@link #retire}); on the retirer */
    private long retiredSinceSweep;
    /** madvise(2) advice: drop the pages of a private anonymous range (reads give zeros again) */
    private static final int MADV_DONTNEED = 4;
    /**
     * Retired bytes after which a device's placeholders are emptied: writes through stale pointers fill them with
     * anonymous pages, and a client that keeps freeing memory under pending copies would otherwise pin that much more
     * each time, until its device goes.
     */
    static final long SWEEP_BYTES = 256L << 20;

    /**
     * Memory the client freed while its device lives. The host driver may still read or write it: a hostile or
     * buggy client can free memory that a submitted copy still uses, or use a buffer, descriptor or device address
     * into it after the free (invalid usage, but lavapipe then follows the raw pointer). Unmapping it would let that
     * client crash the whole server (SIGSEGV in lavapipe's queue thread, e2e/venus/vkfreerace.c did in its first
     * round). So our mapping is replaced in place by an anonymous, unreserved placeholder: the pages go back at
     * once (the core's reference and the client's blob keep them only as long as they are held), a stale access
     * reads zeros or writes into pages of the placeholder, and the address range is unmapped when the device is
     * destroyed, after which the driver holds no pointer into it. On {@link #RETIRER}, in order.
     */
    void retire(VenusExecutor.Imported m) {
        RETIRER.execute(() -> {
            try {
                if (m.prefaulting() != null) {
                    m.prefaulting().cancelAndWait();
                }
                dropPages(m.address(), m.size());
                Mman.map(MemorySegment.ofAddress(m.address()), m.size(), Mman.PROT_READ | Mman.PROT_WRITE,
                        Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE | Mman.MAP_FIXED, -1, 0,
                        Arena.global());
                synchronized (placeholders) {
                    placeholders.add(new Placeholder(m.device(), m.address(), m.size()));
                    PLACEHOLDER_BYTES.addAndGet(m.size());
                    retiredSinceSweep += m.size();
                    if (retiredSinceSweep >= SWEEP_BYTES) {
                        retiredSinceSweep = 0;
                        sweep(m.device());
                    }
                }
            } catch (NativeException | RuntimeException e) {
                // the old mapping normally stays (with its pages): never unmapped while the device may use it
                VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: retiring freed memory failed, it stays"
                        + " mapped: " + e);
            } finally {
                m.shm().release(); // the core keeps its own reference while the client's blob is alive
            }
        });
    }

    /**
     * Drops the page table entries of our mapping of freed memory before it is replaced: {@code MADV_DONTNEED} holds
     * the process's mmap lock for reading only, while a {@code MAP_FIXED} over populated pages zaps them with the lock
     * held for writing, which stopped every other mapping change and lock-taking fault in the server for 3-6.6 ms
     * per 64 MiB ({@code perf trace}; now 14-52 us for the {@code MAP_FIXED}). A failure only costs that time.
     */
    private static void dropPages(long address, long size) {
        try {
            Mman.madvise(MemorySegment.ofAddress(address).reinterpret(size), MADV_DONTNEED);
        } catch (NativeException | RuntimeException e) {
            VenusContext.LOG.log(System.Logger.Level.DEBUG, "venus: dropping freed pages first failed: " + e);
        }
    }

    /** Drops the pages stale writes left in device's placeholders (under the placeholders lock). */
    private void sweep(long device) {
        for (Placeholder p : placeholders) {
            if (p.device() == device) {
                try {
                    Mman.madvise(MemorySegment.ofAddress(p.address()).reinterpret(p.size()), MADV_DONTNEED);
                } catch (NativeException | RuntimeException e) {
                    VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: emptying a placeholder failed: " + e);
                }
            }
        }
    }

    /**
     * The address of a placeholder of device exactly size bytes long, no longer listed, or 0. A new allocation maps
     * its memory there, so a device that allocates and frees in a loop reuses its address ranges instead of
     * reserving new ones until it is destroyed (a stale pointer into the range then reaches memory of the same
     * context, never another's).
     */
    long take(long device, long size) {
        synchronized (placeholders) {
            for (int i = placeholders.size() - 1; i >= 0; i--) {
                Placeholder p = placeholders.get(i);
                if (p.device() == device && p.size() == size) {
                    placeholders.remove(i);
                    PLACEHOLDER_BYTES.addAndGet(-size);
                    return p.address();
                }
            }
        }
        return 0;
    }

    /** Maps shm over the placeholder at address (see {@link #take}). */
    MemorySegment mapOver(long device, long address, SharedMemory shm, long size)
            throws NativeException {
        try {
            return Mman.map(MemorySegment.ofAddress(address), size, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_SHARED | Mman.MAP_FIXED, shm.fd(), 0, Arena.global());
        } catch (NativeException | RuntimeException e) {
            // a failed MAP_FIXED may have unmapped the range: put the placeholder back so nothing else lands there
            Mman.map(MemorySegment.ofAddress(address), size, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE | Mman.MAP_FIXED, -1, 0, Arena.global());
            synchronized (placeholders) {
                placeholders.add(new Placeholder(device, address, size));
                PLACEHOLDER_BYTES.addAndGet(size);
            }
            throw e;
        }
    }

    /** Bytes of placeholders mapped now, over all contexts (see {@link #retire}). */
    static long bytes() {
        return PLACEHOLDER_BYTES.get();
    }

    /** Unmaps the executor's mapping of m and drops its reference, on the retire thread, behind every retire. */
    void unmap(VenusExecutor.Imported m) {
        RETIRER.execute(() -> unmapNow(m));
    }

    /** Unmaps our mapping of m and drops our reference: only once the host driver cannot use it any more. */
    private static void unmapNow(VenusExecutor.Imported m) {
        if (m.prefaulting() != null) {
            m.prefaulting().cancelAndWait();
        }
        try {
            Mman.unmap(m.address(), m.size());
        } catch (NativeException e) {
            VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: unmapping host-visible memory failed: " + e);
        } finally {
            m.shm().release();
        }
    }

    /**
     * After device is destroyed: unmaps the placeholders of its retired memory. Queued behind every retire of its
     * memory, so none is replaced after this (MAP_FIXED over a range unmapped here could hit someone else's).
     */
    void unmapDevice(long device) {
        RETIRER.execute(() -> {
            synchronized (placeholders) {
                for (var it = placeholders.iterator(); it.hasNext(); ) {
                    Placeholder p = it.next();
                    if (p.device() == device) {
                        it.remove();
                        PLACEHOLDER_BYTES.addAndGet(-p.size());
                        try {
                            Mman.unmap(p.address(), p.size());
                        } catch (NativeException e) {
                            VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: unmapping a placeholder failed: "
                                    + e);
                        }
                    }
                }
            }
        });
    }
}
