package org.virtgpu.context.venus;

import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

/**
 * Sizes of one context's buffers and memory allocations, so that commands whose byte ranges leave them never reach
 * the host driver. lavapipe trusts them: one {@code vkCmdCopyBuffer} reading four times past its source buffer killed
 * the server's JVM with the copy (SIGSEGV in the queue thread), and binding a buffer past the end of its memory
 * does the same with an in-range copy. Valid usage keeps every range inside (VUID-vkCmdCopyBuffer-size-00115,
 * VUID-vkBindBufferMemory-size-01037 and their siblings), so only a broken or hostile client is refused.
 *
 * <p>Host handles. A buffer's size is its memory requirement, taken when it is bound (sparse buffers: their size,
 * when created; the driver backs their whole range), so buffers that are never bound cost nothing (keeping every
 * created buffer's size in a map of boxed longs made the 2000-buffer churn up to 1.5x slower). The sizes live in the
 * context's object table next to the bindings ({@link VnObjects#extra}) and go with the objects. A buffer with no
 * size here is unknown or unbound, and no range lies in it.
 *
 * <p>Query pools the same way: their query count, and the values per query of their type, so that query indices
 * (lavapipe's {@code vkCmdBeginQuery} / {@code vkCmdResetQueryPool} past a four-query pool killed the server) and the
 * bytes {@code vkCmdCopyQueryPoolResults} and {@code vkGetQueryPoolResults} write are checked. Images are in
 * {@link Images}.
 */
final class Bounds {
    /** VkDeviceSize's VK_WHOLE_SIZE */
    static final long WHOLE_SIZE = -1L;
    private static final long BOUND = Long.MIN_VALUE;
    private static final int BUFFER = VnInfo.H_VkBuffer;
    private static final int MEMORY = VnInfo.H_VkDeviceMemory;
    private static final int QUERY_POOL = VnInfo.H_VkQueryPool;
    static final int QUERY_TYPE_OCCLUSION = 0, QUERY_TYPE_PIPELINE_STATISTICS = 1, QUERY_TYPE_TIMESTAMP = 2;
    /** VK_EXT_transform_feedback's query type: primitives written and needed, per vertex stream */
    static final int QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM = 1000028004;
    /** VK_EXT_primitives_generated_query's: one value, and a vertex stream index like a transform feedback query */
    static final int QUERY_TYPE_PRIMITIVES_GENERATED = 1000382000;
    private static final long STREAM_INDEXED = 1L << 40;
    static final int QUERY_RESULT_64 = 0x1, QUERY_RESULT_WITH_AVAILABILITY = 0x4, QUERY_RESULT_WITH_STATUS = 0x10;
    private final VnObjects objects;

    Bounds(VnObjects objects) {
        this.objects = objects;
    }

    void memoryAllocated(long mem, long size) {
        if (size > 0) {
            objects.extra(MEMORY, mem, size);
        }
    }

    /** A sparse buffer of size bytes: usable over its whole range from the start. */
    void sparseCreated(long buffer, long size) {
        if (size > 0) {
            objects.extra(BUFFER, buffer, size | BOUND);
        }
    }

    /** Whether [offset, offset + size) lies in the allocation mem (an image binding there, say). */
    boolean memoryHolds(long mem, long offset, long size) {
        long m = objects.extra(MEMORY, mem);
        return size > 0 && m != 0 && within(offset, size, m);
    }

    /**
     * Whether buffer, of size bytes, fits in memory from offset (checked before the driver binds it); if so its size
     * is kept, still unbound, for {@link #bound}.
     */
    boolean fits(long buffer, long size, long mem, long offset) {
        long m = objects.extra(MEMORY, mem);
        if (size <= 0 || m == 0 || !within(offset, size, m)) {
            return false;
        }
        objects.extra(BUFFER, buffer, size);
        return true;
    }

    /** After the driver bound a buffer that {@link #fits}: ranges in it are usable from now on. */
    void bound(long buffer) {
        long b = objects.extra(BUFFER, buffer);
        if (b != 0) {
            objects.extra(BUFFER, buffer, b | BOUND);
        }
    }

