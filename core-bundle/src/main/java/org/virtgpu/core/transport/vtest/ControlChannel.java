package org.virtgpu.core.transport.vtest;

import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.virtgpu.api.GpuSession;

/**
 * Builds virtio-gpu control requests (virtio 1.3 "Device Operation: controlq"; byte layouts in
 * research/virtio-gpu.md sections 4-6) and runs them on the client's {@link GpuSession}, so that every device
 * rule (resource ids, limits, blob alignment, fences) lives in the device model and nowhere here.
 * <p>
 * Owned by one connection thread: the request and response buffers are reused for every unfenced command.
 * Fenced submits get their own small response buffer because their completion may come later from another
 * thread.
 */
final class ControlChannel implements AutoCloseable {
    // written into reused native buffers rather than with Requests' byte arrays: this is the per-command path
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final GpuSession session;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment request = arena.allocate(256, 8);
    private MemorySegment response = arena.allocate(4096, 8);
    private int lastWritten;
    private final GpuSession.Completion syncDone = n -> lastWritten = n;

    ControlChannel(GpuSession session) {
        this.session = session;
    }

    /** Writes a virtio_gpu_ctrl_hdr at offset 0 of {@code r}. */
    private static void header(MemorySegment r, int type, int flags, long fenceId, int ctxId, int ringIdx) {
        r.set(U32, 0, type);
        r.set(U32, 4, flags);
        r.set(U64, 8, fenceId);
        r.set(U32, 16, ctxId);
        r.set(U32, 20, ringIdx & 0xFF); // ring_idx u8 + 3 bytes padding
    }

    /** Runs a request of {@code length} bytes from {@link #request}; returns the response type. */
    private int run(long length, String what) throws ClientError {
        return run(List.of(request.asSlice(0, length)), what);
    }

    private int run(List<MemorySegment> readable, String what) throws ClientError {
        lastWritten = -1;
        response.set(U32, 0, 0);
        session.control(readable, List.of(response), syncDone);
        int type = response.get(U32, 0);
        if (lastWritten < CTRL_HDR_SIZE || type >= VIRTIO_GPU_RESP_ERR_UNSPEC || type < VIRTIO_GPU_RESP_OK_NODATA) {
            throw new ClientError(what + " failed in the device: " + responseName(type));
        }
        return type;
    }

    static String responseName(int type) {
        return switch (type) {
            case VIRTIO_GPU_RESP_ERR_UNSPEC -> "ERR_UNSPEC";
            case VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY -> "ERR_OUT_OF_MEMORY";
            case VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID -> "ERR_INVALID_SCANOUT_ID";
            case VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID -> "ERR_INVALID_RESOURCE_ID";
            case VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID -> "ERR_INVALID_CONTEXT_ID";
            case VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER -> "ERR_INVALID_PARAMETER";
            case 0 -> "no response";
            default -> "response 0x" + Integer.toHexString(type);
        };
    }

    /** CTX_CREATE with context_init = capset id (0: the device's default context type). */
    void ctxCreate(int ctxId, int capsetId, String debugName) throws ClientError {
        MemorySegment r = request;
        header(r, VIRTIO_GPU_CMD_CTX_CREATE, 0, 0, ctxId, 0);
        byte[] name = debugName.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(name.length, 63); // debug_name[64], NUL-terminated like Linux's strscpy
        r.set(U32, 24, n);
        r.set(U32, 28, capsetId & 0xFF); // VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK
        r.asSlice(32, 64).fill((byte) 0);
        MemorySegment.copy(name, 0, r, ValueLayout.JAVA_BYTE, 32, n);
        run(96, "CTX_CREATE(capset " + capsetId + ")");
    }

    /** RESOURCE_CREATE_BLOB with at most one mem entry ({@code entryLength} 0: none). */
    void createBlob(int ctxId, int resId, int blobMem, int blobFlags, long blobId, long size, long entryAddr,
                    long entryLength) throws ClientError {
        MemorySegment r = request;
        header(r, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 0, 0, ctxId, 0);
        r.set(U32, 24, resId);
        r.set(U32, 28, blobMem);
        r.set(U32, 32, blobFlags);
        r.set(U32, 36, entryLength > 0 ? 1 : 0);
        r.set(U64, 40, blobId);
        r.set(U64, 48, size);
        long len = 56;
        if (entryLength > 0) {
            len = putEntry(r, 56, entryAddr, entryLength);
        }
        run(len, "RESOURCE_CREATE_BLOB");
    }

    private static long putEntry(MemorySegment r, long off, long addr, long length) {
        r.set(U64, off, addr);
        r.set(U32, off + 8, (int) length);
        r.set(U32, off + 12, 0);
        return off + 16;
    }

    /** RESOURCE_CREATE_3D; the arguments are virgl's (gallium target, format, bind, ...). */
    void createResource3d(int resId, int[] args) throws ClientError {
        MemorySegment r = request;
        header(r, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 0, 0, 0, 0);
        r.set(U32, 24, resId);
        for (int i = 0; i < 9; i++) { // target, format, bind, width, height, depth, array_size, last_level, nr_samples
            r.set(U32, 28 + 4L * i, args[i]);
        }
        r.set(U32, 64, 0); // flags
        r.set(U32, 68, 0);
        run(72, "RESOURCE_CREATE_3D");
    }

