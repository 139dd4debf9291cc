package org.virtgpu.context.venus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mesa's real Venus ICD (vtest mode) talks to our vtest server; the host side runs on lavapipe. */
class VulkaninfoThroughVenusTest {
    @TempDir
    Path tmp;

    @Test
    void vulkaninfoSummaryListsTheLavapipeDeviceThroughVenus() throws Exception {
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            VenusClient.Result r = VenusClient.run(server.socket, tmp, 120, "vulkaninfo", "--summary");
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("Virtio-GPU Venus (llvmpipe"), r.output());
            // the client is gone: its connection thread must free the session (contexts, rings, blobs) by itself
            server.awaitNoSessions(10_000_000_000L);
            assertEquals(List.of(), server.device.sessions(), "the session ended with the client");
        }
    }
}
