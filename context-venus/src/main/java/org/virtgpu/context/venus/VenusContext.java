package org.virtgpu.context.venus;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.virtgpu.context.venus.gen.VnCommands;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnCtx;
import org.virtgpu.context.venus.wire.VnObjects;
import org.virtgpu.context.venus.wire.VnProtocolException;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/**
 * One Venus context: the context command stream (vtest SUBMIT_CMD2 / virtio SUBMIT_3D), its rings, its shared-memory
 * resources and the executor with the client's objects.
 */
final class VenusContext implements org.virtgpu.spi.GpuContext {
    static final System.Logger LOG = System.getLogger("org.virtgpu.context.venus");
    static final int MAX_RINGS = 64;
    static final int STYPE_RING_CREATE_INFO_MESA = 1000384000;
    static final int STYPE_IMPORT_SEMAPHORE_RESOURCE_INFO_MESA = 1000384004;
    static final int STYPE_RING_MONITOR_INFO_MESA = 1000384006;
    static final int STYPE_RING_PRIORITY_INFO_MESA = 1000384007;

    private final ContextSpec spec;
    private final DeviceServices services;
    private final VenusExecutor executor;
    private final VnCtx contextStream;
    private final Map<Long, VenusRing> rings = new ConcurrentHashMap<>();
    /** blobs this context created (blob_id 0 shared memory), by resource id; one reference each */
    private final Map<Integer, SharedMemory> blobs = new ConcurrentHashMap<>();
    /** resources attached through CTX_ATTACH_RESOURCE */
    private final Map<Integer, ResourceView> attached = new ConcurrentHashMap<>();
    private final Thread monitor;
    private final AtomicLong logged = new AtomicLong();
    private volatile boolean lost;

    VenusContext(ContextSpec spec, DeviceServices services) {
        this(spec, services, new VnObjects.Sizes(VnInfo.HANDLE_TYPES));
    }

    /** @param tableSizes the sizes the context type's object tables grew to (see VnObjects.Sizes) */
    VenusContext(ContextSpec spec, DeviceServices services, VnObjects.Sizes tableSizes) {
        this.spec = spec;
        this.services = services;
        this.executor = new VenusExecutor(services, tableSizes);
        this.contextStream = executor.newContextStream();
        // context id 0 is never a guest's: VenusWarmup's private context
        String name = spec.ctxId() == 0 ? "venus-warmup-monitor" : "venus-ringmon-" + spec.ctxId();
        this.monitor = Thread.ofPlatform().daemon().name(name).unstarted(this::monitorRings);
        monitor.start();
    }

    VenusExecutor executor() {
        return executor;
    }

    void log(String message) {
        // rate limited: a client can produce one error per command
        if (logged.incrementAndGet() <= 100) {
            LOG.log(System.Logger.Level.WARNING, "venus ctx " + spec.ctxId() + ": " + message);
        }
    }

    @Override
    public void submit(MemorySegment commands, int ringIdx) throws GpuException {
        if (lost) {
            throw new GpuException(GpuError.UNSPEC, "venus context " + spec.ctxId() + " is lost");
        }
        contextStream.input(commands);
        try {
            while (contextStream.hasMore()) {
                dispatch(contextStream, null);
            }
        } catch (VnProtocolException e) {
            log("context stream: " + e.getMessage());
            throw new GpuException(GpuError.INVALID_PARAMETER, e.getMessage());
        } catch (Throwable t) {
            log("context stream failed: " + t);
            throw new GpuException(GpuError.UNSPEC, "venus command failed: " + t);
        } finally {
            contextStream.endCommand();
        }
    }

    /** Decodes and runs one command of {@code s}; {@code ring} is null on the context stream. */
    void dispatch(VnCtx s, VenusRing ring) throws Throwable {
        int type = s.r32();
        int flags = s.r32();
        s.commandType(type);
        try {
            switch (type) {
                case 178 -> { // vkSetReplyCommandStreamMESA
                    if (!s.rPtr()) {
                        throw s.fail("vkSetReplyCommandStreamMESA without a stream");
                    }
                    s.replyStream(window(s.r32(), s.r64(), s.r64()));
                }
                case 179 -> s.seekReply(s.r64()); // vkSeekReplyCommandStreamMESA
                case 180 -> executeCommandStreams(s, ring);
                case 188 -> createRing(s, ring);
                case 189 -> { // vkDestroyRingMESA
                    contextOnly(s, ring, "vkDestroyRingMESA");
                    VenusRing r = rings.remove(s.r64());
                    if (r != null) {
                        r.stop();
                    }
                }
                case 190 -> { // vkNotifyRingMESA
                    contextOnly(s, ring, "vkNotifyRingMESA");
                    VenusRing r = ring(s, s.r64());
                    s.r32(); // seqno
                    s.r32(); // flags
                    r.notifyRing();
                }
                case 191 -> { // vkWriteRingExtraMESA
                    contextOnly(s, ring, "vkWriteRingExtraMESA");
                    VenusRing r = ring(s, s.r64());
                    long offset = s.r64();
                    r.writeExtra(offset, s.r32());
                }
                case 246 -> importSemaphoreResource(s, flags); // vkImportSemaphoreResourceMESA
                case 251 -> { // vkSubmitVirtqueueSeqnoMESA
                    contextOnly(s, ring, "vkSubmitVirtqueueSeqnoMESA");
                    VenusRing r = ring(s, s.r64());
                    r.submitVirtqueueSeqno(s.r64());
                }
                case 252 -> { // vkWaitVirtqueueSeqnoMESA: ring only
                    if (ring == null) {
                        throw s.fail("vkWaitVirtqueueSeqnoMESA on the context stream");
                    }
                    ring.waitVirtqueue(s.r64());
                }
                case 253 -> { // vkWaitRingSeqnoMESA: block this (context) stream until the ring caught up
                    contextOnly(s, ring, "vkWaitRingSeqnoMESA");
                    VenusRing r = ring(s, s.r64());
                    if (!r.waitSeqno((int) s.r64())) {
                        throw s.fail("vkWaitRingSeqnoMESA on a dead ring");
                    }
                }
                default -> VnCommands.dispatch(s, executor, type, flags);
            }
        } finally {
            s.endCommand();
        }
    }

