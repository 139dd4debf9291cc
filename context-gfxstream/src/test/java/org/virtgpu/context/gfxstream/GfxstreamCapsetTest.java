package org.virtgpu.context.gfxstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;

class GfxstreamCapsetTest {
    private static ByteBuffer payload(GfxstreamCapset c, HostInfo h) throws GpuException {
        return ByteBuffer.wrap(c.payload(0, h)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void idsNamesSizesAndMaxVersionMatchTheGfxstreamHost() {
        assertEquals(3, GfxstreamCapset.VULKAN.id());
        assertEquals(104, GfxstreamCapset.VULKAN.size());
        assertEquals(8, GfxstreamCapset.GLES.id());
        assertEquals(16, GfxstreamCapset.GLES.size());
        assertEquals(9, GfxstreamCapset.COMPOSER.id());
        assertEquals(16, GfxstreamCapset.COMPOSER.size());
        for (GfxstreamCapset c : new GfxstreamCapset[] {GfxstreamCapset.VULKAN, GfxstreamCapset.GLES, GfxstreamCapset.COMPOSER}) {
            assertEquals(0, c.maxVersion());
        }
    }

    @ParameterizedTest(name = "host page {0}")
    @ValueSource(ints = {4096, 16384, 65536})
    void vulkanCapsetCarriesTheHostPageAsBlobAlignmentAtOffset20(int page) throws GpuException {
        ByteBuffer b = payload(GfxstreamCapset.VULKAN, new HostInfo(page, page, 0));
        assertEquals(104, b.capacity());
        assertEquals(1, b.getInt(0), "protocolVersion");
        assertEquals(12288, b.getInt(4), "ringSize = asg_ring_storage, three 4 KiB ring pages");
        assertEquals(1 << 20, b.getInt(8), "bufferSize");
        assertEquals(0, b.getInt(12), "colorBufferMemoryIndex: no Vulkan emulation");
        assertEquals(0, b.getInt(16), "deferredMapping: no Vulkan emulation");
        assertEquals(page, b.getInt(20), "blobAlignment");
        assertEquals(1, b.getInt(24), "noRenderControlEnc");
        assertEquals(0, b.getInt(28), "alwaysBlob");
        assertEquals(0, b.getInt(32), "externalSync");
        for (int i = 0; i < 16; i++) {
            assertEquals(0, b.getInt(36 + 4 * i), "virglSupportedFormats word " + i);
        }
        assertEquals(0, b.getInt(100), "vulkanBatchedDescriptorSetUpdate");
    }

    @ParameterizedTest(name = "host page {0}")
    @ValueSource(ints = {4096, 16384, 65536})
    void glesAndComposerCapsetsCarryTheHostPageAsBlobAlignmentAtOffset12(int page) throws GpuException {
        for (GfxstreamCapset c : new GfxstreamCapset[] {GfxstreamCapset.GLES, GfxstreamCapset.COMPOSER}) {
            ByteBuffer b = payload(c, new HostInfo(page, page, 0));
            assertEquals(16, b.capacity());
            assertEquals(1, b.getInt(0));
            assertEquals(12288, b.getInt(4));
            assertEquals(1 << 20, b.getInt(8));
            assertEquals(page, b.getInt(12));
            assertEquals(12, c.blobAlignmentOffset());
        }
    }

    @Test
    void aDeviceAlignmentAboveTheHostPageIsWhatTheCapsetReports() throws GpuException {
        // another loaded type required 64 KiB on a 4 KiB host: a guest following a 4 KiB value would be refused
        ByteBuffer b = payload(GfxstreamCapset.VULKAN, new HostInfo(4096, 65536, 0));
        assertEquals(65536, b.getInt(20));
    }

    @ParameterizedTest(name = "alignment {0}")
    @ValueSource(ints = {4096, 16384, 65536})
    void theAsgBlobSizeIsRingPlusBufferRoundedToTheAlignment(int page) {
        long size = GfxstreamCapset.asgBlobSize(page);
        assertEquals(0, size % page);
        assertEquals(true, size >= 12288 + (1 << 20) && size - (12288 + (1 << 20)) < page);
    }

    @Test
    void pageSizePolicyIsInCapsetWithTheHostPageAsRequirement() {
        PageSizePolicy p = new GfxstreamContextType().pageSizePolicy();
        assertEquals(PageSizePolicy.Reporting.IN_CAPSET, p.reporting());
        assertEquals(0, p.requiredAlignment(), "0 = the host page size is enough (SPI)");
    }
}
