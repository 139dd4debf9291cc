package org.virtgpu.core.resource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.virtgpu.core.memory.HostVisibleRegion;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/**
 * One guest resource, owned by the core. The session's dispatcher thread is its only writer; contexts read it
 * through {@link ResourceView} from their own threads, which is why the backing is swapped under a read-write lock:
 * {@link #dropBacking()} waits for a context's copy in flight, so after it returns the host never touches the old
 * guest pages again.
 */
public final class Resource implements ResourceView {
    /** What kind of storage a resource has. */
    public enum Kind {
        /** RESOURCE_CREATE_2D: host pixels + guest backing. */
        TWO_D,
        /** RESOURCE_CREATE_3D: linear host storage (level 0) + guest backing. */
        THREE_D,
        /** CREATE_BLOB GUEST: guest pages only. */
        BLOB_GUEST,
        /** CREATE_BLOB HOST3D: host memory only. */
        BLOB_HOST3D,
        /** CREATE_BLOB HOST3D_GUEST: host memory + guest pages. */
        BLOB_HOST3D_GUEST;

        public boolean isBlob() {
            return this == BLOB_GUEST || this == BLOB_HOST3D || this == BLOB_HOST3D_GUEST;
        }
    }

    private final int id;
    private final Kind kind;
    private final int format;
    private final int width;
    private final int height;
    /** 3D only: bytes per texel (1 for buffers), depth and layers of level 0. */
    private final int texelBytes;
    private final int depth;
    private final int layers;
    private final int lastLevel;
    private final int blobFlags;
    /** Host pixels (2D, in a per-resource shared arena freed at UNREF) or texels (3D, the shared memory's bytes). */
    private final Arena hostArena;
    private final MemorySegment host;
    /** Host blob memory or 3D storage (one reference held by this resource). */
    private final SharedMemory shm;
    /** Bytes charged to the session for this resource. */
    private final long chargedBytes;
    private final long size;

    private final ReentrantReadWriteLock backingLock = new ReentrantReadWriteLock();
    private volatile Backing backing;
    private UUID uuid;
    private HostVisibleRegion.Placement mapping;
    private boolean destroyed;

    private Resource(int id, Kind kind, int format, int width, int height, int texelBytes, int depth, int layers,
                     int lastLevel, int blobFlags, Arena hostArena, MemorySegment host, SharedMemory shm,
                     long chargedBytes, long size) {
        this.id = id;
        this.kind = kind;
        this.format = format;
        this.width = width;
        this.height = height;
        this.texelBytes = texelBytes;
        this.depth = depth;
        this.layers = layers;
        this.lastLevel = lastLevel;
        this.blobFlags = blobFlags;
        this.hostArena = hostArena;
        this.host = host;
        this.shm = shm;
        this.chargedBytes = chargedBytes;
        this.size = size;
    }

    /** A 2D resource with {@code width * height * 4} bytes of zeroed host pixels. */
    public static Resource create2d(int id, int format, int width, int height) {
        long bytes = (long) width * height * PixelFormat.BYTES_PER_PIXEL;
        Arena a = Arena.ofShared();
        MemorySegment px = a.allocate(bytes, 64);
        return new Resource(id, Kind.TWO_D, format, width, height, PixelFormat.BYTES_PER_PIXEL, 1, 1, 0, 0, a, px,
                null, bytes, bytes);
    }

    /**
     * A 3D resource whose linear level-0 storage is {@code storage} (memfd shared memory, so a context can reach it
     * through {@link #hostMemory()}); this resource takes over one reference.
     */
    public static Resource create3d(int id, int format, int width, int height, int depth, int layers, int lastLevel,
                                    int texelBytes, long bytes, SharedMemory storage) {
        return new Resource(id, Kind.THREE_D, format, width, height, texelBytes, depth, layers, lastLevel, 0, null,
                storage.segment(), storage, 0, bytes);
    }

    /** A GUEST blob over {@code backing} (may be null: attached later). */
    public static Resource guestBlob(int id, int blobFlags, long size, Backing backing) {
        Resource r = new Resource(id, Kind.BLOB_GUEST, 0, 0, 0, 0, 0, 0, 0, blobFlags, null, null, null, 0, size);
        r.backing = backing;
        return r;
    }

    /** A HOST3D / HOST3D_GUEST blob over {@code memory}; this resource takes over one reference. */
    public static Resource hostBlob(int id, Kind kind, int blobFlags, long size, SharedMemory memory, Backing backing) {
        Resource r = new Resource(id, kind, 0, 0, 0, 0, 0, 0, 0, blobFlags, null, null, memory, 0, size);
        r.backing = backing;
        return r;
    }

    @Override
    public int id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public int format() {
        return format;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int texelBytes() {
        return texelBytes;
    }

    public int depth() {
        return depth;
    }

    public int layers() {
        return layers;
    }

    public int lastLevel() {
        return lastLevel;
    }

    public int blobFlags() {
        return blobFlags;
    }

    /** Host pixels (2D) or texels (3D); null for blobs. */
    public MemorySegment host() {
        return host;
    }

    /** Bytes per row of the host storage. */
    public long hostStride() {
        return (long) width * texelBytes;
    }

    public long chargedBytes() {
        return chargedBytes;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Optional<SharedMemory> hostMemory() {
        return Optional.ofNullable(shm);
    }

    public SharedMemory shm() {
        return shm;
    }

    /** The current guest backing, or null. Dispatcher thread. */
    public Backing backing() {
        return backing;
    }

    /** ATTACH_BACKING. */
    public void attachBacking(Backing b) {
        backingLock.writeLock().lock();
        try {
            backing = b;
        } finally {
            backingLock.writeLock().unlock();
        }
    }

    /**
     * Forgets the guest pages. Waits for a context's backing copy in flight, so the host never touches those pages
     * once this returns.
     */
    public void dropBacking() {
        attachBacking(null);
    }

    /** RESOURCE_ASSIGN_UUID: random, and stable for the resource's lifetime. */
    public UUID assignUuid() {
        if (uuid == null) {
            uuid = UUID.randomUUID();
        }
        return uuid;
    }

    public HostVisibleRegion.Placement mapping() {
        return mapping;
    }

    public void mapping(HostVisibleRegion.Placement p) {
        this.mapping = p;
    }

    /** Frees the host storage and this resource's reference to blob memory. Call once, after every detach. */
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        dropBacking();
        if (hostArena != null) {
            hostArena.close();
        }
        if (shm != null) {
            shm.release();
        }
    }

    @Override
    public void readBacking(long offset, MemorySegment dst) throws GpuException {
        viewCopy(offset, dst, false);
    }

    @Override
    public void writeBacking(long offset, MemorySegment src) throws GpuException {
        viewCopy(offset, src, true);
    }

    /** A context's copy: under the read lock, so {@link #dropBacking()} waits for it. */
    private void viewCopy(long offset, MemorySegment host, boolean toGuest) throws GpuException {
        backingLock.readLock().lock();
        try {
            Backing b = backing;
            if (b == null) {
                throw new GpuException(GpuError.UNSPEC, "resource " + id + " has no backing");
            }
            if (toGuest) {
                b.write(offset, host, 0, host.byteSize());
            } else {
                b.read(offset, host, 0, host.byteSize());
            }
        } finally {
            backingLock.readLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "resource " + id + " (" + kind + ")";
    }
}