    /**
     * vkImportSemaphoreResourceMESA: VkDevice, then a pointer to VkImportSemaphoreResourceInfoMESA {sType, pNext (no
     * struct extends it), VkSemaphore semaphore, uint32_t resourceId}; returns nothing (see
     * {@link VenusExecutor#importSemaphoreResource}).
     */
    private void importSemaphoreResource(VnCtx s, int flags) throws Throwable {
        long device = s.dispatch(VnInfo.H_VkDevice, s.r64());
        if (!s.rPtr()) {
            throw s.fail("vkImportSemaphoreResourceMESA without import info");
        }
        s.expectSType(STYPE_IMPORT_SEMAPHORE_RESOURCE_INFO_MESA);
        if (s.rPtr()) {
            throw s.fail("a struct chained to VkImportSemaphoreResourceInfoMESA");
        }
        long semaphore = s.hostValid(VnInfo.H_VkSemaphore, s.r64());
        executor.importSemaphoreResource(s, device, semaphore, s.r32());
        if ((flags & 1) != 0) {
            s.beginReply(246);
        }
    }

    private static void contextOnly(VnCtx s, VenusRing ring, String what) {
        if (ring != null) {
            throw s.fail(what + " is only valid on the context stream");
        }
    }

    private VenusRing ring(VnCtx s, long id) {
        VenusRing r = rings.get(id);
        if (r == null) {
            throw s.fail("unknown ring " + Long.toHexString(id));
        }
        return r;
    }

    /** The bytes of a shared-memory resource between offset and offset + size. */
    MemorySegment window(int resourceId, long offset, long size) {
        SharedMemory m = blobs.get(resourceId);
        MemorySegment seg = m != null ? m.segment() : null;
        if (seg == null) {
            ResourceView v = attached.get(resourceId);
            if (v == null) {
                v = services.resource(resourceId).orElse(null);
            }
            seg = v == null ? null : v.hostMemory().map(SharedMemory::segment).orElse(null);
        }
        if (seg == null) {
            throw new VnProtocolException("resource " + resourceId + " is not shared memory of this context");
        }
        if (offset < 0 || size < 0 || offset > seg.byteSize() || size > seg.byteSize() - offset) {
            throw new VnProtocolException("range " + offset + "+" + size + " outside resource " + resourceId);
        }
        return seg.asSlice(offset, size);
    }

    private void createRing(VnCtx s, VenusRing current) {
        contextOnly(s, current, "vkCreateRingMESA");
        long id = s.r64();
        if (!s.rPtr()) {
            throw s.fail("vkCreateRingMESA without create info");
        }
        s.expectSType(STYPE_RING_CREATE_INFO_MESA);
        long monitorPeriod = 0;
        int[] chain = new int[8];
        int depth = 0;
        while (s.rPtr()) { // chained infos nest: marker, sType, the rest of the chain, then the body
            if (depth == chain.length) {
                throw s.fail("ring create chain too long");
            }
            int st = s.r32();
            if (st != STYPE_RING_MONITOR_INFO_MESA && st != STYPE_RING_PRIORITY_INFO_MESA) {
                throw s.fail("unsupported sType " + st + " in VkRingCreateInfoMESA chain");
            }
            chain[depth++] = st;
        }
        for (int i = depth - 1; i >= 0; i--) { // bodies, innermost first; both are one 32-bit value
            int v = s.r32();
            if (chain[i] == STYPE_RING_MONITOR_INFO_MESA) {
                monitorPeriod = Integer.toUnsignedLong(v);
            }
        }
        s.r32(); // flags
        int resourceId = s.r32();
        long offset = s.r64(), size = s.r64(), idle = s.r64();
        long headOff = s.r64(), tailOff = s.r64(), statusOff = s.r64();
        long bufferOff = s.r64(), bufferSize = s.r64(), extraOff = s.r64(), extraSize = s.r64();
        if (rings.size() >= MAX_RINGS || rings.containsKey(id)) {
            throw s.fail("ring " + Long.toHexString(id) + " exists or too many rings");
        }
        MemorySegment shm = window(resourceId, offset, size);
        long[][] regions = {{headOff, 4}, {tailOff, 4}, {statusOff, 4}, {bufferOff, bufferSize}, {extraOff, extraSize}};
        for (long[] r : regions) {
            if (r[0] < 0 || r[1] < 0 || (r[0] & 3) != 0 || r[0] > size || r[1] > size - r[0]) {
                throw s.fail("ring region " + r[0] + "+" + r[1] + " outside its " + size + " bytes");
            }
        }
        if (bufferSize < 16 || Long.bitCount(bufferSize) != 1 || bufferSize > (1L << 30)) {
            throw s.fail("ring buffer size " + bufferSize + " is not a power of two");
        }
        VenusRing ring = new VenusRing(id, shm, headOff, tailOff, statusOff, bufferOff, bufferSize, extraOff, extraSize,
                idle, monitorPeriod, this);
        rings.put(id, ring);
        ring.markAlive();
        ring.start();
    }

