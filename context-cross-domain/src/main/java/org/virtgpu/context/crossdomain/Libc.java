package org.virtgpu.context.crossdomain;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The few Linux calls the Wayland channel needs, through FFM: an AF_UNIX stream connection, sendmsg/recvmsg with
 * SCM_RIGHTS, poll, eventfd, fstat, pread, write, close. The core's native I/O is private to the core bundle
 * (bundles share only the SPI), so this bundle carries its own, limited to what the channel uses. Layouts are
 * x86-64 / aarch64 Linux (LP64): msghdr 56 bytes, cmsghdr header 16, struct stat st_mode @24 and st_size @48.
 * errno is captured per call.
 */
final class Libc {
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLOUT = 4;
    /** How long a SEND waits for a compositor that does not read before it fails (the dispatcher must not hang). */
    static final int SEND_TIMEOUT_MS = 2000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final short POLLIN = 1;
    static final int EFD_CLOEXEC = 0x80000;
    static final int S_IFMT = 0xf000;
    static final int S_IFREG = 0x8000;
    static final int S_IFIFO = 0x1000;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    /** At most this many fds per message: the cross-domain identifier limit. */
    static final int MAX_FDS = 28;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final MemoryLayout PTR = ValueLayout.ADDRESS;

    private static final MethodHandle socket$mh = call("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle connect$mh = call("connect", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle sendmsg$mh = call("sendmsg", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle recvmsg$mh = call("recvmsg", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle poll$mh = call("poll", FunctionDescriptor.of(INT, PTR, LONG, INT));
    private static final MethodHandle eventfd$mh = call("eventfd", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle fstat$mh = call("fstat", FunctionDescriptor.of(INT, INT, PTR));
    private static final MethodHandle pread$mh = call("pread", FunctionDescriptor.of(LONG, INT, PTR, LONG, LONG));
    private static final MethodHandle write$mh = call("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle close$mh = call("close", FunctionDescriptor.of(INT, INT));

    private Libc() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("libc symbol " + name)), fd, Linker.Option.captureCallState("errno"));
    }

    private static IOException fail(String call, MemorySegment st) {
        return new IOException(call + " failed: errno " + (int) ERRNO.get(st, 0L));
    }

    private static int errno(MemorySegment st) {
        return (int) ERRNO.get(st, 0L);
    }

