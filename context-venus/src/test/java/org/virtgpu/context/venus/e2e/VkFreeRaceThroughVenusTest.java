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
 * resets its command buffer under it. Before the executor retired freed memory into placeholders, the first round
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

    /** Placeholders.bytes() (package-private in the bundle's package). */
    static long placeholderBytes() throws ReflectiveOperationException {
        Method m = Class.forName("org.virtgpu.context.venus.Placeholders").getDeclaredMethod("bytes");
        m.setAccessible(true);
        return (long) m.invoke(null);
    }
}
