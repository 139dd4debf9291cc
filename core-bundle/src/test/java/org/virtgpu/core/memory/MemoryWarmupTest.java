package org.virtgpu.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.virtgpu.core.nativeio.Fds;

class MemoryWarmupTest {

    @Test
    void runsItsRoundsAndLeavesNoFdBehind() throws Exception {
        int fds = Fds.openCount();
        assertEquals(300, MemoryWarmup.run(300, () -> false));
        assertEquals(fds, Fds.openCount(), "every memfd, passed copy and socket is closed");
    }

    @Test
    void stopsWhenAsked() throws Exception {
        int fds = Fds.openCount();
        AtomicInteger asked = new AtomicInteger();
        assertEquals(10, MemoryWarmup.run(1_000, () -> asked.incrementAndGet() > 10));
        assertEquals(fds, Fds.openCount());
    }
}
