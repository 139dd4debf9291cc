package org.virtgpu.context.crossdomain;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.IntSupplier;
import org.virtgpu.spi.FenceSink;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.ResourceView;

/**
 * The channel of a cross-domain context to a host Wayland compositor (fact sheet context-types.md §3.3 steps 3, 5,
 * 6 and 8): one AF_UNIX connection, one worker thread.
 * <p>
 * Guest to compositor (SEND) runs on the dispatcher thread: bytes plus the fds of the named resources, one
 * sendmsg. Compositor to guest is driven by fences: each fence the guest puts on the channel ring (after a POLL)
 * lets the worker deliver exactly one message: it waits for the socket, receives up to {@link #MAX_DATA} bytes
 * and their fds, writes one RECEIVE into the channel ring (a single-slot mailbox at offset 0) and signals that
 * fence. A second event never goes out under the same fence, because it would overwrite the mailbox.
 * <p>
 * Received fds become items the guest names by identifier: a regular file (memfd: keymaps, format tables) becomes
 * a VIRTGPU_BLOB item of its size that a later CREATE_BLOB with that blob_id turns into host memory (a copy taken
 * then; the compositor only sends read-only data this way); a pipe becomes a WRITE_PIPE item the guest writes into
 * with WRITE. Other fd kinds (sockets, eventfds, sync files) are closed and reported with identifier type 0, which
 * the guest proxy rejects; this host does not offer them.
 */
