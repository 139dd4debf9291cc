package org.virtgpu.core.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Builds one response in a reused buffer and scatters it into the device-writable side of the chain.
 * One instance per session (single writer: the session's dispatcher thread).
 */
public final class ReplyWriter {
    private byte[] buf = new byte[VirtioGpu.RESP_EDID_SIZE];
    private MemorySegment seg = MemorySegment.ofArray(buf);
    private int length;

    /** Starts a reply: the header with the request's fence fields echoed (errors too; Linux signals by them). */
    public ReplyWriter begin(int type, CtrlHdr request, int payloadSize) {
        int size = VirtioGpu.CTRL_HDR_SIZE + payloadSize;
        if (buf.length < size) {
            buf = new byte[size];
            seg = MemorySegment.ofArray(buf);
        }
        java.util.Arrays.fill(buf, 0, size, (byte) 0);
        length = size;
        seg.set(ByteStream.LE_INT, 0, type);
        if (request != null && request.fenced()) {
            // crosvm echoes flags, fence, ctx and ring; QEMU fence and ctx. Echoing all of them is what both accept.
            seg.set(ByteStream.LE_INT, 4, request.flags() & (VirtioGpu.VIRTIO_GPU_FLAG_FENCE | VirtioGpu.VIRTIO_GPU_FLAG_INFO_RING_IDX));
            seg.set(ByteStream.LE_LONG, 8, request.fenceId());
            seg.set(ByteStream.LE_INT, 16, request.ctxId());
            seg.set(ValueLayout.JAVA_BYTE, 20, (byte) request.ringIdx());
        }
        return this;
    }

    public ReplyWriter u32(int offset, int v) {
        seg.set(ByteStream.LE_INT, offset, v);
        return this;
    }

    public ReplyWriter u64(int offset, long v) {
        seg.set(ByteStream.LE_LONG, offset, v);
        return this;
    }

    public ReplyWriter bytes(int offset, byte[] src) {
        System.arraycopy(src, 0, buf, offset, src.length);
        return this;
    }

    public int length() {
        return length;
    }

    /**
     * Writes the reply into {@code writable} as one stream and returns the bytes written. A buffer shorter than the
     * reply gets what fits (the cursor queue has none at all: 0 is the right used length there).
     */
    public int scatter(List<MemorySegment> writable) {
        int done = 0;
        for (int i = 0, n = writable.size(); i < n && done < length; i++) {
            MemorySegment w = writable.get(i);
            int take = (int) Math.min(w.byteSize(), length - done);
            MemorySegment.copy(seg, done, w, 0, take);
            done += take;
        }
        return done;
    }
}
