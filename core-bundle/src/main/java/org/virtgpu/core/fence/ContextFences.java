package org.virtgpu.core.fence;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.virtgpu.core.protocol.VirtioGpu;
import org.virtgpu.spi.FenceSink;

/**
 * The fences one context was asked to create, per ring, and that context's ring timelines. It is the context's
 * {@link FenceSink}: {@code signal(ring, N)} retires every fence that context created on that ring with an id up to
 * N, wherever its reply is queued (its ring timeline, or the session's global timeline for commands without
 * INFO_RING_IDX). Entries are registered <em>before</em> the context is asked to create the fence, so a signal
 * racing the registration cannot be lost.
 */
public final class ContextFences implements FenceSink {
    private static final System.Logger LOG = System.getLogger(ContextFences.class.getName());

    private final int ctxId;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<FenceEntry>[] waiting = new ArrayDeque[VirtioGpu.VIRTIO_GPU_MAX_RINGS];
    private final Timeline[] rings = new Timeline[VirtioGpu.VIRTIO_GPU_MAX_RINGS];
    private boolean closed;

    public ContextFences(int ctxId) {
        this.ctxId = ctxId;
    }

    /** The (ctx, ring) timeline, created on first use. */
    public synchronized Timeline ring(int ringIdx) {
        Timeline t = rings[ringIdx];
        if (t == null) {
            t = rings[ringIdx] = new Timeline("ctx " + ctxId + " ring " + ringIdx);
        }
        return t;
    }

    /** Registers an entry the context will signal on {@code ringIdx}; false when the context is already closed. */
    public synchronized boolean register(int ringIdx, FenceEntry e) {
        if (closed) {
            return false;
        }
        ArrayDeque<FenceEntry> q = waiting[ringIdx];
        if (q == null) {
            q = waiting[ringIdx] = new ArrayDeque<>();
        }
        q.addLast(e);
        return true;
    }

    @Override
    public void signal(int ringIdx, long fenceId) {
        if (ringIdx < 0 || ringIdx >= waiting.length) {
            LOG.log(System.Logger.Level.WARNING, "context {0} signalled fence {1} on ring {2}, which does not exist",
                    ctxId, fenceId, ringIdx);
            return;
        }
        // an entry waiting on a ring is queued on that ring's timeline or on the session's global one (see
        // DeviceSession.fence): at most two timelines to drain, in the order their first entry was signalled
        Timeline first = null;
        Timeline second = null;
        synchronized (this) {
            ArrayDeque<FenceEntry> q = waiting[ringIdx];
            if (q == null) {
                return;
            }
            for (Iterator<FenceEntry> it = q.iterator(); it.hasNext(); ) {
                FenceEntry e = it.next();
                if (Long.compareUnsigned(e.fenceId, fenceId) <= 0) {
                    it.remove();
                    e.signalled = true;
                    if (first == null) {
                        first = e.timeline;
                    } else if (second == null && e.timeline != first) {
                        second = e.timeline;
                    }
                }
            }
        }
        if (first != null) {
            first.drain();
        }
        if (second != null) {
            second.drain();
        }
    }

    /**
     * Signals every fence of this context and refuses new ones: the context is destroyed or lost, so its pending
     * work will never complete otherwise. Its ring timelines are flushed too.
     */
    public void close() {
        List<Timeline> touched = new ArrayList<>();
        List<Timeline> own = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (ArrayDeque<FenceEntry> q : waiting) {
                if (q != null) {
                    for (FenceEntry e : q) {
                        e.signalled = true;
                        if (!touched.contains(e.timeline)) {
                            touched.add(e.timeline);
                        }
                    }
                    q.clear();
                }
            }
            for (Timeline t : rings) {
                if (t != null) {
                    own.add(t);
                }
            }
        }
        // the global timeline also holds other contexts' replies: only drain it
        for (Timeline t : touched) {
            t.drain();
        }
        for (Timeline t : own) {
            t.flush();
        }
    }
}
