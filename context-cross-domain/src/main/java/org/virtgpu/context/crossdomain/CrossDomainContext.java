package org.virtgpu.context.crossdomain;

import static org.virtgpu.context.crossdomain.CrossDomainProtocol.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.FenceSink;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/**
 * A cross-domain context: INIT and GET_IMAGE_REQUIREMENTS over SUBMIT_3D, and the context-owned CREATE_BLOB that
 * materialises an image whose requirements it returned (fact sheet context-types.md §3.3, steps 1 to 4).
 * <p>
 * Flow: the guest attaches a guest-memory query ring (one page, mapped by the guest), sends INIT naming it, then
 * GET_IMAGE_REQUIREMENTS {width, height, drm_format, flags}. The reply (64 bytes, {@code ImageRequirements}) goes
 * at offset 0 of the query ring, a single-slot mailbox the guest reads after the submit's fence. The reply's
 * {@code size} is rounded up to the device's blob alignment (the host page unless another loaded type needs more;
 * this is how cross-domain reports page size: implicitly, in sizes). The guest then sends RESOURCE_CREATE_BLOB
 * with that {@code blob_id} and exactly that size; any other size is INVALID_PARAMETER, so host memory always
 * matches the layout the guest was given. One requirements record can back many blobs, as in rutabaga.
 * <p>
 * The Wayland channel ({@link WaylandChannel}) is offered when the type was given a compositor socket: INIT with
 * channel type WAYLAND connects to it; SEND, POLL (with a fence on the channel ring) and WRITE then carry the
 * Wayland protocol. INIT with a channel type the capset does not advertise is INVALID_PARAMETER; channel
 * commands without a channel, and the later extensions (8..13), are UNSPEC.
 * All calls but the channel worker's come from the session's dispatcher, one at a time; the item table the worker
 * fills is concurrent, the rest needs no locking.
 */
final class CrossDomainContext implements GpuContext {
    /**
     * Distinct requirement records kept per context. Requests are deduplicated by their inputs, so a guest that
     * allocates many buffers of a few shapes stays far below this; a guest cycling through shapes evicts the
     * least recently used record, whose blob_id then stops being accepted.
     */
    static final int MAX_REQUIREMENTS = 1024;

    private record Key(int width, int height, int format, int flags, long alignment) {
    }

    private record Requirement(int blobId, long size) {
    }

