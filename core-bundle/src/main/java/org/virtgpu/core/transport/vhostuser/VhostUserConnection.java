package org.virtgpu.core.transport.vhostuser;

import static org.virtgpu.core.transport.vhostuser.VhostUserProtocol.*;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.Limits;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;

/**
 * One vhost-user front-end (QEMU's vhost-user-gpu-pci) on an accepted socket. The socket thread reads one
 * message at a time, applies it and answers it before reading the next, as the protocol requires
 * (vhost-user.rst "Communication"). Ring state belongs to the {@link QueueWorker}; every message that changes
 * it runs there through {@link QueueWorker#call}, so an ack means the rings already reflect the change.
 * <p>
 * Closing the connection (the front-end went away, or the backend stops) closes the device session, unmaps the
 * guest's memory and closes every fd the front-end passed.
 */
final class VhostUserConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VhostUserConnection.class.getName());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int fd;
    private final String name;
    private final VirtGpuDevice device;
    private final int maxQueueSize;
    private final Limits limits;
    private final QueueWorker worker;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment header = arena.allocate(HEADER_SIZE, 8);
    private final MemorySegment payload = arena.allocate(MAX_PAYLOAD, 8);
    private final MemorySegment out = arena.allocate(HEADER_SIZE + MAX_PAYLOAD, 8);
    /** virtio_gpu_config as GET_CONFIG reads it: rewritten whole for every request. */
    private final MemorySegment config = arena.allocate(GPU_CONFIG_SIZE, 4);

    private long ackedFeatures;
    private long ackedProtocolFeatures;
    private boolean capsetsLogged;
    private volatile GpuChannel channel;
    private final DisplaySink display = new DisplaySink() {
        @Override
        public void scanout(int scanoutId, int width, int height, int format) {
            GpuChannel c = channel;
            if (c != null) {
                c.scanout(scanoutId, width, height, format);
            }
        }

        @Override
        public void update(int scanoutId, int x, int y, int width, int height, MemorySegment pixels, long stride) {
            GpuChannel c = channel;
            if (c != null) {
                c.update(scanoutId, x, y, width, height, pixels, stride);
            }
        }

        @Override
        public void cursor(int scanoutId, int x, int y, int hotX, int hotY, MemorySegment image, boolean visible) {
            GpuChannel c = channel;
            if (c != null) {
                c.cursor(scanoutId, x, y, hotX, hotY, image, visible);
            }
        }
    };

    VhostUserConnection(int fd, String name, VirtGpuDevice device, int maxQueueSize, Limits limits) throws NativeException {
        this.fd = fd;
        this.name = name;
        this.device = device;
        this.maxQueueSize = maxQueueSize;
        this.limits = limits;
        this.worker = new QueueWorker(name, this::openSession);
        worker.start();
    }

    private GpuSession openSession() throws Exception {
        long deviceBits = ackedFeatures & PASSED_DEVICE_FEATURES & device.info().features();
        SessionOptions o = new SessionOptions(name, (address, length) -> worker.memory().slice(address, length),
                deviceBits, limits, display);
        GpuSession s = device.openSession(o);
        LOG.log(Level.INFO, "{0}: device session open, features 0x{1}", name, Long.toHexString(deviceBits));
        return s;
    }

    /** Device features offered in GET_FEATURES: the transport's ring bits plus what QEMU lets through. */
    long offeredFeatures() {
        return (1L << VIRTIO_F_VERSION_1) | (1L << VIRTIO_RING_F_INDIRECT_DESC) | (1L << VIRTIO_RING_F_EVENT_IDX)
                | (1L << F_PROTOCOL_FEATURES) | (device.info().features() & PASSED_DEVICE_FEATURES);
    }

    /**
     * Serves messages until the front-end disconnects, breaks the protocol, or {@code stopFd} becomes readable.
     */
    void serve(int stopFd) {
        int[] fds = {fd, stopFd};
        short[] ev = {Poll.POLLIN, Poll.POLLIN};
        short[] re = new short[2];
        try {
            while (true) {
                Poll.poll(fds, ev, re, -1);
                if (re[1] != 0) {
                    return;
                }
                int[] got = UnixSockets.recvFully(fd, header);
                if (got == null) {
                    LOG.log(Level.INFO, "{0}: front-end disconnected", name);
                    return;
                }
                int request = header.get(U32, 0);
                int flags = header.get(U32, 4);
                int size = header.get(U32, 8);
                if (size < 0 || size > MAX_PAYLOAD) {
                    closeAll(got);
                    LOG.log(Level.WARNING, "{0}: {1} with a {2}-byte payload; disconnecting", name, requestName(request),
                            Integer.toUnsignedString(size));
                    return;
                }
                MemorySegment p = payload.asSlice(0, size);
                if (size > 0) {
                    int[] more;
                    try {
                        more = UnixSockets.recvFully(fd, p);
                    } catch (NativeException e) {
                        closeAll(got); // the peer went away mid-message: the header's fds are ours to close
                        throw e;
                    }
                    if (more == null) {
                        closeAll(got);
                        return;
                    }
                    if (more.length > 0) {
                        got = IntStream.concat(Arrays.stream(got), Arrays.stream(more)).toArray();
                    }
                }
                if (!dispatch(request, flags, p, got)) {
                    return;
                }
            }
        } catch (NativeException e) {
            LOG.log(Level.WARNING, "{0}: socket error, disconnecting: {1}", name, e.getMessage());
        }
    }

    /**
     * Handles one message; false ends the connection.
     * <p>
     * Fd ownership: every fd that came with the message is closed here once {@code handle} returns or throws, except
     * those a handler {@link #take took} (it stored them, or handed them to something that closes them). A path
     * that forgets an fd therefore closes it instead of leaking it (two leaks of that kind were fuzz findings).
     */
    private boolean dispatch(int request, int flags, MemorySegment p, int[] fds) throws NativeException {
        long status;
        try {
            status = handle(request, p, fds);
        } catch (BadMessage e) {
            LOG.log(Level.WARNING, "{0}: {1} rejected: {2}", name, requestName(request), e.getMessage());
            status = 1;
        } catch (NativeException e) {
            throw e;
        } catch (Exception e) {
            LOG.log(Level.ERROR, name + ": " + requestName(request) + " failed", e);
            status = 1;
        } finally {
            closeAll(fds);
        }
        if (status == REPLIED) {
            return true;
        }
        if (status != 0 && expectsReply(request)) {
            // the front-end waits for a body we cannot give: ending the connection is the only honest answer
            LOG.log(Level.WARNING, "{0}: no reply possible to {1}; disconnecting", name, requestName(request));
            return false;
        }
        if ((flags & FLAG_NEED_REPLY) != 0 && (ackedProtocolFeatures & (1L << PROTOCOL_F_REPLY_ACK)) != 0) {
            out.set(U64, HEADER_SIZE, status);
            reply(request, 8);
        }
        return true;
    }

    private static boolean expectsReply(int request) {
        return request == GET_FEATURES || request == GET_PROTOCOL_FEATURES || request == GET_VRING_BASE
                || request == GET_QUEUE_NUM || request == GET_CONFIG;
    }

    /** handle() result: the reply was sent already. */
    private static final long REPLIED = Long.MIN_VALUE;

    private long handle(int request, MemorySegment p, int[] fds) throws Exception {
        return switch (request) {
            case GET_FEATURES -> {
                noFds(fds); // fds on a request that takes none are closed, or every such message leaks them
                yield replyU64(request, offeredFeatures());
            }
            case SET_FEATURES -> {
                long f = u64(p, fds);
                ackedFeatures = f;
                boolean eventIdx = (f & (1L << VIRTIO_RING_F_EVENT_IDX)) != 0;
                boolean indirect = (f & (1L << VIRTIO_RING_F_INDIRECT_DESC)) != 0;
                boolean protocol = (f & (1L << F_PROTOCOL_FEATURES)) != 0;
                worker.call(() -> {
                    for (Virtqueue q : worker.queues) {
                        q.eventIdx = eventIdx;
                        q.indirect = indirect;
                        if (!protocol) {
                            q.enabled = true; // without bit 30 rings are enabled at once (vhost-user.rst "Ring states")
                        }
                    }
                    return null;
                });
                LOG.log(Level.INFO, "{0}: features 0x{1}", name, Long.toHexString(f));
                yield 0;
            }
            case GET_PROTOCOL_FEATURES -> {
                noFds(fds);
                yield replyU64(request, PROTOCOL_FEATURES);
            }
            case SET_PROTOCOL_FEATURES -> {
                ackedProtocolFeatures = u64(p, fds) & PROTOCOL_FEATURES;
                yield 0;
            }
            case SET_OWNER -> {
                noFds(fds);
                yield 0;
            }
            case RESET_OWNER, RESET_DEVICE -> {
                noFds(fds);
                resetDevice();
                yield 0;
            }
            case SET_MEM_TABLE -> {
                MemoryTable t;
                try {
                    t = MemoryTable.map(p, takeAll(fds)); // closes them: the mappings keep the memory
                } catch (IllegalArgumentException e) {
                    throw new BadMessage(e.getMessage());
                }
                worker.call(() -> {
                    worker.replaceMemory(t);
                    return null;
                });
                for (MemoryTable.Region r : t.regions()) {
                    LOG.log(Level.INFO, "{0}: guest memory gpa 0x{1} size 0x{2} uva 0x{3} offset 0x{4}", name,
                            Long.toHexString(r.guestPhys()), Long.toHexString(r.size()), Long.toHexString(r.userAddr()),
                            Long.toHexString(r.mmapOffset()));
                }
                yield 0;
            }
            case SET_VRING_NUM -> {
                int idx = queueIndex(p, fds);
                int n = p.get(U32, 4);
                if (n <= 0 || n > maxQueueSize || (n & (n - 1)) != 0) {
                    throw new BadMessage("queue " + idx + " size " + n + " is not a power of 2 up to " + maxQueueSize);
                }
                onQueue(idx, q -> {
                    q.num = n;
                    q.unresolve();
                });
                yield 0;
            }
            case SET_VRING_ADDR -> {
                if (p.byteSize() < 40) {
                    throw new BadMessage("vring address of " + p.byteSize() + " bytes");
                }
                int idx = queueIndex(p, fds);
                long desc = p.get(U64, 8);
                long used = p.get(U64, 16);
                long avail = p.get(U64, 24);
                onQueue(idx, q -> {
                    q.descUser = desc;
                    q.usedUser = used;
                    q.availUser = avail;
                    q.addressed = true;
                    q.unresolve();
                });
                yield 0;
            }
            case SET_VRING_BASE -> {
                int idx = queueIndex(p, fds);
                int base = p.get(U32, 4);
                onQueue(idx, q -> q.resetIndices(base));
                yield 0;
            }
            case GET_VRING_BASE -> {
                int idx = queueIndex(p, fds);
                int last = worker.call(() -> {
                    Virtqueue q = worker.queues[idx];
                    q.started = false;
                    Fds.closeQuietly(q.kickFd);
                    q.kickFd = -1;
                    if (Arrays.stream(worker.queues).noneMatch(v -> v.started)) {
                        // every ring stopped: the device was reset (guest reboot, driver unload); its state goes
                        worker.closeSession();
                    }
                    return q.lastAvail;
                });
                out.set(U32, HEADER_SIZE, idx);
                out.set(U32, HEADER_SIZE + 4, last);
                reply(request, 8);
                yield REPLIED;
            }
            case SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR -> {
                long v = p.byteSize() >= 8 ? p.get(U64, 0) : -1;
                int idx = (int) (v & VRING_IDX_MASK);
                boolean noFd = (v & VRING_NOFD_MASK) != 0;
                if (v < 0 || idx >= NUM_QUEUES || (noFd ? fds.length != 0 : fds.length != 1)) {
                    throw new BadMessage("payload 0x" + Long.toHexString(v) + " with " + fds.length + " fds");
                }
                if (request == SET_VRING_KICK && noFd) {
                    throw new BadMessage("queue " + idx + ": polling without a kick fd is not supported");
                }
                int newFd = noFd ? -1 : take(fds, 0); // the ring owns it now; Virtqueue.closeFds closes it
                Virtqueue vq = worker.queues[idx];
                switch (request) {
                    case SET_VRING_KICK -> onQueue(idx, q -> {
                        Fds.closeQuietly(q.kickFd);
                        q.kickFd = newFd;
                        q.started = true;
                    });
                    case SET_VRING_CALL -> {
                        int old = vq.callFd;
                        vq.callFd = newFd;
                        worker.post(() -> Fds.closeQuietly(old));
                    }
                    default -> {
                        int old = vq.errFd;
                        vq.errFd = newFd;
                        worker.post(() -> Fds.closeQuietly(old));
                    }
                }
                yield 0;
            }
            case SET_VRING_ENABLE -> {
                int idx = queueIndex(p, fds);
                boolean on = p.get(U32, 4) != 0;
                onQueue(idx, q -> q.enabled = on);
                yield 0;
            }
            case GET_QUEUE_NUM -> {
                noFds(fds);
                yield replyU64(request, NUM_QUEUES);
            }
            case GET_CONFIG -> getConfig(request, p, fds);
            case SET_CONFIG -> {
                noFds(fds);
                // the only writable field is events_clear, and this device never raises events: nothing to clear
                yield 0;
            }
            case GPU_SET_SOCKET -> {
                if (fds.length != 1) {
                    throw new BadMessage(fds.length + " fds");
                }
                GpuChannel c = new GpuChannel(take(fds, 0), name); // closed with the channel
                GpuChannel old = channel;
                // swap on the queue thread: display calls run there, so none is using the old fd when it closes
                worker.call(() -> {
                    channel = c;
                    if (old != null) {
                        old.close();
                    }
                    return null;
                });
                c.start();
                yield 0;
            }
            default -> {
                LOG.log(Level.WARNING, "{0}: {1} is not supported; answered with failure", name, requestName(request));
                yield 1;
            }
        };
    }

    private long getConfig(int request, MemorySegment p, int[] fds) throws Exception {
        noFds(fds);
        if (p.byteSize() < 12) {
            throw new BadMessage("config payload of " + p.byteSize() + " bytes");
        }
        int offset = p.get(U32, 0);
        int size = p.get(U32, 4);
        int flags = p.get(U32, 8);
        if (offset < 0 || size <= 0 || offset > GPU_CONFIG_SIZE || size > GPU_CONFIG_SIZE - offset) {
            LOG.log(Level.WARNING, "{0}: GET_CONFIG offset {1} size {2} outside virtio_gpu_config", name, offset, size);
            reply(request, 0); // a reply without the config is the protocol's failure answer
            return REPLIED;
        }
        DeviceInfo info = device.info();
        if (!capsetsLogged) {
            capsetsLogged = true;
            // one parseable line (the e2e test compares it with what the guest lists): id:name:size ...
            LOG.log(Level.INFO, "{0}: vhost-user capsets: {1}", name, info.capsets().stream()
                    .map(c -> c.id() + ":" + c.name() + ":" + c.size()).collect(java.util.stream.Collectors.joining(" ")));
        }
        MemorySegment cfg = config;
        cfg.set(U32, 0, 0); // events_read: this device raises no events
        cfg.set(U32, 4, 0); // events_clear
        cfg.set(U32, 8, info.numScanouts());
        cfg.set(U32, 12, info.capsets().size());
        out.set(U32, HEADER_SIZE, offset);
        out.set(U32, HEADER_SIZE + 4, size);
        out.set(U32, HEADER_SIZE + 8, flags);
        MemorySegment.copy(cfg, offset, out, HEADER_SIZE + 12, size);
        reply(request, 12 + size);
        return REPLIED;
    }

    private void resetDevice() throws Exception {
        ackedFeatures = 0;
        worker.call(() -> {
            worker.closeSession();
            for (Virtqueue q : worker.queues) {
                q.closeFds();
                q.enabled = false;
                q.addressed = false;
                q.resetIndices(0);
            }
            return null;
        });
    }

    private void onQueue(int idx, java.util.function.Consumer<Virtqueue> change) throws Exception {
        worker.call(() -> {
            change.accept(worker.queues[idx]);
            return null;
        });
    }

    private static int queueIndex(MemorySegment p, int[] fds) throws BadMessage {
        noFds(fds);
        if (p.byteSize() < 8) {
            throw new BadMessage("vring state of " + p.byteSize() + " bytes");
        }
        int idx = p.get(U32, 0);
        if (idx < 0 || idx >= NUM_QUEUES) {
            throw new BadMessage("queue index " + idx + " (virtio-gpu has " + NUM_QUEUES + ")");
        }
        return idx;
    }

    private static long u64(MemorySegment p, int[] fds) throws BadMessage {
        noFds(fds);
        if (p.byteSize() < 8) {
            throw new BadMessage("u64 payload of " + p.byteSize() + " bytes");
        }
        return p.get(U64, 0);
    }

    /** For requests that take no fds: sent ones make it a bad message ({@link #dispatch} closes them). */
    private static void noFds(int[] fds) throws BadMessage {
        if (fds.length > 0) {
            throw new BadMessage(fds.length + " unexpected fds");
        }
    }

    /** Takes fds[i] out of the message: {@link #dispatch} no longer closes it, the caller owns it. */
    private static int take(int[] fds, int i) {
        int f = fds[i];
        fds[i] = -1;
        return f;
    }

    private static int[] takeAll(int[] fds) {
        int[] all = fds.clone();
        Arrays.fill(fds, -1);
        return all;
    }

    private long replyU64(int request, long value) throws NativeException {
        out.set(U64, HEADER_SIZE, value);
        reply(request, 8);
        return REPLIED;
    }

    /** Sends header + the first {@code size} payload bytes already in {@code out}. Flags 0x5 (research 0.7). */
    private void reply(int request, int size) throws NativeException {
        out.set(U32, 0, request);
        out.set(U32, 4, REPLY_FLAGS);
        out.set(U32, 8, size);
        UnixSockets.sendAll(fd, out.asSlice(0, HEADER_SIZE + size));
    }

    /** Closes every fd not yet closed or taken and marks it so (-1): calling it twice never closes a reused number. */
    private static void closeAll(int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] >= 0) {
                Fds.closeQuietly(fds[i]);
                fds[i] = -1;
            }
        }
    }

    @Override
    public void close() {
        GpuChannel c = channel;
        worker.shutdown();
        channel = null;
        if (c != null) {
            c.close();
        }
        Fds.closeQuietly(fd);
        arena.close();
    }

    /** A malformed message: answered with failure (REPLY_ACK) and a log line; the connection stays. */
    static final class BadMessage extends Exception {
        private static final long serialVersionUID = 1L;

        BadMessage(String message) {
            super(message, null, false, false);
        }
    }
}
