package org.virtgpu.context.venus;

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
}
