package org.virtgpu.core.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SchedFallocateTest {

    @Test
    void idleAppliesToTheCallingThreadOnly() throws Exception {
        CompletableFuture<Integer> policy = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Sched.idleCurrentThread();
                policy.complete(Sched.currentPolicy());
            } catch (Throwable e) {
                policy.completeExceptionally(e);
            }
        });
        t.join();
        assertEquals(Sched.SCHED_IDLE, policy.get());
        assertEquals(Sched.SCHED_OTHER, Sched.currentPolicy());
    }

    @Test
    void timerSlackAppliesToTheCallingThreadAndIsInheritedByItsNewThreads() throws Exception {
        long own = Sched.timerSlackCurrentThread();
        CompletableFuture<long[]> slack = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Sched.timerSlackCurrentThread(1_000);
                long set = Sched.timerSlackCurrentThread();
                CompletableFuture<Long> child = new CompletableFuture<>();
                Thread c = Thread.ofPlatform().start(() -> {
                    try {
                        child.complete(Sched.timerSlackCurrentThread());
                    } catch (Throwable e) {
                        child.completeExceptionally(e);
                    }
                });
                c.join();
                slack.complete(new long[] {set, child.get()});
            } catch (Throwable e) {
                slack.completeExceptionally(e);
            }
        });
        t.join();
        assertEquals(1_000L, slack.get()[0]);
        assertEquals(1_000L, slack.get()[1], "a thread started after the call inherits the slack");
        assertEquals(own, Sched.timerSlackCurrentThread(), "other threads keep theirs");
        assertThrows(IllegalArgumentException.class, () -> Sched.timerSlackCurrentThread(0));
    }

    @Test
    void niceAppliesToTheCallingThreadOnly() throws Exception {
        int own = Sched.niceCurrentThread();
        CompletableFuture<Integer> nice = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Sched.niceCurrentThread(19);
                nice.complete(Sched.niceCurrentThread());
            } catch (Throwable e) {
                nice.completeExceptionally(e);
            }
        });
        t.join();
        assertEquals(19, nice.get());
        assertEquals(own, Sched.niceCurrentThread());
        assertThrows(IllegalArgumentException.class, () -> Sched.niceCurrentThread(20));
    }

    @Test
    void fallocateAllocatesWithinTheFileAndKeepsItsBytes() throws Exception {
        int fd = Memfd.create("falloc", 1 << 20);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = Mman.mapShared(fd, 0, 1 << 20, a);
            m.set(ValueLayout.JAVA_LONG, 8192, 42L);
            Fds.fallocate(fd, 0, 1 << 20);
            assertEquals(42L, m.get(ValueLayout.JAVA_LONG, 8192));
            assertEquals(0L, m.get(ValueLayout.JAVA_LONG, 1 << 19));
            assertEquals(1 << 20, Fds.size(fd));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void fallocateBeyondASealedSizeIsRefused() throws Exception {
        int fd = Memfd.create("falloc-sealed", 4096);
        try {
            Memfd.sealSize(fd);
            NativeException e = assertThrows(NativeException.class, () -> Fds.fallocate(fd, 0, 8192));
            assertEquals(Errno.EPERM, e.errno());
        } finally {
            Fds.close(fd);
        }
    }
}
