package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** memfd_create(2), ftruncate(2) and file seals (fcntl F_ADD_SEALS). */
@org.osgi.annotation.versioning.ProviderType
public final class Memfd {
    public static final int MFD_CLOEXEC = 0x1;
    public static final int MFD_ALLOW_SEALING = 0x2;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_SEAL_SEAL = 0x1;
    public static final int F_SEAL_SHRINK = 0x2;
    public static final int F_SEAL_GROW = 0x4;

    private static final MethodHandle memfd_create$mh = Native.downcall("memfd_create",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle ftruncate$mh = Native.downcall("ftruncate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    // fcntl is variadic: the third argument is variadic (firstVariadicArg index counts C parameters)
    private static final MethodHandle fcntl$mh = Native.downcall("fcntl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            java.lang.foreign.Linker.Option.firstVariadicArg(2));

    private Memfd() {
    }

    /**
     * Creates an anonymous memory file of {@code size} bytes (zero-filled), close-on-exec, sealable.
     * The caller owns the returned fd.
     */
    public static int create(String name, long size) throws NativeException {
        int fd;
        try (Arena a = Arena.ofConfined()) {
            // memfd names are limited to 249 bytes; they show in /proc/<pid>/fd as "/memfd:<name>"
            MemorySegment cname = a.allocateFrom(name.length() > 200 ? name.substring(0, 200) : name);
            fd = (int) Native.checked("memfd_create",
                    st -> (int) memfd_create$mh.invokeExact(st, cname, MFD_CLOEXEC | MFD_ALLOW_SEALING));
        }
        try {
            if (Native.retrying("ftruncate", st -> (int) ftruncate$mh.invokeExact(st, fd, size)) < 0) {
                throw new NativeException("ftruncate", Errno.EAGAIN);
            }
        } catch (NativeException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
        return fd;
    }

    /**
     * {@link #create} then {@link #sealSize}: a memfd of {@code size} zero bytes whose size a peer that receives it
     * cannot change (shrinking it under someone's mapping would SIGBUS them). The caller owns the returned fd.
     */
    public static int createSealed(String name, long size) throws NativeException {
        int fd = create(name, size);
        try {
            sealSize(fd);
        } catch (NativeException | RuntimeException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
        return fd;
    }

    /** Seals the size of a memfd (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), as virglrenderer does for shmem blobs. */
    public static void sealSize(int fd) throws NativeException {
        Native.checked("fcntl(F_ADD_SEALS)",
                st -> (int) fcntl$mh.invokeExact(st, fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL));
    }
}
