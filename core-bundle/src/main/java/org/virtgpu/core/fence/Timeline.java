package org.virtgpu.core.fence;

import java.util.ArrayDeque;

/**
 * One fence timeline: the global one of a session, or one (context, ring_idx) with VIRTIO_GPU_FLAG_INFO_RING_IDX.
 * <p>
 * The guest signals a reply's fence and every earlier fence of the same dma-fence context (Linux
 * virtgpu_fence.c), so a reply must not be returned before every earlier fenced command of its timeline is done.
 * Entries are kept in arrival order (Linux fence ids are increasing per timeline) and returned from the head while
 * the head is signalled. Each timeline has its own monitor: contexts complete fences from their threads, and there
 * is no session-wide lock. Completions are called under the monitor, so they reach the transport in order.
 */
public final class Timeline {
    private final String name;
    private final ArrayDeque<FenceEntry> queue = new ArrayDeque<>();

    public Timeline(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Queues a fenced reply; returns it (and what follows) at once when nothing unsignalled is ahead. */
    public void add(FenceEntry e) {
        synchronized (this) {
            queue.addLast(e);
        }
        drain();
    }

    /** Returns every reply at the head whose work is done. */
    public void drain() {
        synchronized (this) {
            FenceEntry head;
            while ((head = queue.peekFirst()) != null && head.signalled) {
                queue.pollFirst();
                head.done.complete(head.written);
            }
        }
    }

    /** Signals and returns everything queued (context lost, session closing). */
    public void flush() {
        synchronized (this) {
            for (FenceEntry e : queue) {
                e.signalled = true;
            }
        }
        drain();
    }

    public synchronized int pending() {
        return queue.size();
    }

    @Override
    public String toString() {
        return "timeline " + name;
    }
}
