package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.api.Limits;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/** Per-session limits answer OUT_OF_MEMORY and leave the session as it was. */
class LimitsTest {
    static final int XRGB = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM;

    static GpuHarness limited(Limits l) throws Exception {
        return new GpuHarness(DeviceSettings.defaults(), GpuHarness.ALL_FEATURES, l, DisplaySink.NONE);
    }

    @Test
    void resourceCountLimit() throws Exception {
        try (GpuHarness g = limited(new Limits(3, 1 << 20, 4))) {
            g.ok(Requests.resourceCreate2d(1, XRGB, 4, 4));
            g.ok(Requests.createBlob(0, 2, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096, List.of()));
            g.ok(Requests.resourceCreate3d(0, 3, 0, 64, 0, 16, 1, 1, 1, 0, 0, 0));
            g.expect(VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, Requests.resourceCreate2d(4, XRGB, 4, 4));
            g.expect(VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, Requests.createBlob(0, 4, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 0, 4096, List.of()));
            assertEquals(3, g.session.snapshot().resources().size());
            g.ok(Requests.resourceUnref(1));
            g.ok(Requests.resourceCreate2d(4, XRGB, 4, 4));
        }
    }

    @Test
    void byteLimitCoversHostStorageBlobsAndContextAllocations() throws Exception {
        try (GpuHarness g = limited(new Limits(100, 64 * 1024, 4))) {
            g.ok(Requests.resourceCreate2d(1, XRGB, 64, 128)); // 32 KiB
            g.ok(Requests.createBlob(0, 2, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 0, 16384, List.of()));
            g.expect(VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, Requests.resourceCreate2d(3, XRGB, 64, 65));
            g.expect(VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, Requests.createBlob(0, 3, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 0, 32768, List.of()));
            g.ctx(1, 4);
            GpuException e = assertThrows(GpuException.class,
                    () -> g.type.context(1).services.allocate("big", 20000));
            assertEquals(GpuError.OUT_OF_MEMORY, e.error());
            g.expect(VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, Requests.createBlob(1, 3, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 9, 32768, List.of()));
            assertEquals(48 * 1024, g.session.bytesInUse());
            g.ok(Requests.createBlob(1, 3, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 9, 16384, List.of()));
            assertEquals(64 * 1024, g.session.bytesInUse());
        }
    }

    @Test
    void theShadowImageOfAGuestBlobScanoutCountsAgainstTheByteLimit() throws Exception {
        try (GpuHarness g = limited(new Limits(100, 96 * 1024, 4))) {
            long a = g.guest.alloc(65536);
            g.ok(Requests.createBlob(0, 1, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 65536, List.of(new Requests.Entry(a, 65536))));
            g.ok(Requests.setScanoutBlob(0, 1, 0, 0, 128, 128, 128, 128, XRGB, 512, 0)); // 64 KiB shadow
            assertEquals(65536, g.session.bytesInUse());
            g.ok(Requests.setScanoutBlob(0, 1, 0, 0, 64, 64, 64, 64, XRGB, 256, 0)); // replaces it
            assertEquals(16384, g.session.bytesInUse());
            g.ok(Requests.resourceCreate2d(2, XRGB, 64, 128)); // 32 KiB
            g.expect(VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, Requests.setScanoutBlob(0, 1, 0, 0, 128, 128, 128, 128, XRGB, 512, 0));
            g.ok(Requests.setScanoutBlob(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
            assertEquals(32768, g.session.bytesInUse());
            g.ok(Requests.setScanoutBlob(0, 1, 0, 0, 64, 64, 64, 64, XRGB, 256, 0));
            g.ok(Requests.resourceUnref(1)); // disables the scanout, frees the shadow
            assertEquals(32768, g.session.bytesInUse());
        }
    }

    @Test
    void contextLimit() throws Exception {
        try (GpuHarness g = limited(new Limits(100, 1 << 20, 2))) {
            g.ctx(1, 4);
            g.ctx(2, 4);
            g.expect(VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, Requests.ctxCreate(3, 4, "x"));
            assertEquals(2, g.type.contexts.size(), "no context was created for the refused CTX_CREATE");
            g.ok(Requests.ctxDestroy(1));
            g.ctx(3, 4);
        }
    }

    @Test
    void sessionGetsTheSmallerOfItsOwnAndTheDeviceLimits() throws Exception {
        var settings = DeviceSettings.defaults().withLimits(new Limits(10, 1 << 20, 1));
        try (GpuHarness g = new GpuHarness(settings, GpuHarness.ALL_FEATURES, new Limits(5, 1 << 30, 64), DisplaySink.NONE)) {
            assertEquals(new Limits(5, 1 << 20, 1), g.session.limits());
        }
    }
}
