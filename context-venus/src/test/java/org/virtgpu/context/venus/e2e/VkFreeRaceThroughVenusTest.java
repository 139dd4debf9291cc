package org.virtgpu.context.venus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * e2e/venus/vkfreerace.c through Mesa's Venus ICD: a client that frees host-visible memory while its copy still runs
 * (and so makes lavapipe read and write freed memory), and in "destroy" mode also destroys the copy's buffers and
 * resets its command buffer under it; its "query" and "secondary" modes reset a query pool and re-record a
 * secondary command buffer under a pending submit instead. Before the executor retired freed memory into placeholders, the first round
 * killed the server's JVM with a SIGSEGV in lavapipe's queue thread; before it put destroys off until their queue
 * got there, the destroy mode did (inside libvulkan_lvp.so). Here three such clients in a row must pass on one
 * server, and once their sessions are gone no placeholder of their retired memory may remain.
 */
class VkFreeRaceThroughVenusTest {
    @TempDir
    Path tmp;

    @Test
    void freeingAndDestroyingUnderARunningCopyNeitherCrashesTheServerNorLeaksItsMappings() throws Exception {
        Path client = E2eClients.client("vkfreerace");
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            for (String mode : new String[] {"free", "destroy", "free"}) {
                VenusClient.Result r = VenusClient.run(server.socket, tmp, 300, client.toString(), "12", mode);
                assertEquals(0, r.exit(), r.output());
                assertTrue(r.output().contains("result PASS"), r.output());
            }
            server.awaitNoSessions(10_000_000_000L);
            assertEquals(List.of(), server.device.sessions(), "the sessions ended with their clients");
            // retired memory stays reserved as placeholders while its device lives; they go with the device
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (placeholderBytes() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, placeholderBytes(), "bytes of placeholders still mapped after the sessions ended");
        }
    }

    /**
     * The query mode: each round writes 64 timestamps after a 64 MiB copy and resets the query pool from the host
     * right after the submit. lavapipe's host reset frees the query objects its queue thread is about to write: run on
     * lavapipe directly, one of five 20-round runs aborted ("double free or corruption"), and through the server
     * before resets waited for their query pool's work, the server's JVM aborted within 60 rounds in each of four
     * starts. 80 rounds must pass, and a normal client after them.
     */
    @Test
    void resettingQueriesFromTheHostUnderAPendingSubmitDoesNotCrashTheServer() throws Exception {
        passesOnOneServer("80", "query", "resetting queries under the copy");
    }

    /**
     * The secondary mode: the copy runs in a secondary command buffer that the submitted primary executes, and the
     * client resets and re-records the secondary right after the submit. lavapipe executes a secondary's recorded
     * commands in place: run directly, two of five 20-round runs died with SIGSEGV, and through the server before a
     * secondary's reset waited for the primaries executing it, the server's JVM died in the first 20 rounds of each
     * of two starts.
     */
    @Test
    void reRecordingASecondaryThatAPendingPrimaryExecutesDoesNotCrashTheServer() throws Exception {
        passesOnOneServer("40", "secondary", "re-recording the secondary under the copy");
    }

    /**
     * The oob and bindoob modes: a copy four times the size of its buffers, and a 64 MiB buffer bound to a 4 KiB
     * allocation (then filled by an in-range copy). Before the executor checked buffer ranges, the first such copy
     * killed the server's JVM (SIGSEGV in lavapipe, as it does run directly); now the copy is not recorded, and the
     * bind is refused (Mesa's Venus ICD binds asynchronously and tells its application VK_SUCCESS anyway), so the
     * copy into the unbound buffer is not recorded either.
     */
    @Test
    void copiesPastTheirBuffersAndBindsPastTheirMemoryAreRefusedNotRun() throws Exception {
        passesOnOneServer("3", "oob", "copying past the buffers");
        passesOnOneServer("3", "bindoob", "binding past the memory");
    }

    /**
     * e2e/venus/vkclient.c with its output storage descriptor 1 GiB past its buffer (VKCLIENT_HOSTILE_OFFSET): before
     * vkUpdateDescriptorSets checked buffer descriptors, the compute dispatch killed the server's JVM (SIGSEGV in
     * lavapipe's worker, as run directly). Now the update is refused: the client reports a wrong sum (exit 1, no
     * crash), and a normal client passes after it.
     */
    @Test
    void aStorageDescriptorPastItsBufferIsRefusedNotRun() throws Exception {
        Path vkclient = E2eClients.client("vkclient");
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            VenusClient.Result r = VenusClient.run(server.socket, tmp, 300, "env",
                    "VKCLIENT_HOSTILE_OFFSET=0x40000000", vkclient.toString());
            assertEquals(1, r.exit(), r.output());
            assertTrue(r.output().contains("result FAIL compute mismatch"), r.output());
            VenusClient.Result after = VenusClient.run(server.socket, tmp, 300, vkclient.toString());
            assertTrue(after.output().contains("result PASS"), after.output());
        }
    }

    /** vkfreerace ROUNDS MODE passes on a fresh server (its output names the mode), and a normal round after it. */
    private void passesOnOneServer(String rounds, String mode, String says) throws Exception {
        Path client = E2eClients.client("vkfreerace");
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            VenusClient.Result r = VenusClient.run(server.socket, tmp, 300, client.toString(), rounds, mode);
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains(says) && r.output().contains("result PASS"), r.output());
            VenusClient.Result after = VenusClient.run(server.socket, tmp, 300, client.toString(), "1", "free");
            assertTrue(after.output().contains("result PASS"), after.output());
        }
    }

    /** Placeholders.bytes() (package-private in the bundle's package). */
    static long placeholderBytes() throws ReflectiveOperationException {
        Method m = Class.forName("org.virtgpu.context.venus.Placeholders").getDeclaredMethod("bytes");
        m.setAccessible(true);
        return (long) m.invoke(null);
    }
}
