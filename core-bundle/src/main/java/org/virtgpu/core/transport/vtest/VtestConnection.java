package org.virtgpu.core.transport.vtest;

import static org.virtgpu.core.transport.vtest.VtestProtocol.*;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.virtgpu.api.CapsetInfo;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.Limits;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.core.device.RateLimitedLog;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.UnixSockets;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;

/**
 * One vtest client: reads its messages in order on its own platform thread, turns each into virtio-gpu control
 * requests on its own {@link GpuSession} (one context, id {@link #CTX_ID}), and writes the replies.
 * <p>
 * Any protocol violation or failed command ends this client (as in virglrenderer's server) with one log line;
 * whatever way it ends, {@link #run} frees the session (resources, contexts, mappings, pending fences), the
 * vtest shm, every sync eventfd and the socket.
 */
final class VtestConnection implements Runnable {
    private static final System.Logger LOG = System.getLogger(VtestConnection.class.getName());
    /** The single virtio-gpu context of a vtest client. */
    static final int CTX_ID = 1;
    /** CREATE_RENDERER carries the process name; virglrenderer allows 1 MiB, a name needs far less. */
    private static final int MAX_NAME_BYTES = 4096;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

    /** What the transport remembers of a resource; the device model owns the resource itself. */
    private static final class Res {
        long shmAddress;     // vtest shm backing (RESOURCE_CREATE2 data or GUEST blob), 0 if none
        long shmSize;
        long stagingAddress; // backing used for inline TRANSFER_GET/PUT data, 0 if none
        MemorySegment staging;
    }

    private final int number;
    private final int socket;
    private final VirtGpuDevice device;
    private final VtestConfig config;
    private final VtestObserver observer;
    private final Runnable onEnd;
    private final RateLimitedLog endLog;
    private final RateLimitedLog submitLog; // failed fenced submits: a client can make many
    private final Arena arena = Arena.ofShared();
    private final MemorySegment header = arena.allocate(VTEST_HDR_SIZE, 8);
    private final MemorySegment fdByte = arena.allocate(1);
    private MemorySegment out = arena.allocate(256, 8);
    private Arena inArena; // created and closed on the connection thread
    private MemorySegment in;
    private final ShmSpace shm;
    private final SyncTable syncs;
    private final Map<Integer, Res> resources = new HashMap<>();
    private final Object implicitLock = new Object();

    private volatile boolean closing;
    private String name = "";
    private int protocolVersion;
    private int capsetId;
    private boolean contextReady;
    private int nextResId = 1;
    private long nextFenceId = 1;
    private long implicitSubmitted;
    private long implicitCompleted; // guarded by implicitLock
    private GpuSession session;
    private ControlChannel ctrl;

    VtestConnection(int number, int socket, VirtGpuDevice device, VtestConfig config, VtestObserver observer,
                    RateLimitedLog endLog, Runnable onEnd) {
        this.endLog = endLog;
        this.submitLog = new RateLimitedLog("vtest client " + number + ": ", 5);
        this.number = number;
        this.socket = socket;
        this.device = device;
        this.config = config;
        this.observer = observer;
        this.onEnd = onEnd;
        this.shm = new ShmSpace(config.maxBytes());
        this.syncs = new SyncTable(config.maxSyncs(), config.maxPendingWaits());
    }

    int number() {
        return number;
    }

    /** Wakes the connection thread (from another thread): its next read fails and it cleans up. */
    void shutdown() {
        closing = true;
        UnixSockets.shutdown(socket);
        synchronized (implicitLock) {
            implicitLock.notifyAll();
        }
    }

    @Override
    public void run() {
        String reason = "disconnected";
        try {
            while (!closing && readMessage()) {
                syncs.closeRetired();
            }
            if (closing) {
                reason = "server stopping";
            }
        } catch (ClientError e) {
            reason = e.getMessage();
            // clients may connect and misbehave in a loop: these lines are rate limited server-wide
            endLog.log(Level.WARNING, "client " + number + " (" + name + ") dropped: " + reason);
        } catch (RuntimeException | Error e) {
            reason = "internal error: " + e;
            LOG.log(Level.ERROR, "vtest client " + number + " (" + name + ") dropped on an internal error", e);
        } finally {
            cleanup();
            observer.observed(number, "END", reason);
            endLog.log(Level.INFO, "client " + number + " (" + name + ") ended: " + reason);
            onEnd.run();
        }
    }

