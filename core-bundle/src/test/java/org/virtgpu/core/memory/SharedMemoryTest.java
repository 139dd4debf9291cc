package org.virtgpu.core.memory;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

class SharedMemoryTest {

    @Test
    void lastReleaseUnmapsClosesAndCredits() throws Exception {
        int fds = Fds.openCount();
        AtomicInteger freed = new AtomicInteger();
        MemfdMemory m = MemfdMemory.allocate("t", 8192, freed::incrementAndGet);
        MemorySegment seg = m.segment();
        seg.set(ValueLayout.JAVA_LONG, 8184, 42);
        m.retain();
        m.release();
        assertEquals(0, freed.get());
        assertEquals(42, seg.get(ValueLayout.JAVA_LONG, 8184));
        m.release();
        assertEquals(1, freed.get());
        assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_LONG, 0));
        assertThrows(IllegalStateException.class, m::retain);
        assertEquals(fds, Fds.openCount());
    }

    @Test
    void largeMemoryIsReclaimedOffTheReleasingThread() throws Exception {
        int fds = Fds.openCount();
        AtomicInteger freed = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> freedOn = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger freedAtNice = new java.util.concurrent.atomic.AtomicInteger(-100);
        MemfdMemory m = MemfdMemory.allocate("t", MemfdMemory.ASYNC_RECLAIM_BYTES, () -> {
            freedOn.set(Thread.currentThread().getName());
            try {
                freedAtNice.set(org.virtgpu.core.nativeio.Sched.niceCurrentThread());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            freed.incrementAndGet();
        });
        m.segment().fill((byte) 1);
        m.release();
        assertThrows(IllegalStateException.class, m::retain, "no new reference once the last one went");
        assertTrue(MemfdMemory.awaitReclaimed(5_000));
        assertEquals(1, freed.get());
        assertEquals("virtgpu-reclaim", freedOn.get());
        assertEquals(MemfdMemory.RECLAIM_NICE, freedAtNice.get(), "the reclaim thread yields to client-facing threads");
        assertEquals(fds, Fds.openCount());
    }

    @Test
    void theFdSeesTheSameBytesAndCannotBeShrunk() throws Exception {
        MemfdMemory m = MemfdMemory.allocate("t", 4096, () -> { });
        try (Arena a = Arena.ofConfined()) {
            MemorySegment other = Mman.mapShared(m.fd(), 0, 4096, a);
            m.segment().set(ValueLayout.JAVA_INT, 100, 7);
            assertEquals(7, other.get(ValueLayout.JAVA_INT, 100));
        } finally {
            m.release();
        }
    }

    @Test
    void regionPlacementsAreCheckedAndRealMappings() throws Exception {
        try (HostVisibleRegion r = new HostVisibleRegion(1 << 20)) {
            MemfdMemory m = MemfdMemory.allocate("t", 8192, () -> { });
            var p = r.map(1, 4096, 8192, m);
            assertEquals(2, m.references());
            MemorySegment window = MemorySegment.ofAddress(r.baseAddress() + 4096);
            assertEquals(window.address(), p.window().address());
            m.segment().set(ValueLayout.JAVA_INT, 4096, 5);
            assertEquals(5, p.window().get(ValueLayout.JAVA_INT, 4096));
            assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> r.map(2, 0, 8192, m)).error());
            assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> r.map(2, 8192, 4096, m)).error());
            assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> r.map(2, (1 << 20) - 4096, 8192, m)).error());
            assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> r.map(2, Long.MAX_VALUE, 4096, m)).error());
            r.map(3, 12288, 4096, m);
            r.unmap(p);
            assertEquals(2, m.references());
            assertThrows(IllegalStateException.class, () -> p.window().get(ValueLayout.JAVA_INT, 0));
            m.release();
        }
    }
}
