package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * sched_setscheduler(2) / sched_getscheduler(2) and the timer slack (prctl(2) PR_SET_TIMERSLACK / PR_GET_TIMERSLACK)
 * of the calling thread (Linux applies all three per thread).
 */
@org.osgi.annotation.versioning.ProviderType
public final class Sched {
    public static final int SCHED_OTHER = 0;
    /** linux/sched.h: runs only when no other runnable thread wants the CPU (below nice 19) */
    public static final int SCHED_IDLE = 5;

    private static final MethodHandle setscheduler$mh = Native.downcall("sched_setscheduler",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle getscheduler$mh = Native.downcall("sched_getscheduler",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    /** linux/prctl.h */
    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    // prctl is variadic after its first parameter; the kernel reads the second as an unsigned long
    private static final MethodHandle prctl$mh = Native.downcall("prctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            java.lang.foreign.Linker.Option.firstVariadicArg(1));

    // setpriority(2): on Linux, PRIO_PROCESS with who 0 sets the nice value of the calling thread only
    private static final int PRIO_PROCESS = 0;
    private static final MethodHandle setpriority$mh = Native.downcall("setpriority",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

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

    /**
     * Sets how late the kernel may fire the calling thread's timed sleeps ({@code nanos} &gt;= 1; new threads inherit
     * it). The default of 50 us turns a 10 us {@code parkNanos} into about 60 us: for a thread that polls shared
     * memory in short sleeps, such as a ring thread waiting for a client's next command, the slack is most of the
     * latency. Needs no privilege.
     */
    public static void timerSlackCurrentThread(long nanos) throws NativeException {
        if (nanos < 1) {
            throw new IllegalArgumentException("timer slack must be at least 1 ns (0 means the thread's default)");
        }
        Native.checked("prctl(PR_SET_TIMERSLACK)", st -> (int) prctl$mh.invokeExact(st, PR_SET_TIMERSLACK, nanos));
    }

    /** The calling thread's timer slack in nanoseconds. */
    public static long timerSlackCurrentThread() throws NativeException {
        return Native.checked("prctl(PR_GET_TIMERSLACK)", st -> (int) prctl$mh.invokeExact(st, PR_GET_TIMERSLACK, 0L));
    }

    /**
     * Sets the calling thread's nice value (-20..19; Linux keeps one per thread). Raising it needs no privilege. For
     * background work that should wait for the threads clients wait on but still run before {@link #SCHED_IDLE}
     * threads (unmapping freed memory before pre-faulting new memory, say).
     */
    public static void niceCurrentThread(int nice) throws NativeException {
        if (nice < -20 || nice > 19) {
            throw new IllegalArgumentException("nice value " + nice + " is not within -20..19");
        }
        Native.checked("setpriority", st -> (int) setpriority$mh.invokeExact(st, PRIO_PROCESS, 0, nice));
    }

    /**
     * The calling thread's nice value, from {@code /proc/thread-self/stat} (getpriority(2) cannot tell a nice value
     * of -1 from a failure through its return value alone).
     */
    public static int niceCurrentThread() throws NativeException {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
            // pid (comm) state ppid ...: fields after the command's closing parenthesis, nice is field 19 overall
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Integer.parseInt(f[19 - 3]);
        } catch (java.io.IOException | RuntimeException e) {
            throw new NativeException("read /proc/thread-self/stat", Errno.EIO);
        }
    }
}
