package org.virtgpu.core.device;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.virtgpu.core.fence.ContextFences;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * A live context of a session. The dispatcher calls into {@link #context} under {@link #lock}; so does the
 * framework thread that makes the context <em>lost</em> when its type goes away, which therefore never races a
 * submit. The lock is per context: 2D commands never take it.
 */
final class ContextSlot {
    final int ctxId;
    final int capsetId;
    final ContextType type;
    final String typeName;
    final ContextFences fences;
    final ReentrantLock lock = new ReentrantLock();
    /** Set once, under the lock. */
    volatile boolean lost;
    /** Set by the dispatcher after createContext returns. */
    GpuContext context;
    /** Resources attached with CTX_ATTACH_RESOURCE: written by the dispatcher, read by the context's threads. */
    final Set<Integer> attached = ConcurrentHashMap.newKeySet();
    /** context.destroy() has run (CTX_DESTROY, session end, or loss); under the lock. */
    private boolean gone;

    ContextSlot(int ctxId, int capsetId, ContextType type) {
        this.ctxId = ctxId;
        this.capsetId = capsetId;
        this.type = type;
        this.typeName = type.name();
        this.fences = new ContextFences(ctxId);
    }

    /** A call into the live context, made under the lock. */
    @FunctionalInterface
    interface Call<T> {
        T call(GpuContext context) throws GpuException;
    }

    /** UNSPEC when the context is lost (its type went away). */
    void checkNotLost(String command) throws GpuException {
        if (lost) {
            throw new GpuException(GpuError.UNSPEC, command + ": context " + ctxId + " lost: its context type went away");
        }
    }

    /** Runs {@code call} on the context under the lock, after {@link #checkNotLost}. */
    <T> T call(String command, Call<T> call) throws GpuException {
        lock.lock();
        try {
            checkNotLost(command);
            return call.call(context);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Destroys the context once and completes its pending fences. With {@code lose} the slot stays in the session
     * as a lost context (its type went away). Returns false when the context was already destroyed.
     */
    boolean destroy(boolean lose) {
        lock.lock();
        try {
            if (gone) {
                return false;
            }
            gone = true;
            if (lose) {
                lost = true;
            }
            try {
                if (context != null) {
                    context.destroy();
                }
            } finally {
                fences.close();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
