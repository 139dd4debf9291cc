package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VenusWarmupTest {
    static long ringThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("venus-ring") || t.getName().startsWith("venus-warmup-monitor")).count();
    }

    @Test
    void replaysTheWholeStreamOnTheHostDriverAndLeavesNothingBehind() {
        long before = ringThreads();
        int rounds = 3;
        // every batch of every round ran: the host accepted each command (a refused one ends the warm-up early)
        assertEquals(rounds * (2L * VenusWarmup.BUFFERS + VenusWarmup.BATCH)
                + 2L * VenusWarmup.MEMORIES * VenusWarmup.MEMORY_ROUNDS, VenusWarmup.run(rounds, () -> false));
        assertEquals(before, ringThreads(), "the private context's monitor and rings are gone");
    }

    @Test
    void everyCommandTypeWithoutArgumentsEndsInAProtocolErrorBeforeAnyHostCall() {
        VenusContext ctx = new VenusContext(new org.virtgpu.spi.ContextSpec(0, VenusCapset.ID, "touch", (r, f) -> { }),
                org.virtgpu.spi.testkit.TestDeviceServices.withHostPage(4096));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            assertEquals(0, VenusWarmup.touchEveryCommand(ctx, arena));
        } finally {
            ctx.destroy();
        }
    }

    /**
     * The memory rounds go through the import path (each allocation a memfd, our mapping, the host driver's import,
     * a blob export, a retire) and leave no placeholder, mapping or fd behind once the private device is gone.
     */
    @Test
    void memoryRoundsImportExportAndRetireHostVisibleMemoryAndLeaveNothingBehind() throws Exception {
        long fds = openFds();
        assertEquals(2L * VenusWarmup.MEMORIES * VenusWarmup.MEMORY_ROUNDS, VenusWarmup.run(0, () -> false),
                "every vkAllocateMemory and vkFreeMemory of the rounds ran (a refused one ends the warm-up early)");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((Placeholders.bytes() != 0 || openFds() > fds) && System.nanoTime() < deadline) {
            Thread.sleep(10); // the retire thread unmaps placeholders and releases the memfds after the device
        }
        assertEquals(0, Placeholders.bytes(), "placeholders left mapped");
        assertTrue(openFds() <= fds, "fds before " + fds + ", after " + openFds());
    }

    private static long openFds() throws java.io.IOException {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void stopsWhenAsked() {
        AtomicInteger asked = new AtomicInteger();
        long commands = VenusWarmup.run(VenusWarmup.ROUNDS, () -> asked.incrementAndGet() > 3);
        assertTrue(commands > 0 && commands <= 3L * VenusWarmup.BATCH, commands + " commands");
    }
}
