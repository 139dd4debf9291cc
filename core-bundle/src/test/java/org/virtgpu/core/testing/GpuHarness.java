package org.virtgpu.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.api.Limits;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSession;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.protocol.Replies;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.protocol.VirtioGpu;

/**
 * A device with a test context type (capsets 2 and 4) and one session over {@link TestGuestMemory}: send requests
 * built with {@link Requests}, get replies.
 */
public final class GpuHarness implements AutoCloseable {
    public static final long ALL_FEATURES = (1L << DeviceInfo.F_VIRGL) | (1L << DeviceInfo.F_EDID)
            | (1L << DeviceInfo.F_RESOURCE_UUID) | (1L << DeviceInfo.F_RESOURCE_BLOB) | (1L << DeviceInfo.F_CONTEXT_INIT)
            | (1L << DeviceInfo.F_BLOB_ALIGNMENT);

    public final DeviceComponent device;
    public final TestContextType type;
    public final TestGuestMemory guest = new TestGuestMemory(16L << 20);
    public final DeviceSession session;

    public GpuHarness() throws Exception {
        this(DeviceSettings.defaults(), ALL_FEATURES, Limits.DEFAULT, DisplaySink.NONE);
    }

    public GpuHarness(DeviceSettings settings, long features, Limits limits, DisplaySink sink) throws Exception {
        device = DeviceComponent.standalone(settings);
        type = new TestContextType("test", 2, 4);
        device.addContextType(type, "test.bundle 1.0");
        session = (DeviceSession) device.openSession(new SessionOptions("test", guest, features, limits, sink));
    }

    /** A reply: the bytes written and whether the completion ran. */
    public static final class Reply {
        public final MemorySegment buf;
        private final AtomicInteger written = new AtomicInteger(-1);

        Reply(int size) {
            buf = MemorySegment.ofArray(new byte[Math.max(size, 24)]);
        }

        public boolean completed() {
            return written.get() >= 0;
        }

        public int written() {
            return written.get();
        }

        public int type() {
            assertTrue(completed(), "reply not returned yet");
            return Replies.type(buf);
        }

        public int u32(long off) {
            return Replies.u32(buf, off);
        }

        public long fenceId() {
            return Replies.fenceId(buf);
        }

        public int flags() {
            return Replies.flags(buf);
        }
    }

    public Reply send(byte[] request) {
        return sendSplit(request);
    }

    /** Sends the request split at the given offsets into separate segments. */
    public Reply sendSplit(byte[] request, int... cuts) {
        List<MemorySegment> parts = new ArrayList<>();
        int from = 0;
        for (int c : cuts) {
            parts.add(MemorySegment.ofArray(java.util.Arrays.copyOfRange(request, from, c)));
            from = c;
        }
        parts.add(MemorySegment.ofArray(java.util.Arrays.copyOfRange(request, from, request.length)));
        int type = Replies.u32(MemorySegment.ofArray(request), 0);
        Reply r = new Reply(Requests.replySize(type, 64));
        session.control(parts, List.of(r.buf), n -> {
            if (!r.written.compareAndSet(-1, n)) {
                throw new AssertionError("completion called twice");
            }
        });
        return r;
    }

    /** Sends and asserts the reply type. */
    public Reply expect(int responseType, byte[] request) {
        Reply r = send(request);
        assertTrue(r.completed(), "reply pending");
        assertEquals(Integer.toHexString(responseType), Integer.toHexString(r.type()),
                "reply to " + VirtioGpu.commandName(Replies.u32(MemorySegment.ofArray(request), 0)));
        return r;
    }

    public Reply ok(byte[] request) {
        return expect(VirtioGpu.VIRTIO_GPU_RESP_OK_NODATA, request);
    }

    /** Creates a 2D resource with one contiguous backing; returns the backing's guest address. */
    public long resource2d(int id, int width, int height) {
        ok(Requests.resourceCreate2d(id, VirtioGpu.VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, width, height));
        long size = (long) width * height * 4;
        long addr = guest.alloc(size);
        ok(Requests.attachBacking(id, List.of(new Requests.Entry(addr, (int) size))));
        return addr;
    }

    public void ctx(int ctxId, int capset) {
        ok(Requests.ctxCreate(ctxId, capset, "ctx" + ctxId));
    }

    @Override
    public void close() {
        session.close();
    }
}
