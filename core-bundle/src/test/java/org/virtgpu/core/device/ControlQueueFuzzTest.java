package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.api.Limits;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.core.protocol.Replies;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.protocol.Requests.Entry;
import org.virtgpu.core.testing.FuzzSupport;
import org.virtgpu.core.testing.FuzzSupport.SevereLogTrap;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.core.testing.TestContextType;
import org.virtgpu.core.testing.TestGuestMemory;

/**
 * Coverage-guided fuzzing of the control and cursor queues: a session gets a sequence of requests built from the
 * fuzz data (valid-ish ones from {@link Requests} with hostile field values, raw garbage, fences and rings), each split
 * into several readable segments and answered into one to three writable segments of fuzzed sizes.
 *
 * <p>Invariants: nothing escapes {@code control()}/{@code cursor()} and nothing is logged at ERROR (the dispatcher's
 * catch-all for unexpected exceptions); every request completes exactly once with a length no larger than the
 * writable buffers; a reply's type is an OK_* or ERR_* code; a fenced request's reply echoes the fence; host bytes stay
 * within the session's limit; after close no host bytes and no file descriptors remain.
 *
 * <p>Regression mode (every build) replays {@code ControlQueueFuzzTestInputs/}; see docs/fuzzing.md to fuzz.
 */
@ExtendWith(FuzzSupport.class)
class ControlQueueFuzzTest {
    private static final Limits LIMITS = new Limits(8, 4L << 20, 3);
    /** Reused across runs (zeroed each time): allocating guest RAM per input would dominate the run time. */
    private static final TestGuestMemory GUEST = new TestGuestMemory(1L << 20);
    private static final long BASE = TestGuestMemory.BASE;

    static {
        // SecureRandom keeps /dev/random and /dev/urandom open for good: open them before the first fd count
        java.util.UUID.randomUUID();
    }

    @FuzzTest(maxDuration = "60s")
    void everyRequestIsAnsweredOnceWithAValidReplyAndNothingLeaks(FuzzedDataProvider data) throws Exception {
        java.util.Map<Integer, String> fdsBefore = FuzzSupport.openFds();
        GUEST.at(BASE, 1L << 20).fill((byte) 0);
        try (SevereLogTrap trap = new SevereLogTrap()) {
            int page = data.pickValue(new int[] {0, 16384, 65536});
            DeviceSettings settings = DeviceSettings.defaults().withHostPageSize(page).withHostVisibleSize(4L << 20)
                    .withNumScanouts(data.consumeInt(1, 2)).withLimits(LIMITS);
            long features = data.consumeBoolean() ? GpuHarness.ALL_FEATURES : data.consumeLong() & GpuHarness.ALL_FEATURES;
            DeviceComponent device = DeviceComponent.standalone(settings);
            TestContextType type = new TestContextType("fuzz", 2, 4);
            device.addContextType(type, "fuzz 1.0");
            DeviceSession session = (DeviceSession) device.openSession(
                    new SessionOptions("fuzz", GUEST, features, LIMITS, DisplaySink.NONE));
            List<AtomicInteger> completions = new ArrayList<>();
            int requests = data.consumeInt(1, 24);
            for (int i = 0; i < requests && data.remainingBytes() > 0; i++) {
                byte[] req = request(data);
                List<MemorySegment> readable = split(data, req);
                if (data.consumeInt(0, 15) == 0) {
                    session.cursor(readable);
                    trap.check();
                    continue;
                }
                List<MemorySegment> writable = new ArrayList<>();
                long room = 0;
                for (int w = data.consumeInt(1, 3); w > 0; w--) {
                    int size = data.pickValue(new int[] {0, 4, 23, 24, 32, 40, 64, RESP_DISPLAY_INFO_SIZE, RESP_EDID_SIZE,
                            data.consumeInt(0, 2048)});
                    writable.add(MemorySegment.ofArray(new byte[size]));
                    room += size;
                }
                AtomicInteger calls = new AtomicInteger();
                AtomicInteger length = new AtomicInteger(-1);
                completions.add(calls);
                session.control(readable, writable, n -> {
                    calls.incrementAndGet();
                    length.set(n);
                });
                trap.check();
                assertTrue(calls.get() <= 1, "completed " + calls.get() + " times");
                assertTrue(session.bytesInUse() <= LIMITS.maxBytes(), "host bytes over the limit: " + session.bytesInUse());
                if (calls.get() == 1) {
                    checkReply(req, writable, length.get(), room);
                }
            }
            session.close();
            trap.check();
            for (int i = 0; i < completions.size(); i++) {
                assertEquals(1, completions.get(i).get(), "completions of request " + i + " after close");
            }
            assertEquals(0, session.bytesInUse(), "host bytes after close");
        }
        FuzzSupport.assertNoNewFds(fdsBefore);
    }

