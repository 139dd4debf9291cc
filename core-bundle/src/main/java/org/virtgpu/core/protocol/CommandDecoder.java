package org.virtgpu.core.protocol;

import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.virtgpu.core.protocol.GpuCommand.*;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * Decodes the request that follows a {@link CtrlHdr} into its {@link GpuCommand}. Truncated structs and unknown
 * types are ERR_UNSPEC (QEMU, crosvm); mem-entry lists longer than {@link VirtioGpu#MAX_MEM_ENTRIES} or not fully
 * present are ERR_UNSPEC (QEMU, crosvm); a SUBMIT_3D stream shorter than its size is ERR_INVALID_PARAMETER (QEMU).
 */
public final class CommandDecoder {
    private CommandDecoder() {
    }

    public static GpuCommand decode(CtrlHdr h, ByteStream in) throws GpuException {
        return switch (h.type()) {
            case VIRTIO_GPU_CMD_GET_DISPLAY_INFO -> new GetDisplayInfo(h);
            case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D -> new ResourceCreate2d(h, in.u32("resource_id"), in.u32("format"),
                    in.u32("width"), in.u32("height"));
            case VIRTIO_GPU_CMD_RESOURCE_UNREF -> new ResourceUnref(h, idAndPad(in));
            case VIRTIO_GPU_CMD_SET_SCANOUT -> new SetScanout(h, rect(in), in.u32("scanout_id"), in.u32("resource_id"));
            case VIRTIO_GPU_CMD_RESOURCE_FLUSH -> {
                Rect r = rect(in);
                yield new ResourceFlush(h, r, idAndPad(in));
            }
            case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D -> {
                Rect r = rect(in);
                long offset = in.u64("offset");
                yield new TransferToHost2d(h, r, offset, idAndPad(in));
            }
            case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING -> {
                int id = in.u32("resource_id");
                int n = in.u32("nr_entries");
                yield new ResourceAttachBacking(h, id, entries(in, n));
            }
            case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING -> new ResourceDetachBacking(h, idAndPad(in));
            case VIRTIO_GPU_CMD_GET_CAPSET_INFO -> new GetCapsetInfo(h, idAndPad(in));
            case VIRTIO_GPU_CMD_GET_CAPSET -> new GetCapset(h, in.u32("capset_id"), in.u32("capset_version"));
            case VIRTIO_GPU_CMD_GET_EDID -> new GetEdid(h, idAndPad(in));
            case VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID -> new ResourceAssignUuid(h, idAndPad(in));
            case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB -> {
                int id = in.u32("resource_id");
                int mem = in.u32("blob_mem");
                int flags = in.u32("blob_flags");
                int n = in.u32("nr_entries");
                long blobId = in.u64("blob_id");
                long size = in.u64("size");
                yield new ResourceCreateBlob(h, id, mem, flags, blobId, size, entries(in, n));
            }
            case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB -> {
                Rect r = rect(in);
                int scanout = in.u32("scanout_id");
                int id = in.u32("resource_id");
                int w = in.u32("width");
                int hh = in.u32("height");
                int format = in.u32("format");
                in.u32("padding");
                int stride0 = in.u32("strides[0]");
                in.skip(12, "strides[1..3]");
                int offset0 = in.u32("offsets[0]");
                in.skip(12, "offsets[1..3]");
                yield new SetScanoutBlob(h, r, scanout, id, w, hh, format, stride0, offset0);
            }
            case VIRTIO_GPU_CMD_CTX_CREATE -> {
                int nlen = in.u32("nlen");
                int init = in.u32("context_init");
                byte[] name = new byte[64];
                in.bytes(name, "debug_name");
                yield new CtxCreate(h, nlen, init, debugName(name, nlen));
            }
            case VIRTIO_GPU_CMD_CTX_DESTROY -> new CtxDestroy(h);
            case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE -> new CtxAttachResource(h, idAndPad(in));
            case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE -> new CtxDetachResource(h, idAndPad(in));
            case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D -> {
                ResourceCreate3d c = new ResourceCreate3d(h, in.u32("resource_id"), in.u32("target"), in.u32("format"),
                        in.u32("bind"), in.u32("width"), in.u32("height"), in.u32("depth"), in.u32("array_size"),
                        in.u32("last_level"), in.u32("nr_samples"), in.u32("flags"));
                in.u32("padding");
                yield c;
            }
            case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D -> {
                Box b = new Box(in.u32("box.x"), in.u32("box.y"), in.u32("box.z"), in.u32("box.w"), in.u32("box.h"),
                        in.u32("box.d"));
                long offset = in.u64("offset");
                int id = in.u32("resource_id");
                int level = in.u32("level");
                int stride = in.u32("stride");
                int layerStride = in.u32("layer_stride");
                yield h.type() == VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D
                        ? new TransferToHost3d(h, b, offset, id, level, stride, layerStride)
                        : new TransferFromHost3d(h, b, offset, id, level, stride, layerStride);
            }
            case VIRTIO_GPU_CMD_SUBMIT_3D -> {
                int size = in.u32("size");
                in.u32("padding");
                yield new Submit3d(h, in.payload(Integer.toUnsignedLong(size), "SUBMIT_3D stream"));
            }
            case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB -> {
                int id = idAndPad(in);
                yield new ResourceMapBlob(h, id, in.u64("offset"));
            }
            case VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB -> new ResourceUnmapBlob(h, idAndPad(in));
            case VIRTIO_GPU_CMD_UPDATE_CURSOR, VIRTIO_GPU_CMD_MOVE_CURSOR -> {
                int scanout = in.u32("pos.scanout_id");
                int x = in.u32("pos.x");
                int y = in.u32("pos.y");
                in.u32("pos.padding");
                int id = in.u32("resource_id");
                int hotX = in.u32("hot_x");
                int hotY = in.u32("hot_y");
                in.u32("padding");
                yield h.type() == VIRTIO_GPU_CMD_UPDATE_CURSOR
                        ? new UpdateCursor(h, scanout, x, y, id, hotX, hotY)
                        : new MoveCursor(h, scanout, x, y);
            }
            default -> throw new GpuException(GpuError.UNSPEC, "unknown command type 0x" + Integer.toHexString(h.type()));
        };
    }

    private static int idAndPad(ByteStream in) throws GpuException {
        int id = in.u32("resource_id");
        in.u32("padding");
        return id;
    }

    private static Rect rect(ByteStream in) throws GpuException {
        return new Rect(in.u32("rect.x"), in.u32("rect.y"), in.u32("rect.width"), in.u32("rect.height"));
    }

    private static List<MemEntry> entries(ByteStream in, int n) throws GpuException {
        if (Integer.compareUnsigned(n, MAX_MEM_ENTRIES) > 0) {
            throw new GpuException(GpuError.UNSPEC, "nr_entries " + Integer.toUnsignedString(n) + " > " + MAX_MEM_ENTRIES);
        }
        if (in.remaining() < (long) n * MEM_ENTRY_SIZE) {
            throw new GpuException(GpuError.UNSPEC, "nr_entries " + n + " needs " + (long) n * MEM_ENTRY_SIZE
                    + " bytes of mem entries, " + in.remaining() + " follow");
        }
        if (n == 0) {
            return List.of();
        }
        List<MemEntry> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long addr = in.u64("mem_entry.addr");
            int len = in.u32("mem_entry.length");
            in.u32("mem_entry.padding");
            l.add(new MemEntry(addr, len));
        }
        return l;
    }

    /** Linux fills debug_name with strscpy (NUL-terminated, nlen = strlen), but nothing guarantees either. */
    private static String debugName(byte[] raw, int nlen) {
        int max = Integer.compareUnsigned(nlen, raw.length) > 0 ? raw.length : nlen;
        int end = 0;
        while (end < max && raw[end] != 0) {
            end++;
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }
}
