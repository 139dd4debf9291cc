package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** close(2), read(2), write(2), dup(2), fcntl(2) on raw fds. */
public final class Fds {
    private static final MethodHandle close$mh = Native.downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle read$mh = Native.downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle write$mh = Native.downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle dup$mh = Native.downcall("dup",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Fds() {
    }

    /** close(2); EINTR is not retried (Linux always releases the fd). Errors other than EBADF are ignored. */
    public static void close(int fd) throws NativeException {
        if (fd < 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.errnoState(a);
            int r = (int) close$mh.invokeExact(st, fd);
            if (r < 0 && Native.errno(st) == Errno.EBADF) {
                throw new NativeException("close", Errno.EBADF);
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.bug("close", t);
        }
    }

    /** close(2) that never throws: for cleanup paths. */
    public static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (NativeException ignored) {
            // already closed: nothing to free
        }
    }

    /**
     * read(2) into {@code buf} (a native segment). Retries EINTR.
     *
     * @return bytes read, 0 at end of file, -1 for EAGAIN on a non-blocking fd
     */
    public static long read(int fd, MemorySegment buf) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.errnoState(a);
            while (true) {
                long r = (long) read$mh.invokeExact(st, fd, buf, buf.byteSize());
                if (r >= 0) {
                    return r;
                }
                int e = Native.errno(st);
                if (e == Errno.EINTR) {
                    continue;
                }
                if (e == Errno.EAGAIN) {
                    return -1;
                }
                throw new NativeException("read", e);
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.bug("read", t);
        }
    }

    /**
     * write(2) of {@code buf}. Retries EINTR.
     *
     * @return bytes written, -1 for EAGAIN on a non-blocking fd
     */
    public static long write(int fd, MemorySegment buf) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.errnoState(a);
            while (true) {
                long r = (long) write$mh.invokeExact(st, fd, buf, buf.byteSize());
                if (r >= 0) {
                    return r;
                }
                int e = Native.errno(st);
                if (e == Errno.EINTR) {
                    continue;
                }
                if (e == Errno.EAGAIN) {
                    return -1;
                }
                throw new NativeException("write", e);
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.bug("write", t);
        }
    }

    /** dup(2). */
    public static int dup(int fd) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.errnoState(a);
            int r = (int) dup$mh.invokeExact(st, fd);
            if (r < 0) {
                throw new NativeException("dup", Native.errno(st));
            }
            return r;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.bug("dup", t);
        }
    }

    /** The number of open fds of this process (entries of /proc/self/fd), for leak tests. */
    public static int openCount() {
        String[] l = new java.io.File("/proc/self/fd").list();
        return l == null ? -1 : l.length;
    }
}