    /**
     * Whether [offset, offset + length) lies in a bound buffer; length {@link #WHOLE_SIZE} means to its end (the
     * offset must then be inside).
     */
    boolean range(long buffer, long offset, long length) {
        long b = objects.extra(BUFFER, buffer);
        if ((b & BOUND) == 0) {
            return false; // unknown, or not bound
        }
        long size = b & ~BOUND;
        return length == WHOLE_SIZE ? Long.compareUnsigned(offset, size) <= 0 : within(offset, length, size);
    }

    /** The size of a bound buffer, -1 when unknown or not bound. */
    long boundSize(long buffer) {
        long b = objects.extra(BUFFER, buffer);
        return (b & BOUND) == 0 ? -1 : b & ~BOUND;
    }

    /**
     * Whether count records of recordBytes each, stride apart from offset, lie in a bound buffer (indirect draws);
     * no records is always inside.
     */
    boolean records(long buffer, long offset, long count, long stride, long recordBytes) {
        if (count <= 0) {
            return true;
        }
        long span;
        try {
            span = Math.addExact(Math.multiplyExact(count - 1, stride), recordBytes);
        } catch (ArithmeticException e) {
            return false;
        }
        return stride >= 0 && range(buffer, offset, span);
    }

    /**
     * A query pool of count queries of type (VkQueryPoolCreateInfo; statistics: its pipelineStatistics bits). Kept:
     * the count, and how many values each query's results hold (0 for a type whose results are not known here).
     */
    void queryPoolCreated(long pool, int type, int count, int statistics) {
        int values = switch (type) { // kept + 1: 0 is a type whose results are not known here
            case QUERY_TYPE_OCCLUSION, QUERY_TYPE_TIMESTAMP, QUERY_TYPE_PRIMITIVES_GENERATED -> 2;
            case QUERY_TYPE_PIPELINE_STATISTICS -> Integer.bitCount(statistics) + 1;
            case QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM -> 3;
            default -> 0;
        };
        boolean indexed = type == QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM || type == QUERY_TYPE_PRIMITIVES_GENERATED;
        objects.extra(QUERY_POOL, pool, Integer.toUnsignedLong(count) | (long) values << 32 | 1L << 62
                | (indexed ? STREAM_INDEXED : 0));
    }

    /**
     * Whether a known pool's queries take a vertex stream index (vkCmdBeginQueryIndexedEXT's index: below
     * maxTransformFeedbackStreams for transform feedback stream and primitives generated queries, 0 for every other
     * type).
     */
    boolean streamIndexed(long pool) {
        return (objects.extra(QUERY_POOL, pool) & STREAM_INDEXED) != 0;
    }

    /** Whether queries [first, first + count) are in the pool (lavapipe indexes its query array with them). */
    boolean queries(long pool, int first, int count) {
        long p = objects.extra(QUERY_POOL, pool);
        long n = p & 0xFFFF_FFFFL;
        return p != 0 && within(Integer.toUnsignedLong(first), Integer.toUnsignedLong(count), n);
    }

    /**
     * The bytes count queries' results take at stride with flags (vkGetQueryPoolResults, vkCmdCopyQueryPoolResults:
     * the last query's values, 4 or 8 bytes each, plus availability or status), or -1 when the pool's queries or
     * their results are not known here or the span overflows. No queries take 0 bytes.
     */
    long resultBytes(long pool, int first, int count, long stride, int flags) {
        long p = objects.extra(QUERY_POOL, pool);
        int values = ((int) (p >>> 32) & 0xFF) - 1;
        if (!queries(pool, first, count) || values < 0) {
            return -1;
        }
        if (count == 0) {
            return 0;
        }
        if (stride < 0 && count != 1) {
            return -1; // a VkDeviceSize stride past 2^63 wraps
        }
        int extra = (flags & (QUERY_RESULT_WITH_AVAILABILITY | QUERY_RESULT_WITH_STATUS)) != 0 ? 1 : 0;
        long last = (long) (values + extra) * ((flags & QUERY_RESULT_64) != 0 ? 8 : 4);
        try {
            return Math.addExact(Math.multiplyExact(Integer.toUnsignedLong(count) - 1, stride), last);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** offset + length <= size, unsigned and without overflow */
    private static boolean within(long offset, long length, long size) {
        return Long.compareUnsigned(offset, size) <= 0 && Long.compareUnsigned(length, size - offset) <= 0;
    }
}
