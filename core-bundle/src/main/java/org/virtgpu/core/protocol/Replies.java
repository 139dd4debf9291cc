package org.virtgpu.core.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads fields of an encoded reply (for clients of the API and tests). */
public final class Replies {
    private Replies() {
    }

    public static int type(MemorySegment reply) {
        return reply.get(ByteStream.LE_INT, 0);
    }

    public static int flags(MemorySegment reply) {
        return reply.get(ByteStream.LE_INT, 4);
    }

    public static long fenceId(MemorySegment reply) {
        return reply.get(ByteStream.LE_LONG, 8);
    }

    public static int ctxId(MemorySegment reply) {
        return reply.get(ByteStream.LE_INT, 16);
    }

    public static int ringIdx(MemorySegment reply) {
        return reply.get(ValueLayout.JAVA_BYTE, 20) & 0xff;
    }

    /** A little-endian u32 at {@code offset}. */
    public static int u32(MemorySegment reply, long offset) {
        return reply.get(ByteStream.LE_INT, offset);
    }

    public static long u64(MemorySegment reply, long offset) {
        return reply.get(ByteStream.LE_LONG, offset);
    }
}
