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
        assertEquals(rounds * (2L * VenusWarmup.BUFFERS + VenusWarmup.BATCH), VenusWarmup.run(rounds, () -> false));
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

    @Test
    void stopsWhenAsked() {
        AtomicInteger asked = new AtomicInteger();
        long commands = VenusWarmup.run(VenusWarmup.ROUNDS, () -> asked.incrementAndGet() > 3);
        assertTrue(commands > 0 && commands <= 3L * VenusWarmup.BATCH, commands + " commands");
    }
}
