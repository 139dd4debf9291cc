package org.virtgpu.core.device;

import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.GuestMemory;
import org.virtgpu.api.Limits;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.core.fence.FenceEntry;
import org.virtgpu.core.fence.Timeline;
import org.virtgpu.core.memory.HostVisibleRegion;
import org.virtgpu.core.memory.MemfdMemory;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.protocol.ByteStream;
import org.virtgpu.core.protocol.CommandDecoder;
import org.virtgpu.core.protocol.CtrlHdr;
import org.virtgpu.core.protocol.GpuCommand;
import org.virtgpu.core.protocol.GpuCommand.*;
import org.virtgpu.core.protocol.ReplyWriter;
import org.virtgpu.core.registry.CapsetRegistry;
import org.virtgpu.core.resource.Backing;
import org.virtgpu.core.resource.PixelFormat;
import org.virtgpu.core.resource.Resource;
import org.virtgpu.core.resource.ResourceTable;
import org.virtgpu.core.scanout.Edid;
import org.virtgpu.core.scanout.Scanouts;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/**
 * One client of the device: the virtio-gpu dispatcher. {@link #control} decodes a request once, runs it through one
 * exhaustive switch on the caller's thread, writes the reply, and returns it at once or (fenced) when its timeline
 * allows. Every failure is a {@link GpuException} turned into the spec's error reply here and only here; a
 * command either fully applies or changes nothing (all checks run before the first mutation).
 */
public final class DeviceSession implements GpuSession {
    private static final System.Logger LOG = System.getLogger(DeviceSession.class.getName());

    /** PIPE_BUFFER .. PIPE_TEXTURE_CUBE_ARRAY (gallium's pipe_texture_target, used by virgl's CREATE_3D). */
    private static final int PIPE_BUFFER = 0;
    private static final int PIPE_MAX_TEXTURE_TYPES = 9;
    /** longest a refused allocation waits for released memory to be credited back */
    private static final long RECLAIM_WAIT_MILLIS = 1_000;

    private final DeviceComponent device;
    private final String name;
    private final GuestMemory guest;
    private final long features;
    private final Limits limits;
    /** Page size and region size for this session (its blob alignment is the one at open: ask the device instead). */
    private final HostInfo pages;
    private final int pageSize;
    private final RateLimitedLog log;

    private final ByteStream in = new ByteStream();
    private final ReplyWriter out = new ReplyWriter();
    private final ResourceTable resources = new ResourceTable();
    private final ConcurrentHashMap<Integer, ContextSlot> contexts = new ConcurrentHashMap<>();
    private final Timeline global = new Timeline("global");
    private final Scanouts scanouts;
    private final HostVisibleRegion region;
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean closed;

