package org.virtgpu.core.transport.vtest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.virtgpu.core.nativeio.EventFd;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;

/**
 * One client's vtest syncs: 64-bit timeline values kept by the transport (they have no virtio-gpu equivalent),
 * the SYNC_WAITs pending on them (each with the eventfd the client polls), and the SUBMIT_CMD2 batches whose
 * syncs are signalled when the device completes the fence attached to that (context, ring) submit.
 * <p>
 * Semantics follow virglrenderer's vtest: a sync is reached when its value is at least the waited value; a
 * write sets the value (lower values too: Mesa resets syncs that way); a wait with no unreached sync, or with
 * the ANY flag and one reached sync, is signalled at once.
 * <p>
 * Threads: the connection thread creates, writes and waits; device fence completions arrive on other threads.
 * Syncs are rare in Mesa's vtest traffic, so one lock guards everything. Every fd is closed on the connection
 * thread ({@link #closeRetired}), so an fd number is never closed while the connection is about to send it.
 */
final class SyncTable {
    private static final class Sync {
        long value;

        Sync(long value) {
            this.value = value;
        }
    }

    private static final class Wait {
        final int fd;
        final boolean any;
        final long deadline; // System.nanoTime(); Long.MAX_VALUE = forever
        final Sync[] syncs;
        final long[] values;
        int reached;

        Wait(int fd, boolean any, long deadline, Sync[] syncs, long[] values) {
            this.fd = fd;
            this.any = any;
            this.deadline = deadline;
            this.syncs = syncs;
            this.values = values;
        }
    }

    private record Pending(long fenceId, Sync[] syncs, long[] values) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, Sync> syncs = new HashMap<>();
    private final List<Wait> waits = new ArrayList<>();
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Pending>[] rings = new ArrayDeque[VtestProtocol.VTEST_MAX_TIMELINE_COUNT];
    private final List<Integer> retiredFds = new ArrayList<>();
    private final int maxSyncs;
    private final int maxWaits;
    private int nextId = 1;

    SyncTable(int maxSyncs, int maxWaits) {
        this.maxSyncs = maxSyncs;
        this.maxWaits = maxWaits;
    }

