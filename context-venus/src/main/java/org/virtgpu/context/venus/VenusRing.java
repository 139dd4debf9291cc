package org.virtgpu.context.venus;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.virtgpu.context.venus.wire.VnCtx;
import org.virtgpu.context.venus.wire.VnProtocolException;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Sched;

/**
 * A Venus ring in shared memory (vtest-venus.md 4.8): the client advances {@code tail}, this ring's own platform
 * thread decodes and executes commands and stores {@code head} (release) after each one, once its reply is written.
 * {@code status} carries IDLE (set when the thread sleeps, cleared on vkNotifyRingMESA), FATAL (a malformed stream)
 * and ALIVE (ORed in periodically by the context's monitor so the client knows the renderer lives during long waits).
 */
final class VenusRing {
    static final int STATUS_IDLE = 1;
    static final int STATUS_FATAL = 2;
    static final int STATUS_ALIVE = 4;
    private static final VarHandle INT = JAVA_INT.varHandle();
    /** how long an empty ring is polled in yields before {@link #relax} sleeps ({@code -Dvirtgpu.venus.ringSpinNanos}) */
    static final long RELAX_SPIN_NANOS = Long.getLong("virtgpu.venus.ringSpinNanos", 50_000);
    private static final long RELAX_BASE_NANOS = 10_000;
    /**
     * the ring thread's timer slack, inherited by the threads the host driver starts from it (see {@link #relax});
     * {@code -Dvirtgpu.venus.ringTimerSlackNanos}, 0 keeps the kernel's default (50 us)
     */
    static final long TIMER_SLACK_NANOS = Long.getLong("virtgpu.venus.ringTimerSlackNanos", 1_000);
    /**
     * {@code -Dvirtgpu.venus.profile=true}: each ring counts commands and host nanoseconds per command type, plus
     * wake-ups after IDLE, and logs the table when it is destroyed (for finding slow paths; off by default).
     */
    static final boolean PROFILE = Boolean.getBoolean("virtgpu.venus.profile");
    /** how long stop() waits for the ring thread; its host waits end within one wait slice once stopping */
    static final long STOP_WAIT_MILLIS = 2_000;
    /** longest vkWaitRingSeqnoMESA on the context stream (see waitSeqno) */
    static final long WAIT_SEQNO_NANOS = 5_000_000_000L;
    private static final long WAIT_SEQNO_PARK_NANOS = 1_000_000;

    final long id;
    private final MemorySegment head;
    private final MemorySegment tail;
    private final MemorySegment status;
    private final MemorySegment buffer;
    private final MemorySegment extra;
    private final long idleNanos;
    final long monitorPeriodMicros;
    private final VenusContext context;
    private final VnCtx stream;
    private final Thread thread;
    private final MemorySegment linear;
    private final Arena arena = Arena.ofShared();
    private volatile boolean running = true;
    private volatile long virtqueueSeqno;
    /** the context stream thread in {@link #waitSeqno}, and the seqno it waits for */
    private volatile Thread seqnoWaiter;
    private volatile int awaitedSeqno;
    private final long[] profileCount = PROFILE ? new long[512] : null;
    private final long[] profileNanos = PROFILE ? new long[512] : null;
    private long profileIdleWakeups;

