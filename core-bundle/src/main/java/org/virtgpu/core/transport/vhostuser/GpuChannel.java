package org.virtgpu.core.transport.vhostuser;

import static org.virtgpu.core.protocol.VirtioGpu.*;
import static org.virtgpu.core.transport.vhostuser.VhostUserProtocol.CURSOR_SIZE;
import static org.virtgpu.core.transport.vhostuser.VhostUserProtocol.HEADER_SIZE;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;

/**
 * The vhost-user-gpu display side channel (QEMU docs/interop/vhost-user-gpu.rst): the socket QEMU hands over
 * with VHOST_USER_GPU_SET_SOCKET when the guest sets DRIVER_OK. Here the back-end is the requester: it
 * negotiates the channel's protocol features, asks for the display modes and EDID, and then pushes SCANOUT,
 * UPDATE (with pixels) and cursor messages, which QEMU does not answer.
 * <p>
 * The handshake needs QEMU's replies, and QEMU answers only from its main loop, which may at that moment be
 * waiting for an ack on the vhost-user socket. So the handshake runs on its own short-lived thread and the
 * display calls wait (bounded) for it, like QEMU's C back-end holds its control queue until the reply.
 * Display calls come from the queue thread only (the device calls its {@link DisplaySink} on the thread that
 * feeds it), so the message buffer is single-writer.
 */
