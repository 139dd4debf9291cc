package org.virtgpu.core.protocol;

import static org.junit.jupiter.api.Assertions.*;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtgpu.core.protocol.GpuCommand.*;

/** Wire sizes pinned to the C structs (research/virtio-gpu.md sections 4-6), and decode of every command. */
class LayoutTest {

    @Test
    void replySizesMatchTheCStructs() {
        assertEquals(24, CTRL_HDR_SIZE);
        assertEquals(408, RESP_DISPLAY_INFO_SIZE);
        assertEquals(40, RESP_CAPSET_INFO_SIZE);
        assertEquals(1056, RESP_EDID_SIZE);
        assertEquals(40, RESP_RESOURCE_UUID_SIZE);
        assertEquals(32, RESP_MAP_INFO_SIZE);
        assertEquals(16, MEM_ENTRY_SIZE);
    }

    @Test
    void encodedRequestsHaveTheStructSizes() {
        Map<String, byte[]> r = Map.ofEntries(
                Map.entry("get_display_info 24", Requests.getDisplayInfo()),
                Map.entry("resource_create_2d 40", Requests.resourceCreate2d(1, 2, 3, 4)),
                Map.entry("resource_unref 32", Requests.resourceUnref(1)),
                Map.entry("set_scanout 48", Requests.setScanout(0, 1, 0, 0, 1, 1)),
                Map.entry("resource_flush 48", Requests.resourceFlush(1, 0, 0, 1, 1)),
                Map.entry("transfer_to_host_2d 56", Requests.transferToHost2d(1, 0, 0, 1, 1, 0)),
                Map.entry("resource_attach_backing 32", Requests.attachBacking(1, List.of())),
                Map.entry("resource_detach_backing 32", Requests.detachBacking(1)),
                Map.entry("get_capset_info 32", Requests.getCapsetInfo(0)),
                Map.entry("get_capset 32", Requests.getCapset(1, 0)),
                Map.entry("get_edid 32", Requests.getEdid(0)),
                Map.entry("resource_assign_uuid 32", Requests.assignUuid(1)),
                Map.entry("resource_create_blob 56", Requests.createBlob(0, 1, 1, 0, 0, 4096, List.of())),
                Map.entry("set_scanout_blob 96", Requests.setScanoutBlob(0, 1, 0, 0, 1, 1, 1, 1, 2, 4, 0)),
                Map.entry("ctx_create 96", Requests.ctxCreate(1, 0, "n")),
                Map.entry("ctx_destroy 24", Requests.ctxDestroy(1)),
                Map.entry("ctx_resource 32", Requests.ctxAttachResource(1, 1)),
                Map.entry("resource_create_3d 72", Requests.resourceCreate3d(1, 1, 2, 1, 2, 1, 1, 1, 1, 0, 0, 0)),
                Map.entry("transfer_host_3d 72", Requests.transfer3d(true, 1, 1, new int[6], 0, 0, 0, 0)),
                Map.entry("cmd_submit 32", Requests.submit3d(1, new byte[0])),
                Map.entry("resource_map_blob 40", Requests.mapBlob(1, 0)),
                Map.entry("resource_unmap_blob 32", Requests.unmapBlob(1)),
                Map.entry("update_cursor 56", Requests.updateCursor(0, 0, 0, 1, 0, 0)));
        r.forEach((name, bytes) -> assertEquals(Integer.parseInt(name.substring(name.indexOf(' ') + 1)), bytes.length, name));
    }

    static GpuCommand decode(byte[] b, int... cuts) throws Exception {
        List<MemorySegment> parts = new java.util.ArrayList<>();
        int from = 0;
        for (int c : cuts) {
            parts.add(MemorySegment.ofArray(java.util.Arrays.copyOfRange(b, from, c)));
            from = c;
        }
        parts.add(MemorySegment.ofArray(java.util.Arrays.copyOfRange(b, from, b.length)));
        ByteStream in = new ByteStream().reset(parts);
        return CommandDecoder.decode(CtrlHdr.read(in), in);
    }