    void attachBacking(int resId, long addr, long length) throws ClientError {
        MemorySegment r = request;
        header(r, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0, 0, 0);
        r.set(U32, 24, resId);
        r.set(U32, 28, 1);
        run(putEntry(r, 32, addr, length), "RESOURCE_ATTACH_BACKING");
    }

    void detachBacking(int resId) throws ClientError {
        resourceOnly(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 0, resId, "RESOURCE_DETACH_BACKING");
    }

    void ctxAttach(int ctxId, int resId) throws ClientError {
        resourceOnly(VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, ctxId, resId, "CTX_ATTACH_RESOURCE");
    }

    void unref(int resId) throws ClientError {
        resourceOnly(VIRTIO_GPU_CMD_RESOURCE_UNREF, 0, resId, "RESOURCE_UNREF");
    }

    private void resourceOnly(int type, int ctxId, int resId, String what) throws ClientError {
        header(request, type, 0, 0, ctxId, 0);
        request.set(U32, 24, resId);
        request.set(U32, 28, 0);
        run(32, what);
    }

    /**
     * TRANSFER_TO_HOST_3D ({@code toHost}) or TRANSFER_FROM_HOST_3D.
     *
     * @param box x, y, z, w, h, d
     */
    void transfer(boolean toHost, int ctxId, int resId, int level, int stride, int layerStride, int[] box, long offset)
            throws ClientError {
        MemorySegment r = request;
        header(r, toHost ? VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D : VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, 0, 0, ctxId, 0);
        for (int i = 0; i < 6; i++) {
            r.set(U32, 24 + 4L * i, box[i]);
        }
        r.set(U64, 48, offset);
        r.set(U32, 56, resId);
        r.set(U32, 60, level);
        r.set(U32, 64, stride);
        r.set(U32, 68, layerStride);
        run(72, toHost ? "TRANSFER_TO_HOST_3D" : "TRANSFER_FROM_HOST_3D");
    }

    /** GET_CAPSET; returns the capset bytes (a view valid until the next command). */
    MemorySegment getCapset(int capsetId, int version, int size) throws ClientError {
        if (response.byteSize() < CTRL_HDR_SIZE + size) {
            response = arena.allocate(CTRL_HDR_SIZE + size, 8);
        }
        header(request, VIRTIO_GPU_CMD_GET_CAPSET, 0, 0, 0, 0);
        request.set(U32, 24, capsetId);
        request.set(U32, 28, version);
        int type = run(32, "GET_CAPSET(" + capsetId + ", " + version + ")");
        if (type != VIRTIO_GPU_RESP_OK_CAPSET || lastWritten < CTRL_HDR_SIZE + size) {
            throw new ClientError("GET_CAPSET(" + capsetId + ") answered " + responseName(type) + " with "
                    + lastWritten + " bytes");
        }
        return response.asSlice(CTRL_HDR_SIZE, size);
    }

    /** An unfenced SUBMIT_3D of {@code stream} (not copied: the request is header + the caller's bytes). */
    void submit3d(int ctxId, MemorySegment stream) throws ClientError {
        header(request, VIRTIO_GPU_CMD_SUBMIT_3D, 0, 0, ctxId, 0);
        request.set(U64, 24, stream.byteSize()); // size u32 + padding
        run(List.of(request.asSlice(0, 32), stream), "SUBMIT_3D");
    }

    /**
     * A fenced SUBMIT_3D: {@code done} runs once the device completes fence {@code fenceId} on the timeline
     * (ctx, ringIdx) when {@code ringIdx >= 0}, else on the device's global timeline. {@code done} receives
     * false when the device answered with an error (the fence still completes: error replies carry it).
     */
    void submit3dFenced(int ctxId, MemorySegment stream, long fenceId, int ringIdx, FenceDone done) {
        // the completion may run later on another thread: its header and response must not be the reused buffers
        MemorySegment hdr = Arena.ofAuto().allocate(32 + CTRL_HDR_SIZE, 8);
        MemorySegment resp = hdr.asSlice(32, CTRL_HDR_SIZE);
        int flags = VIRTIO_GPU_FLAG_FENCE | (ringIdx >= 0 ? VIRTIO_GPU_FLAG_INFO_RING_IDX : 0);
        header(hdr, VIRTIO_GPU_CMD_SUBMIT_3D, flags, fenceId, ctxId, Math.max(ringIdx, 0));
        hdr.set(U64, 24, stream.byteSize());
        session.control(List.of(hdr.asSlice(0, 32), stream), List.of(resp), n -> {
            int type = n >= CTRL_HDR_SIZE ? resp.get(U32, 0) : 0;
            done.completed(type >= VIRTIO_GPU_RESP_OK_NODATA && type < VIRTIO_GPU_RESP_ERR_UNSPEC, responseName(type));
        });
    }

    /** Completion of a fenced submit. */
    @FunctionalInterface
    interface FenceDone {
        void completed(boolean ok, String response);
    }

    @Override
    public void close() {
        arena.close();
    }
}