    VenusRing(long id, MemorySegment shm, long headOff, long tailOff, long statusOff, long bufferOff, long bufferSize,
            long extraOff, long extraSize, long idleNanos, long monitorPeriodMicros, VenusContext context) {
        this.id = id;
        this.head = shm.asSlice(headOff, 4);
        this.tail = shm.asSlice(tailOff, 4);
        this.status = shm.asSlice(statusOff, 4);
        this.buffer = shm.asSlice(bufferOff, bufferSize);
        this.extra = shm.asSlice(extraOff, extraSize);
        this.idleNanos = Math.clamp(idleNanos, 10_000L, 100_000_000L);
        this.monitorPeriodMicros = monitorPeriodMicros;
        this.context = context;
        this.stream = context.executor().newStream();
        this.linear = arena.allocate(bufferSize, 8);
        this.thread = Thread.ofPlatform().daemon().name("venus-ring-" + Long.toHexString(id)).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    int head() {
        return (int) INT.getAcquire(head, 0L);
    }

    void markAlive() {
        INT.getAndBitwiseOr(status, 0L, STATUS_ALIVE);
    }

    /**
     * The context is gone (its type went away, or its session ended): FATAL tells the client that this ring will
     * never move again. Mesa checks it in its wait loops, and a client that asked for no ring monitor (so never
     * misses ALIVE) would otherwise wait for good.
     */
    void markFatal() {
        INT.getAndBitwiseOr(status, 0L, STATUS_FATAL);
    }

    /** vkNotifyRingMESA: the client saw IDLE after writing. */
    void notifyRing() {
        LockSupport.unpark(thread);
    }

    void writeExtra(long offset, int value) {
        if (offset < 0 || offset + 4 > extra.byteSize() || (offset & 3) != 0) {
            throw new VnProtocolException("ring extra offset " + offset);
        }
        INT.setRelease(extra, offset, value);
    }

    void submitVirtqueueSeqno(long seqno) {
        virtqueueSeqno = seqno;
        LockSupport.unpark(thread);
    }

    /**
     * Blocks the caller until the ring's head passed seqno (wrap-aware), the ring died, or it was stopped. Mesa sends
     * this before it maps memory it allocated through the ring, so the ring thread is woken first (it may be between
     * two relax sleeps with the allocation already in the ring), and it wakes this caller when its head gets there.
     */
    boolean waitSeqno(int seqno) {
        long start = System.nanoTime();
        awaitedSeqno = seqno;
        seqnoWaiter = Thread.currentThread();
        try {
            LockSupport.unpark(thread);
            while (running && (int) (head() - seqno) < 0) {
                if (((int) INT.getAcquire(status, 0L) & STATUS_FATAL) != 0) {
                    return false;
                }
                if (System.nanoTime() - start > WAIT_SEQNO_NANOS) {
                    // the caller is the context stream, whose submit holds the lock destroy needs (see
                    // VenusExecutor.CONTEXT_STREAM_WAIT_NANOS): a ring that never gets there must not pin the context
                    context.log("ring " + Long.toHexString(id) + " did not reach seqno " + seqno + " within "
                            + WAIT_SEQNO_NANOS / 1_000_000 + " ms");
                    return false;
                }
                LockSupport.parkNanos(WAIT_SEQNO_PARK_NANOS); // unparked by the ring thread; the timeout is a backstop
            }
        } finally {
            seqnoWaiter = null;
        }
        // a ring that died (FATAL) or was destroyed stops its thread: the seqno was not reached then
        return (int) (head() - seqno) >= 0;
    }

    /** After a head store: wake a {@link #waitSeqno} caller whose seqno the head has passed. */
    private void wakeSeqnoWaiter(int h) {
        Thread w = seqnoWaiter;
        if (w != null && h - awaitedSeqno >= 0) {
            LockSupport.unpark(w);
        }
    }

    private void wakeSeqnoWaiter() {
        Thread w = seqnoWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Stops the ring thread and frees the ring's memory once it has exited. Every host wait a guest can cause is
     * bounded by {@link VenusExecutor#WAIT_SLICE_NANOS} once the context is stopping, so the thread normally exits
     * within milliseconds; if it does not (a host call that never returns: the driver hangs), the ring's memory is
     * left allocated rather than freed under the thread, and the caller must leak the host objects as well.
     *
     * @return true when the thread is gone (or is the caller)
     */
    boolean stop() {
        running = false;
        stream.cancel(); // a guest-caused host wait on this ring ends within one slice
        LockSupport.unpark(thread);
        wakeSeqnoWaiter();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(STOP_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                context.log("ring " + Long.toHexString(id) + " thread did not stop within " + STOP_WAIT_MILLIS
                        + " ms (blocked in a host call); its memory and the context's host objects are leaked, not freed under it");
                return false;
            }
        }
        if (PROFILE) {
            logProfile();
        }
        stream.close();
        arena.close();
        return true;
    }

    private void logProfile() {
        StringBuilder b = new StringBuilder("venus ring " + Long.toHexString(id) + " profile (type count total_us avg_us),"
                + " idle wake-ups " + profileIdleWakeups + ":");
        for (int t = 0; t < profileCount.length; t++) {
            if (profileCount[t] > 0) {
                b.append(String.format("%n  %4d %-40s %8d %10d %8.1f", t, org.virtgpu.context.venus.gen.VnCommands.name(t),
                        profileCount[t], profileNanos[t] / 1000, profileNanos[t] / 1000.0 / profileCount[t]));
            }
        }
        VenusContext.LOG.log(System.Logger.Level.INFO, b.toString());
    }

    private void run() {
        if (TIMER_SLACK_NANOS > 0) {
            try {
                Sched.timerSlackCurrentThread(TIMER_SLACK_NANOS);
            } catch (NativeException | RuntimeException e) {
                context.log("ring " + Long.toHexString(id) + ": timer slack stays at the default: " + e.getMessage());
            }
        }
        long size = buffer.byteSize();
        long lastWork = System.nanoTime();
        int emptyPolls = 0;
        while (running) {
            int h = head();
            int t = (int) INT.getAcquire(tail, 0L);
            int avail = t - h;
            if (avail == 0) {
                long idle = System.nanoTime() - lastWork;
                if (idle < idleNanos) {
                    if (idle >= RELAX_SPIN_NANOS) {
                        emptyPolls++;
                    }
                    relax(idle, emptyPolls, idleNanos - idle);
                    continue;
                }
                INT.getAndBitwiseOr(status, 0L, STATUS_IDLE);
                if ((int) INT.getAcquire(tail, 0L) == h) {
                    LockSupport.parkNanos(1_000_000_000L); // woken by vkNotifyRingMESA
                }
                INT.getAndBitwiseAnd(status, 0L, ~STATUS_IDLE);
                lastWork = System.nanoTime();
                emptyPolls = 0;
                profileIdleWakeups++;
                continue;
            }
            if (avail < 0 || avail > size) {
                fatal("ring tail " + t + " is not within " + size + " bytes of head " + h);
                return;
            }
            if (!drain(h, avail)) {
                return;
            }
            lastWork = System.nanoTime();
            emptyPolls = 0;
        }
    }

    /**
     * Executes the {@code avail} bytes of commands from head {@code h}. Kept out of {@link #run} (which each ring
     * thread enters once and runs interpreted until HotSpot replaces it on the stack), and one command per
     * {@link #execute} call, so the per-command path is an ordinary compiled method that every later ring thread
     * starts in: measured, the second and third clients of a fresh server took 4.6 ms for buffers_2000 whether the
     * JIT warm-up had run or not, against 1.1 ms later on.
     *
     * @return false when the ring died
     */
    private boolean drain(int h, int avail) {
        // copy [head, tail) out of the circular buffer so commands that wrap decode linearly
        long size = buffer.byteSize();
        long start = Integer.toUnsignedLong(h) & (size - 1);
        long first = Math.min(avail, size - start);
        MemorySegment.copy(buffer, start, linear, 0, first);
        if (first < avail) {
            MemorySegment.copy(buffer, 0, linear, first, avail - first);
        }
        stream.input(linear.asSlice(0, avail));
        try {
            while (stream.hasMore() && running) {
                h = execute(h);
            }
            return true;
        } catch (VnProtocolException e) {
            fatal(e.getMessage());
        } catch (Throwable e) {
            fatal("executing a command failed: " + e);
        }
        return false;
    }

    /** One command: executes it, then lets the client see the head pass it. @return the new head */
    private int execute(int h) throws Throwable {
        long before = stream.position();
        if (PROFILE) {
            int type = stream.peek32();
            long t0 = System.nanoTime();
            context.dispatch(stream, this);
            int slot = type >= 0 && type < profileCount.length ? type : 0;
            profileCount[slot]++;
            profileNanos[slot] += System.nanoTime() - t0;
        } else {
            context.dispatch(stream, this);
        }
        // the reply is written: now the client may see the head pass this command
        h += (int) (stream.position() - before);
        INT.setRelease(head, 0L, h);
        wakeSeqnoWaiter(h);
        return h;
    }

    /**
     * Waiting for the client's next command before going IDLE: first {@code Thread.yield()} for 50 us, then sleep
     * 10 us at a time, doubling the step each time the number of sleeps doubles past 32 (virglrenderer's ring thread
     * also yields first, then grows its sleeps the same way).
     * <ul>
     * <li>Yields, not a busy spin: after a vkQueueSubmit the host driver's queue thread (lavapipe's) must run at once
     * for the fence to signal while Mesa's client still yields in vkWaitForFences (15 yields, then 160 us sleeps). A
     * spinning ring thread kept it off its CPU: round trips were either about 25 us or, most runs, about 230 us (one
     * client sleep, which then repeats: the next submit meets a ring thread already sleeping).</li>
     * <li>A timer slack of 1 us on the ring thread ({@link #run}): the kernel's default of 50 us made each 10 us
     * sleep last about 60 us.</li>
     * <li>Sleeps that grow with the log of their number: Mesa's client only wakes a ring that says IDLE, and at most
     * once a millisecond, so these sleeps are how quickly a command written in a pause gets picked up; growing the
     * step with every sleep (10, 20, 20, 40 x 4, 80 x 8, 160 us...) left the second 64 MiB allocation of the
     * benchmark waiting 1.4 ms for the ring (strace).</li>
     * </ul>
     * Measured with {@code e2e/venus/ab.sh} (35 clients per side), 20 us busy spin and the default slack against
     * this: submit+wait 0.225 -&gt; 0.108 ms, buffers_2000 1.00 -&gt; 0.59, map_64mib 1.47 -&gt; 1.34; yielding for
     * 200 us instead of 50 was worse (buffers_2000 1.06, submit+wait 0.106 against 0.589 and 0.076).
     */
    private static void relax(long emptyNanos, int polls, long maxNanos) {
        if (emptyNanos < RELAX_SPIN_NANOS) {
            Thread.yield();
            return;
        }
        int shift = Math.clamp(31 - Integer.numberOfLeadingZeros(Math.max(1, polls)) - 4, 0, 10);
        LockSupport.parkNanos(Math.min(RELAX_BASE_NANOS << shift, maxNanos));
    }

    /** vkWaitVirtqueueSeqnoMESA (ring only): wait for the context stream to submit that seqno. */
    void waitVirtqueue(long seqno) {
        while (running && virtqueueSeqno < seqno) {
            LockSupport.parkNanos(100_000);
        }
    }

    private void fatal(String why) {
        context.log("ring " + Long.toHexString(id) + " is dead: " + why);
        INT.getAndBitwiseOr(status, 0L, STATUS_FATAL);
        running = false;
        wakeSeqnoWaiter();
    }
}
