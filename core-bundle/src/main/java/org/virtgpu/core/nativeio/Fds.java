package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** close(2), read(2), write(2), pread(2), dup(2), fstat(2), fallocate(2) on raw fds. */
@org.osgi.annotation.versioning.ProviderType
public final class Fds {
    /** st_mode's file-type bits (inode(7)). */
    public static final int S_IFMT = 0xf000;
    public static final int S_IFREG = 0x8000;
    public static final int S_IFIFO = 0x1000;
    public static final int S_IFSOCK = 0xc000;
    // struct stat (x86-64 / aarch64 LP64 glibc): 144 bytes, st_mode (u32) @24, st_size (i64) @48
    private static final long STAT_SIZE = 144;
    private static final long ST_MODE = 24;
    private static final long ST_SIZE = 48;

    private static final MethodHandle close$mh = Native.downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle read$mh = Native.downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle write$mh = Native.downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle pread$mh = Native.downcall("pread",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG));
    private static final MethodHandle dup$mh = Native.downcall("dup",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle fstat$mh = Native.downcall("fstat",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private static final MethodHandle fallocate$mh = Native.downcall("fallocate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG));

    private Fds() {
    }

    /** What {@link #fstat} tells: the file type and permission bits ({@code st_mode}) and the size in bytes. */
    @org.osgi.annotation.versioning.ProviderType
    public record Stat(int mode, long size) {
        public boolean isRegular() {
            return (mode & S_IFMT) == S_IFREG;
        }

        public boolean isFifo() {
            return (mode & S_IFMT) == S_IFIFO;
        }
    }

    /** close(2); EINTR is not retried (Linux always releases the fd). Errors other than EBADF are ignored. */
    public static void close(int fd) throws NativeException {
        if (fd < 0) {
            return;
        }
        try {
            MemorySegment st = Native.errnoState();
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
        return Native.retrying("read", st -> (long) read$mh.invokeExact(st, fd, buf, buf.byteSize()));
    }

    /**
     * write(2) of {@code buf}. Retries EINTR.
     *
     * @return bytes written, -1 for EAGAIN on a non-blocking fd
     */
    public static long write(int fd, MemorySegment buf) throws NativeException {
        return Native.retrying("write", st -> (long) write$mh.invokeExact(st, fd, buf, buf.byteSize()));
    }

    /**
     * Writes all of {@code buf} (a native segment) to a blocking fd, retrying short writes and EINTR.
     *
     * @throws NativeException EAGAIN if the fd is non-blocking and full
     */
    public static void writeAll(int fd, MemorySegment buf) throws NativeException {
        long done = 0;
        while (done < buf.byteSize()) {
            long n = write(fd, buf.asSlice(done));
            if (n < 0) {
                throw new NativeException("write", Errno.EAGAIN);
            }
            done += n;
        }
    }

    /**
     * pread(2) into {@code buf} (a native segment) from file offset {@code offset}; the fd's position does not
     * move. Retries EINTR.
     *
     * @return bytes read, 0 at end of file, -1 for EAGAIN on a non-blocking fd
     */
    public static long pread(int fd, MemorySegment buf, long offset) throws NativeException {
        return Native.retrying("pread", st -> (long) pread$mh.invokeExact(st, fd, buf, buf.byteSize(), offset));
    }

    /**
     * Fills {@code buf} from file offset {@code offset} with as many {@link #pread} calls as it takes, stopping
     * early at end of file (the rest of {@code buf} is left as it was).
     *
     * @return bytes read
     * @throws NativeException EAGAIN if the fd is non-blocking and has no data
     */
    public static long preadFully(int fd, MemorySegment buf, long offset) throws NativeException {
        long done = 0;
        while (done < buf.byteSize()) {
            long n = pread(fd, buf.asSlice(done), offset + done);
            if (n < 0) {
                throw new NativeException("pread", Errno.EAGAIN);
            }
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** fstat(2): the type and size of what {@code fd} refers to. */
    public static Stat fstat(int fd) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STAT_SIZE, 8);
            Native.checked("fstat", st -> (int) fstat$mh.invokeExact(st, fd, buf));
            return new Stat(buf.get(ValueLayout.JAVA_INT, ST_MODE), buf.get(ValueLayout.JAVA_LONG, ST_SIZE));
        }
    }

    /** The size in bytes of the file {@code fd} refers to (fstat's {@code st_size}). */
    public static long size(int fd) throws NativeException {
        return fstat(fd).size();
    }

    /** dup(2). */
    public static int dup(int fd) throws NativeException {
        return (int) Native.checked("dup", st -> (int) dup$mh.invokeExact(st, fd));
    }

    /**
     * fallocate(2) with mode 0: allocates {@code [offset, offset + length)} of the file now. On a memfd (shmem) this
     * allocates and zeroes the pages in the page cache without touching any mapping, so without the process's mmap
     * lock; mapping them afterwards costs no allocation. EINTR is retried; EOPNOTSUPP where the file system cannot.
     */
    public static void fallocate(int fd, long offset, long length) throws NativeException {
        if (Native.retrying("fallocate", st -> (int) fallocate$mh.invokeExact(st, fd, 0, offset, length)) < 0) {
            throw new NativeException("fallocate", Errno.EAGAIN);
        }
    }

    /** The number of open fds of this process (entries of /proc/self/fd), for leak tests. */
    public static int openCount() {
        String[] l = new java.io.File("/proc/self/fd").list();
        return l == null ? -1 : l.length;
    }
}
