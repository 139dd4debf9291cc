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
 * e2e/venus/glzink.c: OpenGL 4.6 core through Mesa's Zink on Mesa's Venus ICD and our vtest server, and through Zink
 * straight on lavapipe for comparison. Zink asks a Vulkan device for VK_EXT_transform_feedback and
 * VK_EXT_conditional_rendering before it offers OpenGL 3.0 and for VK_KHR_descriptor_update_template before it
 * starts at all: before session 14 it did not start through Venus (the generator dropped the template extension)
 * and, with that fixed, stopped at OpenGL 2.1; with VK_EXT_line_rasterization but not
 * VK_EXT_extended_dynamic_state3 its stippled lines drew nothing (line_stipple). Since session 15 Zink takes its "full
 * dynamic state 3" path through Venus as on lavapipe (blend enables, equations, write masks, logic op and sample state
 * set per draw: blend_states; the whole run makes 4 pipelines instead of 8, docs/venus.md). The client checks every
 * pixel and value; this test requires every feature to report PASS on both sides.
 */
class GlZinkThroughVenusTest {
    static final List<String> FEATURES = List.of("version", "render", "transform_feedback", "draw_transform_feedback",
            "conditional_render", "polygon_mode", "blend_states", "msaa", "primitives_generated", "multi_draw",
            "line_stipple");
    /** Zink skips CPU devices unless asked for software rendering; the EGL loader must pick Zink, not llvmpipe */
    static final Map<String, String> ZINK = Map.of("LIBGL_ALWAYS_SOFTWARE", "1", "MESA_LOADER_DRIVER_OVERRIDE", "zink");

    @TempDir
    static Path tmp;

    @Test
    void openGl46ThroughZinkPassesThroughVenusAsOnLavapipe() throws Exception {
        String client = E2eClients.client("glzink").toString();
        Map<String, String> want = new TreeMap<>();
        FEATURES.forEach(f -> want.put(f, "PASS"));

        VenusClient.Result direct = VenusClient.direct(tmp, 60, ZINK, client);
        assertEquals(want, VkGfxThroughVenusTest.features(direct.output()), direct.output());
        assertEquals(0, direct.exit(), direct.output());

        VenusClient.Result venus;
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            venus = VenusClient.run(server.socket, tmp, 120, ZINK, client);
        }
        assertTrue(venus.output().contains("GL_RENDERER zink Vulkan 1.3(Virtio-GPU Venus (llvmpipe"), venus.output());
        assertTrue(venus.output().contains("GL_VERSION 4.6 (Core Profile)"), venus.output());
        assertEquals(want, VkGfxThroughVenusTest.features(venus.output()), venus.output());
        assertEquals(0, venus.exit(), venus.output());
        assertTrue(venus.output().contains("result PASS"), venus.output());
    }
}
