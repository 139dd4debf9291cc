package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;

class VenusCapsetTest {
    static final int VK_XML_1_3_239 = (1 << 22) | (3 << 12) | 239;

    @Test
    void capsetCarriesWireFormatVkXmlVersionAndExtensionMask() throws GpuException {
        ByteBuffer b = ByteBuffer.wrap(new VenusCapset().payload(0, new HostInfo(4096, 4096, 0))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(160, b.capacity());
        assertEquals(1, b.getInt(0));
        assertEquals(VK_XML_1_3_239, b.getInt(4));
        assertEquals(1, b.getInt(16));
        assertEquals(1, b.getInt(20) & 1, "mask valid bit");
        // VK_KHR_timeline_semaphore is extension 208
        assertTrue((b.getInt(20 + 4 * (208 / 32)) & (1 << (208 % 32))) != 0);
        // VK_KHR_acceleration_structure (151) is not decoded, so not advertised
        assertEquals(0, b.getInt(20 + 4 * (151 / 32)) & (1 << (151 % 32)));
        assertEquals(1, b.getInt(148));
        assertEquals(1, b.getInt(152));
    }

    /** Whether the capset's mask carries extension number n. */
    private static boolean carried(ByteBuffer b, int n) {
        return (b.getInt(20 + 4 * (n / 32)) & (1 << (n % 32))) != 0;
    }

    @Test
    void theExtensionsZinkUsesAreInTheMask() throws GpuException {
        ByteBuffer b = ByteBuffer.wrap(new VenusCapset().payload(0, new HostInfo(4096, 4096, 0))).order(ByteOrder.LITTLE_ENDIAN);
        // VK_KHR_descriptor_update_template (86): its vkUpdateDescriptorSetWithTemplate has no Venus number, but it is
        // core and driver-side; Zink requires the extension and did not start without it
        Map<Integer, String> zink = new LinkedHashMap<>();
        zink.put(86, "descriptor update template");
        zink.put(29, "VK_EXT_transform_feedback");
        zink.put(82, "VK_EXT_conditional_rendering");
        zink.put(260, "VK_EXT_line_rasterization");
        zink.put(378, "VK_EXT_extended_dynamic_state2 (all three commands carried since session 15)");
        zink.put(456, "VK_EXT_extended_dynamic_state3 (partial: its NV commands not carried)");
        zink.put(382, "VK_EXT_color_write_enable");
        zink.put(353, "VK_EXT_vertex_input_dynamic_state (session 15)");
        zink.put(393, "VK_EXT_multi_draw (session 15)");
        zink.put(383, "VK_EXT_primitives_generated_query (session 15)");
        zink.put(401, "VK_EXT_load_store_op_none (session 15)");
        zink.put(81, "VK_KHR_push_descriptor (session 16: vkCmdPushDescriptorSetKHR carried)");
        zink.forEach((number, name) -> assertTrue(carried(b, number), name));
        assertFalse(carried(b, 151), "VK_KHR_acceleration_structure is not decoded");
    }

    @Test
    void versionAboveMaxIsRejected() {
        assertThrows(GpuException.class, () -> new VenusCapset().payload(1, new HostInfo(4096, 4096, 0)));
    }
}
