package org.virtgpu.context.crossdomain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;

class CrossDomainCapsetTest {
    @ParameterizedTest(name = "host page {0}")
    @ValueSource(ints = {4096, 16384, 65536})
    void capsetFiveIs16BytesOfVersionChannelsAndMemoryFlags(int page) throws GpuException {
        Capset c = new CrossDomainContextType().capsets().getFirst();
        assertEquals(5, c.id());
        assertEquals("cross-domain", c.name());
        assertEquals(0, c.maxVersion());
        assertEquals(16, c.size());
        ByteBuffer b = ByteBuffer.wrap(c.payload(0, new HostInfo(page, page, 0))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, b.getInt(0), "version: commands 1..7 understood");
        assertEquals(0, b.getInt(4), "supported_channels: no channel implemented");
        assertEquals(0, b.getInt(8), "supports_dmabuf: memfd memory");
        assertEquals(0, b.getInt(12), "supports_external_gpu_memory: no GPU allocator");
    }

    @Test
    void aConfiguredChannelSetsItsBitInSupportedChannels() throws GpuException {
        byte[] p = new CrossDomainCapset(1 << CrossDomainProtocol.CHANNEL_TYPE_WAYLAND).payload(0, new HostInfo(4096, 4096, 0));
        assertEquals(2, ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
    }

    @Test
    void payloadIsIndependentOfTheHostPageBecausePageSizeTravelsInImageSizes() throws GpuException {
        Capset c = new CrossDomainContextType().capsets().getFirst();
        assertArrayEquals(c.payload(0, new HostInfo(4096, 4096, 0)), c.payload(0, new HostInfo(65536, 65536, 0)));
        PageSizePolicy p = new CrossDomainContextType().pageSizePolicy();
        assertEquals(PageSizePolicy.Reporting.IN_SIZES, p.reporting());
        assertEquals(0, p.requiredAlignment());
    }
}