    DeviceSession(DeviceComponent device, DeviceSettings settings, HostInfo pages, SessionOptions options)
            throws GpuException {
        this.device = device;
        this.name = options.name();
        this.guest = options.guestMemory();
        this.features = options.negotiatedFeatures();
        Limits o = options.limits();
        Limits d = settings.limits();
        this.limits = new Limits(Math.min(o.maxResources(), d.maxResources()), Math.min(o.maxBytes(), d.maxBytes()),
                Math.min(o.maxContexts(), d.maxContexts()));
        this.pages = pages;
        this.pageSize = pages.hostPageSize();
        this.log = new RateLimitedLog("session " + name + ": ", 20);
        this.scanouts = new Scanouts(settings.numScanouts(), settings.displayWidth(), settings.displayHeight(),
                options.display(), freed -> bytes.addAndGet(-freed));
        long regionSize = pages.hostVisibleSize(); // settings.hostVisibleSize() rounded up to the page size
        try {
            this.region = regionSize == 0 ? null : new HostVisibleRegion(regionSize);
        } catch (NativeException e) {
            throw new GpuException(GpuError.OUT_OF_MEMORY, "cannot reserve the host-visible region of " + regionSize
                    + " bytes: " + e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    private boolean negotiated(int bit) {
        return (features & (1L << bit)) != 0;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the queues

    @Override
    public void control(List<MemorySegment> readable, List<MemorySegment> writable, Completion done) {
        if (closed) {
            done.complete(out.begin(VIRTIO_GPU_RESP_ERR_UNSPEC, null, 0).scatter(writable));
            return;
        }
        in.reset(readable);
        CtrlHdr hdr;
        try {
            hdr = CtrlHdr.read(in);
        } catch (GpuException e) {
            log.log(Level.WARNING, "request without a whole ctrl_hdr (" + in.remaining() + " bytes): ERR_UNSPEC");
            done.complete(out.begin(VIRTIO_GPU_RESP_ERR_UNSPEC, null, 0).scatter(writable));
            return;
        }
        int written;
        boolean ok = false;
        try {
            GpuCommand cmd = CommandDecoder.decode(hdr, in);
            execute(cmd);
            ok = true;
        } catch (GpuException e) {
            log.log(e.error() == GpuError.OUT_OF_MEMORY ? Level.WARNING : Level.INFO,
                    commandName(hdr.type()) + " -> " + e.error() + ": " + e.getMessage());
            out.begin(e.error().responseType(), hdr, 0);
        } catch (RuntimeException | OutOfMemoryError e) {
            // a bug here or in a context bundle: the guest gets an error, the device lives on
            LOG.log(Level.ERROR, "session " + name + ": " + commandName(hdr.type()) + " failed unexpectedly", e);
            out.begin(e instanceof OutOfMemoryError ? VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY : VIRTIO_GPU_RESP_ERR_UNSPEC, hdr, 0);
        }
        written = out.scatter(writable);
        if (!hdr.fenced()) {
            done.complete(written);
            return;
        }
        fence(hdr, ok, done, written);
    }

    /**
     * A fenced reply goes on its timeline: (ctx, ring) with INFO_RING_IDX (CONTEXT_INIT negotiated, live context),
     * the session's global timeline otherwise. When the command ran in a live context, that context is asked for a
     * fence on the ring; the entry is registered first so that a signal from the context's thread cannot be lost.
     */
    private void fence(CtrlHdr hdr, boolean ok, Completion done, int written) {
        ContextSlot slot = hdr.ctxId() == 0 ? null : contexts.get(hdr.ctxId());
        boolean ringed = hdr.infoRingIdx() && negotiated(DeviceInfo.F_CONTEXT_INIT) && slot != null
                && hdr.ringIdx() < VIRTIO_GPU_MAX_RINGS;
        int ring = ringed ? hdr.ringIdx() : 0;
        Timeline t = ringed ? slot.fences.ring(ring) : global;
        FenceEntry e = new FenceEntry(hdr.fenceId(), done, written, t);
        if (ok && slot != null && !slot.lost && slot.context != null) {
            if (slot.fences.register(ring, e)) {
                boolean now;
                slot.lock.lock();
                try {
                    now = slot.lost || slot.context.createFence(ring, hdr.fenceId());
                } catch (RuntimeException ex) {
                    LOG.log(Level.ERROR, "context " + slot.ctxId + " failed to create fence " + hdr.fenceId(), ex);
                    now = true;
                } finally {
                    slot.lock.unlock();
                }
                t.add(e);
                if (now) {
                    slot.fences.signal(ring, hdr.fenceId());
                }
                return;
            }
        }
        e.signal();
        t.add(e);
    }

    @Override
    public void cursor(List<MemorySegment> readable) {
        if (closed) {
            return;
        }
        in.reset(readable);
        try {
            CtrlHdr hdr = CtrlHdr.read(in);
            GpuCommand cmd = CommandDecoder.decode(hdr, in);
            switch (cmd) {
                case UpdateCursor c -> updateCursor(c);
                case MoveCursor c -> moveCursor(c);
                default -> throw new GpuException(GpuError.UNSPEC, commandName(hdr.type()) + " on the cursor queue");
            }
        } catch (GpuException e) {
            log.log(Level.INFO, "cursor queue: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "session " + name + ": cursor request failed", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the dispatcher: one exhaustive switch

    private void execute(GpuCommand cmd) throws GpuException {
        switch (cmd) {
            case GetDisplayInfo c -> getDisplayInfo(c);
            case ResourceCreate2d c -> createResource2d(c);
            case ResourceUnref c -> unref(c);
            case SetScanout c -> setScanout(c);
            case ResourceFlush c -> flush(c);
            case TransferToHost2d c -> transferToHost2d(c);
            case ResourceAttachBacking c -> attachBacking(c);
            case ResourceDetachBacking c -> detachBacking(c);
            case GetCapsetInfo c -> getCapsetInfo(c);
            case GetCapset c -> getCapset(c);
            case GetEdid c -> getEdid(c);
            case ResourceAssignUuid c -> assignUuid(c);
            case ResourceCreateBlob c -> createBlob(c);
            case SetScanoutBlob c -> setScanoutBlob(c);
            case CtxCreate c -> ctxCreate(c);
            case CtxDestroy c -> ctxDestroy(c);
            case CtxAttachResource c -> ctxAttach(c);
            case CtxDetachResource c -> ctxDetach(c);
            case ResourceCreate3d c -> createResource3d(c);
            case TransferToHost3d c -> transfer3d(c.hdr(), c.box(), c.offset(), c.resourceId(), c.level(), c.stride(), c.layerStride(), true);
            case TransferFromHost3d c -> transfer3d(c.hdr(), c.box(), c.offset(), c.resourceId(), c.level(), c.stride(), c.layerStride(), false);
            case Submit3d c -> submit3d(c);
            case ResourceMapBlob c -> mapBlob(c);
            case ResourceUnmapBlob c -> unmapBlob(c);
            case UpdateCursor c -> {
                updateCursor(c);
                ok(c);
            }
            case MoveCursor c -> {
                moveCursor(c);
                ok(c);
            }
        }
    }

    private void ok(GpuCommand c) {
        out.begin(VIRTIO_GPU_RESP_OK_NODATA, c.hdr(), 0);
    }

    private void require(int bit, GpuError error, String command) throws GpuException {
        if (!negotiated(bit)) {
            throw new GpuException(error, command + " needs feature bit " + bit + " (" + featureName(bit)
                    + "), which the driver did not accept");
        }
    }

    private static String featureName(int bit) {
        return switch (bit) {
            case DeviceInfo.F_VIRGL -> "VIRTIO_GPU_F_VIRGL";
            case DeviceInfo.F_EDID -> "VIRTIO_GPU_F_EDID";
            case DeviceInfo.F_RESOURCE_UUID -> "VIRTIO_GPU_F_RESOURCE_UUID";
            case DeviceInfo.F_RESOURCE_BLOB -> "VIRTIO_GPU_F_RESOURCE_BLOB";
            case DeviceInfo.F_CONTEXT_INIT -> "VIRTIO_GPU_F_CONTEXT_INIT";
            default -> "VIRTIO_GPU_F_BLOB_ALIGNMENT";
        };
    }

    // ---- display

    private void getDisplayInfo(GetDisplayInfo c) {
        out.begin(VIRTIO_GPU_RESP_OK_DISPLAY_INFO, c.hdr(), RESP_DISPLAY_INFO_SIZE - CTRL_HDR_SIZE);
        for (int i = 0; i < scanouts.count(); i++) {
            int at = CTRL_HDR_SIZE + i * DISPLAY_ONE_SIZE;
            // every configured head is connected, at the configured preferred size (placement left to the guest)
            out.u32(at + 8, scanouts.preferredWidth()).u32(at + 12, scanouts.preferredHeight()).u32(at + 16, 1);
        }
    }

    private void getEdid(GetEdid c) throws GpuException {
        require(DeviceInfo.F_EDID, GpuError.UNSPEC, "GET_EDID");
        if (Integer.compareUnsigned(c.scanout(), scanouts.count()) >= 0) {
            throw GpuException.invalidParameter("GET_EDID: scanout " + Integer.toUnsignedString(c.scanout())
                    + " >= num_scanouts " + scanouts.count());
        }
        byte[] edid = scanouts.edid(c.scanout());
        out.begin(VIRTIO_GPU_RESP_OK_EDID, c.hdr(), RESP_EDID_SIZE - CTRL_HDR_SIZE).u32(24, edid.length).bytes(32, edid);
    }

    // ---- 2D resources

    private void createResource2d(ResourceCreate2d c) throws GpuException {
        resources.checkNew(c.resourceId(), "RESOURCE_CREATE_2D");
        if (!PixelFormat.isKnown(c.format())) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_2D: unknown format " + Integer.toUnsignedString(c.format()));
        }
        if (c.width() == 0 || c.height() == 0) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_2D: empty " + Integer.toUnsignedString(c.width()) + "x"
                    + Integer.toUnsignedString(c.height()));
        }
        long px = Checked.mul("width", Checked.u32(c.width()), "height", Checked.u32(c.height()));
        long size = Checked.mul("width*height", px, "bytes per pixel", PixelFormat.BYTES_PER_PIXEL);
        if (c.width() < 0 || c.height() < 0) {
            // rows are addressed with int arithmetic in sinks; 2^31 pixels wide is beyond any limit anyway
            throw GpuException.outOfMemory("RESOURCE_CREATE_2D: " + Integer.toUnsignedString(c.width()) + "x"
                    + Integer.toUnsignedString(c.height()) + " exceeds the session's limits");
        }
        admitResource(size, "RESOURCE_CREATE_2D");
        Resource r;
        try {
            r = Resource.create2d(c.resourceId(), c.format(), c.width(), c.height());
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            bytes.addAndGet(-size);
            throw GpuException.outOfMemory("RESOURCE_CREATE_2D: host allocation of " + size + " bytes failed");
        }
        resources.put(r);
        ok(c);
    }

    /** Charges a new resource with {@code size} host bytes, or OUT_OF_MEMORY. */
    private void admitResource(long size, String command) throws GpuException {
        checkResourceCount(command);
        charge(size, command);
    }

    private void checkResourceCount(String command) throws GpuException {
        if (resources.size() >= limits.maxResources()) {
            throw GpuException.outOfMemory(command + ": the session already has " + resources.size()
                    + " resources (limit " + limits.maxResources() + ")");
        }
    }

    private void charge(long size, String what) throws GpuException {
        long cur;
        boolean waited = false;
        do {
            cur = bytes.get();
            if (size > limits.maxBytes() - cur && !waited) {
                // memory released just before may still be on its way back (MemfdMemory's reclaim thread)
                waited = true;
                MemfdMemory.awaitReclaimed(RECLAIM_WAIT_MILLIS);
                cur = bytes.get();
            }
            if (size > limits.maxBytes() - cur) {
                throw GpuException.outOfMemory(what + ": " + size + " more host bytes would exceed the session's limit of "
                        + limits.maxBytes() + " (" + cur + " in use)");
            }
        } while (!bytes.compareAndSet(cur, cur + size));
    }

    private void unref(ResourceUnref c) throws GpuException {
        Resource r = resources.get(c.resourceId(), "RESOURCE_UNREF");
        release(r);
        ok(c);
    }

    /**
     * Lifetime rule: before the UNREF reply the host stops touching the resource's guest pages and memory: detach
     * from every context (they drop their views), unmap it from the host-visible region, disable scanouts showing
     * it, then free (waiting for a context's backing copy in flight).
     */
    private void release(Resource r) {
        for (ContextSlot s : contexts.values()) {
            if (s.attached.remove(r.id())) {
                detachFromContext(s, r.id());
            }
        }
        if (r.mapping() != null) {
            region.unmap(r.mapping());
            r.mapping(null);
        }
        synchronized (scanouts.lock()) {
            scanouts.resourceGone(r);
            resources.remove(r.id());
            r.destroy();
        }
        bytes.addAndGet(-r.chargedBytes());
    }

    private void detachFromContext(ContextSlot s, int resourceId) {
        s.lock.lock();
        try {
            if (!s.lost && s.context != null) {
                s.context.detachResource(resourceId);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "context " + s.ctxId + " failed to detach resource " + resourceId, e);
        } finally {
            s.lock.unlock();
        }
    }

    private void checkRect(String command, Rect r, Resource res) throws GpuException {
        Checked.inside(command, "rect x", Checked.u32(r.x()), Checked.u32(r.width()), "resource width", res.width());
        Checked.inside(command, "rect y", Checked.u32(r.y()), Checked.u32(r.height()), "resource height", res.height());
    }

    /**
     * SET_SCANOUT(_BLOB)'s first steps: checks the scanout id, and when the resource id is 0 disables the scanout
     * and answers OK (the virtio-gpu spec: a resource_id of 0 disables the scanout).
     *
     * @return true when the command is done (the scanout was disabled)
     */
    private boolean disabledScanout(GpuCommand c, int scanoutId, int resourceId, String command) throws GpuException {
        scanouts.checkId(scanoutId, command);
        if (resourceId != 0) {
            return false;
        }
        synchronized (scanouts.lock()) {
            scanouts.disable(scanoutId);
        }
        ok(c);
        return true;
    }

    private void setScanout(SetScanout c) throws GpuException {
        if (disabledScanout(c, c.scanoutId(), c.resourceId(), "SET_SCANOUT")) {
            return;
        }
        Resource r = resources.get(c.resourceId(), "SET_SCANOUT");
        if (r.kind() != Resource.Kind.TWO_D && !(r.kind() == Resource.Kind.THREE_D && r.texelBytes() == 4
                && PixelFormat.isKnown(r.format()))) {
            throw GpuException.invalidParameter("SET_SCANOUT: " + r + " is not a 32 bpp image (blobs use SET_SCANOUT_BLOB)");
        }
        if (r.kind() == Resource.Kind.TWO_D && r.backing() == null) {
            // QEMU's rule for 2D; a 3D resource may be rendered by its context without ever having guest pages
            throw new GpuException(GpuError.UNSPEC, "SET_SCANOUT: " + r + " has no backing");
        }
        checkRect("SET_SCANOUT", c.r(), r);
        if (c.r().width() < 16 || c.r().height() < 16) {
            throw GpuException.invalidParameter("SET_SCANOUT: rect " + c.r().width() + "x" + c.r().height() + " below 16x16");
        }
        synchronized (scanouts.lock()) {
            scanouts.show2d(c.scanoutId(), r, c.r());
        }
        ok(c);
    }

    private void flush(ResourceFlush c) throws GpuException {
        Resource r = resources.get(c.resourceId(), "RESOURCE_FLUSH");
        if (r.kind().isBlob()) {
            Checked.add("rect.x", Checked.u32(c.r().x()), "rect.width", Checked.u32(c.r().width()));
            Checked.add("rect.y", Checked.u32(c.r().y()), "rect.height", Checked.u32(c.r().height()));
        } else {
            checkRect("RESOURCE_FLUSH", c.r(), r);
        }
        scanouts.flush(r, c.r());
        ok(c);
    }

    private void transferToHost2d(TransferToHost2d c) throws GpuException {
        Resource r = resources.get(c.resourceId(), "TRANSFER_TO_HOST_2D");
        if (r.kind().isBlob()) {
            ok(c); // QEMU: a successful no-op on blobs (the host reads blob memory directly)
            return;
        }
        if (r.texelBytes() != 4) {
            throw GpuException.invalidParameter("TRANSFER_TO_HOST_2D: " + r + " is not a 32 bpp image");
        }
        Backing b = r.backing();
        if (b == null) {
            throw new GpuException(GpuError.UNSPEC, "TRANSFER_TO_HOST_2D: " + r + " has no backing");
        }
        Rect rect = c.r();
        checkRect("TRANSFER_TO_HOST_2D", rect, r);
        if (rect.width() == 0 || rect.height() == 0) {
            ok(c);
            return;
        }
        long stride = r.hostStride();
        long rowBytes = Checked.u32(rect.width()) * 4;
        // source row h starts at offset + h * stride (QEMU); check the whole range before copying a byte
        long last = Checked.add("offset", c.offset(), "(height-1)*stride", (Checked.u32(rect.height()) - 1) * stride);
        Checked.inside("TRANSFER_TO_HOST_2D source", last, rowBytes, "backing length", b.length());
        MemorySegment host = r.host();
        long dst = Checked.u32(rect.y()) * stride + Checked.u32(rect.x()) * 4;
        if (rect.x() == 0 && rect.width() == r.width()) {
            b.read(c.offset(), host, dst, stride * rect.height()); // one contiguous copy
        } else {
            for (int h = 0; h < rect.height(); h++) {
                b.read(c.offset() + h * stride, host, dst + h * stride, rowBytes);
            }
        }
        ok(c);
    }

    private Backing backingOf(List<MemEntry> entries, String command) throws GpuException {
        MemorySegment[] parts = new MemorySegment[entries.size()];
        for (int i = 0; i < parts.length; i++) {
            MemEntry e = entries.get(i);
            try {
                parts[i] = guest.slice(e.addr(), e.unsignedLength());
            } catch (GpuException ex) {
                throw new GpuException(GpuError.UNSPEC, command + ": mem entry " + i + " (0x" + Long.toHexString(e.addr())
                        + "+" + e.unsignedLength() + ") is not in guest memory: " + ex.getMessage());
            }
        }
        return new Backing(parts);
    }

    private void attachBacking(ResourceAttachBacking c) throws GpuException {
        Resource r = resources.get(c.resourceId(), "RESOURCE_ATTACH_BACKING");
        if (r.kind() == Resource.Kind.BLOB_HOST3D) {
            throw GpuException.invalidParameter("RESOURCE_ATTACH_BACKING: " + r + " is host-only");
        }
        if (r.backing() != null) {
            throw new GpuException(GpuError.UNSPEC, "RESOURCE_ATTACH_BACKING: " + r + " already has a backing");
        }
        if (c.entries().isEmpty()) {
            throw GpuException.invalidParameter("RESOURCE_ATTACH_BACKING: nr_entries is 0");
        }
        Backing b = backingOf(c.entries(), "RESOURCE_ATTACH_BACKING");
        if (r.kind().isBlob() && b.length() < r.size()) {
            throw GpuException.invalidParameter("RESOURCE_ATTACH_BACKING: " + b.length() + " bytes of pages for "
                    + r + " of " + r.size() + " bytes");
        }
        r.attachBacking(b);
        scanouts.backingBack(r);
        ok(c);
    }

    private void detachBacking(ResourceDetachBacking c) throws GpuException {
        Resource r = resources.get(c.resourceId(), "RESOURCE_DETACH_BACKING");
        if (r.backing() == null) {
            throw new GpuException(GpuError.UNSPEC, "RESOURCE_DETACH_BACKING: " + r + " has no backing");
        }
        synchronized (scanouts.lock()) {
            scanouts.backingGone(r); // a guest blob on a scanout keeps its last image, read no more
            r.dropBacking(); // waits for a context's copy in flight
        }
        ok(c);
    }

    // ---- capsets

    private void getCapsetInfo(GetCapsetInfo c) throws GpuException {
        List<CapsetRegistry.Entry> entries = device.registry().entries();
        if (Integer.compareUnsigned(c.capsetIndex(), entries.size()) >= 0) {
            throw GpuException.invalidParameter("GET_CAPSET_INFO: index " + Integer.toUnsignedString(c.capsetIndex())
                    + " >= num_capsets " + entries.size());
        }
        var cap = entries.get(c.capsetIndex()).capset();
        out.begin(VIRTIO_GPU_RESP_OK_CAPSET_INFO, c.hdr(), RESP_CAPSET_INFO_SIZE - CTRL_HDR_SIZE)
                .u32(24, cap.id()).u32(28, cap.maxVersion()).u32(32, cap.size());
    }

    private void getCapset(GetCapset c) throws GpuException {
        CapsetRegistry.Entry e = device.registry().byId(c.capsetId()).orElseThrow(() -> GpuException.invalidParameter(
                "GET_CAPSET: capset " + Integer.toUnsignedString(c.capsetId()) + " is not served"));
        var cap = e.capset();
        if (Integer.compareUnsigned(c.capsetVersion(), cap.maxVersion()) > 0) {
            throw GpuException.invalidParameter("GET_CAPSET: capset " + cap.id() + " version "
                    + Integer.toUnsignedString(c.capsetVersion()) + " > max " + cap.maxVersion());
        }
        byte[] payload = cap.payload(c.capsetVersion(), device.hostInfo());
        if (payload.length != cap.size()) {
            throw new GpuException(GpuError.UNSPEC, "GET_CAPSET: capset " + cap.id() + " from " + e.provider().bundle()
                    + " built " + payload.length + " bytes, declared " + cap.size());
        }
        out.begin(VIRTIO_GPU_RESP_OK_CAPSET, c.hdr(), payload.length).bytes(24, payload);
    }

    // ---- uuid, blobs

    private void assignUuid(ResourceAssignUuid c) throws GpuException {
        require(DeviceInfo.F_RESOURCE_UUID, GpuError.INVALID_PARAMETER, "RESOURCE_ASSIGN_UUID");
        Resource r = resources.get(c.resourceId(), "RESOURCE_ASSIGN_UUID");
        UUID u = r.assignUuid();
        byte[] b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
        out.begin(VIRTIO_GPU_RESP_OK_RESOURCE_UUID, c.hdr(), 16).bytes(24, b);
    }

    private void createBlob(ResourceCreateBlob c) throws GpuException {
        require(DeviceInfo.F_RESOURCE_BLOB, GpuError.INVALID_PARAMETER, "RESOURCE_CREATE_BLOB");
        resources.checkNew(c.resourceId(), "RESOURCE_CREATE_BLOB");
        if ((c.blobFlags() & ~BLOB_FLAGS_KNOWN) != 0) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_BLOB: unknown blob_flags 0x" + Integer.toHexString(c.blobFlags()));
        }
        if ((c.blobFlags() & VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE) != 0 && !negotiated(DeviceInfo.F_RESOURCE_UUID)) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_BLOB: USE_CROSS_DEVICE needs VIRTIO_GPU_F_RESOURCE_UUID");
        }
        if (c.size() <= 0) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_BLOB: size " + Long.toUnsignedString(c.size()));
        }
        if (negotiated(DeviceInfo.F_BLOB_ALIGNMENT)) {
            long a = device.blobAlignment();
            if (c.size() % a != 0) {
                throw GpuException.invalidParameter("RESOURCE_CREATE_BLOB: size " + c.size()
                        + " breaks the rule 'blob size is a multiple of blob_alignment " + a + "' (VIRTIO_GPU_F_BLOB_ALIGNMENT)");
            }
        }
        switch (c.blobMem()) {
            case VIRTIO_GPU_BLOB_MEM_GUEST -> createGuestBlob(c);
            case VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST -> createHostBlob(c);
            default -> throw GpuException.invalidParameter("RESOURCE_CREATE_BLOB: blob_mem " + Integer.toUnsignedString(c.blobMem()));
        }
        ok(c);
    }

    private void createGuestBlob(ResourceCreateBlob c) throws GpuException {
        if (c.blobId() != 0) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_BLOB: blob_id " + c.blobId() + " for a GUEST blob (must be 0)");
        }
        Backing b = c.entries().isEmpty() ? null : backingOf(c.entries(), "RESOURCE_CREATE_BLOB");
        if (b != null && b.length() < c.size()) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_BLOB: " + b.length() + " bytes of pages for a blob of "
                    + c.size() + " bytes");
        }
        admitResource(0, "RESOURCE_CREATE_BLOB");
        resources.put(Resource.guestBlob(c.resourceId(), c.blobFlags(), c.size(), b));
    }

    private void createHostBlob(ResourceCreateBlob c) throws GpuException {
        require(DeviceInfo.F_VIRGL, GpuError.INVALID_PARAMETER, "RESOURCE_CREATE_BLOB of host memory");
        boolean withGuest = c.blobMem() == VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST;
        if (!withGuest && !c.entries().isEmpty()) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_BLOB: HOST3D blob with " + c.entries().size() + " mem entries");
        }
        Backing b = c.entries().isEmpty() ? null : backingOf(c.entries(), "RESOURCE_CREATE_BLOB");
        checkResourceCount("RESOURCE_CREATE_BLOB"); // bytes are charged by the allocation itself
        SharedMemory mem;
        if (c.blobId() == 0) {
            // plain shared memory owned by the core; the context (if any) is not involved
            mem = allocate("blob-" + c.resourceId(), c.size());
        } else {
            ContextSlot slot = liveContext(c.hdr().ctxId(), "RESOURCE_CREATE_BLOB");
            BlobRequest req = new BlobRequest(c.resourceId(), c.blobMem(), c.blobFlags(), c.blobId(), c.size());
            mem = slot.call("RESOURCE_CREATE_BLOB", ctx -> ctx.createBlob(req));
            if (mem == null || mem.size() < c.size()) {
                if (mem != null) {
                    mem.release();
                }
                throw new GpuException(GpuError.UNSPEC, "RESOURCE_CREATE_BLOB: context " + slot.ctxId + " returned "
                        + (mem == null ? "no memory" : mem.size() + " bytes") + " for a blob of " + c.size());
            }
        }
        Resource.Kind kind = withGuest ? Resource.Kind.BLOB_HOST3D_GUEST : Resource.Kind.BLOB_HOST3D;
        resources.put(Resource.hostBlob(c.resourceId(), kind, c.blobFlags(), c.size(), mem, b));
    }

    private void setScanoutBlob(SetScanoutBlob c) throws GpuException {
        require(DeviceInfo.F_RESOURCE_BLOB, GpuError.INVALID_PARAMETER, "SET_SCANOUT_BLOB");
        if (disabledScanout(c, c.scanoutId(), c.resourceId(), "SET_SCANOUT_BLOB")) {
            return;
        }
        Resource r = resources.get(c.resourceId(), "SET_SCANOUT_BLOB");
        if (!r.kind().isBlob()) {
            throw GpuException.invalidParameter("SET_SCANOUT_BLOB: " + r + " is not a blob");
        }
        if (!PixelFormat.isKnown(c.format())) {
            throw GpuException.invalidParameter("SET_SCANOUT_BLOB: unknown format " + Integer.toUnsignedString(c.format()));
        }
        long w = Checked.u32(c.width());
        long h = Checked.u32(c.height());
        if (w < 16 || h < 16 || w > Edid.MAX_ACTIVE * 4L || h > Edid.MAX_ACTIVE * 4L) {
            throw GpuException.invalidParameter("SET_SCANOUT_BLOB: framebuffer " + w + "x" + h + " outside 16..16380");
        }
        Checked.inside("SET_SCANOUT_BLOB rect x", Checked.u32(c.r().x()), Checked.u32(c.r().width()), "width", w);
        Checked.inside("SET_SCANOUT_BLOB rect y", Checked.u32(c.r().y()), Checked.u32(c.r().height()), "height", h);
        long stride = Checked.u32(c.stride0());
        if (stride < w * 4) {
            throw GpuException.invalidParameter("SET_SCANOUT_BLOB: stride " + stride + " < width * 4 = " + w * 4);
        }
        long end = Checked.add("offsets[0]", Checked.u32(c.offset0()), "stride*(height-1)+width*4", stride * (h - 1) + w * 4);
        Checked.inside("SET_SCANOUT_BLOB framebuffer", 0, end, "blob size", r.size());
        if (r.shm() == null && r.backing() == null) {
            throw new GpuException(GpuError.UNSPEC, "SET_SCANOUT_BLOB: " + r + " has no pages");
        }
        if (r.kind() == Resource.Kind.BLOB_GUEST) {
            // the scanout keeps a host copy of a guest blob's image (see Scanouts): it counts like any host bytes
            charge(Scanouts.shadowBytes(c.width(), c.height()), "SET_SCANOUT_BLOB shadow image");
        }
        synchronized (scanouts.lock()) {
            scanouts.showBlob(c.scanoutId(), r, c.r(), c.width(), c.height(), c.format(), stride, Checked.u32(c.offset0()));
        }
        ok(c);
    }

    private void mapBlob(ResourceMapBlob c) throws GpuException {
        require(DeviceInfo.F_RESOURCE_BLOB, GpuError.INVALID_PARAMETER, "RESOURCE_MAP_BLOB");
        if (region == null) {
            throw new GpuException(GpuError.UNSPEC, "RESOURCE_MAP_BLOB: this device has no host-visible region");
        }
        Resource r = resources.get(c.resourceId(), "RESOURCE_MAP_BLOB");
        if (!r.kind().isBlob() || r.shm() == null) {
            throw GpuException.invalidParameter("RESOURCE_MAP_BLOB: " + r + " has no host memory");
        }
        if ((r.blobFlags() & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE) == 0) {
            throw GpuException.invalidParameter("RESOURCE_MAP_BLOB: " + r + " was not created USE_MAPPABLE");
        }
        if (r.mapping() != null) {
            throw GpuException.invalidParameter("RESOURCE_MAP_BLOB: " + r + " is already mapped at 0x"
                    + Long.toHexString(r.mapping().offset()));
        }
        long align = negotiated(DeviceInfo.F_BLOB_ALIGNMENT) ? device.blobAlignment() : pageSize;
        if (c.offset() % align != 0) {
            throw GpuException.invalidParameter("RESOURCE_MAP_BLOB: offset 0x" + Long.toHexString(c.offset())
                    + " breaks the rule 'map offset is a multiple of " + (negotiated(DeviceInfo.F_BLOB_ALIGNMENT)
                    ? "blob_alignment " : "the host page size ") + align + "'");
        }
        long length = pages.roundUpToPage(r.size());
        r.mapping(region.map(r.id(), c.offset(), length, r.shm()));
        // memfd pages are ordinary cacheable host memory
        out.begin(VIRTIO_GPU_RESP_OK_MAP_INFO, c.hdr(), RESP_MAP_INFO_SIZE - CTRL_HDR_SIZE)
                .u32(24, VIRTIO_GPU_MAP_CACHE_CACHED);
    }

    private void unmapBlob(ResourceUnmapBlob c) throws GpuException {
        require(DeviceInfo.F_RESOURCE_BLOB, GpuError.INVALID_PARAMETER, "RESOURCE_UNMAP_BLOB");
        Resource r = resources.get(c.resourceId(), "RESOURCE_UNMAP_BLOB");
        if (r.mapping() == null) {
            throw GpuException.invalidParameter("RESOURCE_UNMAP_BLOB: " + r + " is not mapped");
        }
        region.unmap(r.mapping());
        r.mapping(null);
        ok(c);
    }

    // ---- contexts

    private ContextSlot context(int ctxId, String command) throws GpuException {
        ContextSlot s = ctxId == 0 ? null : contexts.get(ctxId);
        if (s == null) {
            throw new GpuException(GpuError.INVALID_CONTEXT_ID, command + ": no context " + Integer.toUnsignedString(ctxId));
        }
        return s;
    }

    private ContextSlot liveContext(int ctxId, String command) throws GpuException {
        ContextSlot s = context(ctxId, command);
        s.checkNotLost(command);
        return s;
    }

    /**
     * Which context type serves a CTX_CREATE: the capset in context_init's low byte; for context_init 0 (old
     * guests, virgl's default) capset VIRGL2 (2), else VIRGL (1), else the lowest capset id served.
     */
    private CapsetRegistry.Entry pickCapset(int contextInit) throws GpuException {
        CapsetRegistry reg = device.registry();
        int capset = contextInit & VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK;
        if (capset != 0) {
            return reg.byId(capset).orElseThrow(() -> GpuException.invalidParameter("CTX_CREATE: capset " + capset
                    + " is not served"));
        }
        var e = reg.byId(2).or(() -> reg.byId(1));
        if (e.isPresent()) {
            return e.get();
        }
        List<CapsetRegistry.Entry> all = reg.entries();
        if (all.isEmpty()) {
            throw new GpuException(GpuError.UNSPEC, "CTX_CREATE: no context type is loaded");
        }
        return all.getFirst();
    }

    private void ctxCreate(CtxCreate c) throws GpuException {
        require(DeviceInfo.F_VIRGL, GpuError.UNSPEC, "CTX_CREATE");
        int id = c.hdr().ctxId();
        if (id == 0) {
            throw new GpuException(GpuError.INVALID_CONTEXT_ID, "CTX_CREATE: ctx_id 0");
        }
        if (contexts.containsKey(id)) {
            throw new GpuException(GpuError.INVALID_CONTEXT_ID, "CTX_CREATE: context " + Integer.toUnsignedString(id)
                    + " already exists");
        }
        if (c.contextInit() != 0 && !negotiated(DeviceInfo.F_CONTEXT_INIT)) {
            throw new GpuException(GpuError.UNSPEC, "CTX_CREATE: context_init 0x" + Integer.toHexString(c.contextInit())
                    + " without VIRTIO_GPU_F_CONTEXT_INIT");
        }
        if ((c.contextInit() & ~VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK) != 0) {
            throw GpuException.invalidParameter("CTX_CREATE: context_init 0x" + Integer.toHexString(c.contextInit())
                    + " has bits above the capset id");
        }
        if (contexts.size() >= limits.maxContexts()) {
            throw GpuException.outOfMemory("CTX_CREATE: the session already has " + contexts.size()
                    + " contexts (limit " + limits.maxContexts() + ")");
        }
        CapsetRegistry.Entry e = pickCapset(c.contextInit());
        ContextType type = e.provider().type();
        ContextSlot slot = new ContextSlot(id, e.capset().id(), type);
        GpuContext ctx = type.createContext(new ContextSpec(id, e.capset().id(), c.debugName(), slot.fences),
                new Services(slot));
        if (ctx == null) {
            throw new GpuException(GpuError.UNSPEC, "CTX_CREATE: context type " + type.name() + " returned no context");
        }
        slot.context = ctx;
        contexts.put(id, slot);
        // the type may have gone away while createContext ran on this thread
        if (!device.registry().providers().stream().anyMatch(p -> p.type() == type)) {
            loseIfOf(slot, type);
        }
        ok(c);
    }

    private void ctxDestroy(CtxDestroy c) throws GpuException {
        ContextSlot s = context(c.hdr().ctxId(), "CTX_DESTROY");
        contexts.remove(s.ctxId);
        s.attached.clear();
        try {
            s.destroy(false);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "context " + s.ctxId + " failed to destroy", e);
        }
        ok(c);
    }

    private void ctxAttach(CtxAttachResource c) throws GpuException {
        ContextSlot s = liveContext(c.hdr().ctxId(), "CTX_ATTACH_RESOURCE");
        Resource r = resources.get(c.resourceId(), "CTX_ATTACH_RESOURCE");
        if (s.attached.add(r.id())) {
            boolean done = false;
            try {
                s.call("CTX_ATTACH_RESOURCE", ctx -> {
                    ctx.attachResource(r); // may look the resource up through its DeviceServices already
                    return null;
                });
                done = true;
            } finally {
                if (!done) {
                    s.attached.remove(r.id());
                }
            }
        }
        ok(c);
    }

    private void ctxDetach(CtxDetachResource c) throws GpuException {
        ContextSlot s = context(c.hdr().ctxId(), "CTX_DETACH_RESOURCE");
        resources.get(c.resourceId(), "CTX_DETACH_RESOURCE");
        if (s.attached.remove(c.resourceId())) {
            detachFromContext(s, c.resourceId());
        }
        ok(c);
    }

    private void submit3d(Submit3d c) throws GpuException {
        require(DeviceInfo.F_VIRGL, GpuError.UNSPEC, "SUBMIT_3D");
        ContextSlot s = liveContext(c.hdr().ctxId(), "SUBMIT_3D");
        int ring = c.hdr().infoRingIdx() ? c.hdr().ringIdx() : 0;
        if (ring >= VIRTIO_GPU_MAX_RINGS) {
            throw GpuException.invalidParameter("SUBMIT_3D: ring_idx " + ring + " >= " + VIRTIO_GPU_MAX_RINGS);
        }
        s.call("SUBMIT_3D", ctx -> {
            ctx.submit(c.commands(), ring);
            return null;
        });
        ok(c);
    }

    // ---- 3D resources

    private void createResource3d(ResourceCreate3d c) throws GpuException {
        require(DeviceInfo.F_VIRGL, GpuError.UNSPEC, "RESOURCE_CREATE_3D");
        resources.checkNew(c.resourceId(), "RESOURCE_CREATE_3D");
        if (Integer.compareUnsigned(c.target(), PIPE_MAX_TEXTURE_TYPES) >= 0) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_3D: target " + Integer.toUnsignedString(c.target()));
        }
        if (c.width() <= 0 || c.height() <= 0 || c.depth() <= 0 || c.arraySize() <= 0) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_3D: size " + Integer.toUnsignedString(c.width()) + "x"
                    + Integer.toUnsignedString(c.height()) + "x" + Integer.toUnsignedString(c.depth()) + " array "
                    + Integer.toUnsignedString(c.arraySize()));
        }
        if (Integer.compareUnsigned(c.lastLevel(), 31) > 0) {
            throw GpuException.invalidParameter("RESOURCE_CREATE_3D: last_level " + Integer.toUnsignedString(c.lastLevel()));
        }
        // NOTE: the core keeps level 0 only, linear, 1 byte per texel for buffers and 4 otherwise: contexts that
        // render keep their own images; this storage exists so TRANSFER_*_3D round-trips through the backing.
        int texel = c.target() == PIPE_BUFFER ? 1 : 4;
        long size = Checked.mul("width*texel", Checked.u32(c.width()) * texel, "height", c.height());
        size = Checked.mul("row*height", size, "depth", c.depth());
        size = Checked.mul("image", size, "array_size", c.arraySize());
        checkResourceCount("RESOURCE_CREATE_3D");
        SharedMemory storage = allocate("res3d-" + c.resourceId(), size); // charged until its last release
        resources.put(Resource.create3d(c.resourceId(), c.format(), c.width(), c.height(), c.depth(), c.arraySize(),
                c.lastLevel(), texel, size, storage));
        ok(c);
    }

    /**
     * TRANSFER_TO_HOST_3D / TRANSFER_FROM_HOST_3D between the backing (guest layout: stride, layer_stride, 0 = tightly
     * packed) and the host storage of level 0.
     */
    private void transfer3d(CtrlHdr h, Box box, long offset, int resourceId, int level, int stride, int layerStride,
                            boolean toHost) throws GpuException {
        String cmd = toHost ? "TRANSFER_TO_HOST_3D" : "TRANSFER_FROM_HOST_3D";
        require(DeviceInfo.F_VIRGL, GpuError.UNSPEC, cmd);
        Resource r = resources.get(resourceId, cmd);
        if (r.kind().isBlob()) {
            throw new GpuException(GpuError.UNSPEC, cmd + ": " + r + " is a blob; its owning context syncs blob memory");
        }
        if (Integer.compareUnsigned(level, r.lastLevel()) > 0) {
            throw GpuException.invalidParameter(cmd + ": level " + Integer.toUnsignedString(level) + " > last_level " + r.lastLevel());
        }
        if (level != 0) {
            throw new GpuException(GpuError.UNSPEC, cmd + ": the core keeps host storage for level 0 only");
        }
        Backing b = r.backing();
        if (b == null) {
            throw new GpuException(GpuError.UNSPEC, cmd + ": " + r + " has no backing");
        }
        long tb = r.texelBytes();
        Checked.inside(cmd, "box x", Checked.u32(box.x()), Checked.u32(box.w()), "width", r.width());
        Checked.inside(cmd, "box y", Checked.u32(box.y()), Checked.u32(box.h()), "height", r.height());
        Checked.inside(cmd, "box z", Checked.u32(box.z()), Checked.u32(box.d()), "depth*layers",
                (long) r.depth() * r.layers());
        if (box.w() == 0 || box.h() == 0 || box.d() == 0) {
            out.begin(VIRTIO_GPU_RESP_OK_NODATA, h, 0);
            return;
        }
        long row = Checked.u32(box.w()) * tb;
        long gStride = stride == 0 ? row : Checked.u32(stride);
        if (gStride < row) {
            throw GpuException.invalidParameter(cmd + ": stride " + gStride + " < box width in bytes " + row);
        }
        long gLayer = layerStride == 0 ? gStride * Checked.u32(box.h()) : Checked.u32(layerStride);
        if (gLayer < gStride * (Checked.u32(box.h()) - 1) + row) {
            throw GpuException.invalidParameter(cmd + ": layer_stride " + gLayer + " smaller than one layer of the box");
        }
        long lastLayer = Checked.mul("layer_stride", gLayer, "d-1", Checked.u32(box.d()) - 1);
        long lastRow = Checked.mul("stride", gStride, "h-1", Checked.u32(box.h()) - 1);
        long start = Checked.add("offset", offset, "(d-1)*layer_stride", lastLayer);
        start = Checked.add("offset+(d-1)*layer_stride", start, "(h-1)*stride", lastRow);
        Checked.inside(cmd, "guest range", start, row, "backing length", b.length());
        long hStride = r.hostStride();
        long hLayer = hStride * r.height();
        MemorySegment host = r.host();
        for (long z = 0; z < Checked.u32(box.d()); z++) {
            for (long y = 0; y < Checked.u32(box.h()); y++) {
                long g = offset + z * gLayer + y * gStride;
                long hh = (Checked.u32(box.z()) + z) * hLayer + (Checked.u32(box.y()) + y) * hStride + Checked.u32(box.x()) * tb;
                if (toHost) {
                    b.read(g, host, hh, row);
                } else {
                    b.write(g, host, hh, row);
                }
            }
        }
        out.begin(VIRTIO_GPU_RESP_OK_NODATA, h, 0);
    }

    // ---- cursor

    private void updateCursor(UpdateCursor c) throws GpuException {
        scanouts.checkId(c.scanoutId(), "UPDATE_CURSOR");
        if (c.resourceId() == 0) {
            scanouts.updateCursor(c.scanoutId(), c.x(), c.y(), null, c.hotX(), c.hotY());
            return;
        }
        Resource r = resources.get(c.resourceId(), "UPDATE_CURSOR");
        if (r.host() == null || r.texelBytes() != 4) {
            throw GpuException.invalidParameter("UPDATE_CURSOR: " + r + " is not a 32 bpp image");
        }
        scanouts.updateCursor(c.scanoutId(), c.x(), c.y(), r, c.hotX(), c.hotY());
    }

    private void moveCursor(MoveCursor c) throws GpuException {
        scanouts.checkId(c.scanoutId(), "MOVE_CURSOR");
        scanouts.moveCursor(c.scanoutId(), c.x(), c.y());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // shared memory, hot swap, snapshots, close

    /** Core-owned shared memory, counted against the session's byte limit until its last release. */
    SharedMemory allocate(String what, long size) throws GpuException {
        if (size <= 0) {
            throw GpuException.invalidParameter("shared memory of " + size + " bytes");
        }
        long rounded;
        try {
            rounded = pages.roundUpToPage(size);
        } catch (ArithmeticException e) {
            throw GpuException.invalidParameter("shared memory of " + Long.toUnsignedString(size) + " bytes");
        }
        charge(rounded, "allocate " + what);
        try {
            return MemfdMemory.allocate(name + ":" + what, rounded, () -> bytes.addAndGet(-rounded));
        } catch (NativeException e) {
            bytes.addAndGet(-rounded);
            throw GpuException.outOfMemory("allocate " + what + " (" + rounded + " bytes): " + e.getMessage());
        }
    }

    /** The context type went away: its contexts here become lost (destroyed, fences completed, kept as lost). */
    void contextTypeGone(ContextType type) {
        for (ContextSlot s : contexts.values()) {
            loseIfOf(s, type);
        }
    }

    private void loseIfOf(ContextSlot s, ContextType type) {
        if (s.type != type) {
            return;
        }
        try {
            if (s.destroy(true)) {
                log.log(Level.WARNING, "context " + s.ctxId + " lost: its context type went away");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "context " + s.ctxId + " failed to destroy while its type went away", e);
        }
    }

    SessionSnapshot snapshot() {
        List<ContextRow> cs = new ArrayList<>();
        for (ContextSlot s : contexts.values()) {
            cs.add(new ContextRow(s.ctxId, s.capsetId, s.typeName, s.lost));
        }
        cs.sort(java.util.Comparator.comparingInt(ContextRow::ctxId));
        List<ResourceRow> rs = new ArrayList<>();
        for (Resource r : resources.all()) {
            String kind = switch (r.kind()) {
                case TWO_D -> "2d";
                case THREE_D -> "3d";
                case BLOB_GUEST -> "blob-guest";
                case BLOB_HOST3D -> "blob-host3d";
                case BLOB_HOST3D_GUEST -> "blob-host3d-guest";
            };
            rs.add(new ResourceRow(r.id(), kind, r.size(), r.width(), r.height(), r.mapping() != null));
        }
        rs.sort(java.util.Comparator.comparingInt(ResourceRow::id));
        return new SessionSnapshot(name, cs, rs);
    }

    /** Host bytes this session holds (2D/3D storage plus shared memory not yet released). */
    public long bytesInUse() {
        return bytes.get();
    }

    public Limits limits() {
        return limits;
    }

    /** The host-visible region, if the device has one (for transports that forward it). */
    public Optional<HostVisibleRegion> hostVisibleRegion() {
        return Optional.ofNullable(region);
    }

    @Override
    public Optional<SharedMemory> blobMemory(int resourceId) {
        Resource r = resources.find(resourceId);
        if (r == null || !r.kind().isBlob() || r.shm() == null || (r.blobFlags() & BLOB_FLAGS_KNOWN) == 0) {
            return Optional.empty(); // only blobs created mappable, shareable or cross-device may leave the device
        }
        return Optional.of(r.shm());
    }

    @Override
    public Optional<byte[]> snapshotPng(int scanoutId) {
        return scanouts.png(scanoutId);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ContextSlot s : contexts.values()) {
            try {
                s.destroy(false);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "context " + s.ctxId + " failed to destroy", e);
            }
            s.attached.clear();
        }
        contexts.clear();
        for (Resource r : List.copyOf(resources.all())) {
            release(r);
        }
        synchronized (scanouts.lock()) {
            for (int i = 0; i < scanouts.count(); i++) {
                scanouts.disable(i);
            }
        }
        if (region != null) {
            region.close();
        }
        // a closed session's memory is back with the kernel (and its fds closed) when close returns
        MemfdMemory.awaitReclaimed(RECLAIM_WAIT_MILLIS);
        global.flush();
        device.sessionClosed(this);
    }

    /** What a context may use of the core: one per context, so {@link #resource} sees only its attachments. */
    private final class Services implements DeviceServices {
        private final ContextSlot slot;

        Services(ContextSlot slot) {
            this.slot = slot;
        }

        @Override
        public HostInfo host() {
            return device.hostInfo();
        }

        @Override
        public SharedMemory allocate(String what, long size) throws GpuException {
            return DeviceSession.this.allocate("ctx" + slot.ctxId + ":" + what, size);
        }

        @Override
        public Optional<ResourceView> resource(int resourceId) {
            if (!slot.attached.contains(resourceId)) {
                return Optional.empty();
            }
            return Optional.ofNullable(resources.find(resourceId));
        }
    }
}
