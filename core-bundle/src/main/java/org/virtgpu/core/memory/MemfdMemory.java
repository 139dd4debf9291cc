package org.virtgpu.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Memfd;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Sched;
import org.virtgpu.spi.SharedMemory;

/**
 * {@link SharedMemory} on a sealed memfd mapped once, shared and read-write, into its own shared {@link Arena}.
 * The arena (and with it every Java view of the bytes) and the fd live exactly as long as the last reference:
 * a context that imported the memory into a host API keeps it alive after the resource's UNREF, and the core's
 * accounting is credited only when the bytes are really gone ({@code onFree}).
 *
 * <p>Giving the pages back is not free: unmapping and closing 64 MiB that were touched took 11 ms here (3 ms munmap,
 * 8 ms for the close that truncates the memfd), and the last release usually happens on a queue or ring thread that
 * a client is waiting on. Mappings of {@link #ASYNC_RECLAIM_BYTES} or more are therefore unmapped, closed and
 * credited on one background thread ({@code virtgpu-reclaim}, gone after two idle seconds), in release order;
 * {@link #awaitReclaimed} waits for what is queued (a session that hits its byte limit does, before refusing).
 * That thread runs at nice 19: at the default priority the 20 ms of freeing two 64 MiB allocations took a CPU from
 * the next submit round trips of the same client (Venus benchmark, {@code e2e/venus/ab.sh}, 50 clients per side:
 * submit+wait 0.109 -&gt; 0.046 ms). Not SCHED_IDLE: reclaiming must still come before pre-faulting new memory,
 * which runs there (with both at SCHED_IDLE, compute_4m was 6-8 % slower).
 */
public final class MemfdMemory implements SharedMemory {
    /** from this size on, the last release hands unmapping and closing to the reclaim thread */
    public static final long ASYNC_RECLAIM_BYTES = 1L << 20;
    /** the reclaim thread's nice value (see the class comment) */
    static final int RECLAIM_NICE = 19;
    private static final ThreadPoolExecutor RECLAIMER = new ThreadPoolExecutor(1, 1, 2, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> Thread.ofPlatform().daemon().name("virtgpu-reclaim").unstarted(() -> {
                try {
                    Sched.niceCurrentThread(RECLAIM_NICE);
                } catch (NativeException e) {
                    // stays at the default priority
                }
                r.run();
            }));

    static {
        RECLAIMER.allowCoreThreadTimeOut(true);
    }

    private final int fd;
    private final long size;
    private final Arena arena;
    private final MemorySegment segment;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final Runnable onFree;

    private MemfdMemory(int fd, long size, Arena arena, MemorySegment segment, Runnable onFree) {
        this.fd = fd;
        this.size = size;
        this.arena = arena;
        this.segment = segment;
        this.onFree = onFree;
    }

    /**
     * Creates {@code size} bytes (already a multiple of the host page size), zero-filled.
     *
     * @param onFree run once when the last reference is released (credits the session's byte count)
     */
    public static MemfdMemory allocate(String name, long size, Runnable onFree) throws NativeException {
        // sealed: a client that receives the fd must not be able to shrink it under our mapping (SIGBUS)
        int fd = Memfd.createSealed("virtgpu:" + name, size);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = Mman.mapShared(fd, 0, size, arena);
            return new MemfdMemory(fd, size, arena, seg, onFree);
        } catch (NativeException | RuntimeException e) {
            arena.close();
            Fds.closeQuietly(fd);
            throw e;
        }
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public SharedMemory retain() {
        int r;
        do {
            r = refs.get();
            if (r <= 0) {
                throw new IllegalStateException("shared memory (fd " + fd + ") already released");
            }
        } while (!refs.compareAndSet(r, r + 1));
        return this;
    }

    @Override
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            if (size >= ASYNC_RECLAIM_BYTES) {
                RECLAIMER.execute(this::free);
            } else {
                free();
            }
        } else if (r < 0) {
            throw new IllegalStateException("shared memory (fd " + fd + ") released more often than retained");
        }
    }

    /** Live references (for tests and the shell). */
    public int references() {
        return refs.get();
    }

    private void free() {
        arena.close();
        Fds.closeQuietly(fd);
        onFree.run();
    }

    /**
     * Waits until every mapping whose last reference went before this call is unmapped, closed and credited.
     *
     * @return false when that took longer than {@code timeoutMillis}
     */
    public static boolean awaitReclaimed(long timeoutMillis) {
        try {
            RECLAIMER.submit(() -> { }).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }
}