    /** Frees everything; each step runs even if an earlier one failed, the socket is closed last. */
    private void cleanup() {
        try {
            step("closing its session", () -> {
                if (session != null) {
                    session.close(); // frees resources and contexts, completes pending fences
                }
            });
            step("closing its control channel", () -> {
                if (ctrl != null) {
                    ctrl.close();
                }
            });
            step("closing its sync waits", syncs::closeAll);
            step("unmapping its shm", shm::clear);
            step("freeing its buffers", () -> {
                resources.clear();
                if (inArena != null) {
                    inArena.close();
                }
                arena.close();
            });
        } finally {
            Fds.closeQuietly(socket);
        }
    }

    private void step(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "vtest client " + number + ": " + what + " failed", e);
        }
    }

    // ---- framing -----------------------------------------------------------------------------------------

    /** Reads and handles one message; false when the client closed the connection between messages. */
    private boolean readMessage() throws ClientError {
        if (!readFully(header, true)) {
            return false;
        }
        int length = header.get(U32, 0);
        int id = header.get(U32, 4);
        if (session == null) {
            if (id != VCMD_CREATE_RENDERER) {
                throw new ClientError("the first command must be CREATE_RENDERER, not " + VtestProtocol.name(id));
            }
            createRenderer(length);
            return true;
        }
        // judge the id before reading the payload: its length means nothing for an unknown command
        if (id == VCMD_CREATE_RENDERER) {
            throw new ClientError("CREATE_RENDERER sent twice");
        }
        if (id <= 0 || id > VCMD_SUBMIT_CMD2) {
            throw new ClientError("unknown command " + Integer.toUnsignedString(id));
        }
        long bytes = Integer.toUnsignedLong(length) * 4;
        if (bytes > config.maxMessageBytes()) {
            throw new ClientError(VtestProtocol.name(id) + " of " + bytes + " bytes is over the limit of "
                    + config.maxMessageBytes());
        }
        MemorySegment p = payload(bytes);
        readFully(p, false);
        dispatch(id, length, p);
        return true;
    }

    private MemorySegment payload(long bytes) {
        if (in == null || in.byteSize() < bytes) {
            if (inArena != null) {
                inArena.close();
            }
            inArena = Arena.ofConfined();
            in = inArena.allocate(Math.max(4096, Long.highestOneBit(Math.max(1, bytes - 1)) << 1), 8);
        }
        return in.asSlice(0, bytes);
    }

    /** Reads all of {@code buf}; false if the peer closed before its first byte and {@code eofOk}. */
    private boolean readFully(MemorySegment buf, boolean eofOk) throws ClientError {
        long off = 0;
        long size = buf.byteSize();
        try {
            while (off < size) {
                long n = Fds.read(socket, buf.asSlice(off));
                if (n == 0) {
                    if (off == 0 && eofOk) {
                        return false;
                    }
                    throw new ClientError(closing ? "server stopping" : "connection closed in the middle of a message");
                }
                if (n < 0) {
                    throw new ClientError("socket unexpectedly non-blocking");
                }
                off += n;
            }
            return true;
        } catch (NativeException e) {
            if (closing) {
                throw new ClientError("server stopping");
            }
            throw new ClientError("read: " + e.getMessage());
        }
    }

    private void send(MemorySegment data) throws ClientError {
        try {
            UnixSockets.sendAll(socket, data);
        } catch (NativeException e) {
            throw new ClientError("write: " + e.getMessage());
        }
    }

    /** An fd is passed as its own 1-byte message (a zero byte) with one SCM_RIGHTS fd, after the reply. */
    private void sendFd(int fd) throws ClientError {
        try {
            UnixSockets.sendAll(socket, fdByte, fd);
        } catch (NativeException e) {
            throw new ClientError("sending an fd: " + e.getMessage());
        }
    }

    /** Writes [dwords, id] + the given dwords. */
    private void reply(int id, int... dwords) throws ClientError {
        MemorySegment o = out;
        o.set(U32, 0, dwords.length);
        o.set(U32, 4, id);
        for (int i = 0; i < dwords.length; i++) {
            o.set(U32, 8 + 4L * i, dwords[i]);
        }
        send(o.asSlice(0, 8 + 4L * dwords.length));
    }

    private static void expectLength(int id, int length, int dwords) throws ClientError {
        if (length != dwords) {
            throw new ClientError(VtestProtocol.name(id) + " carries " + Integer.toUnsignedString(length)
                    + " dwords, expected " + dwords);
        }
    }

    private void observe(String event, String detail) {
        observer.observed(number, event, detail);
    }

    /** Whether anyone sees {@link #observe} calls: the per-command detail strings are built only then. */
    private boolean observing() {
        return observer.listening();
    }

    // ---- commands ----------------------------------------------------------------------------------------

    private void createRenderer(int lengthBytes) throws ClientError {
        if (lengthBytes < 0 || lengthBytes > MAX_NAME_BYTES) {
            throw new ClientError("CREATE_RENDERER name of " + Integer.toUnsignedString(lengthBytes) + " bytes");
        }
        MemorySegment p = payload(lengthBytes);
        readFully(p, false);
        byte[] raw = p.toArray(ValueLayout.JAVA_BYTE);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        name = new String(raw, 0, end, StandardCharsets.UTF_8);
        DeviceInfo info = device.info();
        // vtest clients know nothing of VIRTIO_GPU_F_BLOB_ALIGNMENT: Mesa asks for blobs of any size
        // (131268 bytes for a ring) and maps them from offset 0, so the device must round, not refuse.
        long features = info.features() & ~(1L << DeviceInfo.F_BLOB_ALIGNMENT);
        SessionOptions options = SessionOptions.of("vtest:" + number + " " + name, shm, features)
                .withLimits(new Limits(config.maxResources(), config.maxBytes(), 4));
        try {
            session = device.openSession(options);
        } catch (GpuException e) {
            throw new ClientError("the device refused a session: " + e.getMessage());
        }
        ctrl = new ControlChannel(session);
        observe("CREATE_RENDERER", name);
    }

    private void dispatch(int id, int length, MemorySegment p) throws ClientError {
        switch (id) {
            case VCMD_PING_PROTOCOL_VERSION -> {
                expectLength(id, length, 0);
                observe("PING_PROTOCOL_VERSION", "");
                reply(VCMD_PING_PROTOCOL_VERSION);
            }
            case VCMD_PROTOCOL_VERSION -> protocolVersion(length, p);
            case VCMD_GET_PARAM -> getParam(length, p);
            case VCMD_GET_CAPSET -> getCapset(length, p);
            case VCMD_CONTEXT_INIT -> contextInit(length, p);
            case VCMD_GET_CAPS -> getCaps(id, length, CAPSET_VIRGL);
            case VCMD_GET_CAPS2 -> getCaps(id, length, CAPSET_VIRGL2);
            case VCMD_RESOURCE_BUSY_WAIT -> busyWait(length, p);
            case VCMD_RESOURCE_CREATE, VCMD_RESOURCE_CREATE2 -> createResource(id, length, p);
            case VCMD_RESOURCE_CREATE_BLOB -> createBlob(length, p);
            case VCMD_RESOURCE_UNREF -> unref(length, p);
            case VCMD_TRANSFER_GET, VCMD_TRANSFER_PUT -> transferInline(id, length, p);
            case VCMD_TRANSFER_GET2, VCMD_TRANSFER_PUT2 -> transferShm(id, length, p);
            case VCMD_SUBMIT_CMD -> submitCmd(p);
            case VCMD_SUBMIT_CMD2 -> submitCmd2(length, p);
            case VCMD_SYNC_CREATE -> {
                expectLength(id, length, VCMD_SYNC_CREATE_SIZE);
                ensureContext();
                int sync = syncs.create(u64(p, 0));
                if (observing()) {
                    observe("SYNC_CREATE", Integer.toString(sync));
                }
                reply(id, sync);
            }
            case VCMD_SYNC_UNREF -> {
                expectLength(id, length, VCMD_SYNC_UNREF_SIZE);
                ensureContext();
                syncs.unref(p.get(U32, 0));
            }
            case VCMD_SYNC_READ -> {
                expectLength(id, length, VCMD_SYNC_READ_SIZE);
                ensureContext();
                long v = syncs.read(p.get(U32, 0));
                reply(id, (int) v, (int) (v >>> 32));
            }
            case VCMD_SYNC_WRITE -> {
                expectLength(id, length, VCMD_SYNC_WRITE_SIZE);
                ensureContext();
                syncs.write(p.get(U32, 0), u64(p, 4));
            }
            case VCMD_SYNC_WAIT -> syncWait(length, p);
            default -> throw new ClientError("unknown command " + Integer.toUnsignedString(id));
        }
    }

    private static long u64(MemorySegment p, long off) {
        return Integer.toUnsignedLong(p.get(U32, off)) | ((long) p.get(U32, off + 4) << 32);
    }

    private void protocolVersion(int length, MemorySegment p) throws ClientError {
        expectLength(VCMD_PROTOCOL_VERSION, length, VCMD_PROTOCOL_VERSION_SIZE);
        int v = (int) Math.min(Integer.toUnsignedLong(p.get(U32, 0)), VTEST_PROTOCOL_VERSION);
        // version 1 was deprecated: virglrenderer answers a version-1 client with 0
        protocolVersion = v == 1 ? 0 : v;
        if (observing()) {
            observe("PROTOCOL_VERSION", Integer.toString(protocolVersion));
        }
        reply(VCMD_PROTOCOL_VERSION, protocolVersion);
    }

    private void getParam(int length, MemorySegment p) throws ClientError {
        expectLength(VCMD_GET_PARAM, length, VCMD_GET_PARAM_SIZE);
        int param = p.get(U32, 0);
        if (observing()) {
            observe("GET_PARAM", Integer.toUnsignedString(param));
        }
        if (param == VCMD_PARAM_MAX_TIMELINE_COUNT) {
            reply(VCMD_GET_PARAM, 1, VTEST_MAX_TIMELINE_COUNT);
        } else {
            reply(VCMD_GET_PARAM, 0, 0);
        }
    }

    private Optional<CapsetInfo> capset(int id) {
        return device.info().capsets().stream().filter(c -> c.id() == id).findFirst();
    }

    private void getCapset(int length, MemorySegment p) throws ClientError {
        expectLength(VCMD_GET_CAPSET, length, VCMD_GET_CAPSET_SIZE);
        int id = p.get(U32, 0);
        int version = p.get(U32, 4);
        if (observing()) {
            observe("GET_CAPSET", Integer.toUnsignedString(id) + " " + Integer.toUnsignedString(version));
        }
        Optional<CapsetInfo> info = capset(id);
        if (info.isEmpty() || Integer.compareUnsigned(version, info.get().maxVersion()) > 0) {
            reply(VCMD_GET_CAPSET, 0); // invalid: unknown id or version
            return;
        }
        MemorySegment bytes = ctrl.getCapset(id, version, info.get().size());
        int dw = (int) ((bytes.byteSize() + 3) / 4);
        MemorySegment o = outBuffer(12 + 4L * dw);
        o.set(U32, 0, 1 + dw);
        o.set(U32, 4, VCMD_GET_CAPSET);
        o.set(U32, 8, 1);
        o.asSlice(12, 4L * dw).fill((byte) 0);
        MemorySegment.copy(bytes, 0, o, 12, bytes.byteSize());
        send(o.asSlice(0, 12 + 4L * dw));
    }

    private MemorySegment outBuffer(long size) {
        if (out.byteSize() < size) {
            out = arena.allocate(size, 8); // grows rarely (capset sizes), freed with the connection
        }
        return out;
    }

    /**
     * GET_CAPS / GET_CAPS2 (virgl era): the virgl capset 1 / 2 at version 1, framed as virglrenderer frames it
     * ({@code [size + 1, 1 or 2]}, then the raw capset). Without that capset the client is ended: a virgl
     * driver cannot run on this server anyway.
     */
    private void getCaps(int id, int length, int capsetId) throws ClientError {
        expectLength(id, length, 0);
        observe(VtestProtocol.name(id), "");
        Optional<CapsetInfo> info = capset(capsetId);
        if (info.isEmpty()) {
            throw new ClientError(VtestProtocol.name(id) + ": capset " + capsetId + " (virgl) is not served");
        }
        MemorySegment bytes = ctrl.getCapset(capsetId, Math.min(1, info.get().maxVersion()), info.get().size());
        MemorySegment o = outBuffer(8 + bytes.byteSize());
        o.set(U32, 0, (int) bytes.byteSize() + 1);
        o.set(U32, 4, capsetId);
        MemorySegment.copy(bytes, 0, o, 8, bytes.byteSize());
        send(o.asSlice(0, 8 + bytes.byteSize()));
    }

    private void contextInit(int length, MemorySegment p) throws ClientError {
        expectLength(VCMD_CONTEXT_INIT, length, VCMD_CONTEXT_INIT_SIZE);
        int id = p.get(U32, 0);
        if (id == 0 || Integer.compareUnsigned(id, 255) > 0) {
            throw new ClientError("CONTEXT_INIT with capset " + Integer.toUnsignedString(id));
        }
        if (contextReady) {
            if (id != capsetId) {
                throw new ClientError("CONTEXT_INIT(" + id + ") after the context was created with capset " + capsetId);
            }
            return;
        }
        capsetId = id;
        if (observing()) {
            observe("CONTEXT_INIT", Integer.toString(id));
        }
        ensureContext();
    }

    /** Creates the client's context on the first command that needs one (as virglrenderer does lazily). */
    private void ensureContext() throws ClientError {
        if (!contextReady) {
            ctrl.ctxCreate(CTX_ID, capsetId, name);
            contextReady = true;
        }
    }

    private void busyWait(int length, MemorySegment p) throws ClientError {
        expectLength(VCMD_RESOURCE_BUSY_WAIT, length, VCMD_BUSY_WAIT_SIZE);
        int handle = p.get(U32, 0);
        int flags = p.get(U32, 4);
        // Mesa probes with handle 0 right after PING_PROTOCOL_VERSION, before any context exists
        if (!contextReady && handle != 0) {
            throw new ClientError("RESOURCE_BUSY_WAIT on resource " + handle + " before any context");
        }
        if (observing()) {
            observe("RESOURCE_BUSY_WAIT", handle + " " + flags);
        }
        boolean busy;
        synchronized (implicitLock) {
            while ((busy = implicitCompleted < implicitSubmitted) && (flags & VCMD_BUSY_WAIT_FLAG_WAIT) != 0 && !closing) {
                try {
                    implicitLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClientError("interrupted");
                }
            }
        }
        reply(VCMD_RESOURCE_BUSY_WAIT, busy ? 1 : 0);
    }

    private int newResourceId() throws ClientError {
        int id = nextResId++;
        if (id <= 0 || resources.containsKey(id)) {
            throw new ClientError("resource ids exhausted");
        }
        return id;
    }

    private void createResource(int id, int length, MemorySegment p) throws ClientError {
        boolean v2 = id == VCMD_RESOURCE_CREATE2;
        expectLength(id, length, v2 ? VCMD_RES_CREATE2_SIZE : VCMD_RES_CREATE_SIZE);
        ensureContext();
        int handle = p.get(U32, 0);
        int[] args = new int[9]; // target, format, bind, width, height, depth, array_size, last_level, nr_samples
        for (int i = 0; i < 9; i++) {
            args[i] = p.get(U32, 4 + 4L * i);
        }
        long dataSize = v2 ? Integer.toUnsignedLong(p.get(U32, 40)) : 0;
        int resId;
        if (protocolVersion >= 3) {
            if (handle != 0) {
                throw new ClientError(VtestProtocol.name(id) + " with client handle " + handle + " at protocol 3");
            }
            resId = newResourceId();
        } else {
            if (handle == 0 || resources.containsKey(handle)) {
                throw new ClientError(VtestProtocol.name(id) + " with handle " + Integer.toUnsignedString(handle)
                        + " (zero or in use)");
            }
            resId = handle;
        }
        ctrl.createResource3d(resId, args);
        Res res = new Res();
        resources.put(resId, res);
        ctrl.ctxAttach(CTX_ID, resId);
        ShmSpace.Shm s = null;
        if (dataSize > 0) {
            s = shm.create("vtest-res-" + resId, dataSize);
            res.shmAddress = s.address();
            res.shmSize = dataSize;
            try {
                ctrl.attachBacking(resId, s.address(), dataSize);
            } catch (ClientError e) {
                Fds.closeQuietly(s.fd());
                throw e;
            }
        }
        if (observing()) {
            observe(VtestProtocol.name(id), "res=" + resId + " data_size=" + dataSize);
        }
        try {
            if (protocolVersion >= 3) {
                reply(id, resId);
            }
            if (s != null) {
                sendFd(s.fd());
            }
        } finally {
            if (s != null) {
                Fds.closeQuietly(s.fd()); // the mapping stays; the client has its own fd
            }
        }
    }

    private void createBlob(int length, MemorySegment p) throws ClientError {
        expectLength(VCMD_RESOURCE_CREATE_BLOB, length, VCMD_RES_CREATE_BLOB_SIZE);
        ensureContext();
        int type = p.get(U32, 0);
        int flags = p.get(U32, 4);
        long size = u64(p, 8);
        long blobId = u64(p, 16);
        if (size <= 0 || size > config.maxBytes()) {
            throw new ClientError("RESOURCE_CREATE_BLOB of " + Long.toUnsignedString(size) + " bytes");
        }
        int resId = newResourceId();
        Res res = new Res();
        int fd;
        boolean ownFd;
        switch (type) {
            case 1, 3 -> { // BLOB_MEM_GUEST, BLOB_MEM_HOST3D_GUEST: the guest pages are a vtest shm
                ShmSpace.Shm s = shm.create("vtest-blob-" + resId, size);
                res.shmAddress = s.address();
                res.shmSize = size;
                try {
                    ctrl.createBlob(CTX_ID, resId, type, flags, blobId, size, s.address(), size);
                } catch (ClientError e) {
                    Fds.closeQuietly(s.fd());
                    shm.remove(s.address());
                    throw e;
                }
                resources.put(resId, res);
                fd = s.fd();
                ownFd = true;
            }
            case 2 -> { // BLOB_MEM_HOST3D: the device's (context's) memory
                ctrl.createBlob(CTX_ID, resId, type, flags, blobId, size, 0, 0);
                resources.put(resId, res);
                Optional<SharedMemory> mem = session.blobMemory(resId);
                if (mem.isEmpty()) {
                    throw new ClientError("RESOURCE_CREATE_BLOB: resource " + resId + " has no host memory to pass");
                }
                fd = mem.get().fd(); // owned by the device: not closed here
                ownFd = false;
            }
            default -> throw new ClientError("RESOURCE_CREATE_BLOB of blob type " + Integer.toUnsignedString(type));
        }
        try {
            ctrl.ctxAttach(CTX_ID, resId);
            if (observing()) {
                observe("RESOURCE_CREATE_BLOB", "type=" + type + " flags=" + flags + " size=" + size + " blob_id="
                        + blobId + " res=" + resId);
            }
            reply(VCMD_RESOURCE_CREATE_BLOB, resId);
            sendFd(fd);
        } finally {
            if (ownFd) {
                Fds.closeQuietly(fd);
            }
        }
    }

    private void unref(int length, MemorySegment p) throws ClientError {
        expectLength(VCMD_RESOURCE_UNREF, length, VCMD_RES_UNREF_SIZE);
        ensureContext();
        int resId = p.get(U32, 0);
        Res res = resources.remove(resId);
        if (observing()) {
            observe("RESOURCE_UNREF", Integer.toUnsignedString(resId));
        }
        if (res == null) {
            return; // virglrenderer ignores unknown handles too
        }
        ctrl.unref(resId);
        // after the UNREF reply the device never touches the backing again
        freeShm(res);
    }

    private void freeShm(Res res) {
        if (res.shmAddress != 0) {
            shm.remove(res.shmAddress);
            res.shmAddress = 0;
        }
        if (res.stagingAddress != 0) {
            shm.remove(res.stagingAddress);
            res.stagingAddress = 0;
            res.staging = null;
        }
    }

    private Res transferTarget(int id, int handle) throws ClientError {
        Res res = resources.get(handle);
        if (res == null) {
            throw new ClientError(VtestProtocol.name(id) + " on unknown resource " + Integer.toUnsignedString(handle));
        }
        return res;
    }

    /**
     * TRANSFER_GET / TRANSFER_PUT with the data inline in the socket stream. The device model transfers between
     * a resource and its backing only, so such a resource gets a staging shm attached as its backing (grown
     * by detach + attach when a larger transfer comes).
     */
    private void transferInline(int id, int length, MemorySegment p) throws ClientError {
        expectLength(id, length, VCMD_TRANSFER_HDR_SIZE);
        ensureContext();
        int handle = p.get(U32, 0);
        int level = p.get(U32, 4);
        int stride = p.get(U32, 8);
        int layerStride = p.get(U32, 12);
        int[] box = box(p, 16);
        long dataSize = Integer.toUnsignedLong(p.get(U32, 40));
        if (dataSize > config.maxMessageBytes()) {
            throw new ClientError(VtestProtocol.name(id) + " of " + dataSize + " bytes is over the limit of "
                    + config.maxMessageBytes());
        }
        Res res = transferTarget(id, handle);
        if (res.shmAddress != 0) {
            throw new ClientError(VtestProtocol.name(id) + " with inline data on resource " + handle
                    + ", which has shm backing (use TRANSFER_GET2/PUT2)");
        }
        if (observing()) {
            observe(VtestProtocol.name(id), "res=" + handle + " data_size=" + dataSize);
        }
        if (dataSize == 0) {
            return;
        }
        MemorySegment staging = staging(handle, res, dataSize);
        if (id == VCMD_TRANSFER_PUT) {
            readFully(staging.asSlice(0, dataSize), false);
            ctrl.transfer(true, CTX_ID, handle, level, stride, layerStride, box, 0);
        } else {
            ctrl.transfer(false, CTX_ID, handle, level, stride, layerStride, box, 0);
            send(staging.asSlice(0, dataSize)); // raw data, no header (as virglrenderer)
        }
    }

    /** A transfer's box (x, y, z, width, height, depth: six u32) at {@code offset} of the command. */
    private static int[] box(MemorySegment p, long offset) {
        int[] box = new int[6];
        for (int i = 0; i < box.length; i++) {
            box[i] = p.get(U32, offset + 4L * i);
        }
        return box;
    }

    private MemorySegment staging(int handle, Res res, long size) throws ClientError {
        if (res.staging != null && res.staging.byteSize() >= size) {
            return res.staging;
        }
        if (res.staging != null) {
            ctrl.detachBacking(handle);
            shm.remove(res.stagingAddress);
            res.staging = null;
            res.stagingAddress = 0;
        }
        ShmSpace.Shm s = shm.create("vtest-staging-" + handle, size);
        Fds.closeQuietly(s.fd()); // only the server maps staging memory
        res.stagingAddress = s.address();
        res.staging = s.segment();
        ctrl.attachBacking(handle, s.address(), size);
        return res.staging;
    }

    /** TRANSFER_GET2 / TRANSFER_PUT2: data in the resource's shm at {@code offset}. */
    private void transferShm(int id, int length, MemorySegment p) throws ClientError {
        expectLength(id, length, VCMD_TRANSFER2_HDR_SIZE);
        ensureContext();
        int handle = p.get(U32, 0);
        int level = p.get(U32, 4);
        int[] box = box(p, 8);
        long offset = Integer.toUnsignedLong(p.get(U32, 36));
        Res res = transferTarget(id, handle);
        if (res.shmAddress == 0 || offset >= res.shmSize) {
            throw new ClientError(VtestProtocol.name(id) + " on resource " + handle + " at offset " + offset
                    + " outside its shm of " + res.shmSize + " bytes");
        }
        if (observing()) {
            observe(VtestProtocol.name(id), "res=" + handle + " offset=" + offset);
        }
        ctrl.transfer(id == VCMD_TRANSFER_PUT2, CTX_ID, handle, level, 0, 0, box, offset);
    }

    /** SUBMIT_CMD: the stream with an implicit fence on the device's global timeline (RESOURCE_BUSY_WAIT). */
    private void submitCmd(MemorySegment p) throws ClientError {
        ensureContext();
        if (observing()) {
            observe("SUBMIT_CMD", "bytes=" + p.byteSize());
        }
        long fence = nextFenceId++;
        implicitSubmitted = fence;
        ctrl.submit3dFenced(CTX_ID, p, fence, -1, (ok, response) -> {
            if (!ok) {
                submitLog.log(Level.WARNING, "SUBMIT_CMD answered " + response);
            }
            synchronized (implicitLock) {
                implicitCompleted = Math.max(implicitCompleted, fence);
                implicitLock.notifyAll();
            }
        });
    }

    /**
     * SUBMIT_CMD2: {@code [batch_count]}, batch_count 6-dword headers (flags, cmd_offset, cmd_size, sync_offset,
     * sync_count, ring_idx), then streams and (sync_id, value_lo, value_hi) triples, all addressed by dword
     * offsets from the payload start (research/vtest-venus.md 1.5). Every offset is checked before any batch
     * runs, so a malformed message changes nothing.
     */
    private void submitCmd2(int length, MemorySegment p) throws ClientError {
        long dwords = Integer.toUnsignedLong(length);
        if (dwords < 1) {
            throw new ClientError("SUBMIT_CMD2 without a batch count");
        }
        ensureContext();
        long count = Integer.toUnsignedLong(p.get(U32, 0));
        if (count > (dwords - 1) / VCMD_SUBMIT_CMD2_BATCH_DW) {
            throw new ClientError("SUBMIT_CMD2 with " + count + " batches in " + dwords + " dwords");
        }
        Cmd2Batch[] batches = new Cmd2Batch[(int) count];
        for (int b = 0; b < count; b++) {
            Cmd2Batch batch = Cmd2Batch.read(p, b);
            if ((batch.flags() & ~VCMD_SUBMIT_CMD2_FLAG_RING_IDX) != 0) {
                // bits 1 and 2 (IN/OUT_FENCE_FD) are protocol version 4, which this server does not offer
                throw new ClientError("SUBMIT_CMD2 batch " + b + " with flags 0x" + Integer.toHexString(batch.flags()));
            }
            if (batch.cmdOffset() + batch.cmdSize() > dwords || batch.syncOffset() + 3 * batch.syncCount() > dwords) {
                throw new ClientError("SUBMIT_CMD2 batch " + b + " reaches outside its " + dwords + " dwords");
            }
            if (batch.onRing() && batch.ring() >= VTEST_MAX_TIMELINE_COUNT) {
                throw new ClientError("SUBMIT_CMD2 batch " + b + " on ring " + batch.ring());
            }
            batches[b] = batch;
        }
        if (observing()) {
            observe("SUBMIT_CMD2", "batches=" + count + " bytes=" + p.byteSize());
        }
        for (Cmd2Batch batch : batches) {
            MemorySegment stream = p.asSlice(4 * batch.cmdOffset(), 4 * batch.cmdSize());
            int syncCount = (int) batch.syncCount(); // within the message: checked above
            if (syncCount == 0) {
                if (batch.cmdSize() > 0) {
                    ctrl.submit3d(CTX_ID, stream);
                }
                continue;
            }
            int[] ids = new int[syncCount];
            long[] values = new long[syncCount];
            for (int i = 0; i < syncCount; i++) {
                long s = 4 * (batch.syncOffset() + 3L * i);
                ids[i] = p.get(U32, s);
                values[i] = u64(p, s + 4);
            }
            if (batch.onRing()) {
                int ring = (int) batch.ring();
                long fence = nextFenceId++;
                syncs.enqueue(ring, fence, ids, values); // before the submit: the fence may complete inside it
                ctrl.submit3dFenced(CTX_ID, stream, fence, ring, (ok, response) -> {
                    if (!ok) {
                        submitLog.log(Level.WARNING, "SUBMIT_CMD2 on ring " + ring + " answered " + response);
                    }
                    syncs.fenceDone(ring, fence);
                });
            } else {
                if (batch.cmdSize() > 0) {
                    ctrl.submit3d(CTX_ID, stream);
                }
                syncs.signalNow(ids, values);
            }
        }
    }

    /** One SUBMIT_CMD2 batch header (6 dwords after the count), its offsets and sizes in dwords, all unsigned. */
    private record Cmd2Batch(int flags, long cmdOffset, long cmdSize, long syncOffset, long syncCount, long ring) {
        static Cmd2Batch read(MemorySegment p, int b) {
            long h = 4L * (1 + (long) VCMD_SUBMIT_CMD2_BATCH_DW * b);
            return new Cmd2Batch(p.get(U32, h), Integer.toUnsignedLong(p.get(U32, h + 4)),
                    Integer.toUnsignedLong(p.get(U32, h + 8)), Integer.toUnsignedLong(p.get(U32, h + 12)),
                    Integer.toUnsignedLong(p.get(U32, h + 16)), Integer.toUnsignedLong(p.get(U32, h + 20)));
        }

        boolean onRing() {
            return (flags & VCMD_SUBMIT_CMD2_FLAG_RING_IDX) != 0;
        }
    }

    private void syncWait(int length, MemorySegment p) throws ClientError {
        long dwords = Integer.toUnsignedLong(length);
        if (dwords < 2 || (dwords - 2) % 3 != 0) {
            throw new ClientError("SYNC_WAIT of " + dwords + " dwords");
        }
        ensureContext();
        int flags = p.get(U32, 0);
        int timeout = p.get(U32, 4);
        int n = (int) ((dwords - 2) / 3);
        int[] ids = new int[n];
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            long s = 8 + 12L * i;
            ids[i] = p.get(U32, s);
            values[i] = u64(p, s + 4);
        }
        int fd = syncs.waitFd((flags & VCMD_SYNC_WAIT_FLAG_ANY) != 0, timeout, ids, values);
        if (observing()) {
            observe("SYNC_WAIT", "flags=" + flags + " timeout=" + Integer.toUnsignedString(timeout) + " syncs=" + n);
        }
        reply(VCMD_SYNC_WAIT);
        sendFd(fd);
    }
}
