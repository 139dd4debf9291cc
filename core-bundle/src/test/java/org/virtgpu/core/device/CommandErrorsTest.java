package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.api.Limits;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.protocol.Requests.Entry;
import org.virtgpu.core.testing.GpuHarness;

/**
 * Every command's error paths (research/virtio-gpu.md section 11), table-driven against one standard state, and the
 * rule that a refused command changes nothing.
 */
class CommandErrorsTest {
    static final int UNSPEC = VIRTIO_GPU_RESP_ERR_UNSPEC;
    static final int OOM = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
    static final int SCANOUT = VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
    static final int RESOURCE = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    static final int CONTEXT = VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
    static final int PARAM = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    static final int XRGB = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM;

    /**
     * Standard state: resource 1 = 2D 64x64 with backing, 2 = 2D 64x64 without backing, context 1 (capset 4),
     * 10 = guest blob 8 KiB with pages, 11 = host blob 8 KiB mappable, 12 = host blob not mappable,
     * 13 = 3D 16x16 texture with backing.
     */
    static GpuHarness standard(long features) throws Exception {
        GpuHarness g = new GpuHarness(org.virtgpu.core.device.DeviceSettings.defaults(), features, Limits.DEFAULT,
                DisplaySink.NONE);
        if ((features & (1 << DeviceInfo.F_RESOURCE_BLOB)) == 0 || (features & 1) == 0) {
            return g;
        }
        g.resource2d(1, 64, 64);
        g.ok(Requests.resourceCreate2d(2, XRGB, 64, 64));
        g.ctx(1, (features & (1L << DeviceInfo.F_CONTEXT_INIT)) != 0 ? 4 : 0);
        long blobPages = g.guest.alloc(8192);
        g.ok(Requests.createBlob(0, 10, VIRTIO_GPU_BLOB_MEM_GUEST, VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE, 0, 8192,
                List.of(new Entry(blobPages, 8192))));
        g.ok(Requests.createBlob(1, 11, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0, 8192, List.of()));
        g.ok(Requests.createBlob(1, 12, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 0, 8192, List.of()));
        g.ok(Requests.resourceCreate3d(1, 13, 2, 1, 2, 16, 16, 1, 1, 0, 0, 0));
        long tex = g.guest.alloc(16 * 16 * 4);
        g.ok(Requests.attachBacking(13, List.of(new Entry(tex, 16 * 16 * 4))));
        return g;
    }

