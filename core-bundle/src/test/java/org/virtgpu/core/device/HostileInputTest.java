package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.api.Limits;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.protocol.Replies;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.protocol.Requests.Entry;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.core.testing.TestContextType;

/**
 * Hostile input is normal input: mutated, truncated and split requests never throw out of the dispatcher, always
 * get exactly one reply of a valid type, and leak nothing once the session closes.
 */
class HostileInputTest {

    static List<byte[]> templates(long page) {
        long base = 0x1_0000_0000L;
        return List.of(
                Requests.getDisplayInfo(), Requests.resourceCreate2d(1, 2, 64, 64), Requests.resourceUnref(1),
                Requests.setScanout(0, 1, 0, 0, 64, 64), Requests.resourceFlush(1, 0, 0, 64, 64),
                Requests.transferToHost2d(1, 0, 0, 64, 64, 0), Requests.attachBacking(1, List.of(new Entry(base, 16384))),
                Requests.detachBacking(1), Requests.getCapsetInfo(0), Requests.getCapset(4, 0), Requests.getEdid(0),
                Requests.assignUuid(1), Requests.createBlob(1, 2, 1, 2, 0, 4096, List.of(new Entry(base, 4096))),
                Requests.createBlob(1, 3, 2, 1, 5, 4096, List.of()), Requests.setScanoutBlob(0, 2, 0, 0, 16, 16, 16, 16, 2, 64, 0),
                Requests.ctxCreate(1, 4, "fuzz"), Requests.ctxDestroy(1), Requests.ctxAttachResource(1, 1),
                Requests.ctxDetachResource(1, 1), Requests.resourceCreate3d(1, 4, 2, 1, 2, 16, 16, 1, 1, 0, 0, 0),
                Requests.transfer3d(true, 1, 4, new int[] {0, 0, 0, 16, 16, 1}, 0, 0, 0, 0),
                Requests.transfer3d(false, 1, 4, new int[] {0, 0, 0, 16, 16, 1}, 0, 0, 0, 0),
                Requests.submit3d(1, new byte[32]), Requests.mapBlob(3, page), Requests.unmapBlob(3),
                Requests.updateCursor(0, 1, 1, 1, 0, 0), Requests.moveCursor(0, 5, 5));
    }

    @Test
    void mutatedRequestsAlwaysGetExactlyOneValidReply() throws Exception {
        java.util.UUID.randomUUID(); // SecureRandom keeps /dev/random and /dev/urandom open for good
        int fds = Fds.openCount();
        Random rnd = new Random(0x5eed);
        GpuHarness g = new GpuHarness(DeviceSettings.defaults(), GpuHarness.ALL_FEATURES, new Limits(64, 32L << 20, 8),
                DisplaySink.NONE);
        g.guest.alloc(1 << 20);
        List<byte[]> t = templates(4096);
        int[] seen = new int[0x1300];
        for (int i = 0; i < 20_000; i++) {
            byte[] req = t.get(rnd.nextInt(t.size())).clone();
            int flips = rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = 24 + rnd.nextInt(Math.max(1, req.length - 24));
                if (at < req.length) {
                    // small ids and sizes hit real objects; large values hit the overflow checks
                    req[at] = (byte) switch (rnd.nextInt(4)) {
                        case 0 -> rnd.nextInt(4);
                        case 1 -> 0xff;
                        case 2 -> 0x80;
                        default -> rnd.nextInt(256);
                    };
                }
            }
            if (rnd.nextInt(8) == 0) {
                Requests.fenced(req, i + 1);
            }
            if (rnd.nextInt(10) == 0) {
                req = java.util.Arrays.copyOf(req, rnd.nextInt(req.length + 1));
            }
            List<MemorySegment> parts = new ArrayList<>();
            int from = 0;
            while (from < req.length) {
                int n = 1 + rnd.nextInt(req.length - from);
                parts.add(MemorySegment.ofArray(java.util.Arrays.copyOfRange(req, from, from + n)));
                from += n;
            }
            MemorySegment reply = MemorySegment.ofArray(new byte[1056]);
            AtomicInteger calls = new AtomicInteger();
            if (rnd.nextInt(5) == 0) {
                g.session.cursor(parts);
                continue;
            }
            g.session.control(parts, List.of(reply), n -> calls.incrementAndGet());
            assertEquals(1, calls.get(), "completion count for request " + i);
            int type = Replies.type(reply);
            assertTrue(type >= VIRTIO_GPU_RESP_OK_NODATA && type <= VIRTIO_GPU_RESP_OK_MAP_INFO
                    || type >= VIRTIO_GPU_RESP_ERR_UNSPEC && type <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
                    "reply type 0x" + Integer.toHexString(type));
            seen[type]++;
        }
        assertTrue(seen[VIRTIO_GPU_RESP_OK_NODATA] > 100, "the fuzzer also reaches successful paths");
        assertTrue(g.session.bytesInUse() <= 32L << 20);
        g.close();
        assertEquals(0, g.session.bytesInUse());
        assertEquals(fds, Fds.openCount(), "fds leaked");
    }

    @Test
    void contextTypeGoingAwayWhileTheGuestSubmitsIsSafe() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            TestContextType v = new TestContextType("venus", 5);
            g.device.addContextType(v, "venus");
            g.ok(Requests.ctxCreate(1, 5, "busy"));
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger lost = new AtomicInteger();
            Thread guest = Thread.ofPlatform().start(() -> {
                for (int i = 1; i <= 20_000; i++) {
                    var r = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[8]), i), i % 4));
                    assertTrue(r.completed());
                    (r.type() == VIRTIO_GPU_RESP_OK_NODATA ? ok : lost).incrementAndGet();
                }
            });
            Thread.sleep(20);
            g.device.removeContextType(v);
            guest.join();
            assertEquals(20_000, ok.get() + lost.get());
            assertTrue(lost.get() > 0);
            assertEquals(1, v.context(1).destroyed);
            assertTrue(g.device.sessions().getFirst().contexts().getFirst().lost());
        }
    }
}
