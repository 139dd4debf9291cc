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
            // Vulkan 1.3 (up to vk.xml's patch level): the executor emulates the SYNC_FD semaphore import Mesa
            // requires before it passes VK_KHR_synchronization2 through (without it Mesa clamps the device to 1.2)
            assertTrue(r.output().matches("(?s).*apiVersion\\s+= 1\\.3\\.\\d+.*"), r.output());
            // the client is gone: its connection thread must free the session (contexts, rings, blobs) by itself
            server.awaitNoSessions(10_000_000_000L);
            assertEquals(List.of(), server.device.sessions(), "the session ended with the client");
        }
    }

    /**
     * Bindless descriptors are not offered by default (SpirvValidator.BINDLESS_DESCRIPTORS: spirv-opt's clamping pass
     * cannot bound indices into runtime descriptor arrays, and on lavapipe an index past a descriptor array reaches
     * any memory of the server; a mutable descriptor can be read as another type): runtimeDescriptorArray,
     * descriptorBindingVariableDescriptorCount and descriptorIndexing (which promises them) read false,
     * mutableDescriptorType nowhere true, VK_EXT_descriptor_indexing and VK_EXT_mutable_descriptor_type are not listed; the other indexing
     * features stay.
     */
    @Test
    void bindlessDescriptorsAreNotOffered() throws Exception {
        String out = assertWithheld("VK_EXT_descriptor_indexing", "runtimeDescriptorArray",
                "descriptorBindingVariableDescriptorCount", "descriptorIndexing");
        assertTrue(out.matches("(?s).*shaderSampledImageArrayNonUniformIndexing\\s+= true.*"),
                "the other indexing features stay");
        assertTrue(!out.contains("VK_EXT_mutable_descriptor_type"), "VK_EXT_mutable_descriptor_type is listed");
        // without the extension vulkaninfo does not print its feature struct at all
        assertTrue(!out.matches("(?s).*mutableDescriptorType\\s*= true.*"), "mutableDescriptorType offered");
    }

    /**
     * bufferDeviceAddress is not offered by default (VenusExecutor.BUFFER_DEVICE_ADDRESS: on lavapipe a shader with
     * raw addresses reaches any memory of the server): Mesa's client reads it false in the 1.2 and the extension's
     * feature structs, and the extension is not listed. lavapipe itself offers all of it.
     */
    @Test
    void bufferDeviceAddressIsNotOffered() throws Exception {
        assertWithheld("VK_KHR_buffer_device_address", "bufferDeviceAddress");
    }

    /**
     * lavapipe offers the first feature; through the server vulkaninfo reads every feature false (and nowhere true)
     * and does not list the extension. Returns vulkaninfo's output through the server.
     */
    private String assertWithheld(String extension, String... features) throws Exception {
        VenusClient.Result direct = VenusClient.direct(tmp, 120, "vulkaninfo");
        assertTrue(direct.output().matches("(?s).*\\s" + features[0] + "\\s+= true.*"), "lavapipe offers it");
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            VenusClient.Result r = VenusClient.run(server.socket, tmp, 120, "vulkaninfo");
            assertEquals(0, r.exit(), r.output());
            for (String f : features) {
                assertTrue(r.output().matches("(?s).*\\s" + f + "\\s+= false.*"), f + ": " + r.output());
                assertTrue(!r.output().matches("(?s).*\\s" + f + "\\s+= true.*"), f + " offered somewhere");
            }
            assertTrue(!r.output().contains(extension), extension + " is listed");
            return r.output();
        }
    }
}
