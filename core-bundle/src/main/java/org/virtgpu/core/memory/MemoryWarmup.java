package org.virtgpu.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BooleanSupplier;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.UnixSockets;

/**
 * Brings the shared-memory path up to compiled speed before clients need it. A client allocates host memory a few
 * times per run (Mesa's Venus ICD: six allocations for the benchmark client), far too rarely for HotSpot to
 * compile the path, so it runs interpreted for the life of the server: each FFM downcall through interpreted
 * method-handle code, 50-220 us per 64 MiB allocation on the ring thread against 15 us once compiled (a loop of
 * allocations, same machine). Measured with Mesa's Venus ICD and the benchmark client without its buffer churn
 * (20 clients per side, two servers at once): the client's two vkMapMemory calls (each making the blob of a fresh
 * 64 MiB allocation) took 718 us without this warm-up and 481 us with it, map_64mib 0.89 and 0.68 ms.
 *
 * <p>So when the device activates, one background thread at nice 19 makes and frees {@link #ROUNDS} small memfd
 * mappings and passes each fd over a socket pair (what handing a blob to a vtest client does), then exits. It
 * holds nothing afterwards, stops early when the device deactivates and can be turned off with
 * {@code -Dvirtgpu.memory.warmup=false}.
 */
public final class MemoryWarmup {
    static final boolean ENABLED = !"false".equals(System.getProperty("virtgpu.memory.warmup"));
    /** enough for HotSpot's second tier (Tier4InvocationThreshold is 5000 calls) */
    static final int ROUNDS = Integer.getInteger("virtgpu.memory.warmupRounds", 6000);
    private static final long SIZE = 64 * 1024;

    private MemoryWarmup() {
    }

    /** Starts the warm-up thread unless disabled. @return the thread, or null */
    public static Thread start(BooleanSupplier stop) {
        if (!ENABLED) {
            return null;
        }
        return Thread.ofPlatform().daemon().name("virtgpu-memory-warmup").start(() -> {
            try {
                org.virtgpu.core.nativeio.Sched.niceCurrentThread(19);
            } catch (NativeException e) {
                // stays at the default priority
            }
            run(ROUNDS, stop);
        });
    }

    /** @return the rounds completed (fewer when stopped or when a call failed) */
    static int run(int rounds, BooleanSupplier stop) {
        int[] pair;
        try {
            pair = UnixSockets.socketpair();
        } catch (NativeException e) {
            return 0;
        }
        int done = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(1);
            MemorySegment in = arena.allocate(1);
            for (; done < rounds && !stop.getAsBoolean(); done++) {
                MemfdMemory m = MemfdMemory.allocate("warm-up", SIZE, () -> { });
                try {
                    m.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) done);
                    UnixSockets.sendmsg(pair[0], one, m.fd());
                    UnixSockets.Received r = UnixSockets.recvmsg(pair[1], in);
                    for (int fd : r.fds()) {
                        Fds.close(fd);
                    }
                } finally {
                    m.release();
                }
            }
        } catch (NativeException | RuntimeException e) {
            System.getLogger(MemoryWarmup.class.getName()).log(System.Logger.Level.DEBUG,
                    "memory warm-up ended early: " + e.getMessage());
        } finally {
            Fds.closeQuietly(pair[0]);
            Fds.closeQuietly(pair[1]);
        }
        return done;
    }
}
