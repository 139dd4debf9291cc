package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** sched_setscheduler(2) / sched_getscheduler(2) for the calling thread (Linux applies them per thread). */
@org.osgi.annotation.versioning.ProviderType
public final class Sched {
    public static final int SCHED_OTHER = 0;
    /** linux/sched.h: runs only when no other runnable thread wants the CPU (below nice 19) */
    public static final int SCHED_IDLE = 5;

    private static final MethodHandle setscheduler$mh = Native.downcall("sched_setscheduler",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle getscheduler$mh = Native.downcall("sched_getscheduler",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Sched() {
    }

    /**
     * Puts the calling thread into {@link #SCHED_IDLE}: it then runs only on a CPU that nothing else wants. For
     * background work that must never take a core from a client or a ring thread (pre-faulting, unmapping). Lowering
     * one's own policy needs no privilege.
     */
    public static void idleCurrentThread() throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment param = a.allocate(ValueLayout.JAVA_INT); // struct sched_param {int sched_priority = 0}
            Native.checked("sched_setscheduler", st -> (int) setscheduler$mh.invokeExact(st, 0, SCHED_IDLE, param));
        }
    }

    /** The calling thread's policy ({@link #SCHED_OTHER}, {@link #SCHED_IDLE}, ...). */
    public static int currentPolicy() throws NativeException {
        return (int) Native.checked("sched_getscheduler", st -> (int) getscheduler$mh.invokeExact(st, 0));
    }
}