    int create(long value) throws ClientError {
        lock.lock();
        try {
            if (syncs.size() >= maxSyncs) {
                throw new ClientError("SYNC_CREATE: the client already holds " + maxSyncs + " syncs");
            }
            int id = nextId++;
            if (id == 0) {
                id = nextId++;
            }
            syncs.put(id, new Sync(value));
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** Drops a sync; an unknown id is ignored, as virglrenderer does. Pending waits and submits keep theirs. */
    void unref(int id) {
        lock.lock();
        try {
            syncs.remove(id);
        } finally {
            lock.unlock();
        }
    }

    long read(int id) throws ClientError {
        lock.lock();
        try {
            return lookup(id, "SYNC_READ").value;
        } finally {
            lock.unlock();
        }
    }

    void write(int id, long value) throws ClientError {
        lock.lock();
        try {
            signal(lookup(id, "SYNC_WRITE"), value);
        } finally {
            lock.unlock();
        }
    }

    private Sync lookup(int id, String what) throws ClientError {
        Sync s = syncs.get(id);
        if (s == null) {
            throw new ClientError(what + ": unknown sync " + Integer.toUnsignedString(id));
        }
        return s;
    }

    private Sync[] lookupAll(int[] ids, String what) throws ClientError {
        Sync[] out = new Sync[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = lookup(ids[i], what);
        }
        return out;
    }

    /**
     * SYNC_WAIT: returns the eventfd to send. It is already signalled when the wait is satisfied now; otherwise
     * it is signalled when satisfied within {@code timeoutMs} (0xFFFFFFFF: forever), else dropped.
     */
    int waitFd(boolean any, int timeoutMs, int[] ids, long[] values) throws ClientError {
        lock.lock();
        try {
            expire(System.nanoTime());
            Sync[] s = lookupAll(ids, "SYNC_WAIT");
            if (waits.size() >= maxWaits) {
                throw new ClientError("SYNC_WAIT: " + maxWaits + " waits already pending");
            }
            int fd;
            try {
                fd = EventFd.create();
            } catch (NativeException e) {
                throw new ClientError("SYNC_WAIT: " + e.getMessage());
            }
            int reached = 0;
            for (int i = 0; i < s.length; i++) {
                if (s[i].value >= values[i]) {
                    reached++;
                    s[i] = null;
                }
            }
            boolean ready = reached == s.length || (any && reached > 0);
            long timeout = Integer.toUnsignedLong(timeoutMs);
            if (ready) {
                ready(fd);
                retiredFds.add(fd);
            } else if (timeout == 0) {
                retiredFds.add(fd); // a poll with timeout 0: answered "not ready" by an unsignalled fd
            } else {
                // virglrenderer treats timeouts above INT32_MAX ms as infinite
                long deadline = timeout > Integer.MAX_VALUE ? Long.MAX_VALUE
                        : System.nanoTime() + timeout * 1_000_000L;
                Wait w = new Wait(fd, any, deadline, s, values.clone());
                w.reached = reached;
                waits.add(w);
            }
            return fd;
        } finally {
            lock.unlock();
        }
    }

    /** SUBMIT_CMD2 without RING_IDX: the syncs are signalled right after the stream ran. */
    void signalNow(int[] ids, long[] values) throws ClientError {
        lock.lock();
        try {
            Sync[] s = lookupAll(ids, "SUBMIT_CMD2");
            for (int i = 0; i < s.length; i++) {
                signal(s[i], values[i]);
            }
        } finally {
            lock.unlock();
        }
    }

    /** SUBMIT_CMD2 with RING_IDX: remembers the syncs until {@link #fenceDone} for this ring and fence. */
    void enqueue(int ring, long fenceId, int[] ids, long[] values) throws ClientError {
        lock.lock();
        try {
            Sync[] s = lookupAll(ids, "SUBMIT_CMD2");
            ArrayDeque<Pending> q = rings[ring];
            if (q == null) {
                q = rings[ring] = new ArrayDeque<>();
            }
            q.add(new Pending(fenceId, s, values.clone()));
        } finally {
            lock.unlock();
        }
    }

    /** The device completed {@code fenceId} on {@code ring}: signals every submit up to it, in submission order. */
    void fenceDone(int ring, long fenceId) {
        lock.lock();
        try {
            ArrayDeque<Pending> q = rings[ring];
            while (q != null && !q.isEmpty() && q.peek().fenceId() <= fenceId) {
                Pending p = q.poll();
                for (int i = 0; i < p.syncs().length; i++) {
                    signal(p.syncs()[i], p.values()[i]);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void signal(Sync sync, long value) {
        boolean raised = value > sync.value;
        sync.value = value;
        if (!raised || waits.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Wait> it = waits.iterator(); it.hasNext(); ) {
            Wait w = it.next();
            if (expired(w, now)) {
                it.remove();
                continue;
            }
            boolean ready = false;
            for (int i = 0; i < w.syncs.length && !ready; i++) {
                if (w.syncs[i] == sync && w.values[i] <= value) {
                    w.syncs[i] = null;
                    w.reached++;
                    ready = w.reached == w.syncs.length || w.any;
                }
            }
            if (ready) {
                it.remove();
                ready(w.fd);
                retiredFds.add(w.fd);
            }
        }
    }

    private void expire(long now) {
        for (Iterator<Wait> it = waits.iterator(); it.hasNext(); ) {
            if (expired(it.next(), now)) {
                it.remove();
            }
        }
    }

    /** Whether {@code w} is past its deadline at {@code now}; if so its eventfd is retired (the caller drops it). */
    private boolean expired(Wait w, long now) {
        if (w.deadline - now < 0) {
            retiredFds.add(w.fd);
            return true;
        }
        return false;
    }

    private static void ready(int fd) {
        try {
            EventFd.signal(fd, 1);
        } catch (NativeException e) {
            // cannot happen for a live eventfd; the client then sees its poll time out
            System.getLogger(SyncTable.class.getName()).log(System.Logger.Level.WARNING, "vtest sync wait: {0}", e.getMessage());
        }
    }

    /** Closes the eventfds of finished and expired waits. Connection thread only. */
    void closeRetired() {
        int[] fds;
        lock.lock();
        try {
            if (retiredFds.isEmpty()) {
                return;
            }
            fds = retiredFds.stream().mapToInt(Integer::intValue).toArray();
            retiredFds.clear();
        } finally {
            lock.unlock();
        }
        for (int fd : fds) {
            Fds.closeQuietly(fd);
        }
    }

    /** Session end: drops everything and closes every eventfd. Connection thread only. */
    void closeAll() {
        lock.lock();
        try {
            for (Wait w : waits) {
                retiredFds.add(w.fd);
            }
            waits.clear();
            syncs.clear();
            for (int i = 0; i < rings.length; i++) {
                rings[i] = null;
            }
        } finally {
            lock.unlock();
        }
        closeRetired();
    }
}
