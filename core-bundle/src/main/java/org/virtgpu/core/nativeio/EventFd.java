package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** eventfd(2): a counter fd that becomes readable when non-zero (vtest SYNC_WAIT, vhost-user kick/call). */
@org.osgi.annotation.versioning.ProviderType
public final class EventFd {
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    private static final MethodHandle eventfd$mh = Native.downcall("eventfd",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    /** Each thread's 8-byte counter buffer for {@link #signal} and {@link #consume}. */
    private static final ThreadLocal<MemorySegment> COUNTER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(ValueLayout.JAVA_LONG));

    private EventFd() {
    }

    /** A new eventfd with counter 0, close-on-exec and non-blocking. The caller owns it. */
    public static int create() throws NativeException {
        return (int) Native.checked("eventfd", st -> (int) eventfd$mh.invokeExact(st, 0, EFD_CLOEXEC | EFD_NONBLOCK));
    }

    /** Adds {@code value} to the counter (write of 8 bytes). EAGAIN (counter full) is ignored: it is readable anyway. */
    public static void signal(int fd, long value) throws NativeException {
        MemorySegment v = COUNTER.get();
        v.set(ValueLayout.JAVA_LONG, 0, value);
        Fds.write(fd, v);
    }

    /** Reads and resets the counter; returns 0 when it was 0 (non-blocking fd). */
    public static long consume(int fd) throws NativeException {
        MemorySegment v = COUNTER.get();
        long n = Fds.read(fd, v);
        return n == 8 ? v.get(ValueLayout.JAVA_LONG, 0) : 0;
    }
}
