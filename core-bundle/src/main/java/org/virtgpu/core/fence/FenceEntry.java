package org.virtgpu.core.fence;

import org.virtgpu.api.GpuSession;

/**
 * A fenced reply already written into the guest's buffer, waiting to be returned. It is returned when it is
 * {@code signalled} and every entry before it on its {@link Timeline} has been returned.
 */
public final class FenceEntry {
    final long fenceId;
    final GpuSession.Completion done;
    final int written;
    final Timeline timeline;
    volatile boolean signalled;

    public FenceEntry(long fenceId, GpuSession.Completion done, int written, Timeline timeline) {
        this.fenceId = fenceId;
        this.done = done;
        this.written = written;
        this.timeline = timeline;
    }

    /** Marks the work done; the caller then drains its {@link Timeline}. */
    public void signal() {
        signalled = true;
    }
}