    private void executeCommandStreams(VnCtx s, VenusRing ring) throws Throwable {
        int count = s.r32();
        long n = s.rSize();
        if (count < 0 || n != count || count > 1024) {
            throw s.fail("vkExecuteCommandStreamsMESA stream count");
        }
        MemorySegment[] streams = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            streams[i] = window(s.r32(), s.r64(), s.r64());
        }
        long nPos = s.rSize();
        if (nPos != 0 && nPos != count) {
            throw s.fail("reply positions");
        }
        long[] positions = new long[(int) nPos];
        for (int i = 0; i < nPos; i++) {
            positions[i] = s.r64();
        }
        int deps = s.r32();
        long nDeps = s.rSize();
        if (nDeps != Integer.toUnsignedLong(deps) || nDeps > 4096) {
            throw s.fail("dependency count");
        }
        for (long i = 0; i < nDeps; i++) {
            s.r32();
            s.r32();
        }
        s.r32(); // flags
        // streams run in order on s's nested decoder, started afresh, which shares s's objects; nesting is not allowed
        VnCtx inner = s.nested();
        for (int i = 0; i < count; i++) {
            inner.input(streams[i]);
            while (inner.hasMore()) {
                int type = inner.peek32();
                if (type == 180) {
                    throw s.fail("nested vkExecuteCommandStreamsMESA");
                }
                dispatch(inner, ring);
            }
        }
    }

    @Override
    public void attachResource(ResourceView resource) {
        attached.put(resource.id(), resource);
    }

    @Override
    public void detachResource(int resourceId) {
        attached.remove(resourceId);
        SharedMemory m = blobs.remove(resourceId);
        if (m != null) {
            m.release();
        }
    }

    @Override
    public SharedMemory createBlob(BlobRequest request) throws GpuException {
        if (request.blobMem() != BlobRequest.BLOB_MEM_HOST3D) {
            throw GpuException.invalidParameter("venus blobs are HOST3D, got blob_mem " + request.blobMem());
        }
        if (request.blobId() == 0) {
            SharedMemory m = services.allocate("venus-shmem", request.size());
            blobs.put(request.resourceId(), m.retain());
            return m;
        }
        SharedMemory m = executor.memoryBlob(request.blobId());
        if (m == null) {
            throw GpuException.invalidParameter("blob_id " + request.blobId() + " is not host-visible memory of this context");
        }
        if (request.size() > m.size()) {
            throw GpuException.invalidParameter("blob size " + request.size() + " > memory size " + m.size());
        }
        return m.retain();
    }

    private void monitorRings() {
        while (!lost) {
            long period = 3_000_000;
            for (VenusRing r : rings.values()) {
                if (r.monitorPeriodMicros > 0) {
                    period = Math.min(period, r.monitorPeriodMicros);
                }
                r.markAlive();
            }
            // twice per period: the client clears ALIVE and checks it after about one period
            java.util.concurrent.locks.LockSupport.parkNanos(Math.max(1000, period / 2) * 1000);
        }
    }

    @Override
    public void destroy() {
        lost = true;
        executor.stopping(); // guest-caused host waits on ring threads end within one slice
        monitor.interrupt();
        boolean stopped = true;
        for (VenusRing r : rings.values()) {
            r.markFatal(); // before its memory can go: the blob holding it is released below
            stopped &= r.stop();
        }
        rings.clear();
        if (!stopped) {
            // a ring thread is still inside a host call: freeing the objects or the memory it uses would be a
            // use-after-free in the driver; leaking them is the lesser harm (stop() logged it)
            return;
        }
        executor.destroyAll();
        contextStream.close();
        for (SharedMemory m : blobs.values()) {
            m.release();
        }
        blobs.clear();
        attached.clear();
    }
}
