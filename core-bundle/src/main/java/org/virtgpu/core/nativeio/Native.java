package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Linker plumbing shared by the syscall classes. A handle made by {@link #downcall} takes the errno capture
 * segment as its first argument. The wrappers here pass the calling thread's own segment ({@link #errnoState()},
 * allocated once per thread) and read it with {@link #errno(MemorySegment)} right after a failing call, on the
 * same thread and before any other downcall; {@link #errnoState(Arena)} makes a separate one.
 */
@org.osgi.annotation.versioning.ProviderType
public final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO$vh = CAPTURE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** Each thread's errno capture segment: a downcall and the errno read after it run on one thread. */
    private static final ThreadLocal<MemorySegment> ERRNO_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private Native() {
    }

    /** A downcall to libc's {@code name} whose first parameter is the errno capture segment. */
    @SuppressWarnings("restricted")
    static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(symbol(name), fd, opts);
    }

    /** A downcall for functions that do not set errno. */
    @SuppressWarnings("restricted")
    static MethodHandle downcallNoErrno(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd);
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
    }

    /** A fresh errno capture segment in {@code arena}. */
    public static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /**
     * The calling thread's errno capture segment, allocated once per thread and reused by every wrapper call on it.
     * Read it with {@link #errno(MemorySegment)} right after the downcall, before another one on this thread.
     */
    static MemorySegment errnoState() {
        return ERRNO_STATE.get();
    }

    public static int errno(MemorySegment state) {
        return (int) ERRNO$vh.get(state, 0L);
    }

    /** One raw downcall on an errno capture segment, returning a count or fd (negative with errno set on failure). */
    @FunctionalInterface
    interface Call {
        long invoke(MemorySegment errnoState) throws Throwable;
    }

    /**
     * Runs {@code call} the way read(2)-like calls are wrapped: EINTR is retried, EAGAIN (a non-blocking fd with
     * nothing to do) is -1, any other errno a {@link NativeException} naming {@code name}.
     *
     * @return the call's non-negative result, or -1 for EAGAIN
     */
    static long retrying(String name, Call call) throws NativeException {
        try {
            MemorySegment st = errnoState();
            while (true) {
                long r = call.invoke(st);
                if (r >= 0) {
                    return r;
                }
                int e = errno(st);
                if (e == Errno.EINTR) {
                    continue;
                }
                if (e == Errno.EAGAIN) {
                    return -1;
                }
                throw new NativeException(name, e);
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw bug(name, t);
        }
    }

    /**
     * Runs {@code call} once (no retry): a negative result is a {@link NativeException} naming {@code name} with the
     * call's errno.
     *
     * @return the call's non-negative result
     */
    static long checked(String name, Call call) throws NativeException {
        try {
            MemorySegment st = errnoState();
            long r = call.invoke(st);
            if (r < 0) {
                throw new NativeException(name, errno(st));
            }
            return r;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw bug(name, t);
        }
    }

    /** Rethrows a Throwable from invokeExact: only a bug in a descriptor can get here. */
    static AssertionError bug(String call, Throwable t) {
        return new AssertionError("downcall " + call + " failed unexpectedly", t);
    }
}
