package org.virtgpu.core.transport.vtest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.virtgpu.core.nativeio.Errno;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.UnixSockets;

/**
 * The client side of the vtest wire, written from research/vtest-venus.md as Mesa's drivers speak it: the
 * transport's own warm-up ({@link VtestWarmup}) drives a connection with it, and the tests do. One thread at a time;
 * it owns its socket and closes it.
 */
final class VtestClient implements AutoCloseable {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    final int fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment one = arena.allocate(1);
    private MemorySegment buf = arena.allocate(512, 8);

    VtestClient(int fd) {
        this.fd = fd;
    }

    static VtestClient connect(String path) throws NativeException {
        return new VtestClient(UnixSockets.connect(path));
    }

    /** The reused buffer, grown (doubling) to at least {@code bytes}. */
    private MemorySegment buffer(long bytes) {
        if (buf.byteSize() < bytes) {
            buf = arena.allocate(Math.max(bytes, 2 * buf.byteSize()), 8);
        }
        return buf;
    }

    /** Sends dwords as they are (header included). */
    void sendDwords(int... dw) throws NativeException {
        MemorySegment s = buffer(4L * dw.length);
        MemorySegment.copy(dw, 0, s, U32, 0, dw.length);
        UnixSockets.sendAll(fd, s.asSlice(0, 4L * dw.length));
    }

    void sendBytes(byte[] b) throws NativeException {
        MemorySegment s = buffer(b.length);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        UnixSockets.sendAll(fd, s.asSlice(0, b.length));
    }

    /** CREATE_RENDERER: length in bytes, the name with its NUL. */
    void createRenderer(String name) throws NativeException {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        sendDwords(n.length, VtestProtocol.VCMD_CREATE_RENDERER);
        sendBytes(n);
    }

    /** Reads a reply header and payload; checks the id; returns the payload dwords. */
    int[] reply(int expectedId) throws NativeException {
        int[] h = readDwords(2);
        if (h == null) {
            throw new IllegalStateException("server closed the connection");
        }
        if (h[1] != expectedId) {
            throw new IllegalStateException("reply id " + h[1] + ", expected " + expectedId);
        }
        int[] p = readDwords(h[0]);
        if (p == null) {
            throw new IllegalStateException("server closed the connection mid-reply");
        }
        return p;
    }

    /** n dwords, or null when the server closed the connection first. */
    int[] readDwords(int n) throws NativeException {
        if (n == 0) {
            return new int[0];
        }
        MemorySegment s = read(4L * n);
        return s == null ? null : s.toArray(U32);
    }

