package org.virtgpu.core.protocol;

import org.virtgpu.spi.GpuException;

/**
 * {@code struct virtio_gpu_ctrl_hdr} (24 bytes): type, flags, fence_id, ctx_id, ring_idx, 3 bytes padding.
 */
public record CtrlHdr(int type, int flags, long fenceId, int ctxId, int ringIdx) {

    public static CtrlHdr read(ByteStream in) throws GpuException {
        int type = in.u32("ctrl_hdr.type");
        int flags = in.u32("ctrl_hdr.flags");
        long fence = in.u64("ctrl_hdr.fence_id");
        int ctx = in.u32("ctrl_hdr.ctx_id");
        int ringAndPad = in.u32("ctrl_hdr.ring_idx");
        return new CtrlHdr(type, flags, fence, ctx, ringAndPad & 0xff);
    }

    public boolean fenced() {
        return (flags & VirtioGpu.VIRTIO_GPU_FLAG_FENCE) != 0;
    }

    public boolean infoRingIdx() {
        return (flags & VirtioGpu.VIRTIO_GPU_FLAG_INFO_RING_IDX) != 0;
    }
}
