package org.virtgpu.core.transport.vhostuser;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.api.CapsetInfo;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.spi.SharedMemory;

/**
 * A device whose sessions answer every control request with a 24-byte ctrl_hdr: type OK_NODATA (0x1100),
 * flags copied, fence_id = the request's type + 0x1000, and ctx_id = the number of readable bytes seen (so
 * tests see the whole readable stream arrived). Fenced requests (flags & 1) complete 50 ms later on another
 * thread. A request of type 0x103 (SET_SCANOUT) shows a 4x2 image on the display sink.
 */
final class FakeDevice implements VirtGpuDevice {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService fences = new ScheduledThreadPoolExecutor(1);

    @Override
    public DeviceInfo info() {
        long f = 0b111111; // VIRGL, EDID, UUID, BLOB, CONTEXT_INIT, BLOB_ALIGNMENT: the transport must drop 3..5
        return new DeviceInfo(f, 1, List.of(new CapsetInfo(1, "virgl", 1, 308, "t"), new CapsetInfo(4, "venus", 0, 160, "t"),
                new CapsetInfo(5, "cross-domain", 0, 64, "t")), 4096, 4096, 0);
    }

    @Override
    public GpuSession openSession(SessionOptions options) {
        FakeSession s = new FakeSession(options);
        sessions.add(s);
        return s;
    }

    final class FakeSession implements GpuSession {
        final SessionOptions options;
        final AtomicInteger controls = new AtomicInteger();
        final List<Integer> cursorTypes = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        FakeSession(SessionOptions options) {
            this.options = options;
        }

        @Override
        public void control(List<MemorySegment> readable, List<MemorySegment> writable, Completion done) {
            controls.incrementAndGet();
            long total = 0;
            for (MemorySegment r : readable) {
                total += r.byteSize();
            }
            byte[] req = new byte[(int) Math.min(total, 64)];
            int off = 0;
            for (MemorySegment r : readable) {
                int n = (int) Math.min(r.byteSize(), req.length - off);
                MemorySegment.copy(r, ValueLayout.JAVA_BYTE, 0, req, off, n);
                off += n;
            }
            MemorySegment in = MemorySegment.ofArray(req);
            int type = req.length >= 4 ? in.get(U32, 0) : -1;
            int flags = req.length >= 8 ? in.get(U32, 4) : 0;
            if (type == 0x103) {
                MemorySegment px = MemorySegment.ofArray(new int[] {1, 2, 3, 4, 5, 6, 7, 8});
                options.display().scanout(0, 4, 2, 2);
                options.display().update(0, 0, 0, 4, 2, px, 16);
            }
            MemorySegment w = writable.getFirst();
            w.set(U32, 0, 0x1100);
            w.set(U32, 4, flags);
            w.set(U64, 8, type + 0x1000L);
            w.set(U32, 16, (int) total);
            if ((flags & 1) != 0) {
                fences.schedule(() -> done.complete(24), 50, TimeUnit.MILLISECONDS);
            } else {
                done.complete(24);
            }
        }

        @Override
        public void cursor(List<MemorySegment> readable) {
            cursorTypes.add(readable.getFirst().get(U32, 0));
        }

        @Override
        public Optional<SharedMemory> blobMemory(int resourceId) {
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> snapshotPng(int scanoutId) {
            return Optional.empty();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