    private static void checkReply(byte[] req, List<MemorySegment> writable, int written, long room) {
        assertTrue(written >= 0 && written <= room, "wrote " + written + " into " + room + " bytes");
        byte[] reply = new byte[written];
        int at = 0;
        for (MemorySegment w : writable) {
            int n = (int) Math.min(w.byteSize(), written - at);
            MemorySegment.copy(w, 0, MemorySegment.ofArray(reply), at, n);
            at += n;
        }
        MemorySegment r = MemorySegment.ofArray(reply);
        if (written >= 4) {
            int type = Replies.u32(r, 0);
            assertTrue(type >= VIRTIO_GPU_RESP_OK_NODATA && type <= VIRTIO_GPU_RESP_OK_MAP_INFO
                            || type >= VIRTIO_GPU_RESP_ERR_UNSPEC && type <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
                    "reply type 0x" + Integer.toHexString(type));
        }
        if (written >= 16 && req.length >= CTRL_HDR_SIZE) {
            MemorySegment q = MemorySegment.ofArray(req);
            if ((Replies.u32(q, 4) & VIRTIO_GPU_FLAG_FENCE) != 0) {
                assertTrue((Replies.u32(r, 4) & VIRTIO_GPU_FLAG_FENCE) != 0, "fenced reply lost the fence flag");
                assertEquals(Replies.fenceId(q), Replies.fenceId(r), "fence id echo");
            }
        }
    }

    /** Splits a request into 1..4 readable segments at fuzzed offsets (empty segments included). */
    private static List<MemorySegment> split(FuzzedDataProvider data, byte[] req) {
        List<MemorySegment> parts = new ArrayList<>();
        int from = 0;
        for (int cuts = data.consumeInt(0, 3); cuts > 0; cuts--) {
            int to = data.consumeInt(from, req.length);
            parts.add(MemorySegment.ofArray(java.util.Arrays.copyOfRange(req, from, to)));
            from = to;
        }
        parts.add(MemorySegment.ofArray(java.util.Arrays.copyOfRange(req, from, req.length)));
        return parts;
    }

