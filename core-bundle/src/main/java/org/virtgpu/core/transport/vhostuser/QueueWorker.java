package org.virtgpu.core.transport.vhostuser;

import static org.virtgpu.core.protocol.VirtioGpu.CTRL_HDR_SIZE;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.virtgpu.api.GpuSession;
import org.virtgpu.core.nativeio.EventFd;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.spi.GpuError;

/**
 * The queue thread of one vhost-user connection: the only thread that touches the rings, the memory table
 * and the session's request path. It polls the kick eventfds of the started rings plus one wake eventfd.
 * <p>
 * Two kinds of work reach it from other threads through one lock-free inbox, each followed by a write to the
 * wake eventfd: ring reconfiguration from the socket thread ({@link #call}, which waits for the result, so
 * the socket thread acks a message only once the rings reflect it), and completions of fenced control requests
 * from the device's fence threads. A completion on the queue thread itself (every unfenced command) goes
 * straight into the used ring; used.idx is published and the guest interrupted once per batch.
 */
final class QueueWorker implements Runnable {
    private static final System.Logger LOG = System.getLogger(QueueWorker.class.getName());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Chains taken from one ring before the others and the inbox get a turn. */
    private static final int BATCH = 64;

    /** Opens the device session on first use (the negotiated features are known only then). */
    interface SessionSource {
        GpuSession open() throws Exception;
    }

    final Virtqueue[] queues = new Virtqueue[VhostUserProtocol.NUM_QUEUES];
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final int wakeFd;
    private final String name;
    private final SessionSource sessions;
    private final RateLimitedLog guestLog = new RateLimitedLog(LOG, 20);
    private volatile boolean stopping;
    private Thread thread;

    // queue-thread state
    private MemoryTable mem = MemoryTable.EMPTY;
    private GpuSession session;
    private boolean sessionFailed;
    private final int[] pollFds = new int[1 + VhostUserProtocol.NUM_QUEUES];
    private final short[] pollEvents = new short[pollFds.length];
    private final short[] pollRevents = new short[pollFds.length];
    private final int[] pollQueue = new int[pollFds.length];

