package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** VenusExecutor.samplerRefused: border colours lavapipe looked up whatever the address modes (vkhostile sampler). */
class SamplerBorderTest {
    private static final int EDGE = 2, BORDER = 3;
    private final TestStructs mem = new TestStructs();

    @AfterEach
    void close() {
        mem.close();
    }

    /** A VkSamplerCreateInfo (80 bytes) with the address mode on all three axes and the border colour. */
    private long sampler(int addressMode, int borderColor) {
        long info = mem.zeroed(80);
        p32(info, 31); // VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO
        for (int axis = 0; axis < 3; axis++) {
            p32(info + 32 + 4L * axis, addressMode);
        }
        p32(info + 72, borderColor);
        return info;
    }

    @Test
    void borderColoursAreValidWhereUsedAndMadeValidWhereNot() {
        for (int valid = 0; valid <= 5; valid++) {
            assertNull(VenusExecutor.samplerRefused(sampler(BORDER, valid)), "VkBorderColor " + valid);
        }
        assertNotNull(VenusExecutor.samplerRefused(sampler(BORDER, 1000)), "vkhostile sampler border (SIGSEGV)");
        long edge = sampler(EDGE, 1000);
        assertNull(VenusExecutor.samplerRefused(edge), "no address mode uses the border");
        assertEquals(0, g32(edge + 72), "vkhostile sampler borderedge (SIGSEGV): the ignored value made valid");
        long oneAxis = sampler(EDGE, -1);
        p32(oneAxis + 40, BORDER);
        assertNotNull(VenusExecutor.samplerRefused(oneAxis), "the W axis uses the border");
    }

    @Test
    void aCustomBorderColourNeedsItsStructure() {
        assertNotNull(VenusExecutor.samplerRefused(sampler(BORDER, VenusExecutor.BORDER_COLOR_INT_CUSTOM)),
                "vkhostile sampler customnone (SIGSEGV)");
        long custom = sampler(BORDER, VenusExecutor.BORDER_COLOR_FLOAT_CUSTOM);
        long chained = mem.zeroed(40); // VkSamplerCustomBorderColorCreateInfoEXT
        p32(chained, VenusExecutor.STYPE_SAMPLER_CUSTOM_BORDER_COLOR_CREATE_INFO);
        p64(custom + 8, chained);
        assertNull(VenusExecutor.samplerRefused(custom));
        assertEquals(VenusExecutor.BORDER_COLOR_FLOAT_CUSTOM, g32(custom + 72), "left as it was");
    }
}
