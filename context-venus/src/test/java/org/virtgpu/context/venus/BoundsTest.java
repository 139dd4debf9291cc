package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

class BoundsTest {
    private static final long BUF = 0x1000;
    private static final long MEM = 0x2000;
    private final VnObjects objects = new VnObjects(VnInfo.HANDLE_TYPES, VnInfo.H_VkDevice);
    private final Bounds b = new Bounds(objects);

    private void boundBuffer(long size, long memorySize, long offset) {
        b.memoryAllocated(MEM, memorySize);
        assertTrue(b.fits(BUF, size, MEM, offset));
        b.bound(BUF);
    }

    @Test
    void aBindMustFitTheBufferInTheMemoryFromItsOffset() {
        b.memoryAllocated(MEM, 4096);
        assertTrue(b.fits(BUF, 1024, MEM, 0));
        assertTrue(b.fits(BUF, 1024, MEM, 3072));
        assertFalse(b.fits(BUF, 1024, MEM, 3073));
        assertFalse(b.fits(BUF, 1024, MEM, -1), "offsets are unsigned: 2^64-1 is past the end");
        assertFalse(b.fits(BUF, 0, MEM, 0), "no size known");
        assertFalse(b.fits(BUF, 1024, MEM + 1, 0), "unknown memory");
        objects.bind(VnInfo.H_VkDeviceMemory, 7, MEM);
        objects.unbindHost(VnInfo.H_VkDeviceMemory, MEM);
        assertFalse(b.fits(BUF, 1024, MEM, 0), "freed memory: its size goes with its binding");
    }

    @Test
    void rangesMustLieInABoundBuffer() {
        b.memoryAllocated(MEM, 4096);
        assertTrue(b.fits(BUF, 4096, MEM, 0));
        assertFalse(b.range(BUF, 0, 16), "not bound yet");
        b.bound(BUF);
        assertTrue(b.range(BUF, 0, 4096));
        assertTrue(b.range(BUF, 4096, 0));
        assertFalse(b.range(BUF, 1, 4096));
        assertFalse(b.range(BUF, 4097, 0));
        assertFalse(b.range(BUF, 16, -16), "a length near 2^64 does not wrap around");
        assertTrue(b.range(BUF, 4096, Bounds.WHOLE_SIZE), "VK_WHOLE_SIZE from the end: empty");
        assertFalse(b.range(BUF, 4097, Bounds.WHOLE_SIZE));
        assertFalse(b.range(BUF + 8, 0, 1), "unknown buffer");
        objects.bind(VnInfo.H_VkBuffer, 9, BUF);
        objects.unbindHost(VnInfo.H_VkBuffer, BUF);
        assertFalse(b.range(BUF, 0, 1), "destroyed buffer");
    }

    @Test
    void sparseBuffersAreBackedWholeFromTheStart() {
        b.sparseCreated(BUF, 1 << 20);
        assertTrue(b.range(BUF, 0, 1 << 20));
        assertFalse(b.range(BUF, 1, 1 << 20));
    }

    @Test
    void indirectRecordsMustAllLieInTheBuffer() {
        boundBuffer(1024, 1024, 0);
        assertTrue(b.records(BUF, 0, 0, 0, 16), "no draws");
        assertTrue(b.records(BUF, 0, 64, 16, 16));
        assertFalse(b.records(BUF, 0, 65, 16, 16));
        assertTrue(b.records(BUF, 1008, 1, 1 << 30, 16), "one record: the stride does not count");
        assertFalse(b.records(BUF, 0, 0xffffffffL, 0xffffffffL, 20), "a huge count times stride");
        assertFalse(b.records(BUF, 0, Long.MAX_VALUE, 4, 20), "overflow");
    }

    @Test
    void queryIndicesMustLieInThePool() {
        long pool = 0x3000;
        assertFalse(b.queries(pool, 0, 1), "unknown pool");
        b.queryPoolCreated(pool, Bounds.QUERY_TYPE_OCCLUSION, 4, 0);
        assertTrue(b.queries(pool, 0, 4));
        assertTrue(b.queries(pool, 3, 1));
        assertTrue(b.queries(pool, 4, 0));
        assertFalse(b.queries(pool, 4, 1));
        assertFalse(b.queries(pool, 100000, 1), "lavapipe indexes its query array with it");
        assertFalse(b.queries(pool, 1, -1), "counts are unsigned");
        objects.bind(VnInfo.H_VkQueryPool, 5, pool);
        objects.unbindHost(VnInfo.H_VkQueryPool, pool);
        assertFalse(b.queries(pool, 0, 1), "destroyed pool");
    }

