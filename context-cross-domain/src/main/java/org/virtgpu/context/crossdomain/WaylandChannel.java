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
import org.virtgpu.core.nativeio.EventFd;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;
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
    /** How long a SEND waits for a compositor that does not read before it fails (the dispatcher must not hang). */
    static final int SEND_TIMEOUT_MS = 2000;
    private static final short[] POLL_IN = {Poll.POLLIN, Poll.POLLIN};

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
        this.sock = UnixSockets.connect(socketPath);
        int stop;
        try {
            stop = EventFd.create();
        } catch (IOException e) {
            Fds.closeQuietly(sock);
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
    void send(MemorySegment data, int[] fds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            UnixSockets.sendAll(sock, nativeOf(data, a), fds, SEND_TIMEOUT_MS);
        }
    }

    /** {@code data} itself when native, else a native copy in {@code a}: syscalls take no heap segments. */
    static MemorySegment nativeOf(MemorySegment data, Arena a) {
        return data.isNative() ? data : a.allocate(data.byteSize()).copyFrom(data);
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
        int[] pollFds = {sock, stopFd};
        short[] revents = new short[2];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MAX_DATA);
            while (true) {
                long fence = pending.take();
                Poll.poll(pollFds, POLL_IN, revents, -1);
                if (revents[1] != 0) {
                    return; // the stop event wins: tear-down must not wait for the compositor
                }
                UnixSockets.Received r = UnixSockets.recvmsg(sock, buf);
                int[] fds = keepIdentifiable(r);
                int bytes = (int) r.bytes();
                java.util.Arrays.fill(out, 0, SendReceive.SIZE, (byte) 0);
                header.put(0, (byte) CrossDomainProtocol.CMD_RECEIVE);
                header.putInt(SendReceive.NUM_IDENTIFIERS, fds.length);
                header.putInt(SendReceive.OPAQUE_DATA_SIZE, bytes);
                for (int i = 0; i < fds.length; i++) {
                    register(fds[i], header, i);
                }
                MemorySegment.copy(buf, 0, MemorySegment.ofArray(out), SendReceive.SIZE, bytes);
                header.putShort(2, (short) Math.min(0xffff, SendReceive.SIZE + bytes));
                synchronized (ringLock) {
                    if (ring != null) {
                        try {
                            ring.writeBacking(0, MemorySegment.ofArray(out).asSlice(0, SendReceive.SIZE + bytes));
                        } catch (GpuException e) {
                            LOG.log(Level.WARNING, "cross-domain context {0}: channel ring write failed: {1}", ctxId, e);
                        }
                    }
                }
                fences.signal(CrossDomainProtocol.CHANNEL_RING, fence);
                if (bytes == 0 && fds.length == 0) {
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

    /**
     * The received fds that fit the RECEIVE's identifier slots; the rest (a compositor passing more than
     * {@link SendReceive#MAX_IDENTIFIERS} at once) are closed, as a guest could never name them.
     */
    private int[] keepIdentifiable(UnixSockets.Received r) {
        int[] fds = r.fds();
        if (r.truncatedFds()) {
            LOG.log(Level.WARNING, "cross-domain context {0}: compositor passed more fds than fit one message", ctxId);
        }
        if (fds.length <= SendReceive.MAX_IDENTIFIERS) {
            return fds;
        }
        LOG.log(Level.WARNING, "cross-domain context {0}: compositor passed {1} fds in one message; closing all past {2}",
                ctxId, fds.length, SendReceive.MAX_IDENTIFIERS);
        for (int i = SendReceive.MAX_IDENTIFIERS; i < fds.length; i++) {
            Fds.closeQuietly(fds[i]);
        }
        return java.util.Arrays.copyOf(fds, SendReceive.MAX_IDENTIFIERS);
    }

    /** Turns received fd {@code i} into an item and fills its identifier slot. */
    private void register(int fd, ByteBuffer header, int i) {
        int type = 0;
        int id = 0;
        long size = 0;
        try {
            Fds.Stat st = Fds.fstat(fd);
            if (items.size() >= MAX_ITEMS) {
                LOG.log(Level.WARNING, "cross-domain context {0}: {1} unconsumed items; dropping a received fd", ctxId, MAX_ITEMS);
            } else if (st.isRegular()) {
                id = ids.getAsInt();
                items.put(id, new BlobItem(fd, st.size()));
                type = SendReceive.ID_TYPE_VIRTGPU_BLOB;
                size = st.size();
            } else if (st.isFifo()) {
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
            Fds.closeQuietly(fd);
        }
        header.putInt(SendReceive.IDENTIFIERS + 4 * i, id);
        header.putInt(SendReceive.IDENTIFIER_TYPES + 4 * i, type);
        header.putInt(SendReceive.IDENTIFIER_SIZES + 4 * i, (int) Math.min(size, 0xffff_ffffL));
    }

    /** Stops the worker, closes the connection. Items stay with the context, which closes them. */
    @Override
    public void close() {
        try {
            EventFd.signal(stopFd, 1);
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
        Fds.closeQuietly(sock);
        Fds.closeQuietly(stopFd);
    }
}
