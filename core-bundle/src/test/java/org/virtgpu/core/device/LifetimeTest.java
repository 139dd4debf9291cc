package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtgpu.api.Limits;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.protocol.Requests.Entry;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.core.testing.RecordingSink;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;

/**
 * After the reply to DETACH_BACKING or RESOURCE_UNREF the host never touches those guest pages again; unref of a
 * mapped blob unmaps it first; unref of a shown resource disables the scanout; and the deliberate choice for
 * detaching the backing of a shown resource: the scanout keeps the last host copy and stops reading guest pages.
 */
class LifetimeTest {
    static final ValueLayout.OfInt LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int XRGB = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM;
    final RecordingSink sink = new RecordingSink();

    GpuHarness harness() throws Exception {
        return new GpuHarness(DeviceSettings.defaults(), GpuHarness.ALL_FEATURES, Limits.DEFAULT, sink);
    }

    @Test
    void unrefDetachesTheResourceFromEveryContextBeforeTheReply() throws Exception {
        try (GpuHarness g = harness()) {
            g.resource2d(5, 16, 16);
            g.ctx(1, 4);
            g.ctx(2, 2);
            g.ok(Requests.ctxAttachResource(1, 5));
            g.ok(Requests.ctxAttachResource(2, 5));
            g.ok(Requests.resourceUnref(5));
            assertEquals(List.of(5), g.type.context(1).detached);
            assertEquals(List.of(5), g.type.context(2).detached);
            assertTrue(g.type.context(1).services.resource(5).isEmpty());
        }
    }

    @Test
    void unrefOfAMappedBlobUnmapsItFirst() throws Exception {
        try (GpuHarness g = harness()) {
            g.ok(Requests.createBlob(0, 5, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0, 4096, List.of()));
            g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(5, 0));
            var region = g.session.hostVisibleRegion().orElseThrow();
            var window = region.at(0).orElseThrow().window();
            g.ok(Requests.resourceUnref(5));
            assertTrue(region.placements().isEmpty());
            assertThrows(IllegalStateException.class, () -> window.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0, g.session.bytesInUse(), "the blob's memory is gone with its mapping");
            // the offset is free again for another blob
            g.ok(Requests.createBlob(0, 6, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0, 4096, List.of()));
            g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(6, 0));
        }
    }

    @Test
    void unrefOfAShownResourceDisablesTheScanout() throws Exception {
        try (GpuHarness g = harness()) {
            g.resource2d(5, 16, 16);
            g.ok(Requests.setScanout(0, 5, 0, 0, 16, 16));
            g.ok(Requests.resourceUnref(5));
            assertEquals(new RecordingSink.ScanoutCall(0, 0, 0, 0), sink.scanouts.getLast());
            assertTrue(g.session.snapshotPng(0).isEmpty());
        }
    }

    @Test
    void detachingTheBackingOfAShown2dResourceKeepsTheLastTransferredImage() throws Exception {
        try (GpuHarness g = harness()) {
            long a = g.resource2d(5, 16, 16);
            g.guest.at(a, 1024).fill((byte) 0x11);
            g.ok(Requests.transferToHost2d(5, 0, 0, 16, 16, 0));
            g.ok(Requests.setScanout(0, 5, 0, 0, 16, 16));
            g.ok(Requests.detachBacking(5));
            g.guest.at(a, 1024).fill((byte) 0x22); // the guest reuses the pages
            g.expect(VIRTIO_GPU_RESP_ERR_UNSPEC, Requests.transferToHost2d(5, 0, 0, 16, 16, 0));
            g.ok(Requests.resourceFlush(5, 0, 0, 16, 16));
            assertEquals(0x11111111, sink.lastUpdate().pixel(7, 7));
            var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(g.session.snapshotPng(0).orElseThrow()));
            assertEquals(0x111111, img.getRGB(7, 7) & 0xffffff);
        }
    }

    @Test
    void detachingTheBackingOfAShownGuestBlobFreezesTheScanoutOnItsLastImage() throws Exception {
        try (GpuHarness g = harness()) {
            long a = g.guest.alloc(4096);
            g.guest.at(a, 4096).fill((byte) 0x11);
            g.ok(Requests.createBlob(0, 5, VIRTIO_GPU_BLOB_MEM_GUEST, VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE, 0, 4096,
                    List.of(new Entry(a, 4096))));
            g.ok(Requests.setScanoutBlob(0, 5, 0, 0, 16, 16, 16, 16, XRGB, 64, 0));
            g.ok(Requests.resourceFlush(5, 0, 0, 16, 16));
            g.ok(Requests.detachBacking(5));
            g.guest.at(a, 4096).fill((byte) 0x22);
            g.ok(Requests.resourceFlush(5, 0, 0, 16, 16));
            assertEquals(0x11111111, sink.lastUpdate().pixel(3, 3), "read guest pages after DETACH_BACKING");
            var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(g.session.snapshotPng(0).orElseThrow()));
            assertEquals(0x111111, img.getRGB(3, 3) & 0xffffff);
            long b = g.guest.alloc(4096);
            g.guest.at(b, 4096).fill((byte) 0x33);
            g.ok(Requests.attachBacking(5, List.of(new Entry(b, 4096))));
            g.ok(Requests.resourceFlush(5, 0, 0, 16, 16));
            assertEquals(0x33333333, sink.lastUpdate().pixel(3, 3), "a new backing is shown again");
        }
    }

    @Test
    void aContextCannotReadGuestPagesAfterDetachBacking() throws Exception {
        try (GpuHarness g = harness()) {
            g.resource2d(5, 16, 16);
            g.ctx(1, 4);
            g.ok(Requests.ctxAttachResource(1, 5));
            var view = g.type.context(1).services.resource(5).orElseThrow();
            g.ok(Requests.detachBacking(5));
            GpuException e = assertThrows(GpuException.class, () -> view.readBacking(0, MemorySegment.ofArray(new byte[4])));
            assertEquals(GpuError.UNSPEC, e.error());
        }
    }

    @Test
    void memoryAContextStillHoldsOutlivesTheResourceAndIsCountedUntilReleased() throws Exception {
        try (GpuHarness g = harness()) {
            g.ok(Requests.createBlob(0, 5, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE, 0, 4096, List.of()));
            SharedMemory m = g.session.blobMemory(5).orElseThrow().retain(); // say, imported into a host API
            g.ok(Requests.resourceUnref(5));
            m.segment().set(ValueLayout.JAVA_INT, 0, 1); // still mapped
            assertEquals(4096, g.session.bytesInUse());
            m.release();
            assertEquals(0, g.session.bytesInUse());
        }
    }

    @Test
    void closingASessionFreesEveryFdAndMapping() throws Exception {
        int before = Fds.openCount();
        try (GpuHarness g = harness()) {
            g.resource2d(1, 16, 16);
            g.ctx(1, 4);
            for (int i = 0; i < 5; i++) {
                g.ok(Requests.createBlob(1, 10 + i, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 100 + i,
                        4096, List.of()));
                g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(10 + i, i * 4096L));
            }
            assertEquals(before + 5, Fds.openCount());
        }
        assertEquals(before, Fds.openCount());
    }
}
