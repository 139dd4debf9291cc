package org.virtgpu.context.venus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * e2e/venus/vkgfx.c through Mesa's Venus ICD and our vtest server, and straight on lavapipe for comparison:
 * offscreen rendering (render pass, secondary command buffers, dynamic rendering, multiview), queries, texture
 * sampling through descriptors, transfer commands, fences, binary and timeline semaphores, events, and Vulkan 1.3's
 * synchronization2 and dynamic state. The client checks every pixel and value; this test requires every feature
 * below to report PASS on both sides.
 */
class VkGfxThroughVenusTest {
    /** Every feature vkgfx reports; none may be missing, skipped or failed through Venus. */
    static final List<String> FEATURES = List.of("graphics_setup", "render_pass", "occlusion_query", "timestamp_query",
            "secondary_draw", "dynamic_rendering", "depth_indexed_indirect", "extended_dynamic_state", "multiview",
            "msaa_resolve", "subpass_input",
            "blit_clear_copy", "linear_image_mapped", "host_reset_statistics", "compute_misc", "pipeline_cache", "sampled_texture", "push_descriptor",
            "secondary_transfer", "fence_reuse", "binary_semaphore", "timeline_semaphore", "timeline_host_signal",
            "events", "synchronization2", "command_pool_reset");

    @TempDir
    static Path tmp;

    /** feature -> the rest of its line ("PASS", "FAIL: why", "SKIP: why") */
    static Map<String, String> features(String output) {
        Map<String, String> out = new TreeMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("[ :]", 3);
            if (f.length >= 2 && (f[0].equals("PASS") || f[0].equals("FAIL") || f[0].equals("SKIP"))) {
                out.put(f[1], f[0] + (f.length > 2 ? ":" + f[2] : ""));
            }
        }
        return out;
    }

    static Map<String, String> allPass() {
        Map<String, String> want = new TreeMap<>();
        FEATURES.forEach(f -> want.put(f, "PASS"));
        return want;
    }

    @Test
    void renderingSamplingQueriesAndSyncPassThroughVenusAsOnLavapipe() throws Exception {
        String client = E2eClients.client("vkgfx").toString();
        VenusClient.Result direct = VenusClient.direct(tmp, 60, client);
        assertEquals(allPass(), features(direct.output()), direct.output());
        assertEquals(0, direct.exit(), direct.output());

        VenusClient.Result venus;
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            venus = VenusClient.run(server.socket, tmp, 120, client);
        }
        assertTrue(venus.output().contains("device Virtio-GPU Venus (llvmpipe"), venus.output());
        // Vulkan 1.3: Mesa passes VK_KHR_synchronization2 through because the executor emulates SYNC_FD import
        // (docs/venus.md "Vulkan 1.3 through Venus"); before, Venus on lavapipe was a 1.2 device without it
        assertTrue(venus.output().contains(" api 1.3\n"), venus.output());
        assertTrue(venus.output().contains("synchronization2 core"), venus.output());
        assertEquals(allPass(), features(venus.output()), venus.output());
        assertEquals(0, venus.exit(), venus.output());
        assertTrue(venus.output().contains("result PASS"), venus.output());
    }
}