final class GpuChannel implements DisplaySink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GpuChannel.class.getName());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int REPLY_TIMEOUT_MS = 5000;

    private final int fd;
    private final String name;
    private final CountDownLatch handshakeDone = new CountDownLatch(1);
    // freed by the GC with the channel: a display call may still hold the buffer while another thread closes the fd
    private final Arena arena = Arena.ofAuto();
    private final int[] scanoutFormat = new int[16];
    private volatile boolean dead;
    /**
     * Users of {@link #fd}: the owner until {@link #close}, the handshake thread while it runs. The fd is closed when
     * the last one lets go: closing it under a running handshake let that thread poll, read and write whatever file
     * later got the same number (another connection's socket; fuzz finding vhostuser-connection-did-not-end).
     */
    private final AtomicInteger users = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int edidSize;
    private MemorySegment buf;

    GpuChannel(int fd, String name) {
        this.fd = fd;
        this.name = name;
        this.buf = arena.allocate(HEADER_SIZE + 20 + 4096L * 4, 8);
    }

    void start() {
        users.incrementAndGet();
        try {
            Thread.ofPlatform().name("vhost-user-gpu handshake " + name).daemon().start(this::handshake);
        } catch (RuntimeException | OutOfMemoryError e) {
            handshakeDone.countDown();
            release();
            throw e;
        }
    }

    private void release() {
        if (users.decrementAndGet() == 0) {
            Fds.closeQuietly(fd);
        }
    }

    private void handshake() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment msg = a.allocate(HEADER_SIZE + 8);
            header(msg, VhostUserProtocol.GPU_GET_PROTOCOL_FEATURES, 0);
            UnixSockets.sendAll(fd, msg.asSlice(0, HEADER_SIZE));
            MemorySegment reply = readReply(a, VhostUserProtocol.GPU_GET_PROTOCOL_FEATURES, 8);
            long offered = reply.get(U64, 0);
            long accepted = offered & (1L << VhostUserProtocol.GPU_PROTOCOL_F_EDID);
            header(msg, VhostUserProtocol.GPU_SET_PROTOCOL_FEATURES, 8);
            msg.set(U64, HEADER_SIZE, accepted);
            UnixSockets.sendAll(fd, msg);

            header(msg, VhostUserProtocol.GPU_GET_DISPLAY_INFO, 0);
            UnixSockets.sendAll(fd, msg.asSlice(0, HEADER_SIZE));
            MemorySegment info = readReply(a, VhostUserProtocol.GPU_GET_DISPLAY_INFO, VhostUserProtocol.DISPLAY_INFO_SIZE);
            // pmodes[0] after the 24-byte ctrl_hdr: x, y, width, height, enabled, flags
            int preferredWidth = info.get(U32, 24 + 8);
            int preferredHeight = info.get(U32, 24 + 12);

            if (accepted != 0) {
                header(msg, VhostUserProtocol.GPU_GET_EDID, 4);
                msg.set(U32, HEADER_SIZE, 0);
                UnixSockets.sendAll(fd, msg.asSlice(0, HEADER_SIZE + 4));
                MemorySegment edid = readReply(a, VhostUserProtocol.GPU_GET_EDID, VhostUserProtocol.EDID_RESP_SIZE);
                edidSize = edid.get(U32, 24);
            }
            LOG.log(Level.INFO, "{0}: display channel up: protocol features 0x{1}, QEMU display {2}x{3}, EDID {4} bytes",
                    name, Long.toHexString(offered), preferredWidth, preferredHeight, edidSize);
        } catch (NativeException | IllegalStateException e) {
            LOG.log(Level.WARNING, "{0}: display channel handshake failed, display updates dropped: {1}", name,
                    e.getMessage());
            dead = true;
        } finally {
            handshakeDone.countDown();
            release();
        }
    }

    private MemorySegment readReply(Arena a, int request, int size) throws NativeException {
        short[] re = new short[1];
        if (Poll.poll(new int[] {fd}, new short[] {Poll.POLLIN}, re, REPLY_TIMEOUT_MS) == 0) {
            throw new IllegalStateException("no reply to GPU request " + request + " in " + REPLY_TIMEOUT_MS + " ms");
        }
        MemorySegment h = a.allocate(HEADER_SIZE);
        if (UnixSockets.recvFully(fd, h) == null) {
            throw new IllegalStateException("QEMU closed the display channel");
        }
        int got = h.get(U32, 0);
        int len = h.get(U32, 8);
        if (got != request || len < 0 || len > 1 << 16) {
            throw new IllegalStateException("reply " + got + " of " + len + " bytes to GPU request " + request);
        }
        MemorySegment body = a.allocate(Math.max(len, size));
        if (len > 0) {
            int[] fds = UnixSockets.recvFully(fd, body.asSlice(0, len));
            if (fds == null) {
                throw new IllegalStateException("QEMU closed the display channel");
            }
            for (int f : fds) {
                Fds.closeQuietly(f);
            }
        }
        return body;
    }

    private static void header(MemorySegment m, int request, int size) {
        m.set(U32, 0, request);
        m.set(U32, 4, 0); // QEMU ignores the flags of back-end requests; send 0
        m.set(U32, 8, size);
    }

    /** Waits for the handshake; false when the channel is unusable. */
    boolean awaitReady() {
        try {
            if (!handshakeDone.await(REPLY_TIMEOUT_MS + 1000L, TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !dead;
    }

    private MemorySegment buffer(long size) {
        if (buf.byteSize() < size) {
            buf = arena.allocate(Math.max(size, buf.byteSize() * 2), 8);
        }
        return buf;
    }

    private void send(MemorySegment m) {
        try {
            UnixSockets.sendAll(fd, m);
        } catch (NativeException e) {
            if (!dead) {
                // QEMU closes the channel first when the guest stops: a normal end, not a warning
                LOG.log(Level.INFO, "{0}: display channel closed by QEMU: {1}", name, e.getMessage());
            }
            dead = true;
        }
    }

    @Override
    public void scanout(int scanoutId, int width, int height, int format) {
        if (scanoutId < 0 || scanoutId >= scanoutFormat.length || !awaitReady()) {
            return;
        }
        scanoutFormat[scanoutId] = format;
        send3(VhostUserProtocol.GPU_SCANOUT, scanoutId, width, height);
    }

    /** A message whose payload is three u32 (Scanout, CursorPos). */
    private void send3(int request, int a, int b, int c) {
        send(message(request, 12, a, b, c));
    }

    /**
     * A message of {@code request} whose {@code body} bytes start with {@code fields} (u32 each); the caller fills
     * the rest of the body. Returns exactly header + body bytes of the reused buffer.
     */
    private MemorySegment message(int request, long body, int... fields) {
        MemorySegment m = buffer(HEADER_SIZE + body);
        header(m, request, (int) body);
        for (int i = 0; i < fields.length; i++) {
            m.set(U32, HEADER_SIZE + 4L * i, fields[i]);
        }
        return m.asSlice(0, HEADER_SIZE + body);
    }

    /** UPDATE: 20-byte rectangle then width x height pixels in PIXMAN x8r8g8b8 (bytes B, G, R, X), stride width*4. */
    @Override
    public void update(int scanoutId, int x, int y, int width, int height, MemorySegment pixels, long stride) {
        if (scanoutId < 0 || scanoutId >= scanoutFormat.length || width <= 0 || height <= 0 || !awaitReady()) {
            return;
        }
        long row = 4L * width;
        long body = 20 + row * height;
        if (body > Integer.MAX_VALUE - HEADER_SIZE || stride < row || pixels.byteSize() < stride * (height - 1) + row) {
            LOG.log(Level.WARNING, "{0}: update {1}x{2} with stride {3} over {4} bytes dropped", name, width, height, stride,
                    pixels.byteSize());
            return;
        }
        MemorySegment m = message(VhostUserProtocol.GPU_UPDATE, body, scanoutId, x, y, width, height);
        int format = scanoutFormat[scanoutId];
        long dst = HEADER_SIZE + 20;
        for (int r = 0; r < height; r++, dst += row) {
            MemorySegment.copy(pixels, stride * r, m, dst, row);
            if (format != VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM && format != VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM && format != 0) {
                toXrgb(m.asSlice(dst, row), format);
            }
        }
        send(m);
    }

    /** Reorders one row of 32-bit pixels in place into bytes B, G, R, X (what QEMU's surface expects). */
    private static void toXrgb(MemorySegment row, int format) {
        long n = row.byteSize() / 4;
        for (long i = 0; i < n; i++) {
            int v = row.get(U32, 4 * i);
            v = switch (format) {
                case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM -> Integer.reverseBytes(v);
                case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM -> Integer.rotateRight(v, 8);
                case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM ->
                        (v & 0xff00ff00) | ((v >>> 16) & 0xff) | ((v & 0xff) << 16);
                default -> v;
            };
            row.set(U32, 4 * i, v);
        }
    }

    @Override
    public void cursor(int scanoutId, int x, int y, int hotX, int hotY, MemorySegment image, boolean visible) {
        if (!awaitReady()) {
            return;
        }
        if (image != null && visible) {
            long body = 20 + 4L * CURSOR_SIZE * CURSOR_SIZE;
            if (image.byteSize() < 4L * CURSOR_SIZE * CURSOR_SIZE) {
                LOG.log(Level.WARNING, "{0}: cursor image of {1} bytes dropped", name, image.byteSize());
                return;
            }
            MemorySegment m = message(VhostUserProtocol.GPU_CURSOR_UPDATE, body, scanoutId, x, y, hotX, hotY);
            MemorySegment.copy(image, 0, m, HEADER_SIZE + 20, 4L * CURSOR_SIZE * CURSOR_SIZE);
            send(m);
            return;
        }
        send3(visible ? VhostUserProtocol.GPU_CURSOR_POS : VhostUserProtocol.GPU_CURSOR_POS_HIDE, scanoutId, x, y);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        dead = true;
        UnixSockets.shutdown(fd); // wakes a handshake blocked on the socket; it closes the fd when it ends
        release();
    }
}