    /** Connects a close-on-exec AF_UNIX stream socket to {@code path}; the caller owns the fd. */
    static int connect(String path) throws IOException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= 108) {
            throw new IOException("socket path longer than sun_path: " + path);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int fd = (int) socket$mh.invokeExact(st, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw fail("socket", st);
            }
            MemorySegment addr = a.allocate(110); // sockaddr_un: sun_family u16, sun_path[108]
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(p, 0, addr, ValueLayout.JAVA_BYTE, 2, p.length);
            int r;
            do {
                r = (int) connect$mh.invokeExact(st, fd, addr, 2 + p.length + 1);
            } while (r < 0 && errno(st) == EINTR);
            if (r < 0) {
                IOException e = fail("connect " + path, st);
                close(fd);
                throw e;
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("socket/connect", t);
        }
    }

    /** Sends all of {@code data} with {@code fds} attached to the first chunk (SCM_RIGHTS); fds stay the caller's. */
    static void sendWithFds(int sock, byte[] data, int[] fds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            long sent = 0;
            boolean fdsSent = fds.length == 0;
            while (sent < data.length || !fdsSent) {
                MemorySegment iov = a.allocate(16, 8);
                iov.set(ValueLayout.ADDRESS, 0, buf.asSlice(sent));
                iov.set(LONG, 8, data.length - sent);
                MemorySegment msg = a.allocate(56, 8);
                msg.set(ValueLayout.ADDRESS, 16, iov);
                msg.set(LONG, 24, 1);
                if (!fdsSent) {
                    long space = 16 + ((fds.length * 4L + 7) & ~7L);
                    MemorySegment cmsg = a.allocate(space, 8);
                    cmsg.set(LONG, 0, 16 + fds.length * 4L);
                    cmsg.set(INT, 8, SOL_SOCKET);
                    cmsg.set(INT, 12, SCM_RIGHTS);
                    for (int i = 0; i < fds.length; i++) {
                        cmsg.set(INT, 16 + 4L * i, fds[i]);
                    }
                    msg.set(ValueLayout.ADDRESS, 32, cmsg);
                    msg.set(LONG, 40, space);
                }
                long n = (long) sendmsg$mh.invokeExact(st, sock, msg, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                    int e = errno(st);
                    if (e == EINTR) {
                        continue;
                    }
                    if (e == EAGAIN && waitWritable(sock, a)) {
                        continue;
                    }
                    throw e == EAGAIN ? new IOException("the compositor has not read for " + SEND_TIMEOUT_MS + " ms")
                            : fail("sendmsg", st);
                }
                sent += n;
                fdsSent = true;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("sendmsg", t);
        }
    }

    /** Waits up to {@link #SEND_TIMEOUT_MS} for {@code fd} to accept more bytes. */
    private static boolean waitWritable(int fd, Arena a) throws Throwable {
        MemorySegment st = a.allocate(CAPTURE);
        MemorySegment p = a.allocate(8, 4);
        p.set(INT, 0, fd);
        p.set(ValueLayout.JAVA_SHORT, 4, POLLOUT);
        int r;
        do {
            r = (int) poll$mh.invokeExact(st, p, 1L, SEND_TIMEOUT_MS);
        } while (r < 0 && errno(st) == EINTR);
        return r > 0;
    }

    /** What one recvmsg returned: bytes (0 = the peer hung up) and the fds that came with them (now ours). */
    record Received(int bytes, int[] fds) {
    }

    /** One recvmsg into {@code buf} with room for {@link #MAX_FDS} fds, close-on-exec. */
    static Received receive(int sock, MemorySegment buf, Arena scratch) throws IOException {
        try {
            MemorySegment st = scratch.allocate(CAPTURE);
            MemorySegment iov = scratch.allocate(16, 8);
            iov.set(ValueLayout.ADDRESS, 0, buf);
            iov.set(LONG, 8, buf.byteSize());
            long space = 16 + MAX_FDS * 4L;
            MemorySegment cmsg = scratch.allocate(space, 8);
            MemorySegment msg = scratch.allocate(56, 8);
            msg.set(ValueLayout.ADDRESS, 16, iov);
            msg.set(LONG, 24, 1);
            msg.set(ValueLayout.ADDRESS, 32, cmsg);
            msg.set(LONG, 40, space);
            long n;
            do {
                n = (long) recvmsg$mh.invokeExact(st, sock, msg, MSG_CMSG_CLOEXEC);
            } while (n < 0 && errno(st) == EINTR);
            if (n < 0) {
                throw fail("recvmsg", st);
            }
            int[] fds = new int[0];
            long controllen = msg.get(LONG, 40);
            if (controllen >= 16 && cmsg.get(INT, 8) == SOL_SOCKET && cmsg.get(INT, 12) == SCM_RIGHTS) {
                int count = (int) ((cmsg.get(LONG, 0) - 16) / 4);
                fds = new int[Math.max(0, Math.min(count, MAX_FDS))];
                for (int i = 0; i < fds.length; i++) {
                    fds[i] = cmsg.get(INT, 16 + 4L * i);
                }
            }
            return new Received((int) n, fds);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("recvmsg", t);
        }
    }

    /** Waits until {@code a} or {@code b} is readable (or hung up); returns 0 for a, 1 for b. */
    static int pollEither(int a, int b, Arena scratch) throws IOException {
        try {
            MemorySegment st = scratch.allocate(CAPTURE);
            MemorySegment fds = scratch.allocate(16, 4);
            fds.set(INT, 0, a);
            fds.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            fds.set(INT, 8, b);
            fds.set(ValueLayout.JAVA_SHORT, 12, POLLIN);
            while (true) {
                int r = (int) poll$mh.invokeExact(st, fds, 2L, -1);
                if (r < 0) {
                    if (errno(st) == EINTR) {
                        continue;
                    }
                    throw fail("poll", st);
                }
                if (fds.get(ValueLayout.JAVA_SHORT, 14) != 0) {
                    return 1; // the stop event wins: tear-down must not wait for the compositor
                }
                if (fds.get(ValueLayout.JAVA_SHORT, 6) != 0) {
                    return 0;
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("poll", t);
        }
    }

    static int eventfd() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int fd = (int) eventfd$mh.invokeExact(st, 0, EFD_CLOEXEC);
            if (fd < 0) {
                throw fail("eventfd", st);
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("eventfd", t);
        }
    }

    /** Adds 1 to an eventfd. */
    static void signal(int eventFd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(LONG);
            one.set(LONG, 0, 1L);
            writeAll(eventFd, one);
        }
    }

    /** st_mode and st_size of {@code fd}. */
    record Stat(int mode, long size) {
        boolean regular() {
            return (mode & S_IFMT) == S_IFREG;
        }

        boolean fifo() {
            return (mode & S_IFMT) == S_IFIFO;
        }
    }

    static Stat fstat(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(144, 8);
            int r = (int) fstat$mh.invokeExact(st, fd, buf);
            if (r < 0) {
                throw fail("fstat", st);
            }
            return new Stat(buf.get(INT, 24), buf.get(LONG, 48));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("fstat", t);
        }
    }

    /** Reads {@code dst.byteSize()} bytes of {@code fd} from offset 0 (short files leave the rest as is). */
    static void readAt0(int fd, MemorySegment dst) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long done = 0;
            while (done < dst.byteSize()) {
                long n = (long) pread$mh.invokeExact(st, fd, dst.asSlice(done), dst.byteSize() - done, done);
                if (n < 0) {
                    if (errno(st) == EINTR) {
                        continue;
                    }
                    throw fail("pread", st);
                }
                if (n == 0) {
                    return;
                }
                done += n;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("pread", t);
        }
    }

    static void writeAll(int fd, MemorySegment src) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long done = 0;
            while (done < src.byteSize()) {
                long n = (long) write$mh.invokeExact(st, fd, src.asSlice(done), src.byteSize() - done);
                if (n < 0) {
                    if (errno(st) == EINTR) {
                        continue;
                    }
                    throw fail("write", st);
                }
                done += n;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("write", t);
        }
    }

    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            int r = (int) close$mh.invokeExact(a.allocate(CAPTURE), fd);
            // NOTE: close's errors (EINTR, EIO) leave nothing to retry on Linux; the fd is gone either way
        } catch (Throwable t) {
            throw new AssertionError("close", t);
        }
    }
}
