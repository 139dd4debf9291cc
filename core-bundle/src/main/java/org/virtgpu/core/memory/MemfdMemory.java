package org.virtgpu.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Memfd;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.spi.SharedMemory;

/**
 * {@link SharedMemory} on a sealed memfd mapped once, shared and read-write, into its own shared {@link Arena}.
 * The arena (and with it every Java view of the bytes) and the fd live exactly as long as the last reference:
 * a context that imported the memory into a host API keeps it alive after the resource's UNREF, and the core's
 * accounting is credited only when the bytes are really gone ({@code onFree}).
 */
public final class MemfdMemory implements SharedMemory {
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
        int fd = Memfd.create("virtgpu:" + name, size);
        Arena arena = Arena.ofShared();
        try {
            // seal the size: a client that receives the fd must not be able to shrink it under our mapping (SIGBUS)
            Memfd.sealSize(fd);
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
            arena.close();
            Fds.closeQuietly(fd);
            onFree.run();
        } else if (r < 0) {
            throw new IllegalStateException("shared memory (fd " + fd + ") released more often than retained");
        }
    }

    /** Live references (for tests and the shell). */
    public int references() {
        return refs.get();
    }
}