    static Stream<Arguments> errors() {
        long pageAddr = 0x1_0000_0000L; // guest RAM base of TestGuestMemory
        return Stream.of(
                row("unknown command type", UNSPEC, hdrOnly(0x0999)),
                row("truncated CREATE_2D", UNSPEC, cut(Requests.resourceCreate2d(5, XRGB, 4, 4), 30)),
                row("CREATE_2D id 0", RESOURCE, Requests.resourceCreate2d(0, XRGB, 4, 4)),
                row("CREATE_2D id taken", RESOURCE, Requests.resourceCreate2d(1, XRGB, 4, 4)),
                row("CREATE_2D unknown format", PARAM, Requests.resourceCreate2d(5, 99, 4, 4)),
                row("CREATE_2D zero width", PARAM, Requests.resourceCreate2d(5, XRGB, 0, 4)),
                row("CREATE_2D beyond the byte limit", OOM, Requests.resourceCreate2d(5, XRGB, 0x1_0000, 0x1_0000)),
                row("CREATE_2D size overflowing", PARAM, Requests.resourceCreate2d(5, XRGB, 0xffff_ffff, 0xffff_ffff)),
                row("UNREF unknown", RESOURCE, Requests.resourceUnref(99)),
                row("SET_SCANOUT scanout 1 of 1", SCANOUT, Requests.setScanout(1, 1, 0, 0, 64, 64)),
                row("SET_SCANOUT scanout -1", SCANOUT, Requests.setScanout(-1, 1, 0, 0, 64, 64)),
                row("SET_SCANOUT unknown resource", RESOURCE, Requests.setScanout(0, 99, 0, 0, 64, 64)),
                row("SET_SCANOUT without backing", UNSPEC, Requests.setScanout(0, 2, 0, 0, 64, 64)),
                row("SET_SCANOUT rect outside", PARAM, Requests.setScanout(0, 1, 1, 0, 64, 64)),
                row("SET_SCANOUT rect overflowing", PARAM, Requests.setScanout(0, 1, 0xffff_fff0, 0, 32, 64)),
                row("SET_SCANOUT rect below 16", PARAM, Requests.setScanout(0, 1, 0, 0, 8, 64)),
                row("SET_SCANOUT of a blob", PARAM, Requests.setScanout(0, 10, 0, 0, 16, 16)),
                row("FLUSH unknown", RESOURCE, Requests.resourceFlush(99, 0, 0, 1, 1)),
                row("FLUSH rect outside", PARAM, Requests.resourceFlush(1, 0, 60, 64, 5)),
                row("TRANSFER_2D unknown", RESOURCE, Requests.transferToHost2d(99, 0, 0, 1, 1, 0)),
                row("TRANSFER_2D without backing", UNSPEC, Requests.transferToHost2d(2, 0, 0, 1, 1, 0)),
                row("TRANSFER_2D rect outside", PARAM, Requests.transferToHost2d(1, 63, 0, 2, 1, 0)),
                row("TRANSFER_2D source beyond backing", PARAM, Requests.transferToHost2d(1, 0, 0, 64, 64, 4)),
                row("TRANSFER_2D offset overflowing", PARAM, Requests.transferToHost2d(1, 0, 0, 64, 2, Long.MAX_VALUE)),
                row("ATTACH unknown", RESOURCE, Requests.attachBacking(99, List.of(new Entry(pageAddr, 4096)))),
                row("ATTACH twice", UNSPEC, Requests.attachBacking(1, List.of(new Entry(pageAddr, 4096)))),
                row("ATTACH outside guest RAM", UNSPEC, Requests.attachBacking(2, List.of(new Entry(0x1000, 4096)))),
                row("ATTACH nr_entries above 16384", UNSPEC, entriesCount(Requests.attachBacking(2, List.of()), 28, 16385)),
                row("ATTACH entries missing", UNSPEC, entriesCount(Requests.attachBacking(2, List.of()), 28, 2)),
                row("ATTACH zero entries", PARAM, Requests.attachBacking(2, List.of())),
                row("ATTACH to a host-only blob", PARAM, Requests.attachBacking(11, List.of(new Entry(pageAddr, 8192)))),
                row("DETACH unknown", RESOURCE, Requests.detachBacking(99)),
                row("DETACH without backing", UNSPEC, Requests.detachBacking(2)),
                row("CAPSET_INFO index 2 of 2", PARAM, Requests.getCapsetInfo(2)),
                row("GET_CAPSET unknown id", PARAM, Requests.getCapset(3, 0)),
                row("GET_CAPSET version above max", PARAM, Requests.getCapset(4, 3)),
                row("GET_EDID scanout 1 of 1", PARAM, Requests.getEdid(1)),
                row("ASSIGN_UUID unknown", RESOURCE, Requests.assignUuid(99)),
                row("CREATE_BLOB id 0", RESOURCE, Requests.createBlob(0, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096, List.of())),
                row("CREATE_BLOB id taken", RESOURCE, Requests.createBlob(0, 1, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096, List.of())),
                row("CREATE_BLOB blob_mem 4", PARAM, Requests.createBlob(0, 20, 4, 0, 0, 4096, List.of())),
                row("CREATE_BLOB blob_mem 0", PARAM, Requests.createBlob(0, 20, 0, 0, 0, 4096, List.of())),
                row("CREATE_BLOB unknown flag", PARAM, Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_GUEST, 8, 0, 4096, List.of())),
                row("CREATE_BLOB size 0", PARAM, Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 0, List.of())),
                row("CREATE_BLOB size unaligned", PARAM, Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 100, List.of())),
                row("CREATE_BLOB guest with blob_id", PARAM, Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 7, 4096, List.of())),
                row("CREATE_BLOB pages shorter than size", PARAM, Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 8192,
                        List.of(new Entry(pageAddr, 4096)))),
                row("CREATE_BLOB pages outside RAM", UNSPEC, Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096,
                        List.of(new Entry(0x2000, 4096)))),
                row("CREATE_BLOB HOST3D with pages", PARAM, Requests.createBlob(1, 20, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 0, 4096,
                        List.of(new Entry(pageAddr, 4096)))),
                row("CREATE_BLOB blob_id in unknown ctx", CONTEXT, Requests.createBlob(9, 20, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 5, 4096, List.of())),
                row("CREATE_BLOB beyond the byte limit", OOM, Requests.createBlob(1, 20, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 0, 1L << 40, List.of())),
                row("SET_SCANOUT_BLOB scanout 3", SCANOUT, Requests.setScanoutBlob(3, 10, 0, 0, 16, 16, 16, 16, XRGB, 64, 0)),
                row("SET_SCANOUT_BLOB unknown", RESOURCE, Requests.setScanoutBlob(0, 99, 0, 0, 16, 16, 16, 16, XRGB, 64, 0)),
                row("SET_SCANOUT_BLOB not a blob", PARAM, Requests.setScanoutBlob(0, 1, 0, 0, 16, 16, 16, 16, XRGB, 64, 0)),
                row("SET_SCANOUT_BLOB bad format", PARAM, Requests.setScanoutBlob(0, 10, 0, 0, 16, 16, 16, 16, 5, 64, 0)),
                row("SET_SCANOUT_BLOB stride too small", PARAM, Requests.setScanoutBlob(0, 10, 0, 0, 16, 16, 16, 16, XRGB, 32, 0)),
                row("SET_SCANOUT_BLOB beyond blob", PARAM, Requests.setScanoutBlob(0, 10, 0, 0, 32, 32, 64, 64, XRGB, 256, 0)),
                row("SET_SCANOUT_BLOB rect outside fb", PARAM, Requests.setScanoutBlob(0, 10, 8, 0, 16, 16, 16, 16, XRGB, 64, 0)),
                row("CTX_CREATE id 0", CONTEXT, Requests.ctxCreate(0, 4, "x")),
                row("CTX_CREATE id taken", CONTEXT, Requests.ctxCreate(1, 4, "x")),
                row("CTX_CREATE unknown capset", PARAM, Requests.ctxCreate(2, 7, "x")),
                row("CTX_CREATE context_init high bits", PARAM, Requests.ctxCreate(2, 0x104, "x")),
                row("CTX_DESTROY unknown", CONTEXT, Requests.ctxDestroy(9)),
                row("CTX_ATTACH unknown ctx", CONTEXT, Requests.ctxAttachResource(9, 1)),
                row("CTX_ATTACH unknown resource", RESOURCE, Requests.ctxAttachResource(1, 99)),
                row("CTX_DETACH unknown ctx", CONTEXT, Requests.ctxDetachResource(9, 1)),
                row("CREATE_3D id taken", RESOURCE, Requests.resourceCreate3d(1, 1, 2, 1, 2, 16, 16, 1, 1, 0, 0, 0)),
                row("CREATE_3D bad target", PARAM, Requests.resourceCreate3d(1, 20, 9, 1, 2, 16, 16, 1, 1, 0, 0, 0)),
                row("CREATE_3D zero depth", PARAM, Requests.resourceCreate3d(1, 20, 2, 1, 2, 16, 16, 0, 1, 0, 0, 0)),
                row("CREATE_3D overflowing size", PARAM, Requests.resourceCreate3d(1, 20, 3, 1, 2, 0x7fff_ffff, 0x7fff_ffff, 0x7fff_ffff, 1, 0, 0, 0)),
                row("TRANSFER_TO_3D unknown", RESOURCE, Requests.transfer3d(true, 1, 99, box(0, 0, 0, 1, 1, 1), 0, 0, 0, 0)),
                row("TRANSFER_TO_3D box outside", PARAM, Requests.transfer3d(true, 1, 13, box(8, 0, 0, 9, 1, 1), 0, 0, 0, 0)),
                row("TRANSFER_TO_3D level above last", PARAM, Requests.transfer3d(true, 1, 13, box(0, 0, 0, 1, 1, 1), 0, 1, 0, 0)),
                row("TRANSFER_FROM_3D beyond backing", PARAM, Requests.transfer3d(false, 1, 13, box(0, 0, 0, 16, 16, 1), 64, 0, 0, 0)),
                row("TRANSFER_FROM_3D stride too small", PARAM, Requests.transfer3d(false, 1, 13, box(0, 0, 0, 16, 2, 1), 0, 0, 8, 0)),
                row("TRANSFER_TO_3D without backing", UNSPEC, Requests.transfer3d(true, 1, 2, box(0, 0, 0, 1, 1, 1), 0, 0, 0, 0)),
                row("TRANSFER_TO_3D on a blob", UNSPEC, Requests.transfer3d(true, 1, 11, box(0, 0, 0, 1, 1, 1), 0, 0, 0, 0)),
                row("SUBMIT_3D unknown ctx", CONTEXT, Requests.submit3d(9, new byte[4])),
                row("SUBMIT_3D stream shorter than size", PARAM, cut(Requests.submit3d(1, new byte[64]), 40)),
                row("SUBMIT_3D size overflowing", PARAM, entriesCount(Requests.submit3d(1, new byte[4]), 24, -1)),
                row("MAP_BLOB unknown", RESOURCE, Requests.mapBlob(99, 0)),
                row("MAP_BLOB guest blob", PARAM, Requests.mapBlob(10, 0)),
                row("MAP_BLOB not mappable", PARAM, Requests.mapBlob(12, 0)),
                row("MAP_BLOB misaligned", PARAM, Requests.mapBlob(11, 100)),
                row("MAP_BLOB beyond region", PARAM, Requests.mapBlob(11, 256L << 20)),
                row("MAP_BLOB straddling the region end", PARAM, Requests.mapBlob(11, (256L << 20) - 4096)),
                row("MAP_BLOB offset overflowing", PARAM, Requests.mapBlob(11, -4096L)),
                row("UNMAP_BLOB unknown", RESOURCE, Requests.unmapBlob(99)),
                row("UNMAP_BLOB not mapped", PARAM, Requests.unmapBlob(11)),
                row("UPDATE_CURSOR bad scanout on ctrl queue", SCANOUT, Requests.updateCursor(5, 0, 0, 1, 0, 0)),
                row("UPDATE_CURSOR blob image", PARAM, Requests.updateCursor(0, 0, 0, 10, 0, 0)));
    }

    static Arguments row(String name, int code, byte[] request) {
        return Arguments.of(name, code, request);
    }

    static int[] box(int... b) {
        return b;
    }

    static byte[] hdrOnly(int type) {
        byte[] b = Requests.getDisplayInfo();
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, type);
        return b;
    }

    static byte[] cut(byte[] b, int n) {
        return java.util.Arrays.copyOf(b, n);
    }

    static byte[] entriesCount(byte[] b, int at, int n) {
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(at, n);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void refusedCommandGetsTheSpecErrorAndChangesNothing(String name, int code, byte[] request) throws Exception {
        try (GpuHarness g = standard(GpuHarness.ALL_FEATURES)) {
            SessionSnapshot before = g.session.snapshot();
            long bytes = g.session.bytesInUse();
            var r = g.expect(code, request);
            assertEquals(24, r.written());
            assertEquals(before, g.session.snapshot(), "state changed by a refused " + name);
            assertEquals(bytes, g.session.bytesInUse());
        }
    }

    @ParameterizedTest(name = "fenced {0}")
    @MethodSource("errors")
    void errorReplyCarriesTheFence(String name, int code, byte[] request) throws Exception {
        try (GpuHarness g = standard(GpuHarness.ALL_FEATURES)) {
            var r = g.expect(code, Requests.fenced(request, 0x1234_5678_9aL));
            assertEquals(VIRTIO_GPU_FLAG_FENCE, r.flags() & VIRTIO_GPU_FLAG_FENCE);
            assertEquals(0x1234_5678_9aL, r.fenceId());
        }
    }

    static Stream<Arguments> featureRules() {
        long all = GpuHarness.ALL_FEATURES;
        return Stream.of(
                Arguments.of("GET_EDID without F_EDID", all & ~(1L << DeviceInfo.F_EDID), Requests.getEdid(0), UNSPEC),
                Arguments.of("ASSIGN_UUID without F_RESOURCE_UUID", all & ~(1L << DeviceInfo.F_RESOURCE_UUID),
                        Requests.assignUuid(1), PARAM),
                Arguments.of("CROSS_DEVICE blob without F_RESOURCE_UUID", all & ~(1L << DeviceInfo.F_RESOURCE_UUID),
                        Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_GUEST, VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE, 0, 4096, List.of()), PARAM),
                Arguments.of("context_init without F_CONTEXT_INIT", all & ~(1L << DeviceInfo.F_CONTEXT_INIT),
                        Requests.ctxCreate(2, 4, "x"), UNSPEC),
                Arguments.of("CREATE_BLOB without F_RESOURCE_BLOB", all & ~(1L << DeviceInfo.F_RESOURCE_BLOB),
                        Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096, List.of()), PARAM),
                Arguments.of("SET_SCANOUT_BLOB without F_RESOURCE_BLOB", all & ~(1L << DeviceInfo.F_RESOURCE_BLOB),
                        Requests.setScanoutBlob(0, 10, 0, 0, 16, 16, 16, 16, XRGB, 64, 0), PARAM),
                Arguments.of("MAP_BLOB without F_RESOURCE_BLOB", all & ~(1L << DeviceInfo.F_RESOURCE_BLOB),
                        Requests.mapBlob(11, 0), PARAM),
                Arguments.of("CTX_CREATE without F_VIRGL", all & ~1L, Requests.ctxCreate(2, 0, "x"), UNSPEC),
                Arguments.of("SUBMIT_3D without F_VIRGL", all & ~1L, Requests.submit3d(1, new byte[4]), UNSPEC),
                Arguments.of("CREATE_3D without F_VIRGL", all & ~1L, Requests.resourceCreate3d(1, 20, 2, 1, 2, 4, 4, 1, 1, 0, 0, 0), UNSPEC),
                Arguments.of("HOST3D blob without F_VIRGL", all & ~1L,
                        Requests.createBlob(0, 20, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 0, 4096, List.of()), PARAM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("featureRules")
    void commandsNeedTheirNegotiatedFeature(String name, long features, byte[] request, int code) throws Exception {
        try (GpuHarness g = standard(features)) {
            if ((features & (1L << DeviceInfo.F_RESOURCE_BLOB)) == 0 || (features & 1) == 0) {
                g.resource2d(1, 16, 16);
            }
            g.expect(code, request);
        }
    }

    @Test
    void requestWithoutAWholeHeaderIsUnspecWithoutFence() throws Exception {
        try (GpuHarness g = standard(GpuHarness.ALL_FEATURES)) {
            var r = g.send(cut(Requests.fenced(Requests.getDisplayInfo(), 5), 20));
            assertEquals(UNSPEC, r.type());
            assertEquals(0, r.flags());
        }
    }

    @Test
    void aThrowingContextIsAnErrorReplyNotACrash() throws Exception {
        try (GpuHarness g = standard(GpuHarness.ALL_FEATURES)) {
            g.type.context(1).failNextSubmit = org.virtgpu.spi.GpuException.invalidParameter("bad stream");
            g.expect(PARAM, Requests.submit3d(1, new byte[4]));
            g.ok(Requests.submit3d(1, new byte[4]));
        }
    }
}
