package org.virtgpu.core.protocol;

import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes virtio-gpu requests exactly as a guest driver puts them on the control and cursor queues, for
 * transports that translate another protocol into virtio-gpu (vtest), for tools and for tests. Every method
 * returns a fresh little-endian byte array; {@link #fenced}, {@link #onRing} and {@link #inContext} edit the
 * header of an encoded request in place and return it, so they compose:
 * {@code Requests.onRing(Requests.fenced(Requests.submit3d(ctx, stream), 7), 1)}.
 */
public final class Requests {
    private Requests() {
    }

    /** A mem entry for {@link #attachBacking} and {@link #createBlob}. */
    public record Entry(long addr, int length) {
    }

    private static ByteBuffer hdr(int size, int type, int ctxId) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type);
        b.putInt(16, ctxId);
        return b;
    }

    /** Sets VIRTIO_GPU_FLAG_FENCE and fence_id. */
    public static byte[] fenced(byte[] request, long fenceId) {
        ByteBuffer b = ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4, b.getInt(4) | VIRTIO_GPU_FLAG_FENCE);
        b.putLong(8, fenceId);
        return request;
    }

    /** Sets VIRTIO_GPU_FLAG_INFO_RING_IDX and ring_idx. */
    public static byte[] onRing(byte[] request, int ringIdx) {
        ByteBuffer b = ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4, b.getInt(4) | VIRTIO_GPU_FLAG_INFO_RING_IDX);
        b.put(20, (byte) ringIdx);
        return request;
    }

    /** Sets ctx_id. */
    public static byte[] inContext(byte[] request, int ctxId) {
        ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN).putInt(16, ctxId);
        return request;
    }

    public static byte[] getDisplayInfo() {
        return hdr(CTRL_HDR_SIZE, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0).array();
    }

    public static byte[] resourceCreate2d(int resourceId, int format, int width, int height) {
        return hdr(40, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0)
                .putInt(24, resourceId).putInt(28, format).putInt(32, width).putInt(36, height).array();
    }

    public static byte[] resourceUnref(int resourceId) {
        return hdr(32, VIRTIO_GPU_CMD_RESOURCE_UNREF, 0).putInt(24, resourceId).array();
    }

    private static ByteBuffer rect(ByteBuffer b, int x, int y, int w, int h) {
        return b.putInt(24, x).putInt(28, y).putInt(32, w).putInt(36, h);
    }

    public static byte[] setScanout(int scanoutId, int resourceId, int x, int y, int width, int height) {
        return rect(hdr(48, VIRTIO_GPU_CMD_SET_SCANOUT, 0), x, y, width, height)
                .putInt(40, scanoutId).putInt(44, resourceId).array();
    }

    public static byte[] resourceFlush(int resourceId, int x, int y, int width, int height) {
        return rect(hdr(48, VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0), x, y, width, height).putInt(40, resourceId).array();
    }

    public static byte[] transferToHost2d(int resourceId, int x, int y, int width, int height, long offset) {
        return rect(hdr(56, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0), x, y, width, height)
                .putLong(40, offset).putInt(48, resourceId).array();
    }

    public static byte[] attachBacking(int resourceId, List<Entry> entries) {
        ByteBuffer b = hdr(32 + MEM_ENTRY_SIZE * entries.size(), VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0)
                .putInt(24, resourceId).putInt(28, entries.size());
        putEntries(b, 32, entries);
        return b.array();
    }

    private static void putEntries(ByteBuffer b, int at, List<Entry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            b.putLong(at + i * MEM_ENTRY_SIZE, entries.get(i).addr()).putInt(at + i * MEM_ENTRY_SIZE + 8, entries.get(i).length());
        }
    }

    public static byte[] detachBacking(int resourceId) {
        return hdr(32, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 0).putInt(24, resourceId).array();
    }

    public static byte[] getCapsetInfo(int capsetIndex) {
        return hdr(32, VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0).putInt(24, capsetIndex).array();
    }

    public static byte[] getCapset(int capsetId, int version) {
        return hdr(32, VIRTIO_GPU_CMD_GET_CAPSET, 0).putInt(24, capsetId).putInt(28, version).array();
    }

    public static byte[] getEdid(int scanout) {
        return hdr(32, VIRTIO_GPU_CMD_GET_EDID, 0).putInt(24, scanout).array();
    }

    public static byte[] assignUuid(int resourceId) {
        return hdr(32, VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID, 0).putInt(24, resourceId).array();
    }

    /**
     * RESOURCE_CREATE_BLOB with the mem entries inline.
     *
     * @param ctxId     the header's ctx_id (the context that owns a HOST3D blob_id; 0 for guest blobs)
     * @param blobMem   VIRTIO_GPU_BLOB_MEM_GUEST / HOST3D / HOST3D_GUEST
     * @param blobFlags VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE | USE_SHAREABLE | USE_CROSS_DEVICE
     * @param blobId    the context's object id (0 for guest blobs and plain shared memory)
     */
    public static byte[] createBlob(int ctxId, int resourceId, int blobMem, int blobFlags, long blobId, long size,
                                    List<Entry> entries) {
        ByteBuffer b = hdr(56 + MEM_ENTRY_SIZE * entries.size(), VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, ctxId)
                .putInt(24, resourceId).putInt(28, blobMem).putInt(32, blobFlags).putInt(36, entries.size())
                .putLong(40, blobId).putLong(48, size);
        putEntries(b, 56, entries);
        return b.array();
    }

    /**
     * SET_SCANOUT_BLOB: the visible rect (x, y, rw, rh) of a {@code width} x {@code height} framebuffer in the blob at
     * {@code offset} with {@code stride} bytes per row (plane 0).
     */
    public static byte[] setScanoutBlob(int scanoutId, int resourceId, int x, int y, int rw, int rh, int width,
                                        int height, int format, int stride, int offset) {
        return rect(hdr(96, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0), x, y, rw, rh).putInt(40, scanoutId)
                .putInt(44, resourceId).putInt(48, width).putInt(52, height).putInt(56, format)
                .putInt(64, stride).putInt(80, offset).array();
    }

    /** CTX_CREATE; {@code contextInit} carries the capset id in its low byte (0: device's choice). */
    public static byte[] ctxCreate(int ctxId, int contextInit, String debugName) {
        byte[] name = debugName.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(name.length, 63);
        ByteBuffer b = hdr(96, VIRTIO_GPU_CMD_CTX_CREATE, ctxId).putInt(24, n).putInt(28, contextInit);
        b.put(32, name, 0, n);
        return b.array();
    }

    public static byte[] ctxDestroy(int ctxId) {
        return hdr(CTRL_HDR_SIZE, VIRTIO_GPU_CMD_CTX_DESTROY, ctxId).array();
    }

    public static byte[] ctxAttachResource(int ctxId, int resourceId) {
        return hdr(32, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, ctxId).putInt(24, resourceId).array();
    }

    public static byte[] ctxDetachResource(int ctxId, int resourceId) {
        return hdr(32, VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, ctxId).putInt(24, resourceId).array();
    }

    public static byte[] resourceCreate3d(int ctxId, int resourceId, int target, int format, int bind, int width,
                                          int height, int depth, int arraySize, int lastLevel, int nrSamples, int flags) {
        return hdr(72, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, ctxId).putInt(24, resourceId).putInt(28, target)
                .putInt(32, format).putInt(36, bind).putInt(40, width).putInt(44, height).putInt(48, depth)
                .putInt(52, arraySize).putInt(56, lastLevel).putInt(60, nrSamples).putInt(64, flags).array();
    }

    /** TRANSFER_TO_HOST_3D ({@code toHost}) or TRANSFER_FROM_HOST_3D; box is x, y, z, w, h, d. */
    public static byte[] transfer3d(boolean toHost, int ctxId, int resourceId, int[] box, long offset, int level,
                                    int stride, int layerStride) {
        ByteBuffer b = hdr(72, toHost ? VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D : VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, ctxId);
        for (int i = 0; i < 6; i++) {
            b.putInt(24 + 4 * i, box[i]);
        }
        return b.putLong(48, offset).putInt(56, resourceId).putInt(60, level).putInt(64, stride)
                .putInt(68, layerStride).array();
    }

    public static byte[] submit3d(int ctxId, byte[] commands) {
        ByteBuffer b = hdr(32 + commands.length, VIRTIO_GPU_CMD_SUBMIT_3D, ctxId).putInt(24, commands.length);
        b.put(32, commands);
        return b.array();
    }

    public static byte[] mapBlob(int resourceId, long offset) {
        return hdr(40, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0).putInt(24, resourceId).putLong(32, offset).array();
    }

    public static byte[] unmapBlob(int resourceId) {
        return hdr(32, VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, 0).putInt(24, resourceId).array();
    }

    public static byte[] updateCursor(int scanoutId, int x, int y, int resourceId, int hotX, int hotY) {
        return hdr(UPDATE_CURSOR_SIZE, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0).putInt(24, scanoutId).putInt(28, x)
                .putInt(32, y).putInt(40, resourceId).putInt(44, hotX).putInt(48, hotY).array();
    }

    public static byte[] moveCursor(int scanoutId, int x, int y) {
        return hdr(UPDATE_CURSOR_SIZE, VIRTIO_GPU_CMD_MOVE_CURSOR, 0).putInt(24, scanoutId).putInt(28, x)
                .putInt(32, y).array();
    }

    /** The request as the one-segment list {@code GpuSession.control} takes. */
    public static List<MemorySegment> asReadable(byte[] request) {
        return List.of(MemorySegment.ofArray(request));
    }

    /** The size of the reply buffer a Linux guest gives for a request of this type. */
    public static int replySize(int commandType, int capsetMaxSize) {
        return switch (commandType) {
            case VIRTIO_GPU_CMD_GET_DISPLAY_INFO -> RESP_DISPLAY_INFO_SIZE;
            case VIRTIO_GPU_CMD_GET_CAPSET_INFO -> RESP_CAPSET_INFO_SIZE;
            case VIRTIO_GPU_CMD_GET_CAPSET -> CTRL_HDR_SIZE + capsetMaxSize;
            case VIRTIO_GPU_CMD_GET_EDID -> RESP_EDID_SIZE;
            case VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID -> RESP_RESOURCE_UUID_SIZE;
            case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB -> RESP_MAP_INFO_SIZE;
            case VIRTIO_GPU_CMD_UPDATE_CURSOR, VIRTIO_GPU_CMD_MOVE_CURSOR -> 0;
            default -> CTRL_HDR_SIZE;
        };
    }
}
