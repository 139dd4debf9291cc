package org.virtgpu.context.gfxstream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;

/**
 * A gfxstream context (capset 3, 8 or 9) without a gfxstream renderer behind it.
 * <p>
 * What it does for real: the host memory the guest asks for. A gfxstream guest creates its Address Space Graphics
 * blob as HOST3D | MAPPABLE with blob_id 0 and size ALIGN(ringSize + bufferSize, blobAlignment); this context
 * allocates it in core-owned shared memory, so create + MAP_BLOB work at every host page size.
 * <p>
 * SUBMIT_3D carries one command keyed by its first u32 (fact sheet §4.2; rutabaga requires len % 4 == 0).
 * PLACEHOLDER_COMMAND_VK (a no-op used to push a fence) is executed. Every command that needs the render thread or
 * host GL/Vulkan (CONTEXT_CREATE, which would start an ASG consumer, PING, the sync exports, RESOURCE_CREATE_3D) is
 * refused with UNSPEC and says why, so a guest fails at setup rather than hanging on a ring nobody drains.
 * Unknown opcodes and short commands are INVALID_PARAMETER.
 */
final class GfxstreamContext implements GpuContext {
    static final int CONTEXT_CREATE = 0x1001;
    static final int CONTEXT_PING = 0x1002;
    static final int CONTEXT_PING_WITH_RESPONSE = 0x1003;
    static final int CREATE_EXPORT_SYNC = 0x9000;
    static final int CREATE_IMPORT_SYNC = 0x9001;
    static final int CREATE_EXPORT_SYNC_VK = 0xa000;
    static final int CREATE_IMPORT_SYNC_VK = 0xa001;
    static final int CREATE_QSRI_EXPORT_VK = 0xa002;
    static final int RESOURCE_CREATE_3D = 0xa003;
    static final int ACQUIRE_SYNC = 0xa004;
    static final int PLACEHOLDER_COMMAND_VK = 0xf002;

    private final int ctxId;
    private final int capsetId;
    private final DeviceServices services;
    private volatile boolean destroyed;

    GfxstreamContext(int ctxId, int capsetId, DeviceServices services) {
        this.ctxId = ctxId;
        this.capsetId = capsetId;
        this.services = services;
    }

    @Override
    public void submit(MemorySegment commands, int ringIdx) throws GpuException {
        if (destroyed) {
            throw new GpuException(GpuError.UNSPEC, "gfxstream context " + ctxId + " is destroyed");
        }
        long len = commands.byteSize();
        if (len < 4 || len % 4 != 0) {
            throw GpuException.invalidParameter("gfxstream command of " + len + " bytes (needs a 4-byte opcode and whole u32s)");
        }
        int op = commands.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
        int need = switch (op) {
            case CONTEXT_CREATE, CONTEXT_PING, CONTEXT_PING_WITH_RESPONSE -> 8;
            case CREATE_EXPORT_SYNC, CREATE_QSRI_EXPORT_VK, PLACEHOLDER_COMMAND_VK -> 12;
            case ACQUIRE_SYNC -> 16;
            case CREATE_EXPORT_SYNC_VK, CREATE_IMPORT_SYNC_VK -> 20;
            case RESOURCE_CREATE_3D -> 56;
            case CREATE_IMPORT_SYNC -> 4;
            default -> throw GpuException.invalidParameter("unknown gfxstream opcode 0x" + Integer.toHexString(op));
        };
        if (len < need) {
            throw GpuException.invalidParameter("gfxstream opcode 0x" + Integer.toHexString(op) + " needs " + need
                    + " bytes, got " + len);
        }
        if (op != PLACEHOLDER_COMMAND_VK) {
            throw new GpuException(GpuError.UNSPEC, "gfxstream opcode 0x" + Integer.toHexString(op) + " on capset "
                    + capsetId + " needs the gfxstream render thread, which this bundle does not run");
        }
        // PLACEHOLDER_COMMAND_VK: nothing to do; the fence that rides with it completes with the submit.
    }

    @Override
    public SharedMemory createBlob(BlobRequest request) throws GpuException {
        if (destroyed) {
            throw new GpuException(GpuError.UNSPEC, "gfxstream context " + ctxId + " is destroyed");
        }
        if (request.blobMem() != BlobRequest.BLOB_MEM_HOST3D) {
            throw GpuException.invalidParameter("gfxstream blobs are HOST3D; blob_mem " + request.blobMem() + " is not supported");
        }
        if (request.blobId() != 0) {
            // a non-zero blob_id names a RESOURCE_CREATE_3D, which needs the renderer and is never accepted here
            throw GpuException.invalidParameter("gfxstream blob_id " + request.blobId() + " names no pending resource");
        }
        return services.allocate("gfxstream-ctx" + ctxId + "-res" + request.resourceId(), request.size());
    }

    @Override
    public void destroy() {
        // NOTE: blobs this context allocated belong to the core once returned; nothing else is held.
        destroyed = true;
    }
}
