package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.p32;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Zeroed native memory for the C structs the executor's checks read, freed on close. */
final class TestStructs implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();

    long zeroed(long bytes) {
        return arena.allocate(bytes, 8).fill((byte) 0).address();
    }

    /** Consecutive 32-bit values (a VkOffset3D, a VkImageSubresourceLayers, a VkClearRect...). */
    long ints(int... values) {
        long a = zeroed(4L * Math.max(1, values.length));
        for (int i = 0; i < values.length; i++) {
            p32(a + 4L * i, values[i]);
        }
        return a;
    }

    static void copy(long from, long to, long bytes) {
        MemorySegment.copy(MemorySegment.ofAddress(from).reinterpret(bytes), 0, MemorySegment.ofAddress(to)
                .reinterpret(bytes), 0, bytes);
    }

    @Override
    public void close() {
        arena.close();
    }
}
