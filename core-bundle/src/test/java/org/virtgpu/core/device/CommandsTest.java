package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.api.Limits;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.protocol.Requests.Entry;
import org.virtgpu.core.scanout.Edid;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.core.testing.RecordingSink;
import org.virtgpu.core.testing.TestContextType;
import org.virtgpu.spi.SharedMemory;

/** The success path of every command, with its exact reply layout. */
class CommandsTest {
    static final ValueLayout.OfInt LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int XRGB = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM;

    final RecordingSink sink = new RecordingSink();

    GpuHarness harness(int scanouts) throws Exception {
        return new GpuHarness(DeviceSettings.defaults().withNumScanouts(scanouts), GpuHarness.ALL_FEATURES,
                Limits.DEFAULT, sink);
    }

    /** Fills a guest image with pixel (x, y) = y << 16 | x. */
    static void pattern(GpuHarness g, long addr, int width, int height, long stride) {
        MemorySegment m = g.guest.at(addr, stride * height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                m.set(LE, y * stride + x * 4L, y << 16 | x);
            }
        }
    }

    @Test
    void displayInfoReportsEveryConfiguredScanoutAtThePreferredSize() throws Exception {
        try (GpuHarness g = harness(3)) {
            var r = g.expect(VIRTIO_GPU_RESP_OK_DISPLAY_INFO, Requests.getDisplayInfo());
            assertEquals(408, r.written());
            for (int i = 0; i < 16; i++) {
                int at = 24 + 24 * i;
                boolean on = i < 3;
                assertEquals(on ? 1280 : 0, r.u32(at + 8), "width of " + i);
                assertEquals(on ? 800 : 0, r.u32(at + 12), "height of " + i);
                assertEquals(on ? 1 : 0, r.u32(at + 16), "enabled of " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 67, 68, 121, 134})
    void create2dAcceptsEveryVirtioFormat(int format) throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ok(Requests.resourceCreate2d(7, format, 33, 17));
            assertEquals(new ResourceRow(7, "2d", 33 * 17 * 4, 33, 17, false), g.session.snapshot().resources().getFirst());
            assertEquals(33 * 17 * 4, g.session.bytesInUse());
        }
    }

    @Test
    void unrefFreesTheResourceAndItsBytes() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.resource2d(3, 16, 16);
            g.ok(Requests.resourceUnref(3));
            assertTrue(g.session.snapshot().resources().isEmpty());
            assertEquals(0, g.session.bytesInUse());
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, Requests.resourceUnref(3));
        }
    }

    @Test
    void transferCopiesRowsFromOffsetPlusRowTimesStride() throws Exception {
        try (GpuHarness g = harness(1)) {
            long addr = g.resource2d(1, 64, 32);
            pattern(g, addr, 64, 32, 256);
            g.ok(Requests.setScanout(0, 1, 0, 0, 64, 32));
            // Linux passes offset = y * stride + x * 4 for a partial update
            g.ok(Requests.transferToHost2d(1, 5, 7, 10, 3, 7 * 256 + 5 * 4));
            g.ok(Requests.resourceFlush(1, 0, 0, 64, 32));
            RecordingSink.Update u = sink.lastUpdate();
            assertEquals(7 << 16 | 5, u.pixel(5, 7));
            assertEquals(9 << 16 | 14, u.pixel(14, 9));
            assertEquals(0, u.pixel(15, 9), "outside the transferred rect");
            assertEquals(0, u.pixel(5, 10), "below the transferred rect");
        }
    }

    @Test
    void transferAcrossScatteredBackingEntries() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ok(Requests.resourceCreate2d(1, XRGB, 64, 64));
            // 16 KiB in three uneven pieces, not adjacent in guest memory
            long a = g.guest.alloc(4096), gap = g.guest.alloc(4096), b = g.guest.alloc(8192), c = g.guest.alloc(4096);
            assertTrue(gap > a);
            g.ok(Requests.attachBacking(1, List.of(new Entry(a, 4000), new Entry(b, 8000), new Entry(c, 4384))));
            MemorySegment linear = MemorySegment.ofArray(new byte[16384]);
            for (int i = 0; i < 4096; i++) {
                linear.set(LE, i * 4L, i);
            }
            MemorySegment.copy(linear, 0, g.guest.at(a, 4000), 0, 4000);
            MemorySegment.copy(linear, 4000, g.guest.at(b, 8000), 0, 8000);
            MemorySegment.copy(linear, 12000, g.guest.at(c, 4384), 0, 4384);
            g.ok(Requests.transferToHost2d(1, 0, 0, 64, 64, 0));
            g.ok(Requests.transferToHost2d(1, 3, 20, 50, 2, 20 * 256 + 12)); // partial rows straddle entry 0/1
            g.ok(Requests.setScanout(0, 1, 0, 0, 64, 64));
            g.ok(Requests.resourceFlush(1, 0, 0, 64, 64));
            RecordingSink.Update u = sink.lastUpdate();
            for (int i = 0; i < 4096; i++) {
                assertEquals(i, u.pixel(i % 64, i / 64), "pixel " + i);
            }
        }
    }

    @Test
    void setScanoutAndFlushReachTheSinkForTheVisibleRectOnly() throws Exception {
        try (GpuHarness g = harness(2)) {
            long addr = g.resource2d(1, 100, 50);
            pattern(g, addr, 100, 50, 400);
            g.ok(Requests.transferToHost2d(1, 0, 0, 100, 50, 0));
            g.ok(Requests.setScanout(1, 1, 20, 10, 40, 30));
            assertEquals(new RecordingSink.ScanoutCall(1, 40, 30, XRGB), sink.scanouts.getLast());
            g.ok(Requests.resourceFlush(1, 0, 0, 30, 20)); // intersects the scanout in (20,10)-(30,20)
            RecordingSink.Update u = sink.lastUpdate();
            assertEquals(1, u.scanoutId());
            assertEquals(0, u.x());
            assertEquals(0, u.y());
            assertEquals(10, u.width());
            assertEquals(10, u.height());
            assertEquals(10 << 16 | 20, u.pixel(0, 0));
            int before = sink.updates.size();
            g.ok(Requests.resourceFlush(1, 80, 45, 20, 5)); // outside the scanout
            assertEquals(before, sink.updates.size());
            g.ok(Requests.setScanout(1, 0, 0, 0, 0, 0));
            assertEquals(new RecordingSink.ScanoutCall(1, 0, 0, 0), sink.scanouts.getLast());
            assertTrue(g.session.snapshotPng(1).isEmpty());
        }
    }

    @Test
    void detachBackingThenAttachAgain() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.resource2d(1, 16, 16);
            g.ok(Requests.detachBacking(1));
            g.expect(VIRTIO_GPU_RESP_ERR_UNSPEC, Requests.transferToHost2d(1, 0, 0, 16, 16, 0));
            long addr = g.guest.alloc(1024);
            g.ok(Requests.attachBacking(1, List.of(new Entry(addr, 1024))));
            g.ok(Requests.transferToHost2d(1, 0, 0, 16, 16, 0));
        }
    }

    @Test
    void capsetInfoListsServedCapsetsByIndex() throws Exception {
        try (GpuHarness g = harness(1)) {
            var r0 = g.expect(VIRTIO_GPU_RESP_OK_CAPSET_INFO, Requests.getCapsetInfo(0));
            assertEquals(40, r0.written());
            assertEquals(2, r0.u32(24));
            assertEquals(2, r0.u32(28));
            assertEquals(16, r0.u32(32));
            assertEquals(4, g.expect(VIRTIO_GPU_RESP_OK_CAPSET_INFO, Requests.getCapsetInfo(1)).u32(24));
        }
    }

    @Test
    void getCapsetReturnsThePayloadForTheAskedVersion() throws Exception {
        try (GpuHarness g = harness(1)) {
            var r = g.expect(VIRTIO_GPU_RESP_OK_CAPSET, Requests.getCapset(4, 1));
            assertEquals(24 + 16, r.written());
            assertEquals(4, r.u32(24));
            assertEquals(1, r.u32(28));
            assertEquals(g.device.hostInfo().hostPageSize(), r.u32(32));
        }
    }

    @Test
    void edidIsAChecksummedBlockWithThePreferredMode() throws Exception {
        try (GpuHarness g = harness(2)) {
            var r = g.expect(VIRTIO_GPU_RESP_OK_EDID, Requests.getEdid(1));
            assertEquals(1056, r.written());
            assertEquals(128, r.u32(24));
            byte[] e = r.buf.asSlice(32, 128).toArray(ValueLayout.JAVA_BYTE);
            int sum = 0;
            for (byte b : e) {
                sum += b & 0xff;
            }
            assertEquals(0, sum & 0xff, "checksum");
            assertArrayEquals(new byte[] {0, -1, -1, -1, -1, -1, -1, 0}, java.util.Arrays.copyOf(e, 8));
            // detailed timing 1 at 54: h active 1280 = 0x500, v active 800 = 0x320
            assertEquals(0x00, e[56] & 0xff);
            assertEquals(0x5, (e[58] & 0xff) >> 4);
            assertEquals(0x20, e[59] & 0xff);
            assertEquals(0x3, (e[61] & 0xff) >> 4);
            assertEquals(2, e[10], "product code names the scanout");
            assertEquals(0, e[126], "no extensions");
            assertEquals(0, r.buf.asSlice(32 + 128, 1024 - 128).toArray(ValueLayout.JAVA_BYTE)[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 640, 1024, 1920, 2560, 4095})
    void edidChecksumHoldsForEveryMode(int width) {
        byte[] e = Edid.block(0, width, width * 9 / 16 + 16);
        int sum = 0;
        for (byte b : e) {
            sum += b & 0xff;
        }
        assertEquals(0, sum & 0xff);
        assertEquals(width, (e[56] & 0xff) | ((e[58] & 0xf0) << 4));
    }

    @Test
    void assignUuidIsRandomPerResourceAndStable() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.resource2d(1, 16, 16);
            g.resource2d(2, 16, 16);
            var a = g.expect(VIRTIO_GPU_RESP_OK_RESOURCE_UUID, Requests.assignUuid(1));
            assertEquals(40, a.written());
            UUID u1 = uuid(a);
            assertEquals(u1, uuid(g.expect(VIRTIO_GPU_RESP_OK_RESOURCE_UUID, Requests.assignUuid(1))));
            UUID u2 = uuid(g.expect(VIRTIO_GPU_RESP_OK_RESOURCE_UUID, Requests.assignUuid(2)));
            assertNotEquals(u1, u2);
            assertEquals(4, u1.version());
        }
    }

    static UUID uuid(GpuHarness.Reply r) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.buf.asSlice(24, 16).toArray(ValueLayout.JAVA_BYTE));
        return new UUID(b.getLong(), b.getLong());
    }

    @Test
    void guestBlobIsAZeroCopyViewOfGuestPagesOnTheScanout() throws Exception {
        try (GpuHarness g = harness(1)) {
            long a = g.guest.alloc(32 * 32 * 4);
            g.ok(Requests.createBlob(0, 5, VIRTIO_GPU_BLOB_MEM_GUEST, VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE, 0, 4096,
                    List.of(new Entry(a, 2048), new Entry(a + 2048, 2048))));
            g.ok(Requests.setScanoutBlob(0, 5, 0, 0, 16, 16, 16, 16, XRGB, 256, 0));
            pattern(g, a, 16, 16, 256);
            g.ok(Requests.transferToHost2d(5, 0, 0, 16, 16, 0)); // a no-op on blobs
            g.ok(Requests.resourceFlush(5, 0, 0, 16, 16));
            assertEquals(15 << 16 | 3, sink.lastUpdate().pixel(3, 15));
            g.guest.at(a, 4).set(LE, 0, 0xabcdef); // the guest draws again: no transfer needed
            g.ok(Requests.resourceFlush(5, 0, 0, 16, 16));
            assertEquals(0xabcdef, sink.lastUpdate().pixel(0, 0));
            assertEquals("blob-guest", g.session.snapshot().resources().getFirst().kind());
            assertTrue(g.session.blobMemory(5).isEmpty(), "guest blobs have no host memory");
        }
    }

    @Test
    void hostBlobWithoutBlobIdIsCoreSharedMemory() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ok(Requests.createBlob(0, 5, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0, 8192, List.of()));
            SharedMemory m = g.session.blobMemory(5).orElseThrow();
            assertEquals(8192, m.size());
            assertTrue(m.fd() > 2);
            assertEquals(8192, g.session.bytesInUse());
            g.ok(Requests.resourceUnref(5));
            assertEquals(0, g.session.bytesInUse(), "freed with the last reference");
        }
    }

    @Test
    void hostBlobWithBlobIdComesFromTheContext() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ctx(3, 4);
            g.ok(Requests.createBlob(3, 5, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 77, 4096, List.of()));
            assertEquals(77, g.session.blobMemory(5).orElseThrow().segment().get(ValueLayout.JAVA_LONG, 0));
            long a = g.guest.alloc(4096);
            g.ok(Requests.createBlob(3, 6, VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST, VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE, 78, 4096,
                    List.of(new Entry(a, 4096))));
            assertEquals("blob-host3d-guest", g.session.snapshot().resources().get(1).kind());
            g.ok(Requests.createBlob(3, 7, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 79, 4096, List.of()));
            assertTrue(g.session.blobMemory(7).isEmpty(), "a blob created without MAPPABLE/SHAREABLE/CROSS_DEVICE is not exported");
        }
    }

    @Test
    void ctxCreateWithContextInitPicksTheCapsetsType() throws Exception {
        try (GpuHarness g = harness(1)) {
            TestContextType other = new TestContextType("other", 5);
            g.device.addContextType(other, "other.bundle");
            g.ok(Requests.ctxCreate(1, 5, "weston"));
            assertEquals(5, other.context(1).spec.capsetId());
            assertEquals("weston", other.context(1).spec.debugName());
            g.ok(Requests.ctxCreate(2, 0, "legacy"));
            assertEquals(2, g.type.context(2).spec.capsetId(), "context_init 0 is virgl2 when served");
            assertEquals(List.of(new ContextRow(1, 5, "other", false), new ContextRow(2, 2, "test", false)),
                    g.session.snapshot().contexts());
        }
    }

    @Test
    void contextInitZeroWithoutVirglPicksTheLowestCapset() throws Exception {
        var d = DeviceComponent.standalone(DeviceSettings.defaults());
        TestContextType venusOnly = new TestContextType("venus", 5, 4);
        d.addContextType(venusOnly, "v");
        var guest = new org.virtgpu.core.testing.TestGuestMemory(1 << 20);
        try (var s = d.openSession(org.virtgpu.api.SessionOptions.of("s", guest, GpuHarness.ALL_FEATURES))) {
            int[] done = {-1};
            byte[] reply = new byte[24];
            s.control(Requests.asReadable(Requests.ctxCreate(1, 0, "")), List.of(MemorySegment.ofArray(reply)), n -> done[0] = n);
            assertEquals(24, done[0]);
            assertEquals(VIRTIO_GPU_RESP_OK_NODATA, MemorySegment.ofArray(reply).get(LE, 0));
            assertEquals(4, venusOnly.context(1).spec.capsetId());
        }
    }

    @Test
    void ctxDestroyDestroysOnceAndFreesTheId() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ctx(1, 4);
            var c = g.type.context(1);
            g.ok(Requests.ctxDestroy(1));
            assertEquals(1, c.destroyed);
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID, Requests.submit3d(1, new byte[4]));
            g.ctx(1, 4);
        }
        assertEquals(1, 1);
    }

    @Test
    void attachedResourcesAreVisibleToTheContextUntilDetached() throws Exception {
        try (GpuHarness g = harness(1)) {
            long addr = g.resource2d(9, 16, 16);
            g.guest.at(addr, 4).set(LE, 0, 0x5a5a);
            g.ctx(1, 4);
            var c = g.type.context(1);
            assertTrue(c.services.resource(9).isEmpty());
            g.ok(Requests.ctxAttachResource(1, 9));
            assertEquals(List.of(9), c.attached);
            MemorySegment dst = MemorySegment.ofArray(new byte[4]);
            c.services.resource(9).orElseThrow().readBacking(0, dst);
            assertEquals(0x5a5a, dst.get(LE, 0));
            g.ok(Requests.ctxDetachResource(1, 9));
            assertEquals(List.of(9), c.detached);
            assertTrue(c.services.resource(9).isEmpty());
        }
    }

    @Test
    void transfer3dRoundTripsBytesThroughTheBacking() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ctx(1, 4);
            g.ok(Requests.resourceCreate3d(1, 4, 2, 1, 2, 8, 8, 1, 1, 0, 0, 0));
            long a = g.guest.alloc(4096);
            g.ok(Requests.attachBacking(4, List.of(new Entry(a, 4096))));
            MemorySegment m = g.guest.at(a, 4096);
            for (int i = 0; i < 1024; i++) {
                m.set(LE, i * 4L, 1000 + i);
            }
            // a 3x2 box at (2,1) from a guest layout with stride 64 at offset 128
            g.ok(Requests.transfer3d(true, 1, 4, new int[] {2, 1, 0, 3, 2, 1}, 128, 0, 64, 0));
            m.fill((byte) 0);
            g.ok(Requests.transfer3d(false, 1, 4, new int[] {2, 1, 0, 3, 2, 1}, 0, 0, 0, 0)); // packed: stride 12
            assertEquals(1000 + 32, m.get(LE, 0));
            assertEquals(1000 + 34, m.get(LE, 8));
            assertEquals(1000 + 48, m.get(LE, 12));
            assertEquals(0, m.get(LE, 24));
            // the host storage is shared memory a context reaches through its view: texel (2,1) = guest word 32
            g.ok(Requests.ctxAttachResource(1, 4));
            var storage = g.type.context(1).services.resource(4).orElseThrow().hostMemory().orElseThrow();
            assertEquals(1000 + 32, storage.segment().get(LE, (8 + 2) * 4L));
            assertTrue(g.session.blobMemory(4).isEmpty(), "3D storage is not a blob to export");
        }
    }

    @Test
    void a3dRenderTargetWithoutGuestPagesCanBeScannedOut() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ctx(1, 4);
            g.ok(Requests.resourceCreate3d(1, 4, 2, XRGB, 2, 32, 32, 1, 1, 0, 0, 1));
            g.ok(Requests.ctxAttachResource(1, 4));
            // the context renders into the core's storage, the guest never attaches pages
            var storage = g.type.context(1).services.resource(4).orElseThrow().hostMemory().orElseThrow();
            storage.segment().set(LE, (3 * 32 + 2) * 4L, 0x00aabbcc);
            g.ok(Requests.setScanout(0, 4, 0, 0, 32, 32));
            g.ok(Requests.resourceFlush(4, 0, 0, 32, 32));
            assertEquals(0x00aabbcc, sink.lastUpdate().pixel(2, 3));
        }
    }

    @Test
    void submitHandsTheStreamAndRingToTheContext() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ctx(1, 4);
            byte[] stream = {9, 8, 7, 6, 5, 4, 3, 2};
            g.ok(Requests.onRing(Requests.submit3d(1, stream), 3));
            g.ok(Requests.submit3d(1, new byte[0]));
            var c = g.type.context(1);
            assertArrayEquals(stream, c.submitted.getFirst());
            assertEquals(List.of(3, 0), c.submitRings);
        }
    }

    @Test
    void mapBlobPlacesTheBlobInTheHostVisibleRegion() throws Exception {
        try (GpuHarness g = harness(1)) {
            g.ok(Requests.createBlob(0, 5, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0, 8192, List.of()));
            g.ok(Requests.createBlob(0, 6, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0, 4096, List.of()));
            var r = g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(5, 0x10000));
            assertEquals(32, r.written());
            assertEquals(VIRTIO_GPU_MAP_CACHE_CACHED, r.u32(24));
            var region = g.session.hostVisibleRegion().orElseThrow();
            var p = region.at(0x10000).orElseThrow();
            p.window().set(ValueLayout.JAVA_INT, 4100, 0x77);
            assertEquals(0x77, g.session.blobMemory(5).orElseThrow().segment().get(ValueLayout.JAVA_INT, 4100),
                    "the window and the blob are the same pages");
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.mapBlob(6, 0x11000)); // overlaps [0x10000, 0x12000)
            g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(6, 0x12000));
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.mapBlob(5, 0x20000)); // already mapped
            g.ok(Requests.unmapBlob(5));
            assertTrue(region.at(0x10000).isEmpty());
            assertThrows(IllegalStateException.class, () -> p.window().get(ValueLayout.JAVA_INT, 0));
            g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(5, 0x10000));
            assertTrue(g.session.snapshot().resources().getFirst().mapped());
        }
    }

    @Test
    void cursorQueueUpdatesAndMovesTheCursor() throws Exception {
        try (GpuHarness g = harness(1)) {
            long addr = g.resource2d(2, 64, 64);
            g.guest.at(addr, 4).set(LE, 0, 0xff00ff00);
            g.ok(Requests.transferToHost2d(2, 0, 0, 64, 64, 0));
            g.session.cursor(Requests.asReadable(Requests.updateCursor(0, 10, 20, 2, 3, 4)));
            assertEquals(new RecordingSink.CursorCall(0, 10, 20, 3, 4, 0xff00ff00, true, true), sink.cursors.getLast());
            g.session.cursor(Requests.asReadable(Requests.moveCursor(0, 30, 40)));
            assertEquals(new RecordingSink.CursorCall(0, 30, 40, 3, 4, 0, false, true), sink.cursors.getLast());
            g.session.cursor(Requests.asReadable(Requests.updateCursor(0, 30, 40, 0, 0, 0)));
            assertFalse(sink.cursors.getLast().visible());
            int n = sink.cursors.size();
            g.session.cursor(Requests.asReadable(Requests.moveCursor(7, 1, 1))); // out of range: ignored (QEMU)
            g.session.cursor(Requests.asReadable(Requests.resourceUnref(2))); // not a cursor command: ignored
            g.session.cursor(List.of(MemorySegment.ofArray(new byte[10]))); // truncated: ignored
            assertEquals(n, sink.cursors.size());
            assertEquals(1, g.session.snapshot().resources().size());
        }
    }

    @Test
    void pngSnapshotShowsTheScanoutImage() throws Exception {
        try (GpuHarness g = harness(1)) {
            long addr = g.resource2d(1, 32, 16);
            MemorySegment m = g.guest.at(addr, 32 * 16 * 4);
            for (int i = 0; i < 32 * 16; i++) {
                m.set(LE, i * 4L, 0x00112233); // B8G8R8X8: B=0x33 G=0x22 R=0x11
            }
            m.set(LE, (5 * 32 + 20) * 4L, 0x00ff0000); // red at (20, 5)
            g.ok(Requests.transferToHost2d(1, 0, 0, 32, 16, 0));
            g.ok(Requests.setScanout(0, 1, 0, 0, 32, 16));
            byte[] png = g.session.snapshotPng(0).orElseThrow();
            var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
            assertEquals(32, img.getWidth());
            assertEquals(16, img.getHeight());
            assertEquals(0x112233, img.getRGB(0, 0) & 0xffffff);
            assertEquals(0xff0000, img.getRGB(20, 5) & 0xffffff);
        }
    }

    @Test
    void splitRequestsDecodeLikeWholeOnes() throws Exception {
        try (GpuHarness g = harness(1)) {
            byte[] create = Requests.resourceCreate2d(1, XRGB, 16, 16);
            for (int cut = 1; cut < create.length; cut++) {
                byte[] req = Requests.resourceCreate2d(100 + cut, XRGB, 16, 16);
                assertEquals(VIRTIO_GPU_RESP_OK_NODATA, g.sendSplit(req, cut).type(), "cut at " + cut);
            }
            long a = g.guest.alloc(4096);
            byte[] attach = Requests.attachBacking(101, List.of(new Entry(a, 512), new Entry(a + 512, 512)));
            assertEquals(VIRTIO_GPU_RESP_OK_NODATA, g.sendSplit(attach, 3, 17, 30, 33, 47, 50).type());
            g.ctx(1, 4);
            byte[] stream = new byte[100];
            for (int i = 0; i < stream.length; i++) {
                stream[i] = (byte) i;
            }
            assertEquals(VIRTIO_GPU_RESP_OK_NODATA, g.sendSplit(Requests.submit3d(1, stream), 10, 26, 40, 41, 99).type());
            assertArrayEquals(stream, g.type.context(1).submitted.getLast());
        }
    }
}