    private final int ctxId;
    private final DeviceServices services;
    private final int supportedChannels;
    private final String waylandSocket;
    private final FenceSink fences;
    /** One id space for requirement records and received items: a blob_id names exactly one of them. */
    private final AtomicInteger ids = new AtomicInteger(1);
    private final Map<Integer, WaylandChannel.Item> items = new ConcurrentHashMap<>();
    private WaylandChannel channel;
    private final Map<Integer, ResourceView> attached = new HashMap<>();
    private final Map<Integer, Requirement> byBlobId = new HashMap<>();
    private final LinkedHashMap<Key, Requirement> byKey = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Requirement> eldest) {
            if (size() > MAX_REQUIREMENTS) {
                byBlobId.remove(eldest.getValue().blobId());
                return true;
            }
            return false;
        }
    };
    /** The reply is built in one reused buffer: no allocation per query. */
    private final byte[] reply = new byte[REPLY_SIZE];
    private final ByteBuffer replyView = ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment replySegment = MemorySegment.ofArray(reply);
    private int queryRingId;
    private boolean initialized;
    private boolean destroyed;

    /**
     * @param waylandSocket the compositor's socket path when the type offers the Wayland channel, else null
     */
    CrossDomainContext(int ctxId, DeviceServices services, int supportedChannels, String waylandSocket, FenceSink fences) {
        this.ctxId = ctxId;
        this.services = services;
        this.supportedChannels = supportedChannels;
        this.waylandSocket = waylandSocket;
        this.fences = fences;
    }

    @Override
    public void submit(MemorySegment commands, int ringIdx) throws GpuException {
        if (destroyed) {
            throw new GpuException(GpuError.UNSPEC, "cross-domain context " + ctxId + " is destroyed");
        }
        long len = commands.byteSize();
        long at = 0;
        while (at < len) {
            if (len - at < HEADER_SIZE) {
                throw GpuException.invalidParameter("cross-domain: " + (len - at) + " trailing bytes at offset " + at
                        + " are shorter than a command header");
            }
            int cmd = Byte.toUnsignedInt(commands.get(ValueLayout.JAVA_BYTE, at + HDR_CMD));
            int size = Short.toUnsignedInt(commands.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + HDR_CMD_SIZE));
            if (size < HEADER_SIZE || size > len - at) {
                throw GpuException.invalidParameter("cross-domain command " + cmd + " at offset " + at + " has cmd_size "
                        + size + "; " + (len - at) + " bytes remain");
            }
            MemorySegment c = commands.asSlice(at, size);
            switch (cmd) {
                case CMD_INIT -> init(c);
                case CMD_GET_IMAGE_REQUIREMENTS -> imageRequirements(c);
                case CMD_POLL -> requireChannel(cmd); // the work happens in the fence that follows on ring 1
                case CMD_SEND -> send(c);
                case CMD_WRITE -> write(c);
                case CMD_RECEIVE, CMD_READ -> throw GpuException.invalidParameter("cross-domain command " + cmd
                        + " travels host to guest only");
                default -> {
                    if (cmd > CMD_WRITE && cmd <= CMD_LAST_KNOWN) {
                        throw new GpuException(GpuError.UNSPEC, "cross-domain command " + cmd
                                + " is beyond protocol version " + CrossDomainCapset.PROTOCOL_VERSION + " of this host");
                    }
                    throw GpuException.invalidParameter("unknown cross-domain command " + cmd);
                }
            }
            at += size;
        }
    }

    private void init(MemorySegment c) throws GpuException {
        int size = (int) c.byteSize();
        if (size != INIT_LEGACY_SIZE && size != INIT_V1_SIZE && size != INIT_SIZE) {
            throw GpuException.invalidParameter("cross-domain INIT of " + size + " bytes (16, 20 or 36 expected)");
        }
        if (initialized) {
            throw GpuException.invalidParameter("cross-domain context " + ctxId + " is already initialised");
        }
        int queryRing = c.get(ValueLayout.JAVA_INT_UNALIGNED, INIT_QUERY_RING_ID);
        // legacy INIT: the channel type follows the query ring id (which is also the channel ring); later ones
        // have the channel ring id between
        int channelRing = size == INIT_LEGACY_SIZE ? queryRing : c.get(ValueLayout.JAVA_INT_UNALIGNED, 12);
        int channelType = c.get(ValueLayout.JAVA_INT_UNALIGNED, size == INIT_LEGACY_SIZE ? 12 : 16);
        ResourceView ring = attached.get(queryRing);
        if (ring == null) {
            throw new GpuException(GpuError.INVALID_RESOURCE_ID, "cross-domain INIT: query ring resource "
                    + Integer.toUnsignedString(queryRing) + " is not attached to context " + ctxId);
        }
        if (ring.size() < REPLY_SIZE) {
            throw GpuException.invalidParameter("cross-domain INIT: query ring " + queryRing + " has " + ring.size()
                    + " bytes, a reply needs " + REPLY_SIZE);
        }
        if (channelType != CHANNEL_TYPE_NONE
                && (channelType < 0 || channelType >= 32 || (supportedChannels & (1 << channelType)) == 0)) {
            throw GpuException.invalidParameter("cross-domain INIT: channel type " + Integer.toUnsignedString(channelType)
                    + " is not offered (supported_channels 0x" + Integer.toHexString(supportedChannels) + ")");
        }
        if (channelType == CHANNEL_TYPE_WAYLAND) {
            ResourceView chRing = attached.get(channelRing);
            if (chRing == null) {
                throw new GpuException(GpuError.INVALID_RESOURCE_ID, "cross-domain INIT: channel ring resource "
                        + Integer.toUnsignedString(channelRing) + " is not attached to context " + ctxId);
            }
            if (chRing.size() < SendReceive.SIZE + WaylandChannel.MAX_DATA) {
                throw GpuException.invalidParameter("cross-domain INIT: channel ring " + channelRing + " has "
                        + chRing.size() + " bytes, a RECEIVE needs " + (SendReceive.SIZE + WaylandChannel.MAX_DATA));
            }
            try {
                channel = new WaylandChannel(ctxId, waylandSocket, chRing, fences, this::nextItemId, items);
            } catch (IOException e) {
                throw new GpuException(GpuError.UNSPEC, "cross-domain INIT: cannot reach the Wayland compositor at "
                        + waylandSocket + ": " + e.getMessage());
            }
        }
        queryRingId = queryRing;
        initialized = true;
    }

    private void requireChannel(int cmd) throws GpuException {
        if (channel == null) {
            throw new GpuException(GpuError.UNSPEC, "cross-domain command " + cmd + " needs a channel; context " + ctxId
                    + " has none (supported_channels 0x" + Integer.toHexString(supportedChannels) + ")");
        }
    }

    /** SEND: opaque bytes plus the fds of the resources it names, to the compositor in one sendmsg. */
    private void send(MemorySegment c) throws GpuException {
        requireChannel(CMD_SEND);
        if (c.byteSize() < SendReceive.SIZE) {
            throw GpuException.invalidParameter("cross-domain SEND of " + c.byteSize() + " bytes (header is "
                    + SendReceive.SIZE + ")");
        }
        int n = c.get(ValueLayout.JAVA_INT_UNALIGNED, SendReceive.NUM_IDENTIFIERS);
        int dataSize = c.get(ValueLayout.JAVA_INT_UNALIGNED, SendReceive.OPAQUE_DATA_SIZE);
        if (n < 0 || n > SendReceive.MAX_IDENTIFIERS) {
            throw GpuException.invalidParameter("cross-domain SEND with " + Integer.toUnsignedString(n)
                    + " identifiers (at most " + SendReceive.MAX_IDENTIFIERS + ")");
        }
        if (dataSize < 0 || dataSize > c.byteSize() - SendReceive.SIZE) {
            throw GpuException.invalidParameter("cross-domain SEND: opaque_data_size " + Integer.toUnsignedString(dataSize)
                    + " exceeds the " + (c.byteSize() - SendReceive.SIZE) + " bytes after the header");
        }
        int[] fds = new int[n];
        for (int i = 0; i < n; i++) {
            int id = c.get(ValueLayout.JAVA_INT_UNALIGNED, SendReceive.IDENTIFIERS + 4L * i);
            int type = c.get(ValueLayout.JAVA_INT_UNALIGNED, SendReceive.IDENTIFIER_TYPES + 4L * i);
            if (type != SendReceive.ID_TYPE_VIRTGPU_BLOB) {
                // READ_PIPE (clipboard) and the virtio-fs / sync kinds are not offered by this host
                throw GpuException.invalidParameter("cross-domain SEND: identifier type " + type + " is not supported");
            }
            ResourceView r = attached.get(id);
            if (r == null) {
                throw new GpuException(GpuError.INVALID_RESOURCE_ID, "cross-domain SEND: resource "
                        + Integer.toUnsignedString(id) + " is not attached to context " + ctxId);
            }
            fds[i] = r.hostMemory().orElseThrow(() -> GpuException.invalidParameter("cross-domain SEND: resource "
                    + id + " has no host memory to share (create it as a HOST3D blob)")).fd();
        }
        try {
            channel.send(c.asSlice(SendReceive.SIZE, dataSize), fds);
        } catch (IOException e) {
            throw new GpuException(GpuError.UNSPEC, "cross-domain SEND to the compositor failed: " + e.getMessage());
        }
    }

    /** WRITE: bytes into a pipe the compositor gave (a WRITE_PIPE item); hang_up closes it. */
    private void write(MemorySegment c) throws GpuException {
        requireChannel(CMD_WRITE);
        if (c.byteSize() < SendReceive.RW_SIZE) {
            throw GpuException.invalidParameter("cross-domain WRITE of " + c.byteSize() + " bytes");
        }
        int id = c.get(ValueLayout.JAVA_INT_UNALIGNED, SendReceive.RW_IDENTIFIER);
        int hangUp = c.get(ValueLayout.JAVA_INT_UNALIGNED, SendReceive.RW_HANG_UP);
        int size = c.get(ValueLayout.JAVA_INT_UNALIGNED, SendReceive.RW_OPAQUE_DATA_SIZE);
        if (size < 0 || size > c.byteSize() - SendReceive.RW_SIZE) {
            throw GpuException.invalidParameter("cross-domain WRITE: opaque_data_size " + Integer.toUnsignedString(size)
                    + " exceeds the command");
        }
        if (!(items.get(id) instanceof WaylandChannel.PipeItem pipe)) {
            throw GpuException.invalidParameter("cross-domain WRITE: identifier " + Integer.toUnsignedString(id)
                    + " is not a pipe of context " + ctxId);
        }
        try {
            writePipe(pipe.fd(), c.asSlice(SendReceive.RW_SIZE, size));
        } catch (IOException e) {
            // the reader went away: the guest learns it from the error and hangs up
            throw new GpuException(GpuError.UNSPEC, "cross-domain WRITE to pipe " + id + ": " + e.getMessage());
        } finally {
            if (hangUp != 0 && items.remove(id, pipe)) {
                Fds.closeQuietly(pipe.fd());
            }
        }
    }

    private static void writePipe(int fd, MemorySegment data) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            Fds.writeAll(fd, WaylandChannel.nativeOf(data, a));
        }
    }

    @Override
    public boolean createFence(int ringIdx, long fenceId) {
        // ring 0 (queries) is answered synchronously; a fence on the channel ring waits for the compositor's next
        // message. After a hang-up it stays pending until the context is destroyed: completing it at once would
        // make the guest read the last message from the mailbox a second time.
        if (ringIdx == CHANNEL_RING && channel != null) {
            if (!channel.hungUp()) {
                channel.queueFence(fenceId);
            }
            return false;
        }
        return true;
    }

    private void imageRequirements(MemorySegment c) throws GpuException {
        if (c.byteSize() < GIR_SIZE) {
            throw GpuException.invalidParameter("cross-domain GET_IMAGE_REQUIREMENTS of " + c.byteSize()
                    + " bytes (" + GIR_SIZE + " expected)");
        }
        if (!initialized) {
            throw new GpuException(GpuError.UNSPEC, "cross-domain GET_IMAGE_REQUIREMENTS before INIT on context " + ctxId);
        }
        ResourceView ring = attached.get(queryRingId);
        if (ring == null) {
            throw new GpuException(GpuError.INVALID_RESOURCE_ID, "cross-domain query ring " + queryRingId
                    + " was detached from context " + ctxId);
        }
        int width = c.get(ValueLayout.JAVA_INT_UNALIGNED, GIR_WIDTH);
        int height = c.get(ValueLayout.JAVA_INT_UNALIGNED, GIR_HEIGHT);
        int format = c.get(ValueLayout.JAVA_INT_UNALIGNED, GIR_DRM_FORMAT);
        int flags = c.get(ValueLayout.JAVA_INT_UNALIGNED, GIR_FLAGS);
        long alignment = alignment();
        Key key = new Key(width, height, format, flags, alignment);
        ImageLayout layout = ImageLayout.of(width, height, format);
        Requirement r = byKey.get(key);
        if (r == null) {
            long size = roundUp(layout.bytes(), alignment);
            r = new Requirement(nextBlobId(), size);
            byKey.put(key, r);
            byBlobId.put(r.blobId(), r);
        }
        for (int i = 0; i < 4; i++) {
            replyView.putInt(REPLY_STRIDES + 4 * i, layout.strides()[i]);
            replyView.putInt(REPLY_OFFSETS + 4 * i, layout.offsets()[i]);
        }
        replyView.putLong(REPLY_MODIFIER, MODIFIER_LINEAR);
        replyView.putLong(REPLY_SIZE_FIELD, r.size());
        replyView.putInt(REPLY_BLOB_ID, r.blobId());
        replyView.putInt(REPLY_MAP_INFO, MAP_CACHE_CACHED);
        replyView.putInt(REPLY_MEMORY_IDX, -1); // system memory: no Vulkan memory type
        replyView.putInt(REPLY_PHYSICAL_DEVICE_IDX, -1); // deprecated, always -1
        ring.writeBacking(0, replySegment);
    }

    /**
     * Blob ids are u32 on the wire; skip 0 (the "plain memory" id), the read-pipe range the guest predicts
     * (0x80000000 and up, which rutabaga reserves) and any id still in use on wrap.
     */
    private int nextBlobId() {
        int id;
        do {
            id = nextItemId();
        } while (byBlobId.containsKey(id));
        return id;
    }

    /**
     * An id for an item the channel worker receives. It reads only the concurrent item table; the requirement
     * table belongs to the dispatcher. Both draw from one counter, so ids collide only after 2^31 of them.
     */
    private int nextItemId() {
        int id;
        do {
            id = ids.getAndIncrement() & 0x7fff_ffff;
        } while (id == 0 || items.containsKey(id));
        return id;
    }

    /** The device's blob alignment (never below the host page): what every CREATE_BLOB size must be a multiple of. */
    private long alignment() {
        return services.host().blobAlignment();
    }

    private static long roundUp(long bytes, long alignment) {
        return Math.addExact(bytes, alignment - 1) & -alignment;
    }

    @Override
    public SharedMemory createBlob(BlobRequest request) throws GpuException {
        if (destroyed) {
            throw new GpuException(GpuError.UNSPEC, "cross-domain context " + ctxId + " is destroyed");
        }
        if (request.blobMem() != BlobRequest.BLOB_MEM_HOST3D) {
            throw GpuException.invalidParameter("cross-domain images are HOST3D blobs; blob_mem " + request.blobMem()
                    + " is not supported");
        }
        boolean u32 = request.blobId() > 0 && request.blobId() <= 0xffff_ffffL;
        Requirement r = u32 ? byBlobId.get((int) request.blobId()) : null;
        if (r == null && u32 && items.get((int) request.blobId()) instanceof WaylandChannel.BlobItem item) {
            return receivedBlob((int) request.blobId(), item, request);
        }
        if (r == null) {
            throw GpuException.invalidParameter("cross-domain blob_id " + request.blobId()
                    + " was not returned by GET_IMAGE_REQUIREMENTS on context " + ctxId);
        }
        if (request.size() != r.size()) {
            throw GpuException.invalidParameter("cross-domain blob_id " + r.blobId() + ": CREATE_BLOB size "
                    + request.size() + " differs from the " + r.size() + " bytes its image requirements returned");
        }
        return services.allocate("cross-domain-ctx" + ctxId + "-res" + request.resourceId(), r.size());
    }

    /**
     * A CREATE_BLOB for memory the compositor sent: single use (the item goes), at least the item's size, filled
     * with a copy of the fd's contents (compositors send read-only data this way: keymaps, format tables).
     */
    private SharedMemory receivedBlob(int id, WaylandChannel.BlobItem item, BlobRequest request) throws GpuException {
        if (request.size() < item.size()) {
            throw GpuException.invalidParameter("cross-domain blob_id " + id + ": CREATE_BLOB size " + request.size()
                    + " is smaller than the " + item.size() + " bytes received");
        }
        if (!items.remove(id, item)) {
            throw GpuException.invalidParameter("cross-domain blob_id " + id + " was already used");
        }
        try {
            SharedMemory m = services.allocate("cross-domain-ctx" + ctxId + "-recv" + id, request.size());
            try {
                Fds.preadFully(item.fd(), m.segment().asSlice(0, item.size()), 0);
            } catch (IOException e) {
                m.release();
                throw new GpuException(GpuError.UNSPEC, "cross-domain blob_id " + id + ": reading the received fd: "
                        + e.getMessage());
            }
            return m;
        } finally {
            Fds.closeQuietly(item.fd());
        }
    }

    @Override
    public void attachResource(ResourceView resource) {
        attached.put(resource.id(), resource);
    }

    @Override
    public void detachResource(int resourceId) {
        attached.remove(resourceId);
        if (channel != null) {
            channel.detachRing(resourceId);
        }
    }

    @Override
    public void destroy() {
        // NOTE: blobs handed out belong to the core; only views and tables are dropped here.
        destroyed = true;
        if (channel != null) {
            channel.close();
            channel = null;
        }
        for (var it = items.values().iterator(); it.hasNext(); ) {
            Fds.closeQuietly(it.next().fd());
            it.remove();
        }
        attached.clear();
        byKey.clear();
        byBlobId.clear();
    }
}
