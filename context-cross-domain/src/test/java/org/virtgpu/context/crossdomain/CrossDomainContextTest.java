package org.virtgpu.context.crossdomain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;
import org.virtgpu.spi.testkit.GuestResource;
import org.virtgpu.spi.testkit.TestDeviceServices;

class CrossDomainContextTest {
    private static final int RING = 7;

    /** Little-endian command builder: a header {cmd, ring_idx, cmd_size} and u32 fields. */
    private static ByteBuffer cmd(int cmd, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) cmd).put(1, (byte) 0).putShort(2, (short) size);
        return b;
    }

    private static ByteBuffer init(int queryRing, int channelType) {
        return cmd(CrossDomainProtocol.CMD_INIT, 36).putInt(8, queryRing).putInt(12, queryRing).putInt(16, channelType);
    }

    private static ByteBuffer gir(int w, int h, int format) {
        return cmd(CrossDomainProtocol.CMD_GET_IMAGE_REQUIREMENTS, 24).putInt(8, w).putInt(12, h).putInt(16, format).putInt(20, 0);
    }

    private static MemorySegment seg(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer p : parts) {
            n += p.capacity();
        }
        byte[] all = new byte[n];
        int at = 0;
        for (ByteBuffer p : parts) {
            System.arraycopy(p.array(), 0, all, at, p.capacity());
            at += p.capacity();
        }
        return MemorySegment.ofArray(all);
    }

    private record Setup(TestDeviceServices services, GpuContext ctx, GuestResource ring) {
    }

    private static Setup setup(int page) throws GpuException {
        TestDeviceServices s = TestDeviceServices.withHostPage(page);
        GpuContext c = new CrossDomainContextType().createContext(new ContextSpec(1, 5, "t", (r, f) -> { }), s);
        GuestResource ring = new GuestResource(RING, 4096);
        c.attachResource(ring);
        return new Setup(s, c, ring);
    }

    private static long u64(GuestResource r, long off) {
        return r.backing().get(ValueLayout.JAVA_LONG_UNALIGNED, off);
    }

    private static int u32(GuestResource r, long off) {
        return r.backing().get(ValueLayout.JAVA_INT_UNALIGNED, off);
    }

    @ParameterizedTest(name = "host page {0}")
    @ValueSource(ints = {4096, 16384, 65536})
    void imageRequirementsAreWrittenToTheQueryRingWithSizeRoundedToTheHostPage(int page) throws GpuException {
        Setup t = setup(page);
        // INIT and a query in one submit: commands run back to back
        t.ctx().submit(seg(init(RING, 0), gir(100, 50, ImageLayout.XRGB8888)), 0);
        GuestResource r = t.ring();
        assertEquals(512, u32(r, 0), "stride: 100 * 4 rounded to 256");
        assertEquals(0, u32(r, 4));
        assertEquals(0, u32(r, 16), "plane 0 offset");
        assertEquals(0L, u64(r, 32), "modifier LINEAR");
        long size = u64(r, 40);
        assertEquals(0, size % page, "size is a multiple of the host page");
        assertTrue(size >= 512L * 50 && size - 512L * 50 < page, "size is the layout rounded up: " + size);
        assertNotEquals(0, u32(r, 48), "blob_id");
        assertEquals(1, u32(r, 52), "map_info CACHED");
        assertEquals(-1, u32(r, 56), "memory_idx: system memory");
        assertEquals(-1, u32(r, 60), "physical_device_idx: deprecated");

        // the blob the guest creates with exactly that size is allocated
        SharedMemory m = t.ctx().createBlob(new BlobRequest(20, BlobRequest.BLOB_MEM_HOST3D,
                BlobRequest.FLAG_MAPPABLE | BlobRequest.FLAG_SHAREABLE, Integer.toUnsignedLong(u32(r, 48)), size));
        assertEquals(size, m.size());
        m.release();
        t.ctx().destroy();
        assertEquals(0, t.services().liveAllocations());
    }

    @Test
    void aCreateBlobWhoseSizeDiffersFromTheRequirementsIsInvalidParameter() throws GpuException {
        Setup t = setup(16384);
        t.ctx().submit(seg(init(RING, 0), gir(64, 64, ImageLayout.ARGB8888)), 0);
        long blobId = Integer.toUnsignedLong(u32(t.ring(), 48));
        long size = u64(t.ring(), 40);
        for (long wrong : new long[] {size - 16384, size + 16384, 4096}) {
            GpuException e = assertThrows(GpuException.class, () -> t.ctx().createBlob(
                    new BlobRequest(21, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, blobId, wrong)));
            assertEquals(GpuError.INVALID_PARAMETER, e.error());
        }
        GpuException unknown = assertThrows(GpuException.class, () -> t.ctx().createBlob(
                new BlobRequest(21, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, blobId + 1000, size)));
        assertEquals(GpuError.INVALID_PARAMETER, unknown.error());
        assertEquals(0, t.services().liveAllocations());
    }

    @Test
    void oneRequirementBacksManyBlobsAndIdenticalQueriesShareABlobId() throws GpuException {
        Setup t = setup(4096);
        t.ctx().submit(seg(init(RING, 0), gir(32, 32, ImageLayout.R8)), 0);
        int first = u32(t.ring(), 48);
        long size = u64(t.ring(), 40);
        assertEquals(8192, size, "32 rows of a 256-byte stride");
        t.ctx().submit(seg(gir(32, 32, ImageLayout.R8)), 0);
        assertEquals(first, u32(t.ring(), 48));
        t.ctx().submit(seg(gir(33, 32, ImageLayout.R8)), 0);
        assertNotEquals(first, u32(t.ring(), 48));
        for (int i = 0; i < 3; i++) {
            t.ctx().createBlob(new BlobRequest(30 + i, BlobRequest.BLOB_MEM_HOST3D, 1, first, size)).release();
        }
    }

    @Test
    void nv12AndYv12PlanesFollowEachOtherAtTheStrideTimesHeight() throws GpuException {
        Setup t = setup(4096);
        t.ctx().submit(seg(init(RING, 0), gir(640, 480, ImageLayout.NV12)), 0);
        assertEquals(768, u32(t.ring(), 0));
        assertEquals(768, u32(t.ring(), 4));
        assertEquals(768 * 480, u32(t.ring(), 20));
        t.ctx().submit(seg(gir(640, 481, ImageLayout.YVU420)), 0);
        assertEquals(768, u32(t.ring(), 0));
        assertEquals(384, u32(t.ring(), 4));
        assertEquals(384, u32(t.ring(), 8));
        assertEquals(768 * 481, u32(t.ring(), 20));
        assertEquals(768 * 481 + 384 * 241, u32(t.ring(), 24));
    }

    @Test
    void legacyAndV1InitFormsAreAccepted() throws GpuException {
        for (int size : new int[] {16, 20}) {
            Setup t = setup(4096);
            t.ctx().submit(seg(cmd(CrossDomainProtocol.CMD_INIT, size).putInt(8, RING)), 0);
            t.ctx().submit(seg(gir(1, 1, ImageLayout.R8)), 0);
            assertEquals(256, u32(t.ring(), 0));
        }
    }

    @Test
    void initWithAnUnattachedQueryRingIsInvalidResourceId() throws GpuException {
        Setup t = setup(4096);
        GpuException e = assertThrows(GpuException.class, () -> t.ctx().submit(seg(init(99, 0)), 0));
        assertEquals(GpuError.INVALID_RESOURCE_ID, e.error());
    }

    @Test
    void initAskingForAChannelTheCapsetDoesNotOfferIsInvalidParameter() throws GpuException {
        Setup t = setup(4096);
        for (int channel : new int[] {CrossDomainProtocol.CHANNEL_TYPE_WAYLAND, 0x11, -1, 40}) {
            GpuException e = assertThrows(GpuException.class, () -> t.ctx().submit(seg(init(RING, channel)), 0));
            assertEquals(GpuError.INVALID_PARAMETER, e.error());
        }
    }

    @Test
    void aSecondInitOrABadInitSizeIsInvalidParameter() throws GpuException {
        Setup t = setup(4096);
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(cmd(CrossDomainProtocol.CMD_INIT, 24).putInt(8, RING)), 0)).error());
        t.ctx().submit(seg(init(RING, 0)), 0);
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(init(RING, 0)), 0)).error());
    }

    @Test
    void queriesBeforeInitOrAfterTheRingIsDetachedFailCleanly() throws GpuException {
        Setup t = setup(4096);
        assertEquals(GpuError.UNSPEC, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(gir(1, 1, ImageLayout.R8)), 0)).error());
        t.ctx().submit(seg(init(RING, 0)), 0);
        t.ctx().detachResource(RING);
        assertEquals(GpuError.INVALID_RESOURCE_ID, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(gir(1, 1, ImageLayout.R8)), 0)).error());
    }

    @Test
    void cmdSizeBeyondTheStreamOrBelowTheHeaderIsInvalidParameter() throws GpuException {
        Setup t = setup(4096);
        ByteBuffer lying = init(RING, 0);
        lying.putShort(2, (short) 40);
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> t.ctx().submit(seg(lying), 0)).error());
        ByteBuffer tiny = init(RING, 0);
        tiny.putShort(2, (short) 4);
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> t.ctx().submit(seg(tiny), 0)).error());
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> t.ctx().submit(MemorySegment.ofArray(new byte[5]), 0)).error());
    }

    @Test
    void badImagesAndUnknownFormatsAreInvalidParameter() throws GpuException {
        Setup t = setup(4096);
        t.ctx().submit(seg(init(RING, 0)), 0);
        for (ByteBuffer bad : new ByteBuffer[] {gir(0, 10, ImageLayout.R8), gir(10, -1, ImageLayout.R8),
                gir(16385, 1, ImageLayout.R8), gir(10, 10, ImageLayout.fourcc("ZZZZ"))}) {
            assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> t.ctx().submit(seg(bad), 0)).error());
        }
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(cmd(CrossDomainProtocol.CMD_GET_IMAGE_REQUIREMENTS, 16)), 0)).error());
    }

    @Test
    void channelCommandsAreUnspecAndUnknownCommandsInvalidParameter() throws GpuException {
        Setup t = setup(4096);
        t.ctx().submit(seg(init(RING, 0)), 0);
        assertEquals(GpuError.UNSPEC, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(cmd(CrossDomainProtocol.CMD_POLL, 16)), 1)).error());
        assertEquals(GpuError.UNSPEC, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(cmd(CrossDomainProtocol.CMD_SEND, 352)), 1)).error());
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(cmd(CrossDomainProtocol.CMD_RECEIVE, 352)), 1)).error());
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> t.ctx().submit(seg(cmd(200, 8)), 0)).error());
    }

    @Test
    void theRequirementsTableIsBoundedAndEvictsTheLeastRecentlyUsedRecord() throws GpuException {
        Setup t = setup(4096);
        t.ctx().submit(seg(init(RING, 0), gir(1, 1, ImageLayout.R8)), 0);
        long oldest = Integer.toUnsignedLong(u32(t.ring(), 48));
        for (int i = 0; i < CrossDomainContext.MAX_REQUIREMENTS; i++) {
            t.ctx().submit(seg(gir(2 + i % 4000, 1 + i / 4000, ImageLayout.R8)), 0);
        }
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> t.ctx().createBlob(
                new BlobRequest(5, BlobRequest.BLOB_MEM_HOST3D, 1, oldest, 4096))).error());
    }
}
