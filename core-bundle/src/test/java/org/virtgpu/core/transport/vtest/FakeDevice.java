package org.virtgpu.core.transport.vtest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.api.CapsetInfo;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Memfd;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;

/**
 * Test double of the device model, for transport tests before the real device session existed: it decodes
 * the few control requests the transport sends, keeps host blobs in memfds, records SUBMIT_3D streams, and
 * can hold fences until the test releases them.
 */
final class FakeDevice implements VirtGpuDevice {
    static final int VENUS = 4;
    static final int VENUS_SIZE = 160;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    final AtomicInteger closed = new AtomicInteger();
    volatile boolean holdFences;

    @Override
    public DeviceInfo info() {
        return new DeviceInfo(0x3F, 1, List.of(new CapsetInfo(VENUS, "venus", 0, VENUS_SIZE, "test")), 4096, 4096, 0);
    }

    @Override
    public GpuSession openSession(SessionOptions options) {
        FakeSession s = new FakeSession(options);
        sessions.add(s);
        return s;
    }

    static byte[] venusCapset() {
        byte[] c = new byte[VENUS_SIZE];
        MemorySegment s = MemorySegment.ofArray(c);
        s.set(U32, 0, 1);            // wire_format_version
        s.set(U32, 4, 0x00403000);   // vk_xml_version 1.3.0
        return c;
    }

    record Submit(int ctxId, int flags, long fenceId, int ring, byte[] stream) {
    }

    final class FakeSession implements GpuSession {
        final SessionOptions options;
        final List<Submit> submits = new CopyOnWriteArrayList<>();
        final List<Integer> commands = new CopyOnWriteArrayList<>();
        final Map<Integer, SharedMemory> blobs = new ConcurrentHashMap<>();
        final Map<Integer, MemorySegment> backing = new HashMap<>();
        final Map<Integer, byte[]> host = new HashMap<>();
        final List<Runnable> heldFences = new ArrayList<>();
        int contextInit = -1;

        FakeSession(SessionOptions options) {
            this.options = options;
        }

        @Override
        public void control(List<MemorySegment> readable, List<MemorySegment> writable, Completion done) {
            long total = readable.stream().mapToLong(MemorySegment::byteSize).sum();
            MemorySegment r = Arena.ofAuto().allocate(total);
            long off = 0;
            for (MemorySegment s : readable) {
                MemorySegment.copy(s, 0, r, off, s.byteSize());
                off += s.byteSize();
            }
            MemorySegment w = writable.getFirst();
            int type = r.get(U32, 0);
            int flags = r.get(U32, 4);
            long fence = r.get(U64, 8);
            commands.add(type);
            int resp;
            int written = 24;
            try {
                resp = execute(type, r, w);
                if (type == ControlChannel.VIRTIO_GPU_CMD_GET_CAPSET && resp == 0x1103) {
                    written = 24 + VENUS_SIZE;
                }
            } catch (GpuException | NativeException e) {
                resp = 0x1200;
            }
            w.set(U32, 0, resp);
            w.set(U32, 4, flags & 1);
            w.set(U64, 8, fence);
            int n = written;
            if ((flags & 1) != 0 && holdFences) {
                synchronized (heldFences) {
                    heldFences.add(() -> done.complete(n));
                }
            } else {
                done.complete(n);
            }
        }

        /** Completes every held fence, oldest first. */
        void releaseFences() {
            List<Runnable> l;
            synchronized (heldFences) {
                l = new ArrayList<>(heldFences);
                heldFences.clear();
            }
            l.forEach(Runnable::run);
        }

        private int execute(int type, MemorySegment r, MemorySegment w) throws GpuException, NativeException {
            switch (type) {
                case ControlChannel.VIRTIO_GPU_CMD_CTX_CREATE -> contextInit = r.get(U32, 28);
                case ControlChannel.VIRTIO_GPU_CMD_GET_CAPSET -> {
                    if (r.get(U32, 24) != VENUS) {
                        return 0x1205;
                    }
                    MemorySegment.copy(MemorySegment.ofArray(venusCapset()), 0, w, 24, VENUS_SIZE);
                    return 0x1103;
                }
                case ControlChannel.VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB -> {
                    int res = r.get(U32, 24);
                    int mem = r.get(U32, 28);
                    long size = r.get(U64, 48);
                    if (mem == 2) {
                        blobs.put(res, new Mem(size));
                    } else {
                        backing.put(res, options.guestMemory().slice(r.get(U64, 56), r.get(U32, 64)));
                    }
                }
                case ControlChannel.VIRTIO_GPU_CMD_RESOURCE_CREATE_3D -> host.put(r.get(U32, 24), new byte[r.get(U32, 40)]);
                case ControlChannel.VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING ->
                        backing.put(r.get(U32, 24), options.guestMemory().slice(r.get(U64, 32), r.get(U32, 40)));
                case ControlChannel.VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING -> backing.remove(r.get(U32, 24));
                case ControlChannel.VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, ControlChannel.VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D -> {
                    // buffers only: box.x .. box.x + box.w bytes, backing from offset
                    int res = r.get(U32, 56);
                    int x = r.get(U32, 24);
                    int width = r.get(U32, 36);
                    long offset = r.get(U64, 48);
                    MemorySegment b = backing.get(res).asSlice(offset, width);
                    MemorySegment h = MemorySegment.ofArray(host.get(res)).asSlice(x, width);
                    if (type == ControlChannel.VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D) {
                        h.copyFrom(b);
                    } else {
                        b.copyFrom(h);
                    }
                }
                case ControlChannel.VIRTIO_GPU_CMD_SUBMIT_3D -> {
                    int size = r.get(U32, 24);
                    submits.add(new Submit(r.get(U32, 16), r.get(U32, 4), r.get(U64, 8), r.get(U32, 20) & 0xFF,
                            r.asSlice(32, size).toArray(ValueLayout.JAVA_BYTE)));
                }
                case ControlChannel.VIRTIO_GPU_CMD_RESOURCE_UNREF -> {
                    int res = r.get(U32, 24);
                    SharedMemory m = blobs.remove(res);
                    if (m != null) {
                        m.release();
                    }
                    backing.remove(res);
                    host.remove(res);
                }
                default -> {
                }
            }
            return 0x1100;
        }

        @Override
        public void cursor(List<MemorySegment> readable) {
        }

        @Override
        public Optional<SharedMemory> blobMemory(int resourceId) {
            return Optional.ofNullable(blobs.get(resourceId));
        }

        @Override
        public Optional<byte[]> snapshotPng(int scanoutId) {
            return Optional.empty();
        }

        @Override
        public void close() {
            releaseFences();
            blobs.values().forEach(SharedMemory::release);
            blobs.clear();
            closed.incrementAndGet();
        }
    }

    /** A memfd blob, page-rounded. */
    static final class Mem implements SharedMemory {
        final int fd;
        final Arena arena = Arena.ofShared();
        final MemorySegment seg;

        Mem(long size) throws NativeException {
            long rounded = (size + 4095) & -4096L;
            fd = Memfd.create("fake-blob", rounded);
            seg = Mman.mapShared(fd, 0, rounded, arena);
        }

        @Override
        public MemorySegment segment() {
            return seg;
        }

        @Override
        public long size() {
            return seg.byteSize();
        }

        @Override
        public int fd() {
            return fd;
        }

        @Override
        public SharedMemory retain() {
            return this;
        }

        @Override
        public void release() {
            arena.close();
            Fds.closeQuietly(fd);
        }
    }
}
