package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** The loader lookups behind every context's function table (needs the host's Vulkan loader, as CI has it). */
class HostVulkanTest {
    @Test
    void aGlobalCommandResolvesToTheSameAddressEachTime() {
        long first = HostVulkan.proc(0, "vkCreateInstance");
        assertNotEquals(0, first);
        for (int i = 0; i < 100; i++) {
            assertEquals(first, HostVulkan.proc(0, "vkCreateInstance"));
        }
    }

    @Test
    void namesResolveOnTheirOwn() {
        long create = HostVulkan.proc(0, "vkCreateInstance");
        long version = HostVulkan.proc(0, "vkEnumerateInstanceVersion");
        assertNotEquals(0, version);
        assertNotEquals(create, version, "a cached name must not answer for another");
        assertEquals(create, HostVulkan.proc(0, "vkCreateInstance"));
    }

    @Test
    void anUnknownCommandIsZeroAndStaysZero() {
        assertEquals(0, HostVulkan.proc(0, "vkNoSuchCommandVIRTGPU"));
        assertEquals(0, HostVulkan.proc(0, "vkNoSuchCommandVIRTGPU"));
    }
}