    /** Small values hit live objects; edge values hit the overflow and range checks. */
    private static int val(FuzzedDataProvider d) {
        return switch (d.consumeInt(0, 3)) {
            case 0 -> d.consumeInt(0, 4);
            case 1 -> d.pickValue(new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 4096, 16384, 65536, 0xffff});
            case 2 -> d.consumeInt(0, 2048);
            default -> d.consumeInt();
        };
    }

    private static long addr(FuzzedDataProvider d) {
        return d.consumeBoolean() ? BASE + d.consumeLong(0, (1L << 20) + 4096) : d.consumeLong();
    }

    private static List<Entry> entries(FuzzedDataProvider d) {
        List<Entry> l = new ArrayList<>();
        for (int n = d.consumeInt(0, 4); n > 0; n--) {
            l.add(new Entry(addr(d), val(d)));
        }
        return l;
    }

    private static byte[] request(FuzzedDataProvider d) {
        byte[] req = switch (d.consumeInt(0, 29)) {
            case 0 -> Requests.getDisplayInfo();
            case 1 -> Requests.resourceCreate2d(val(d), val(d), val(d), val(d));
            case 2 -> Requests.resourceUnref(val(d));
            case 3 -> Requests.setScanout(val(d), val(d), val(d), val(d), val(d), val(d));
            case 4 -> Requests.resourceFlush(val(d), val(d), val(d), val(d), val(d));
            case 5 -> Requests.transferToHost2d(val(d), val(d), val(d), val(d), val(d), d.consumeLong());
            case 6 -> Requests.attachBacking(val(d), entries(d));
            case 7 -> Requests.detachBacking(val(d));
            case 8 -> Requests.getCapsetInfo(val(d));
            case 9 -> Requests.getCapset(val(d), val(d));
            case 10 -> Requests.getEdid(val(d));
            case 11 -> Requests.assignUuid(val(d));
            case 12 -> Requests.createBlob(val(d), val(d), val(d), val(d), d.consumeLong(0, 8),
                    d.consumeBoolean() ? d.consumeLong(0, 1 << 20) : d.consumeLong(), entries(d));
            case 13 -> Requests.setScanoutBlob(val(d), val(d), val(d), val(d), val(d), val(d), val(d), val(d), val(d),
                    val(d), val(d));
            case 14 -> Requests.ctxCreate(val(d), val(d), d.consumeString(70));
            case 15 -> Requests.ctxDestroy(val(d));
            case 16 -> Requests.ctxAttachResource(val(d), val(d));
            case 17 -> Requests.ctxDetachResource(val(d), val(d));
            case 18 -> Requests.resourceCreate3d(val(d), val(d), val(d), val(d), val(d), val(d), val(d), val(d), val(d),
                    val(d), val(d), val(d));
            case 19 -> Requests.transfer3d(d.consumeBoolean(), val(d), val(d),
                    new int[] {val(d), val(d), val(d), val(d), val(d), val(d)}, d.consumeLong(), val(d), val(d), val(d));
            case 20 -> Requests.submit3d(val(d), d.consumeBytes(d.consumeInt(0, 128)));
            case 21 -> Requests.mapBlob(val(d), d.consumeBoolean() ? 4096L * d.consumeInt(0, 1024) : d.consumeLong());
            case 22 -> Requests.unmapBlob(val(d));
            case 23 -> Requests.updateCursor(val(d), val(d), val(d), val(d), val(d), val(d));
            case 24 -> Requests.moveCursor(val(d), val(d), val(d));
            case 25 -> {
                // a known command type with a garbage body of any length
                byte[] b = d.consumeBytes(d.consumeInt(0, 300));
                byte[] h = Requests.getDisplayInfo();
                MemorySegment.ofArray(h).set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0,
                        d.pickValue(new int[] {0x100 + d.consumeInt(0, 0xd), 0x200 + d.consumeInt(0, 9), 0x300, 0x301}));
                byte[] all = java.util.Arrays.copyOf(h, h.length + b.length);
                System.arraycopy(b, 0, all, h.length, b.length);
                yield all;
            }
            default -> d.consumeBytes(d.consumeInt(0, 200)); // raw garbage, short headers included
        };
        if (req.length >= CTRL_HDR_SIZE) {
            if (d.consumeInt(0, 3) == 0) {
                Requests.fenced(req, d.consumeBoolean() ? d.consumeLong(0, 64) : d.consumeLong());
            }
            if (d.consumeInt(0, 3) == 0) {
                Requests.onRing(req, d.consumeInt(0, 255));
            }
            if (d.consumeInt(0, 3) == 0) {
                Requests.inContext(req, val(d));
            }
        }
        if (d.consumeInt(0, 7) == 0) {
            req = java.util.Arrays.copyOf(req, d.consumeInt(0, req.length + 8)); // truncated or padded
        }
        return req;
    }
}
