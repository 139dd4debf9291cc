package org.virtgpu.spi.testkit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.GuestMemory;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * A test guest that speaks virtio-gpu on the control queue of a {@link GpuSession}: it encodes requests with the
 * spec's layouts (virtio 1.3 "Device Operation: Request header" and the command structs, fact sheet
 * virtio-gpu.md §4-6) and decodes the replies. One instance per session; not thread-safe (a guest's control
 * queue is one stream).
 */
public final class WireGuest {
    // command types
    public static final int CMD_RESOURCE_UNREF = 0x0102;
    public static final int CMD_GET_CAPSET_INFO = 0x0108;
    public static final int CMD_GET_CAPSET = 0x0109;
    public static final int CMD_RESOURCE_CREATE_BLOB = 0x010c;
    public static final int CMD_CTX_CREATE = 0x0200;
    public static final int CMD_CTX_DESTROY = 0x0201;
    public static final int CMD_CTX_ATTACH_RESOURCE = 0x0202;
    public static final int CMD_CTX_DETACH_RESOURCE = 0x0203;
    public static final int CMD_SUBMIT_3D = 0x0207;
    public static final int CMD_RESOURCE_MAP_BLOB = 0x0208;
    public static final int CMD_RESOURCE_UNMAP_BLOB = 0x0209;
    // response types
    public static final int RESP_OK_NODATA = 0x1100;
    public static final int RESP_OK_CAPSET_INFO = 0x1102;
    public static final int RESP_OK_CAPSET = 0x1103;
    public static final int RESP_OK_MAP_INFO = 0x1106;
    // header flags
    public static final int FLAG_FENCE = 1;
    public static final int FLAG_INFO_RING_IDX = 2;

    /** Guest-physical base of the test guest's RAM. */
    public static final long RAM_BASE = 0x1_0000_0000L;

    private final GpuSession session;
    private final MemorySegment ram;
    private final AtomicLong nextFence = new AtomicLong(1);
    private long ramTop;

    /** A decoded reply: the header fields and the whole reply bytes. */
    public record Reply(int type, int flags, long fenceId, ByteBuffer bytes) {
        public boolean ok() {
            return type >= 0x1100 && type < 0x1200;
        }

        public int u32(int off) {
            return bytes.getInt(off);
        }

        /** The error this reply carries, or null for an OK_* reply. */
        public GpuError error() {
            for (GpuError e : GpuError.values()) {
                if (e.responseType() == type) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            GpuError e = error();
            return "reply 0x" + Integer.toHexString(type) + (e != null ? " (" + e + ")" : "");
        }
    }

    /**
     * @param ram the guest RAM (from {@link #newRam}) this guest hands out for GUEST blobs and backing; the session
     *            must have been opened with {@link #memory(MemorySegment)} over the same segment
     */
    public WireGuest(GpuSession session, MemorySegment ram) {
        this.session = session;
        this.ram = ram;
    }

    /** Guest memory over {@code ram}, mapped at {@link #RAM_BASE}: pass it in SessionOptions. */
    public static GuestMemory memory(MemorySegment ram) {
        return (address, length) -> {
            long off = address - RAM_BASE;
            if (address < RAM_BASE || length < 0 || off > ram.byteSize() - length) {
                throw new GpuException(GpuError.UNSPEC, "no guest memory at 0x" + Long.toHexString(address) + "+" + length);
            }
            return ram.asSlice(off, length);
        };
    }

    /** A fresh zeroed guest RAM of {@code bytes}, page aligned. */
    public static MemorySegment newRam(long bytes) {
        return Arena.ofAuto().allocate(bytes, 4096);
    }

    /** Hands out {@code bytes} of guest RAM (4 KiB guest pages); returns its guest-physical address. */
    public long allocGuestPages(long bytes) {
        long rounded = (bytes + 4095) & ~4095L;
        if (ramTop + rounded > ram.byteSize()) {
            throw new IllegalStateException("test guest RAM exhausted");
        }
        long addr = RAM_BASE + ramTop;
        ramTop += rounded;
        return addr;
    }

    /** The guest's view of its RAM at {@code address}. */
    public MemorySegment guestView(long address, long length) {
        return ram.asSlice(address - RAM_BASE, length);
    }

