package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.api.Limits;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.core.testing.LogCapture;
import org.virtgpu.core.testing.TestContextType;
import org.virtgpu.spi.PageSizePolicy;

/**
 * The page-size rules at 4 KiB, 16 KiB and 64 KiB hosts (a 4 KiB machine acting as the larger ones by config):
 * blob_alignment, CREATE_BLOB sizes and MAP_BLOB offsets.
 */
class PageSizeTest {
    static final long NO_ALIGNMENT_FEATURE = GpuHarness.ALL_FEATURES & ~(1L << DeviceInfo.F_BLOB_ALIGNMENT);

    static GpuHarness at(int page, long features) throws Exception {
        return new GpuHarness(DeviceSettings.defaults().withHostPageSize(page), features, Limits.DEFAULT, DisplaySink.NONE);
    }

    static byte[] hostBlob(int id, long size) {
        return Requests.createBlob(0, id, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0, size, List.of());
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 16384, 65536})
    void blobAlignmentIsTheHostPage(int page) throws Exception {
        try (GpuHarness g = at(page, GpuHarness.ALL_FEATURES)) {
            assertEquals(page, g.device.info().hostPageSize());
            assertEquals(page, g.device.info().blobAlignment());
            assertEquals(page, g.device.hostInfo().blobAlignment());
            assertTrue(g.device.info().offers(DeviceInfo.F_BLOB_ALIGNMENT));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 16384, 65536})
    void createBlobSizeMustBeAMultipleOfBlobAlignment(int page) throws Exception {
        try (GpuHarness g = at(page, GpuHarness.ALL_FEATURES); LogCapture log = new LogCapture()) {
            g.ok(hostBlob(1, page));
            g.ok(hostBlob(2, 3L * page));
            long guestPageMultiple = page + (page == 4096 ? 2048L : 4096L); // fine for a 4 KiB guest, not for this host
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, hostBlob(3, guestPageMultiple));
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, hostBlob(4, page / 2));
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.createBlob(0, 5, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0,
                    guestPageMultiple, List.of()));
            assertTrue(log.contains("blob size is a multiple of blob_alignment " + page), log.lines.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 16384, 65536})
    void mapBlobOffsetMustBeAMultipleOfBlobAlignment(int page) throws Exception {
        try (GpuHarness g = at(page, GpuHarness.ALL_FEATURES); LogCapture log = new LogCapture()) {
            g.ok(hostBlob(1, page));
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.mapBlob(1, page + 2048L));
            if (page > 4096) {
                g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.mapBlob(1, 4096));
            }
            assertTrue(log.contains("map offset is a multiple of blob_alignment " + page), log.lines.toString());
            g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(1, 5L * page));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16384, 65536})
    void withoutTheFeatureSizesAreRoundedToTheHostPageButOffsetsMustStillFitIt(int page) throws Exception {
        try (GpuHarness g = at(page, NO_ALIGNMENT_FEATURE); LogCapture log = new LogCapture()) {
            g.ok(hostBlob(1, 4096)); // an old guest cannot know the host page
            assertEquals(page, g.session.blobMemory(1).orElseThrow().size());
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.mapBlob(1, 4096));
            assertTrue(log.contains("map offset is a multiple of the host page size " + page), log.lines.toString());
            g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(1, page));
            assertEquals(page, g.session.hostVisibleRegion().orElseThrow().at(page).orElseThrow().length());
        }
    }

    @Test
    void aContextTypesRequiredAlignmentRaisesBlobAlignment() throws Exception {
        try (GpuHarness g = at(4096, GpuHarness.ALL_FEATURES)) {
            g.device.addContextType(new TestContextType("big", new PageSizePolicy(PageSizePolicy.Reporting.IN_CAPSET, 1 << 20), 9),
                    "big.bundle");
            assertEquals(1 << 20, g.device.info().blobAlignment());
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, hostBlob(1, 65536));
            g.ok(hostBlob(2, 1 << 20));
        }
    }

    @Test
    void blobAlignmentFollowsContextTypesComingAndGoing() throws Exception {
        try (GpuHarness g = at(16384, GpuHarness.ALL_FEATURES)) {
            var mib = new TestContextType("mib", new PageSizePolicy(PageSizePolicy.Reporting.IN_CAPSET, 1 << 20), 9);
            var k64 = new TestContextType("k64", new PageSizePolicy(PageSizePolicy.Reporting.IN_CAPSET, 65536), 10);
            // same capset as "mib": refused while mib serves it, promoted when mib goes
            var k256 = new TestContextType("k256", new PageSizePolicy(PageSizePolicy.Reporting.IN_CAPSET, 256 << 10), 9);
            g.device.addContextType(k64, "k64.bundle");
            assertEquals(65536, g.device.blobAlignment());
            g.device.addContextType(mib, "mib.bundle");
            assertEquals(1 << 20, g.device.blobAlignment());
            g.device.addContextType(k256, "k256.bundle");
            assertEquals(1 << 20, g.device.blobAlignment(), "a waiting type does not count");
            g.device.removeContextType(mib);
            assertEquals(256 << 10, g.device.blobAlignment(), "the promoted waiting type counts");
            assertEquals(256 << 10, g.device.info().blobAlignment());
            assertEquals(256 << 10, g.device.hostInfo().blobAlignment());
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, hostBlob(1, 65536));
            g.ok(hostBlob(2, 256 << 10));
            g.device.removeContextType(k256);
            g.device.removeContextType(k64);
            assertEquals(16384, g.device.blobAlignment(), "back to the configured host page");
            g.ok(hostBlob(3, 16384));
        }
    }

    @Test
    void configuredPageSizeBelowTheOsPageOrNotAPowerOfTheListIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DeviceSettings.defaults().withHostPageSize(8192));
        assertThrows(IllegalArgumentException.class, () -> DeviceSettings.defaults().withNumScanouts(17));
        assertThrows(IllegalArgumentException.class, () -> DeviceSettings.defaults().withDisplay(5000, 800));
    }
}