    @Test
    void everyCommandDecodesToItsRecord() throws Exception {
        var hdr = new CtrlHdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, VIRTIO_GPU_FLAG_FENCE, 77, 0, 0);
        assertEquals(new ResourceCreate2d(hdr, 5, 2, 640, 480), decode(Requests.fenced(Requests.resourceCreate2d(5, 2, 640, 480), 77)));
        assertEquals(new TransferToHost2d(new CtrlHdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0, 0, 0, 0), new Rect(1, 2, 3, 4),
                0x1_0000_0004L, 9), decode(Requests.transferToHost2d(9, 1, 2, 3, 4, 0x1_0000_0004L)));
        var blob = (ResourceCreateBlob) decode(Requests.createBlob(3, 9, 3, 5, 0x1234_5678_9L, 8192,
                List.of(new Requests.Entry(0xabc000L, 4096), new Requests.Entry(0xdef000L, 4096))));
        assertEquals(3, blob.hdr().ctxId());
        assertEquals(0x1234_5678_9L, blob.blobId());
        assertEquals(List.of(new MemEntry(0xabc000L, 4096), new MemEntry(0xdef000L, 4096)), blob.entries());
        var ssb = (SetScanoutBlob) decode(Requests.setScanoutBlob(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
        assertEquals(new SetScanoutBlob(ssb.hdr(), new Rect(3, 4, 5, 6), 1, 2, 7, 8, 9, 10, 11), ssb);
        var ctx = (CtxCreate) decode(Requests.onRing(Requests.ctxCreate(4, 5, "weston"), 7));
        assertEquals(new CtrlHdr(VIRTIO_GPU_CMD_CTX_CREATE, VIRTIO_GPU_FLAG_INFO_RING_IDX, 0, 4, 7), ctx.hdr());
        assertEquals("weston", ctx.debugName());
        assertEquals(5, ctx.contextInit());
        var c3 = (ResourceCreate3d) decode(Requests.resourceCreate3d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
        assertEquals(new ResourceCreate3d(c3.hdr(), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), c3);
        var t3 = (TransferFromHost3d) decode(Requests.transfer3d(false, 1, 2, new int[] {1, 2, 3, 4, 5, 6}, 7, 8, 9, 10));
        assertEquals(new TransferFromHost3d(t3.hdr(), new Box(1, 2, 3, 4, 5, 6), 7, 2, 8, 9, 10), t3);
        assertInstanceOf(TransferToHost3d.class, decode(Requests.transfer3d(true, 1, 2, new int[6], 0, 0, 0, 0)));
        assertEquals(new ResourceMapBlob(new CtrlHdr(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0, 0, 0, 0), 3, 0x40000L),
                decode(Requests.mapBlob(3, 0x40000L)));
        assertEquals(new UpdateCursor(new CtrlHdr(VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0, 0, 0), 1, 2, 3, 4, 5, 6),
                decode(Requests.updateCursor(1, 2, 3, 4, 5, 6)));
        assertEquals(new MoveCursor(new CtrlHdr(VIRTIO_GPU_CMD_MOVE_CURSOR, 0, 0, 0, 0), 1, 2, 3), decode(Requests.moveCursor(1, 2, 3)));
        assertEquals(new GetCapset(new CtrlHdr(VIRTIO_GPU_CMD_GET_CAPSET, 0, 0, 0, 0), 4, 1), decode(Requests.getCapset(4, 1)));
    }

    @Test
    void aRequestSplitAtEveryByteDecodesTheSame() throws Exception {
        byte[] b = Requests.fenced(Requests.setScanoutBlob(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 0x0102030405060708L);
        GpuCommand whole = decode(b);
        for (int i = 1; i < b.length; i++) {
            assertEquals(whole, decode(b, i), "cut at " + i);
        }
        int[] everyByte = new int[b.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertEquals(whole, decode(b, everyByte));
    }

    @Test
    void debugNameIsBoundedByNlenAndTheArray() throws Exception {
        byte[] b = Requests.ctxCreate(1, 0, "abcdef");
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24, 3);
        assertEquals("abc", ((CtxCreate) decode(b)).debugName());
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24, -1);
        for (int i = 32; i < 96; i++) {
            b[i] = 'x';
        }
        assertEquals(64, ((CtxCreate) decode(b)).debugName().length());
    }

    @Test
    void replyWriterEchoesFenceFieldsAndScattersAcrossBuffers() {
        ReplyWriter w = new ReplyWriter();
        w.begin(VIRTIO_GPU_RESP_OK_CAPSET_INFO, new CtrlHdr(VIRTIO_GPU_CMD_GET_CAPSET_INFO,
                VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX, 99, 3, 2), 16).u32(24, 4);
        MemorySegment a = MemorySegment.ofArray(new byte[10]);
        MemorySegment b = MemorySegment.ofArray(new byte[100]);
        assertEquals(40, w.scatter(List.of(a, b)));
        MemorySegment all = MemorySegment.ofArray(new byte[40]);
        MemorySegment.copy(a, 0, all, 0, 10);
        MemorySegment.copy(b, 0, all, 10, 30);
        assertEquals(VIRTIO_GPU_RESP_OK_CAPSET_INFO, Replies.type(all));
        assertEquals(3, Replies.flags(all));
        assertEquals(99, Replies.fenceId(all));
        assertEquals(3, Replies.ctxId(all));
        assertEquals(2, Replies.ringIdx(all));
        assertEquals(4, Replies.u32(all, 24));
        assertEquals(0, w.scatter(List.of()), "the cursor queue has no reply buffer");
    }
}
