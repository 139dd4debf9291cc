package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** mmap(2) / munmap(2) / madvise(2), and the page size they work in (getpagesize(2)). */
@org.osgi.annotation.versioning.ProviderType
public final class Mman {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    /** madvise(2) advice (linux/mman-common.h): huge pages for this range where the kernel's THP policy allows. */
    public static final int MADV_HUGEPAGE = 14;
    /** madvise(2) advice (Linux 5.14+): fault the range in readable now, as reads would, without touching bytes. */
    public static final int MADV_POPULATE_READ = 22;
    /**
     * madvise(2) advice (Linux 5.14+): fault the range in writable now, as writes would (allocating shmem pages),
     * without changing its bytes; one system call instead of a page fault per page on first use.
     */
    public static final int MADV_POPULATE_WRITE = 23;

    private static final MethodHandle mmap$mh = Native.downcall("mmap",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle munmap$mh = Native.downcall("munmap",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private static final MethodHandle madvise$mh = Native.downcall("madvise",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private static final MethodHandle getpagesize$mh = Native.downcallNoErrno("getpagesize",
            FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final int PAGE_SIZE = queryPageSize();

    private Mman() {
    }

    private static int queryPageSize() {
        try {
            return (int) getpagesize$mh.invokeExact();
        } catch (Throwable t) {
            throw Native.bug("getpagesize", t);
        }
    }

    /** The OS page size in bytes (getpagesize(2), asked once): mmap offsets and lengths are multiples of it. */
    public static int pageSize() {
        return PAGE_SIZE;
    }

    /**
     * Maps {@code length} bytes of {@code fd} from {@code offset}, shared and read-write. The returned segment is
     * bound to {@code arena}: closing the arena unmaps it. Ownership: the mapping keeps the memory alive after the
     * fd is closed.
     */
    @SuppressWarnings("restricted")
    public static MemorySegment mapShared(int fd, long offset, long length, Arena arena) throws NativeException {
        return map(MemorySegment.NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset, arena);
    }

    /** mmap(2) with explicit arguments; see {@link #mapShared}. */
    @SuppressWarnings("restricted")
    public static MemorySegment map(MemorySegment addr, long length, int prot, int flags, int fd, long offset, Arena arena)
            throws NativeException {
        if (length <= 0) {
            throw new NativeException("mmap", Errno.EINVAL);
        }
        MemorySegment p;
        try {
            MemorySegment st = Native.errnoState();
            p = (MemorySegment) mmap$mh.invokeExact(st, addr, length, prot, flags, fd, offset);
            if (p.address() == -1L) {
                throw new NativeException("mmap", Native.errno(st));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.bug("mmap", t);
        }
        final long address = p.address();
        return p.reinterpret(length, arena, seg -> unmapQuietly(address, length));
    }

    /** munmap(2) of a raw range. */
    public static void unmap(long address, long length) throws NativeException {
        Native.checked("munmap", st -> (int) munmap$mh.invokeExact(st, MemorySegment.ofAddress(address), length));
    }

    /**
     * madvise(2) on {@code segment}'s bytes (its address must be page aligned, as a mapping's is). Errors worth
     * knowing: EINVAL for advice this kernel does not know (MADV_POPULATE_* before 5.14), EFAULT/ENOMEM when the
     * range is not (all) mapped.
     */
    public static void madvise(MemorySegment segment, int advice) throws NativeException {
        Native.checked("madvise", st -> (int) madvise$mh.invokeExact(st, segment, segment.byteSize(), advice));
    }

    private static void unmapQuietly(long address, long length) {
        try {
            unmap(address, length);
        } catch (NativeException e) {
            System.getLogger(Mman.class.getName()).log(System.Logger.Level.ERROR, e.getMessage());
        }
    }
}