    byte[] readBytes(long n) throws NativeException {
        MemorySegment s = read(n);
        return s == null ? null : s.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Exactly n bytes into the reused buffer; null when the server closed the connection first. */
    private MemorySegment read(long n) throws NativeException {
        MemorySegment s = buffer(n).asSlice(0, n);
        int[] fds = UnixSockets.recvFully(fd, s);
        if (fds == null) {
            return null;
        }
        if (fds.length > 0) {
            for (int f : fds) {
                Fds.closeQuietly(f);
            }
            throw new IllegalStateException("an fd came with reply bytes");
        }
        return s;
    }

    /** The 1-byte message carrying one fd via SCM_RIGHTS. */
    int receiveFd() throws NativeException {
        int[] fds = UnixSockets.recvFully(fd, one);
        if (fds == null || fds.length != 1) {
            if (fds != null) {
                for (int f : fds) {
                    Fds.closeQuietly(f);
                }
            }
            throw new IllegalStateException("expected one fd, got " + (fds == null ? "EOF" : fds.length));
        }
        return fds[0];
    }

    /** True when the server closed the connection (reads EOF), failing if anything else arrives. */
    boolean closedByServer() throws NativeException {
        try {
            int[] fds = UnixSockets.recvFully(fd, one);
            return fds == null;
        } catch (NativeException e) {
            return e.errno() == Errno.ECONNRESET;
        }
    }

    /** Mesa 25's bring-up: CREATE_RENDERER + PING + BUSY_WAIT(0, 0) pipelined, then the replies, then version 3. */
    int handshake(String name) throws NativeException {
        createRenderer(name);
        sendDwords(0, VtestProtocol.VCMD_PING_PROTOCOL_VERSION);
        sendDwords(2, VtestProtocol.VCMD_RESOURCE_BUSY_WAIT, 0, 0);
        reply(VtestProtocol.VCMD_PING_PROTOCOL_VERSION);
        int[] busy = reply(VtestProtocol.VCMD_RESOURCE_BUSY_WAIT);
        if (busy.length != 1 || busy[0] != 0) {
            throw new IllegalStateException("busy-wait probe answered busy");
        }
        sendDwords(1, VtestProtocol.VCMD_PROTOCOL_VERSION, 3);
        return reply(VtestProtocol.VCMD_PROTOCOL_VERSION)[0];
    }

    record Blob(int resId, int fd) {
    }

    Blob createBlob(int type, int flags, long size, long blobId) throws NativeException {
        sendDwords(6, VtestProtocol.VCMD_RESOURCE_CREATE_BLOB, type, flags, (int) size, (int) (size >>> 32),
                (int) blobId, (int) (blobId >>> 32));
        int res = reply(VtestProtocol.VCMD_RESOURCE_CREATE_BLOB)[0];
        return new Blob(res, receiveFd());
    }

    void unref(int resId) throws NativeException {
        sendDwords(1, VtestProtocol.VCMD_RESOURCE_UNREF, resId);
    }

    int syncCreate(long value) throws NativeException {
        sendDwords(2, VtestProtocol.VCMD_SYNC_CREATE, (int) value, (int) (value >>> 32));
        return reply(VtestProtocol.VCMD_SYNC_CREATE)[0];
    }

    long syncRead(int id) throws NativeException {
        sendDwords(1, VtestProtocol.VCMD_SYNC_READ, id);
        int[] r = reply(VtestProtocol.VCMD_SYNC_READ);
        return Integer.toUnsignedLong(r[0]) | ((long) r[1] << 32);
    }

    void syncWrite(int id, long value) throws NativeException {
        sendDwords(3, VtestProtocol.VCMD_SYNC_WRITE, id, (int) value, (int) (value >>> 32));
    }

    /** SYNC_WAIT: returns the eventfd the server sends. */
    int syncWait(boolean any, int timeoutMs, int[] ids, long[] values) throws NativeException {
        int[] m = new int[4 + 3 * ids.length];
        m[0] = 2 + 3 * ids.length;
        m[1] = VtestProtocol.VCMD_SYNC_WAIT;
        m[2] = any ? VtestProtocol.VCMD_SYNC_WAIT_FLAG_ANY : 0;
        m[3] = timeoutMs;
        for (int i = 0; i < ids.length; i++) {
            m[4 + 3 * i] = ids[i];
            m[5 + 3 * i] = (int) values[i];
            m[6 + 3 * i] = (int) (values[i] >>> 32);
        }
        sendDwords(m);
        reply(VtestProtocol.VCMD_SYNC_WAIT);
        return receiveFd();
    }

    /** SUBMIT_CMD2 with one batch (6-dword header, as Mesa writes it). */
    void submitCmd2(int flags, int ring, int[] stream, int[] syncIds, long[] syncValues) throws NativeException {
        int n = syncIds.length;
        int len = 1 + 6 + stream.length + 3 * n;
        int[] m = new int[2 + len];
        m[0] = len;
        m[1] = VtestProtocol.VCMD_SUBMIT_CMD2;
        m[2] = 1;
        m[3] = flags;
        m[4] = 7;
        m[5] = stream.length;
        m[6] = 7 + stream.length;
        m[7] = n;
        m[8] = ring;
        System.arraycopy(stream, 0, m, 9, stream.length);
        for (int i = 0; i < n; i++) {
            m[9 + stream.length + 3 * i] = syncIds[i];
            m[10 + stream.length + 3 * i] = (int) syncValues[i];
            m[11 + stream.length + 3 * i] = (int) (syncValues[i] >>> 32);
        }
        sendDwords(m);
    }

    @Override
    public void close() {
        Fds.closeQuietly(fd);
        arena.close();
    }
}