    private static ByteBuffer request(int size, int type, int ctxId) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type).putInt(16, ctxId);
        return b;
    }

    /** Sends one request and waits (up to 10 s) for its reply. {@code replyBytes} is the writable buffer size. */
    public Reply call(ByteBuffer request, int replyBytes) {
        MemorySegment reply = MemorySegment.ofArray(new byte[replyBytes]);
        CompletableFuture<Integer> done = new CompletableFuture<>();
        session.control(List.of(MemorySegment.ofBuffer(request.duplicate().clear())), List.of(reply), done::complete);
        int written;
        try {
            written = done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no completion for command 0x" + Integer.toHexString(request.getInt(0)), e);
        }
        if (written < 24) {
            throw new AssertionError("reply of " + written + " bytes to command 0x" + Integer.toHexString(request.getInt(0)));
        }
        ByteBuffer r = ByteBuffer.wrap(reply.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, written)
                .slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Reply(r.getInt(0), r.getInt(4), r.getLong(8), r);
    }

    private Reply nodata(ByteBuffer request) {
        return call(request, 24);
    }

    /** Marks {@code request} as fenced on {@code ring} (ring < 0: the global timeline). */
    private ByteBuffer fenced(ByteBuffer request, int ring) {
        int flags = FLAG_FENCE | (ring >= 0 ? FLAG_INFO_RING_IDX : 0);
        request.putInt(4, flags).putLong(8, nextFence.getAndIncrement()).put(20, (byte) Math.max(ring, 0));
        return request;
    }

    public Reply getCapsetInfo(int index) {
        return call(request(32, CMD_GET_CAPSET_INFO, 0).putInt(24, index), 40);
    }

    public Reply getCapset(int id, int version, int maxSize) {
        return call(request(32, CMD_GET_CAPSET, 0).putInt(24, id).putInt(28, version), 24 + maxSize);
    }

    public Reply ctxCreate(int ctxId, int capsetId, String name) {
        ByteBuffer b = request(96, CMD_CTX_CREATE, ctxId);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        int len = Math.min(n.length, 63);
        b.putInt(24, len).putInt(28, capsetId & 0xff);
        b.put(32, n, 0, len);
        return nodata(b);
    }

    public Reply ctxDestroy(int ctxId) {
        return nodata(request(24, CMD_CTX_DESTROY, ctxId));
    }

    public Reply attach(int ctxId, int resourceId) {
        return nodata(request(32, CMD_CTX_ATTACH_RESOURCE, ctxId).putInt(24, resourceId));
    }

    public Reply detach(int ctxId, int resourceId) {
        return nodata(request(32, CMD_CTX_DETACH_RESOURCE, ctxId).putInt(24, resourceId));
    }

    /** RESOURCE_CREATE_BLOB with the given guest-physical entries (addr, len pairs). */
    public Reply createBlob(int ctxId, int resourceId, int blobMem, int blobFlags, long blobId, long size, long... entries) {
        int n = entries.length / 2;
        ByteBuffer b = request(56 + 16 * n, CMD_RESOURCE_CREATE_BLOB, ctxId);
        b.putInt(24, resourceId).putInt(28, blobMem).putInt(32, blobFlags).putInt(36, n).putLong(40, blobId).putLong(48, size);
        for (int i = 0; i < n; i++) {
            b.putLong(56 + 16 * i, entries[2 * i]).putInt(56 + 16 * i + 8, (int) entries[2 * i + 1]);
        }
        return nodata(b);
    }

    public Reply mapBlob(int resourceId, long offset) {
        return call(request(40, CMD_RESOURCE_MAP_BLOB, 0).putInt(24, resourceId).putLong(32, offset), 32);
    }

    public Reply unmapBlob(int resourceId) {
        return nodata(request(32, CMD_RESOURCE_UNMAP_BLOB, 0).putInt(24, resourceId));
    }

    public Reply unref(int resourceId) {
        return nodata(request(32, CMD_RESOURCE_UNREF, 0).putInt(24, resourceId));
    }

    /** SUBMIT_3D of {@code stream}; fenced on {@code ring} when {@code ring >= 0}, unfenced otherwise. */
    public Reply submit(int ctxId, byte[] stream, int ring) {
        ByteBuffer b = request(32 + stream.length, CMD_SUBMIT_3D, ctxId);
        b.putInt(24, stream.length);
        b.put(32, stream);
        return nodata(ring >= 0 ? fenced(b, ring) : b);
    }
}
