package org.virtgpu.core.transport.vtest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.virtgpu.core.testing.TestContextType;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;

/**
 * Test double: a context type serving capset 4 with a valid 160-byte venus capset (so Mesa's Venus ICD accepts
 * it), whose contexts are the core's recording {@link TestContextType} contexts (submits, attached resources,
 * fences that the test may complete itself). It renders nothing.
 */
final class VenusTestType implements ContextType {
    static final int VENUS = 4;
    static final int VENUS_SIZE = 160;
    final TestContextType inner = new TestContextType("venus-test", VENUS);

    /** struct virgl_renderer_capset_venus (research/vtest-venus.md section 3). */
    static byte[] venusCapset() {
        byte[] c = new byte[VENUS_SIZE];
        MemorySegment s = MemorySegment.ofArray(c);
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED;
        s.set(u32, 0, 1);                       // wire_format_version: Mesa requires exactly 1
        s.set(u32, 4, (1 << 22) | (3 << 12));   // vk_xml_version 1.3.0
        s.set(u32, 8, 1);                       // vk_ext_command_serialization_spec_version
        s.set(u32, 12, 2);                      // vk_mesa_venus_protocol_spec_version
        s.set(u32, 16, 1);                      // supports_blob_id_0
        s.set(u32, 20, 1);                      // vk_extension_mask1[0] bit 0: the mask is valid (no extensions)
        s.set(u32, 148, 1);                     // allow_vk_wait_syncs
        s.set(u32, 152, 1);                     // supports_multiple_timelines
        return c;
    }

    private static final Capset CAPSET = new Capset() {
        @Override
        public int id() {
            return VENUS;
        }

        @Override
        public String name() {
            return "venus";
        }

        @Override
        public int maxVersion() {
            return 0;
        }

        @Override
        public int size() {
            return VENUS_SIZE;
        }

        @Override
        public byte[] payload(int version, HostInfo host) throws GpuException {
            if (version != 0) {
                throw GpuException.invalidParameter("venus capset version " + version);
            }
            return venusCapset();
        }
    };

    @Override
    public String name() {
        return "venus-test";
    }

    @Override
    public List<Capset> capsets() {
        return List.of(CAPSET);
    }

    @Override
    public PageSizePolicy pageSizePolicy() {
        return PageSizePolicy.none();
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) {
        return inner.createContext(spec, services);
    }
}