    @Test
    void resultBytesCountTheLastQueryAtItsStride() {
        long ts = 0x3000, stats = 0x4000, other = 0x5000;
        b.queryPoolCreated(ts, Bounds.QUERY_TYPE_TIMESTAMP, 4, 0);
        b.queryPoolCreated(stats, Bounds.QUERY_TYPE_PIPELINE_STATISTICS, 4, 0b1011);
        b.queryPoolCreated(other, 1000150000, 4, 0); // a type whose results are not known here
        assertEquals(3 * 4096 + 8, b.resultBytes(ts, 0, 4, 4096, Bounds.QUERY_RESULT_64));
        assertEquals(4, b.resultBytes(ts, 3, 1, 0, 0), "32-bit, one query: the stride does not count");
        assertEquals(16, b.resultBytes(ts, 0, 1, 0, Bounds.QUERY_RESULT_64 | Bounds.QUERY_RESULT_WITH_AVAILABILITY));
        assertEquals(24 + 12, b.resultBytes(stats, 0, 2, 24, 0), "three statistics of 4 bytes, plus the stride");
        assertEquals(0, b.resultBytes(ts, 2, 0, 8, 0), "no queries");
        assertEquals(-1, b.resultBytes(ts, 2, 3, 8, 0), "past the pool");
        assertEquals(-1, b.resultBytes(other, 0, 1, 8, 0), "unknown result layout");
        b.queryPoolCreated(other, Bounds.QUERY_TYPE_PIPELINE_STATISTICS, 4, 0);
        assertEquals(4, b.resultBytes(other, 0, 1, 8, Bounds.QUERY_RESULT_WITH_AVAILABILITY),
                "no statistics: only the availability");
        assertEquals(-1, b.resultBytes(ts, 0, 2, -8, 0), "a stride past 2^63");
        b.memoryAllocated(MEM, 16);
        assertTrue(b.fits(BUF, 16, MEM, 0));
        b.bound(BUF);
        assertFalse(b.range(BUF, 0, b.resultBytes(ts, 0, 4, 4096, Bounds.QUERY_RESULT_64)),
                "e2e/venus/vkhostile querycopy: 4 queries at a 4 KiB stride into 16 bytes");
    }

    @Test
    void transformFeedbackStreamQueriesHoldTwoValuesAndTakeAStreamIndex() {
        long xfb = 0x5000, occlusion = 0x5001;
        b.queryPoolCreated(xfb, Bounds.QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM, 4, 0);
        b.queryPoolCreated(occlusion, Bounds.QUERY_TYPE_OCCLUSION, 4, 0);
        assertEquals(16, b.resultBytes(xfb, 0, 1, 16, Bounds.QUERY_RESULT_64), "primitives written and needed");
        assertEquals(12, b.resultBytes(xfb, 0, 1, 12, Bounds.QUERY_RESULT_WITH_AVAILABILITY));
        assertTrue(b.streamIndexed(xfb));
        assertFalse(b.streamIndexed(occlusion));
        assertFalse(b.streamIndexed(0x5002), "unknown pool");
        assertTrue(b.queries(xfb, 3, 1));
        assertFalse(b.queries(xfb, 4, 1));
    }

    @Test
    void primitivesGeneratedQueriesHoldOneValueAndTakeAStreamIndex() {
        long generated = 0x5003;
        b.queryPoolCreated(generated, Bounds.QUERY_TYPE_PRIMITIVES_GENERATED, 2, 0);
        assertEquals(8, b.resultBytes(generated, 0, 1, 8, Bounds.QUERY_RESULT_64));
        assertEquals(8 + 8, b.resultBytes(generated, 0, 2, 8, Bounds.QUERY_RESULT_WITH_AVAILABILITY));
        assertTrue(b.streamIndexed(generated), "VUID-vkCmdBeginQueryIndexedEXT-queryType-06690");
    }
}