final class WaylandChannel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WaylandChannel.class.getName());
    /** A RECEIVE's bytes after the 352-byte SendReceive header: rutabaga's 4096 - 352, which guests size for. */
    static final int MAX_DATA = 4096 - SendReceive.SIZE;
    /** Items (received fds) a context may hold at once; more means the guest is not consuming them. */
    static final int MAX_ITEMS = 1024;

    /** A received fd waiting for the guest: a blob to copy or a pipe to write into. */
    sealed interface Item permits BlobItem, PipeItem {
        int fd();
    }

    record BlobItem(int fd, long size) implements Item {
    }

    record PipeItem(int fd) implements Item {
    }

    private final int ctxId;
    private final int sock;
    private final int stopFd;
    private final FenceSink fences;
    private final IntSupplier ids;
    private final Map<Integer, Item> items;
    private final BlockingQueue<Long> pending = new LinkedBlockingQueue<>();
    private final Object ringLock = new Object();
    private ResourceView ring; // guarded by ringLock: the dispatcher detaches it while the worker writes
    private final Thread worker;
    private volatile boolean hungUp;

    /**
     * Connects to {@code socketPath} and starts the worker.
     *
     * @param ids   hands out identifiers (shared with the context's image requirements, so blob_ids never collide)
     * @param items the context's item table (the context consumes items on CREATE_BLOB and WRITE)
     */
    WaylandChannel(int ctxId, String socketPath, ResourceView ring, FenceSink fences, IntSupplier ids,
                   Map<Integer, Item> items) throws IOException {
        this.ctxId = ctxId;
        this.fences = fences;
        this.ids = ids;
        this.items = items;
        this.ring = ring;
        this.sock = Libc.connect(socketPath);
        int stop;
        try {
            stop = Libc.eventfd();
        } catch (IOException e) {
            Libc.close(sock);
            throw e;
        }
        this.stopFd = stop;
        this.worker = Thread.ofPlatform().daemon().name("cross-domain-ctx" + ctxId).unstarted(this::run);
        worker.start();
    }

    /** A fence on the channel ring: it completes when the next compositor message is in the mailbox. */
    void queueFence(long fenceId) {
        pending.add(fenceId);
    }

    boolean hungUp() {
        return hungUp;
    }

    /** SEND: {@code data} with {@code fds} (owned by the caller) to the compositor. */
    void send(byte[] data, int[] fds) throws IOException {
        Libc.sendWithFds(sock, data, fds);
    }

    /** The guest detached the channel ring: the worker must not write into it any more. */
    void detachRing(int resourceId) {
        synchronized (ringLock) {
            if (ring != null && ring.id() == resourceId) {
                ring = null;
            }
        }
    }

    private void run() {
        byte[] out = new byte[SendReceive.SIZE + MAX_DATA];
        ByteBuffer header = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MAX_DATA);
            while (true) {
                long fence = pending.take();
                if (Libc.pollEither(sock, stopFd, arena) == 1) {
                    return;
                }
                Libc.Received r;
                try (Arena scratch = Arena.ofConfined()) {
                    r = Libc.receive(sock, buf, scratch);
                }
                java.util.Arrays.fill(out, 0, SendReceive.SIZE, (byte) 0);
                header.put(0, (byte) CrossDomainProtocol.CMD_RECEIVE);
                header.putInt(SendReceive.NUM_IDENTIFIERS, r.fds().length);
                header.putInt(SendReceive.OPAQUE_DATA_SIZE, r.bytes());
                for (int i = 0; i < r.fds().length; i++) {
                    register(r.fds()[i], header, i);
                }
                MemorySegment.copy(buf, 0, MemorySegment.ofArray(out), SendReceive.SIZE, r.bytes());
                header.putShort(2, (short) Math.min(0xffff, SendReceive.SIZE + r.bytes()));
                synchronized (ringLock) {
                    if (ring != null) {
                        try {
                            ring.writeBacking(0, MemorySegment.ofArray(out).asSlice(0, SendReceive.SIZE + r.bytes()));
                        } catch (GpuException e) {
                            LOG.log(Level.WARNING, "cross-domain context {0}: channel ring write failed: {1}", ctxId, e);
                        }
                    }
                }
                fences.signal(CrossDomainProtocol.CHANNEL_RING, fence);
                if (r.bytes() == 0 && r.fds().length == 0) {
                    // the compositor hung up: the guest has read the empty RECEIVE; later fences stay pending until
                    // the context is destroyed (the core completes them then)
                    hungUp = true;
                    LOG.log(Level.INFO, "cross-domain context {0}: compositor closed the Wayland connection", ctxId);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            hungUp = true;
            LOG.log(Level.WARNING, "cross-domain context " + ctxId + ": Wayland channel failed", e);
        }
    }

    /** Turns received fd {@code i} into an item and fills its identifier slot. */
    private void register(int fd, ByteBuffer header, int i) {
        int type = 0;
        int id = 0;
        long size = 0;
        try {
            Libc.Stat st = Libc.fstat(fd);
            if (items.size() >= MAX_ITEMS) {
                LOG.log(Level.WARNING, "cross-domain context {0}: {1} unconsumed items; dropping a received fd", ctxId, MAX_ITEMS);
            } else if (st.regular()) {
                id = ids.getAsInt();
                items.put(id, new BlobItem(fd, st.size()));
                type = SendReceive.ID_TYPE_VIRTGPU_BLOB;
                size = st.size();
            } else if (st.fifo()) {
                id = ids.getAsInt();
                items.put(id, new PipeItem(fd));
                type = SendReceive.ID_TYPE_WRITE_PIPE;
            } else {
                LOG.log(Level.WARNING, "cross-domain context {0}: compositor sent an fd of mode 0{1}, not offered; closed",
                        ctxId, Integer.toOctalString(st.mode()));
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cross-domain context {0}: received fd unusable: {1}", ctxId, e.getMessage());
        }
        if (type == 0) {
            Libc.close(fd);
        }
        header.putInt(SendReceive.IDENTIFIERS + 4 * i, id);
        header.putInt(SendReceive.IDENTIFIER_TYPES + 4 * i, type);
        header.putInt(SendReceive.IDENTIFIER_SIZES + 4 * i, (int) Math.min(size, 0xffff_ffffL));
    }

    /** Stops the worker, closes the connection. Items stay with the context, which closes them. */
    @Override
    public void close() {
        try {
            Libc.signal(stopFd);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cross-domain context {0}: cannot wake the worker: {1}", ctxId, e.getMessage());
        }
        worker.interrupt();
        try {
            worker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            // NOTE: the fds stay open rather than be closed under a thread that may still use them
            LOG.log(Level.ERROR, "cross-domain context {0}: worker did not stop; leaving its fds open", ctxId);
            return;
        }
        Libc.close(sock);
        Libc.close(stopFd);
    }
}
