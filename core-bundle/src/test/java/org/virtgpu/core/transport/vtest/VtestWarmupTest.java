package org.virtgpu.core.transport.vtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.nativeio.Fds;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VtestWarmupTest {
    @TempDir
    Path dir;

    private TestConfig config() {
        return TestConfig.at(dir.resolve("vtest.sock").toString());
    }

    @Test
    void everyRoundRunsAndTheConnectionFreesEverything() {
        int fds = Fds.openCount();
        VtestWarmup.Result r = VtestWarmup.run(300, config(), () -> false);
        assertNull(r.failure(), () -> "the warm-up failed: " + r.failure());
        assertEquals(300, r.rounds());
        // 7 to open, SYNC_CREATE, then per round: CREATE_BLOB, 5 SUBMIT_CMD2, SYNC_READ, UNREF
        assertEquals(7 + 1 + 8 * 300, r.messages());
        assertEquals(fds, Fds.openCount(), "the socketpair, every blob's memfd and the sync's eventfd are closed");
    }

    @Test
    void stopsBeforeItsFirstRoundWhenAsked() {
        VtestWarmup.Result r = VtestWarmup.run(1_000_000, config(), () -> true);
        assertNull(r.failure());
        assertEquals(0, r.rounds());
    }

    @Test
    void aRefusedMessageEndsTheRunWithItsReasonAndLeaksNothing() {
        int fds = Fds.openCount();
        // a per-client byte limit below one warm-up blob: the connection ends the client at the first CREATE_BLOB
        VtestWarmup.Result r = VtestWarmup.run(10, config().withMaxBytes(1024), () -> false);
        assertNotNull(r.failure());
        assertEquals(0, r.rounds());
        assertEquals(fds, Fds.openCount());
    }

    @Test
    void theServerWarmsUpBesideItsClientsWithoutTouchingItsDevice() throws Exception {
        DeviceComponent device = DeviceComponent.standalone(DeviceSettings.defaults());
        device.addContextType(new VenusTestType(), "venus-test 1.0");
        VtestServer server = new VtestServer(device, config().withWarmupRounds(100_000));
        List<String> events = new CopyOnWriteArrayList<>();
        server.observer((c, e, d) -> events.add(c + " " + e));
        try (VtestClient c = VtestClient.connect(config().socketPath())) {
            assertEquals(3, c.handshake("client"));
            c.sendDwords(2, VtestProtocol.VCMD_GET_CAPSET, VtestWarmup.CAPSET, 0);
            assertArrayEquals(new int[] {0}, c.reply(VtestProtocol.VCMD_GET_CAPSET), "the no-op capset is private");
            assertEquals(1, device.sessions().size(), "the warm-up's session is not on the server's device");
        } finally {
            long t0 = System.nanoTime();
            server.stop(); // stops the warm-up within a round, long before its 100,000 are done
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        }
        assertTrue(events.stream().allMatch(e -> e.startsWith("1 ")), events::toString);
    }
}
