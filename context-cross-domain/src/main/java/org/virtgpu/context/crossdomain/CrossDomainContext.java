package org.virtgpu.context.crossdomain;

import static org.virtgpu.context.crossdomain.CrossDomainProtocol.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.DeviceServices;
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
 * No channel (Wayland, camera, ...) is offered: INIT with a channel type the capset does not advertise is
 * INVALID_PARAMETER, and the channel commands (POLL, SEND, WRITE and the later extensions) are UNSPEC.
 * All calls come from the session's dispatcher, one at a time, so the tables need no locking.
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

    private record Requirement(Key key, int blobId, long size) {
    }

    private final int ctxId;
    private final DeviceServices services;
    private final int supportedChannels;
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
    private int nextBlobId = 1;
    private boolean destroyed;

    CrossDomainContext(int ctxId, DeviceServices services, int supportedChannels) {
        this.ctxId = ctxId;
        this.services = services;
        this.supportedChannels = supportedChannels;
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
                case CMD_POLL, CMD_SEND, CMD_WRITE -> throw new GpuException(GpuError.UNSPEC, "cross-domain command "
                        + cmd + " needs a channel; this host offers none (supported_channels 0x"
                        + Integer.toHexString(supportedChannels) + ")");
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
        // legacy INIT: the channel type follows the query ring id; later ones have the channel ring id between
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
        queryRingId = queryRing;
        initialized = true;
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
            r = new Requirement(key, nextBlobId(), size);
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

    /** Blob ids are u32 on the wire; skip 0 (the "plain memory" id) and any id still in the table on wrap. */
    private int nextBlobId() {
        int id;
        do {
            id = nextBlobId++;
        } while (id == 0 || byBlobId.containsKey(id));
        return id;
    }

    /** The device's blob alignment: at least the host page; what every CREATE_BLOB size must be a multiple of. */
    private long alignment() {
        var host = services.host();
        return Math.max(host.hostPageSize(), host.blobAlignment());
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
        Requirement r = request.blobId() > 0 && request.blobId() <= 0xffff_ffffL
                ? byBlobId.get((int) request.blobId()) : null;
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

    @Override
    public void attachResource(ResourceView resource) {
        attached.put(resource.id(), resource);
    }

    @Override
    public void detachResource(int resourceId) {
        attached.remove(resourceId);
    }

    @Override
    public void destroy() {
        // NOTE: blobs handed out belong to the core; only views and tables are dropped here.
        destroyed = true;
        attached.clear();
        byKey.clear();
        byBlobId.clear();
    }
}