    QueueWorker(String name, SessionSource sessions) throws NativeException {
        this.name = name;
        this.sessions = sessions;
        this.wakeFd = EventFd.create();
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new Virtqueue(i);
        }
    }

    void start() {
        thread = Thread.ofPlatform().name("vhost-user-queues " + name).daemon().start(this);
    }

    /** Runs {@code task} on the queue thread and returns its result (the caller blocks; 10 s at most). */
    <T> T call(Callable<T> task) throws Exception {
        if (Thread.currentThread() == thread) {
            return task.call();
        }
        FutureTask<T> f = new FutureTask<>(task);
        inbox.add(f);
        wake();
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("queue thread of " + name + " did not answer in 10 s (a request is blocked)");
        }
    }

    /** Runs {@code task} on the queue thread later, without waiting. */
    void post(Runnable task) {
        inbox.add(new FutureTask<>(task, null));
        wake();
    }

    private void wake() {
        try {
            EventFd.signal(wakeFd, 1);
        } catch (NativeException e) {
            LOG.log(Level.ERROR, "waking the queue thread of {0} failed: {1}", name, e.getMessage());
        }
    }

    /** Replaces the memory table; called on the queue thread. The old table is unmapped. */
    void replaceMemory(MemoryTable table) {
        MemoryTable old = mem;
        mem = table;
        for (Virtqueue q : queues) {
            q.unresolve();
        }
        old.close();
    }

    MemoryTable memory() {
        return mem;
    }

    /** Closes the session (completing its pending fences into the rings while they are still mapped). */
    void closeSession() {
        GpuSession s = session;
        session = null;
        sessionFailed = false;
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "closing the session of " + name + " failed", e);
            }
            drainInbox();
            flushAll();
        }
    }

    /** Stops the thread, closes the session, unmaps memory and closes every ring fd. Idempotent. */
    void shutdown() {
        try {
            call(() -> {
                closeSession();
                replaceMemory(MemoryTable.EMPTY);
                for (Virtqueue q : queues) {
                    q.closeFds();
                }
                stopping = true;
                return null;
            });
        } catch (Exception e) {
            LOG.log(Level.ERROR, "stopping the queue thread of {0}: {1}", name, e.getMessage());
            stopping = true;
            wake();
        }
        try {
            if (thread != null) {
                thread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread == null || !thread.isAlive()) {
            Fds.closeQuietly(wakeFd);
        }
    }

    @Override
    public void run() {
        while (!stopping) {
            try {
                int n = 0;
                pollFds[n] = wakeFd;
                pollEvents[n++] = Poll.POLLIN;
                for (Virtqueue q : queues) {
                    if (q.started && q.enabled && q.kickFd >= 0 && !q.broken) {
                        pollQueue[n] = q.index;
                        pollFds[n] = q.kickFd;
                        pollEvents[n++] = Poll.POLLIN;
                    }
                }
                Poll.poll(n == pollFds.length ? pollFds : java.util.Arrays.copyOf(pollFds, n),
                        pollEvents, pollRevents, -1);
                if (pollRevents[0] != 0) {
                    EventFd.consume(wakeFd);
                }
                drainInbox();
                for (int i = 1; i < n; i++) {
                    short re = pollRevents[i];
                    Virtqueue q = queues[pollQueue[i]];
                    if (q.kickFd != pollFds[i]) {
                        continue; // replaced or closed by a task of the inbox just run
                    }
                    if ((re & Poll.POLLNVAL) != 0) {
                        guestLog.warn("queue {0}: kick fd {1} is not open; ring stopped", q.index, q.kickFd);
                        q.kickFd = -1;
                        q.started = false;
                    } else if (re != 0) {
                        EventFd.consume(pollFds[i]);
                    }
                }
                // Process every ready ring, kicked or not: a kick that came before the ring was enabled is not lost.
                for (Virtqueue q : queues) {
                    process(q);
                }
                flushAll();
            } catch (Throwable t) {
                // never let the queue thread die: log and keep serving (a bug here must not hang the guest silently)
                LOG.log(Level.ERROR, "queue thread of " + name + " caught", t);
                if (t instanceof Error && !(t instanceof AssertionError)) {
                    stopping = true;
                }
            }
        }
    }

    private void drainInbox() {
        Object o;
        while ((o = inbox.poll()) != null) {
            if (o instanceof FutureTask<?> f) {
                f.run();
            } else if (o instanceof Pending p) {
                used(p.queue, p.generation, p.head, p.clamp(p.bytes));
            }
        }
    }

    private void flushAll() {
        for (Virtqueue q : queues) {
            q.flush(guestLog);
        }
    }

    private void used(Virtqueue q, int generation, int head, int len) {
        if (q.generation == generation && q.mapped()) {
            q.addUsed(head, len);
        }
        // else: the ring was reset or unmapped since; the guest no longer waits for this chain
    }

    private void process(Virtqueue q) {
        if (!q.ready(mem, guestLog)) {
            return;
        }
        while (true) {
            int taken = 0;
            for (; taken < BATCH; taken++) {
                int head = q.nextHead(guestLog);
                if (head < 0) {
                    break;
                }
                handle(q, head);
            }
            q.flush(guestLog);
            if (q.broken) {
                return;
            }
            if (taken == BATCH) {
                // more may be waiting: come back after the other ring and the inbox had their turn
                wake();
                return;
            }
            // with EVENT_IDX: ask for the next kick, then re-check (entries may have arrived meanwhile);
            // without it the guest kicks after every batch anyway
            if (!q.armKick()) {
                return;
            }
        }
    }

    private void handle(Virtqueue q, int head) {
        List<MemorySegment> readable = new ArrayList<>(4);
        List<MemorySegment> writable = new ArrayList<>(2);
        String bad = q.walk(head, mem, readable, writable);
        if (bad != null) {
            guestLog.warn("{0} queue {1}: chain {2} rejected: {3}", name, q.index, head, bad);
            q.addUsed(head, 0);
            return;
        }
        GpuSession s = session();
        if (q.index == VhostUserProtocol.CURSORQ) {
            // the cursor queue has no response: used length 0 (virtio 1.3, 5.7.6.10)
            if (s != null) {
                try {
                    s.cursor(readable);
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "cursor request of " + name + " failed", e);
                }
            }
            q.addUsed(head, 0);
            return;
        }
        long capacity = 0;
        for (MemorySegment w : writable) {
            capacity += w.byteSize();
        }
        Pending p = new Pending(this, q, head, capacity);
        if (s == null) {
            p.complete(unspec(writable));
            return;
        }
        try {
            s.control(readable, writable, p);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "control request of " + name + " failed", e);
            if (!p.isDone()) {
                p.complete(unspec(writable));
            }
        }
    }

    /** Without a device session every request is answered VIRTIO_GPU_RESP_ERR_UNSPEC, so the guest never hangs. */
    private static int unspec(List<MemorySegment> writable) {
        if (writable.isEmpty() || writable.getFirst().byteSize() < CTRL_HDR_SIZE) {
            return 0;
        }
        MemorySegment w = writable.getFirst();
        w.asSlice(0, CTRL_HDR_SIZE).fill((byte) 0);
        w.set(U32, 0, GpuError.UNSPEC.responseType());
        return CTRL_HDR_SIZE;
    }

    private GpuSession session() {
        if (session == null && !sessionFailed) {
            try {
                session = sessions.open();
            } catch (Exception e) {
                sessionFailed = true;
                LOG.log(Level.ERROR, "{0}: opening the device session failed, requests get ERR_UNSPEC: {1}", name,
                        e.toString());
            }
        }
        return session;
    }

    /**
     * The completion of one control chain. Exactly-once is enforced here (a second call is logged and ignored).
     * On the queue thread it writes the used element directly; elsewhere it is queued for the queue thread.
     */
    private static final class Pending implements GpuSession.Completion {
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Pending.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final QueueWorker worker;
        final Virtqueue queue;
        final int generation;
        final int head;
        final long capacity;
        int bytes;
        @SuppressWarnings("unused")
        private volatile int state;

        Pending(QueueWorker worker, Virtqueue queue, int head, long capacity) {
            this.worker = worker;
            this.queue = queue;
            this.generation = queue.generation;
            this.head = head;
            this.capacity = capacity;
        }

        boolean isDone() {
            return state != 0;
        }

        int clamp(int n) {
            if (n < 0 || n > capacity) {
                LOG.log(Level.WARNING, "{0}: device reported {1} bytes written into {2} writable bytes", worker.name, n,
                        capacity);
                return (int) Math.max(0, Math.min(n, capacity));
            }
            return n;
        }

        @Override
        public void complete(int bytesWritten) {
            if (!STATE.compareAndSet(this, 0, 1)) {
                LOG.log(Level.ERROR, "{0}: request {1} completed twice", worker.name, head);
                return;
            }
            bytes = bytesWritten;
            if (Thread.currentThread() == worker.thread) {
                worker.used(queue, generation, head, clamp(bytesWritten));
            } else {
                // the volatile write of state above plus the queue's own ordering publish bytes to the queue thread
                worker.inbox.add(this);
                worker.wake();
            }
        }
    }
}
