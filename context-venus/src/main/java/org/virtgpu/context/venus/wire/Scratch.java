package org.virtgpu.context.venus.wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Bump allocator for decoded command arguments: reset after every command, so a stream of small commands never
 * allocates. Chunks past the first are returned at reset. Bounded: a client cannot make the host allocate more than
 * {@link #LIMIT} bytes for one command.
 */
public final class Scratch implements AutoCloseable {
    static final long CHUNK = 1 << 20;
    static final long LIMIT = 512L << 20;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment first = arena.allocate(CHUNK, 16);
    private final List<Arena> extra = new ArrayList<>();
    private MemorySegment cur = first;
    private long used;
    /** how far the first chunk was used before allocation moved on to an extra chunk */
    private long firstUsed;
    private long total;

    /** Zeroed, 8-byte aligned memory for n elements of size bytes. */
    public long alloc(long n, long size) {
        if (n < 0 || size <= 0 || n > LIMIT / size) {
            throw new VnProtocolException("allocation of " + n + " x " + size + " bytes refused");
        }
        long bytes = (n * size + 7) & ~7L;
        if (used + bytes > cur.byteSize()) {
            if (total + bytes > LIMIT) {
                throw new VnProtocolException("command needs more than " + LIMIT + " bytes of arguments");
            }
            if (cur == first) {
                firstUsed = used;
            }
            Arena a = Arena.ofShared();
            extra.add(a);
            cur = a.allocate(Math.max(CHUNK, bytes), 16); // zeroed by the arena
            used = 0;
        }
        long address = cur.address() + used;
        used += bytes;
        total += bytes;
        return address;
    }

    /**
     * Forgets everything allocated since the last reset. The first chunk is zeroed here, once per command and only
     * as far as it was used, rather than per allocation: decoding a small command then allocates no Java objects.
     */
    public void reset() {
        long dirty = cur == first ? used : firstUsed;
        if (dirty > 0) {
            first.asSlice(0, dirty).fill((byte) 0); // one liveness check; the JDK writes small fills in longs
        }
        if (!extra.isEmpty()) {
            for (int i = 0; i < extra.size(); i++) {
                extra.get(i).close();
            }
            extra.clear();
        }
        cur = first;
        used = 0;
        firstUsed = 0;
        total = 0;
    }

    @Override
    public void close() {
        reset();
        arena.close();
    }
}
