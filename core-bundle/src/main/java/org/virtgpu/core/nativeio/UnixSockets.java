package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * AF_UNIX stream sockets with file-descriptor passing (SCM_RIGHTS), which {@code java.nio}'s Unix-domain
 * channels cannot do. All fds are created close-on-exec. Calls block unless the fd is non-blocking; run
 * them on platform threads (a virtual thread blocked in a downcall pins its carrier).
 */
@org.osgi.annotation.versioning.ProviderType
public final class UnixSockets {
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    /** Most fds accepted in one message; vhost-user sends at most 8 (one per memory region). */
    public static final int MAX_FDS = 32;

    private static final int[] NO_FDS = new int[0];
    private static final int SUN_PATH_MAX = 108;
    private static final long SOCKADDR_UN_SIZE = 110;
    // struct msghdr (x86-64 / aarch64 LP64): name@0 namelen@8 iov@16 iovlen@24 control@32 controllen@40 flags@48
    private static final long MSGHDR_SIZE = 56;
    // struct cmsghdr: len(size_t)@0 level@8 type@12 data@16
    private static final long CMSG_HDR = 16;

    private static final MethodHandle socket$mh = Native.downcall("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle socketpair$mh = Native.downcall("socketpair",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS));
    private static final MethodHandle bind$mh = Native.downcall("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle connect$mh = Native.downcall("connect",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle listen$mh = Native.downcall("listen",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle accept4$mh = Native.downcall("accept4",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle sendmsg$mh = Native.downcall("sendmsg",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle recvmsg$mh = Native.downcall("recvmsg",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle shutdown$mh = Native.downcall("shutdown",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private UnixSockets() {
    }

    /** Result of {@link #recvmsg}: bytes read (0 = peer closed) and the fds that came with them (caller owns). */
    @org.osgi.annotation.versioning.ProviderType
    public record Received(long bytes, int[] fds, boolean truncatedFds) {
    }

    private static MemorySegment sockaddr(Arena a, String path) throws NativeException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH_MAX) {
            throw new NativeException("sockaddr_un(" + path + ")", Errno.ENAMETOOLONG);
        }
        MemorySegment sa = a.allocate(SOCKADDR_UN_SIZE);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
        return sa;
    }

    private static int newSocket(MemorySegment st, int flags) throws Throwable {
        int fd = (int) socket$mh.invokeExact(st, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
        if (fd < 0) {
            throw new NativeException("socket", Native.errno(st));
        }
        return fd;
    }

    /**
     * Creates a listening socket at {@code path}, removing a stale socket file first.
     *
     * @param nonBlocking make the listening fd non-blocking (for poll-driven accept loops)
     */
    public static int listen(String path, int backlog, boolean nonBlocking) throws NativeException {
        try {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(path));
        } catch (java.io.IOException e) {
            throw new NativeException("unlink(" + path + ")", Errno.EACCES);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.errnoState();
            int fd = newSocket(st, nonBlocking ? SOCK_NONBLOCK : 0);
            MemorySegment sa = sockaddr(a, path);
            if ((int) bind$mh.invokeExact(st, fd, sa, (int) SOCKADDR_UN_SIZE) < 0) {
                int e = Native.errno(st);
                Fds.closeQuietly(fd);
                throw new NativeException("bind(" + path + ")", e);
            }
            if ((int) listen$mh.invokeExact(st, fd, backlog) < 0) {
                int e = Native.errno(st);
                Fds.closeQuietly(fd);
                throw new NativeException("listen(" + path + ")", e);
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.bug("listen", t);
        }
    }

    /**
     * accept4(2), close-on-exec. Retries EINTR.
     *
     * @return the connection fd, or -1 for EAGAIN on a non-blocking listener
     */
    public static int accept(int listenFd) throws NativeException {
        return (int) Native.retrying("accept4",
                st -> (int) accept4$mh.invokeExact(st, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC));
    }

    /** Connects a blocking stream socket to {@code path}. */
    public static int connect(String path) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.errnoState();
            int fd = newSocket(st, 0);
            MemorySegment sa = sockaddr(a, path);
            int r;
            do {
                r = (int) connect$mh.invokeExact(st, fd, sa, (int) SOCKADDR_UN_SIZE);
            } while (r < 0 && Native.errno(st) == Errno.EINTR);
            if (r < 0) {
                int e = Native.errno(st);
                Fds.closeQuietly(fd);
                throw new NativeException("connect(" + path + ")", e);
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.bug("connect", t);
        }
    }

    /** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): two connected fds. */
    public static int[] socketpair() throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(ValueLayout.JAVA_INT, 2);
            Native.checked("socketpair",
                    st -> (int) socketpair$mh.invokeExact(st, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
            return new int[] {sv.getAtIndex(ValueLayout.JAVA_INT, 0), sv.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    /**
     * sendmsg(2) of {@code data} with {@code fds} attached (SCM_RIGHTS; none if empty). MSG_NOSIGNAL: a closed
     * peer is EPIPE, never SIGPIPE. Retries EINTR. The fds stay owned by the caller.
     *
     * @return bytes sent (may be fewer than asked on a stream socket; the fds go with the first byte)
     */
    public static long sendmsg(int fd, MemorySegment data, int... fds) throws NativeException {
        long n = sendmsgFlags(fd, data, MSG_NOSIGNAL, fds);
        if (n < 0) {
            throw new NativeException("sendmsg", Errno.EAGAIN);
        }
        return n;
    }

    /** sendmsg(2) with {@code flags}; returns -1 for EAGAIN (full socket buffer, non-blocking). */
    private static long sendmsgFlags(int fd, MemorySegment data, int flags, int[] fds) throws NativeException {
        if (fds.length > MAX_FDS) {
            throw new NativeException("sendmsg", Errno.EINVAL);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ValueLayout.ADDRESS, 0, data);
            iov.set(ValueLayout.JAVA_LONG, 8, data.byteSize());
            MemorySegment msg = a.allocate(MSGHDR_SIZE, 8);
            msg.set(ValueLayout.ADDRESS, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1L);
            if (fds.length > 0) {
                long space = CMSG_HDR + align8(4L * fds.length);
                MemorySegment c = a.allocate(space, 8);
                c.set(ValueLayout.JAVA_LONG, 0, CMSG_HDR + 4L * fds.length);
                c.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
                c.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    c.set(ValueLayout.JAVA_INT, CMSG_HDR + 4L * i, fds[i]);
                }
                msg.set(ValueLayout.ADDRESS, 32, c);
                msg.set(ValueLayout.JAVA_LONG, 40, space);
            }
            return Native.retrying("sendmsg", st -> (long) sendmsg$mh.invokeExact(st, fd, msg, flags));
        }
    }

    /** Sends all of {@code data}, the fds with the first chunk. */
    public static void sendAll(int fd, MemorySegment data, int... fds) throws NativeException {
        long off = 0;
        int[] pending = fds;
        while (off < data.byteSize()) {
            long n = sendmsg(fd, data.asSlice(off), pending);
            pending = NO_FDS;
            off += n;
        }
    }

    /**
     * Sends all of {@code data}, the fds with the first chunk, without ever blocking in sendmsg (MSG_DONTWAIT): when
     * the peer's buffer is full it polls for room up to {@code timeoutMs} at a time, so a peer that stops reading
     * cannot hang the caller (a device's dispatcher thread sending to a foreign server, for example).
     *
     * @throws NativeException EAGAIN when the peer made no room for {@code timeoutMs}
     */
    public static void sendAll(int fd, MemorySegment data, int[] fds, int timeoutMs) throws NativeException {
        int[] one = {fd};
        short[] events = {Poll.POLLOUT};
        short[] revents = new short[1];
        long off = 0;
        int[] pending = fds;
        while (off < data.byteSize() || pending.length > 0) {
            long n = sendmsgFlags(fd, data.asSlice(off), MSG_NOSIGNAL | MSG_DONTWAIT, pending);
            if (n < 0) {
                if (Poll.poll(one, events, revents, timeoutMs) == 0) {
                    throw new NativeException("sendmsg (peer did not read for " + timeoutMs + " ms)", Errno.EAGAIN);
                }
                continue;
            }
            pending = NO_FDS;
            off += n;
        }
    }

    /**
     * recvmsg(2) into {@code buf}, collecting up to {@link #MAX_FDS} passed fds (close-on-exec). Retries EINTR.
     * The caller owns the returned fds and must close them.
     *
     * @return bytes 0 when the peer closed the connection; bytes -1 for EAGAIN on a non-blocking fd
     */
    public static Received recvmsg(int fd, MemorySegment buf) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ValueLayout.ADDRESS, 0, buf);
            iov.set(ValueLayout.JAVA_LONG, 8, buf.byteSize());
            long cspace = CMSG_HDR + align8(4L * MAX_FDS);
            MemorySegment c = a.allocate(cspace, 8);
            MemorySegment msg = a.allocate(MSGHDR_SIZE, 8);
            msg.set(ValueLayout.ADDRESS, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1L);
            msg.set(ValueLayout.ADDRESS, 32, c);
            msg.set(ValueLayout.JAVA_LONG, 40, cspace);
            long r = Native.retrying("recvmsg", st -> (long) recvmsg$mh.invokeExact(st, fd, msg, MSG_CMSG_CLOEXEC));
            if (r < 0) {
                return new Received(-1, new int[0], false);
            }
            int flags = msg.get(ValueLayout.JAVA_INT, 48);
            long controlLen = msg.get(ValueLayout.JAVA_LONG, 40);
            int[] got = new int[0];
            long off = 0;
            while (off + CMSG_HDR <= controlLen) {
                long len = c.get(ValueLayout.JAVA_LONG, off);
                if (len < CMSG_HDR || off + len > controlLen) {
                    break;
                }
                int level = c.get(ValueLayout.JAVA_INT, off + 8);
                int type = c.get(ValueLayout.JAVA_INT, off + 12);
                if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                    int n = (int) ((len - CMSG_HDR) / 4);
                    got = concat(got, c.asSlice(off + CMSG_HDR, 4L * n).toArray(ValueLayout.JAVA_INT));
                }
                off += align8(len);
            }
            return new Received(r, got, (flags & MSG_CTRUNC) != 0);
        }
    }

    /**
     * Reads exactly {@code buf.byteSize()} bytes, collecting fds from every chunk.
     *
     * @return the fds received, or null if the peer closed before the first byte
     * @throws NativeException ECONNRESET if the peer closed in the middle
     */
    public static int[] recvFully(int fd, MemorySegment buf) throws NativeException {
        long off = 0;
        int[] fds = new int[0];
        while (off < buf.byteSize()) {
            Received r = recvmsg(fd, buf.asSlice(off));
            if (r.fds().length > 0) {
                fds = concat(fds, r.fds());
            }
            if (r.bytes() == 0) {
                for (int f : fds) {
                    Fds.closeQuietly(f);
                }
                if (off == 0) {
                    return null;
                }
                throw new NativeException("recvmsg (peer closed mid-message)", Errno.ECONNRESET);
            }
            if (r.bytes() < 0) {
                throw new NativeException("recvmsg (non-blocking socket)", Errno.EAGAIN);
            }
            off += r.bytes();
        }
        return fds;
    }

    /** shutdown(SHUT_RDWR): wakes a thread blocked reading this socket. Errors ignored. */
    public static void shutdown(int fd) {
        shutdown(fd, SHUT_RDWR);
    }

    /**
     * shutdown(2) with {@code how} = {@link #SHUT_WR} (the peer reads EOF, replies can still come back) or
     * {@link #SHUT_RDWR}. Errors ignored.
     */
    public static void shutdown(int fd, int how) {
        try {
            int ignored = (int) shutdown$mh.invokeExact(Native.errnoState(), fd, how);
        } catch (Throwable t) {
            throw Native.bug("shutdown", t);
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }
}
