package org.virtgpu.core.protocol;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Every virtio-gpu request, decoded once from the wire ({@link CommandDecoder}). Field names follow the spec's C
 * structs; unsigned 32-bit fields stay {@code int} (compare with {@link Integer#compareUnsigned} or widen with
 * {@link Integer#toUnsignedLong}).
 */
public sealed interface GpuCommand {
    CtrlHdr hdr();

    /** {@code struct virtio_gpu_rect}. */
    record Rect(int x, int y, int width, int height) {
    }

    /** {@code struct virtio_gpu_box}. */
    record Box(int x, int y, int z, int w, int h, int d) {
    }

    /** {@code struct virtio_gpu_mem_entry}: guest address and length (padding dropped). */
    record MemEntry(long addr, int length) {
        public long unsignedLength() {
            return Integer.toUnsignedLong(length);
        }
    }

    record GetDisplayInfo(CtrlHdr hdr) implements GpuCommand {
    }

    record ResourceCreate2d(CtrlHdr hdr, int resourceId, int format, int width, int height) implements GpuCommand {
    }

    record ResourceUnref(CtrlHdr hdr, int resourceId) implements GpuCommand {
    }

    record SetScanout(CtrlHdr hdr, Rect r, int scanoutId, int resourceId) implements GpuCommand {
    }

    record ResourceFlush(CtrlHdr hdr, Rect r, int resourceId) implements GpuCommand {
    }

    record TransferToHost2d(CtrlHdr hdr, Rect r, long offset, int resourceId) implements GpuCommand {
    }

    record ResourceAttachBacking(CtrlHdr hdr, int resourceId, List<MemEntry> entries) implements GpuCommand {
    }

    record ResourceDetachBacking(CtrlHdr hdr, int resourceId) implements GpuCommand {
    }

    record GetCapsetInfo(CtrlHdr hdr, int capsetIndex) implements GpuCommand {
    }

    record GetCapset(CtrlHdr hdr, int capsetId, int capsetVersion) implements GpuCommand {
    }

    record GetEdid(CtrlHdr hdr, int scanout) implements GpuCommand {
    }

    record ResourceAssignUuid(CtrlHdr hdr, int resourceId) implements GpuCommand {
    }

    record ResourceCreateBlob(CtrlHdr hdr, int resourceId, int blobMem, int blobFlags, long blobId, long size,
                              List<MemEntry> entries) implements GpuCommand {
    }

    /** strides and offsets are the four planes' (only plane 0 is used for the RGB formats virtio-gpu has). */
    record SetScanoutBlob(CtrlHdr hdr, Rect r, int scanoutId, int resourceId, int width, int height, int format,
                          int stride0, int offset0) implements GpuCommand {
    }

    record CtxCreate(CtrlHdr hdr, int nlen, int contextInit, String debugName) implements GpuCommand {
    }

    record CtxDestroy(CtrlHdr hdr) implements GpuCommand {
    }

    record CtxAttachResource(CtrlHdr hdr, int resourceId) implements GpuCommand {
    }

    record CtxDetachResource(CtrlHdr hdr, int resourceId) implements GpuCommand {
    }

    record ResourceCreate3d(CtrlHdr hdr, int resourceId, int target, int format, int bind, int width, int height,
                            int depth, int arraySize, int lastLevel, int nrSamples, int flags) implements GpuCommand {
    }

    record TransferToHost3d(CtrlHdr hdr, Box box, long offset, int resourceId, int level, int stride,
                            int layerStride) implements GpuCommand {
    }

    record TransferFromHost3d(CtrlHdr hdr, Box box, long offset, int resourceId, int level, int stride,
                              int layerStride) implements GpuCommand {
    }

    /** {@code commands} is valid only while the command is dispatched. */
    record Submit3d(CtrlHdr hdr, MemorySegment commands) implements GpuCommand {
    }

    record ResourceMapBlob(CtrlHdr hdr, int resourceId, long offset) implements GpuCommand {
    }

    record ResourceUnmapBlob(CtrlHdr hdr, int resourceId) implements GpuCommand {
    }

    record UpdateCursor(CtrlHdr hdr, int scanoutId, int x, int y, int resourceId, int hotX, int hotY)
            implements GpuCommand {
    }

    record MoveCursor(CtrlHdr hdr, int scanoutId, int x, int y) implements GpuCommand {
    }
}
