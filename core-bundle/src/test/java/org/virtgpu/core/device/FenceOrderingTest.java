package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.core.testing.GpuHarness.Reply;
import org.virtgpu.core.testing.TestContextType;

/**
 * "Device Operation: Command lifecycle and fencing": a fenced reply is returned only after its work is done and
 * after every earlier fenced command of its timeline; INFO_RING_IDX timelines are independent.
 */
class FenceOrderingTest {

    @Test
    void fencedSubmitIsReturnedOnlyAfterTheContextSignals() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            g.ctx(1, 4);
            g.type.asyncFences = true;
            Reply r = g.send(Requests.fenced(Requests.submit3d(1, new byte[4]), 10));
            assertFalse(r.completed());
            assertArrayEquals(new long[] {0, 10}, g.type.context(1).fences.getFirst());
            g.type.context(1).signal(0, 10);
            assertTrue(r.completed());
            assertEquals(VIRTIO_GPU_RESP_OK_NODATA, r.type());
            assertEquals(10, r.fenceId());
            assertEquals(VIRTIO_GPU_FLAG_FENCE, r.flags());
        }
    }

    @Test
    void fencedReplyWaitsForEveryLowerFenceOnTheGlobalTimeline() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            g.ctx(1, 4);
            g.ctx(2, 4);
            g.type.asyncFences = true;
            Reply a = g.send(Requests.fenced(Requests.submit3d(1, new byte[4]), 1));
            Reply b = g.send(Requests.fenced(Requests.submit3d(2, new byte[4]), 2));
            Reply c = g.send(Requests.fenced(Requests.getDisplayInfo(), 3)); // done at once, but after 1 and 2
            Reply plain = g.send(Requests.getDisplayInfo());
            assertTrue(plain.completed(), "unfenced replies never wait");
            assertFalse(c.completed());
            g.type.context(2).signal(0, 2);
            assertFalse(b.completed(), "fence 2 must not pass fence 1");
            assertFalse(c.completed());
            g.type.context(1).signal(0, 1);
            assertTrue(a.completed() && b.completed() && c.completed());
        }
    }

    @Test
    void ringTimelinesAreIndependentOfEachOtherAndOfTheGlobalOne() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            g.ctx(1, 4);
            g.type.asyncFences = true;
            Reply r0 = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[4]), 1), 0));
            Reply r1 = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[4]), 2), 1));
            Reply r1b = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[4]), 3), 1));
            Reply global = g.send(Requests.fenced(Requests.getDisplayInfo(), 4));
            assertTrue(global.completed(), "the global timeline does not wait for ring fences");
            var ctx = g.type.context(1);
            assertEquals(List.of(0L, 1L, 1L), ctx.fences.stream().map(f -> f[0]).toList());
            ctx.signal(1, 3); // retires 2 and 3 on ring 1
            assertTrue(r1.completed() && r1b.completed());
            assertFalse(r0.completed(), "ring 0 is another timeline");
            assertEquals(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX, r1.flags());
            assertEquals(1, r1.buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 20));
            ctx.signal(0, 1);
            assertTrue(r0.completed());
        }
    }

    @Test
    void signallingNRetiresOnlyFencesUpToN() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            g.ctx(1, 4);
            g.type.asyncFences = true;
            Reply f5 = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[4]), 5), 2));
            Reply f9 = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[4]), 9), 2));
            g.type.context(1).signal(2, 7);
            assertTrue(f5.completed());
            assertFalse(f9.completed());
            g.type.context(1).signal(2, 6); // an older signal changes nothing
            assertFalse(f9.completed());
            g.type.context(1).signal(2, 9);
            assertTrue(f9.completed());
        }
    }

    @Test
    void errorReplyKeepsItsPlaceOnTheTimeline() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            g.ctx(1, 4);
            g.type.asyncFences = true;
            Reply a = g.send(Requests.fenced(Requests.submit3d(1, new byte[4]), 1));
            Reply err = g.send(Requests.fenced(Requests.resourceUnref(42), 2));
            assertFalse(err.completed(), "an error reply is fenced work too: not before fence 1");
            g.type.context(1).signal(0, 1);
            assertTrue(a.completed());
            assertEquals(VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, err.type());
            assertEquals(2, err.fenceId());
        }
    }

    @Test
    void fencesCompletedFromManyThreadsComeBackInOrder() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            int contexts = 4;
            int perContext = 200;
            for (int c = 1; c <= contexts; c++) {
                g.ctx(c, 4);
            }
            g.type.asyncFences = true;
            ConcurrentLinkedQueue<Long> order = new ConcurrentLinkedQueue<>();
            List<long[]> issued = new ArrayList<>();
            long fence = 0;
            for (int i = 0; i < perContext; i++) {
                for (int c = 1; c <= contexts; c++) {
                    long f = ++fence;
                    issued.add(new long[] {c, f});
                    byte[] req = Requests.fenced(Requests.submit3d(c, new byte[4]), f);
                    g.session.control(Requests.asReadable(req), List.of(java.lang.foreign.MemorySegment.ofArray(new byte[24])),
                            n -> order.add(f));
                }
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int c = 1; c <= contexts; c++) {
                TestContextType.TestContext ctx = g.type.context(c);
                int cc = c;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    // each context completes its own fences in order, racing the others
                    issued.stream().filter(x -> x[0] == cc).forEach(x -> ctx.signal(0, x[1]));
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            List<Long> got = new ArrayList<>(order);
            assertEquals(contexts * perContext, got.size());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i + 1, got.get(i), "global timeline order broken at " + i);
            }
        }
    }

    @Test
    void closingTheSessionCompletesPendingFences() throws Exception {
        GpuHarness g = new GpuHarness();
        g.ctx(1, 4);
        g.type.asyncFences = true;
        Reply r = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[4]), 1), 5));
        Reply after = g.send(Requests.fenced(Requests.getDisplayInfo(), 2));
        assertFalse(r.completed());
        g.close();
        assertTrue(r.completed());
        assertTrue(after.completed());
        assertEquals(1, g.type.context(1).destroyed);
    }
}
