package org.virtgpu.api;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import org.virtgpu.spi.SharedMemory;

/**
 * One client of the device. Requests are processed in order on the calling thread: a transport calls
 * {@link #control} and {@link #cursor} from one thread at a time (its queue thread).
 */
public interface GpuSession extends AutoCloseable {

    /**
     * Processes one control-queue request.
     *
     * @param readable the device-readable buffers of the descriptor chain, read as one byte stream
     *                 (command struct then payload, split anywhere)
     * @param writable the device-writable buffers, written as one byte stream
     * @param done     called exactly once with the number of bytes written into {@code writable}: before this
     *                 method returns for an unfenced command, possibly later (from another thread) for a fenced
     *                 one, and never before every lower fence on its timeline
     */
    void control(List<MemorySegment> readable, List<MemorySegment> writable, Completion done);

    /** Processes one cursor-queue request (UPDATE_CURSOR / MOVE_CURSOR). The cursor queue has no reply. */
    void cursor(List<MemorySegment> readable);

    /** The core-owned memory of a host blob resource (to pass its fd to a client), if it is one. */
    Optional<SharedMemory> blobMemory(int resourceId);

    /** The current image of a scanout as a PNG, if the scanout is enabled. */
    Optional<byte[]> snapshotPng(int scanoutId);

    /** Frees every resource, context, mapping and pending fence of this session; completes pending fences. */
    @Override
    void close();

    /** Completion of a control request. */
    @FunctionalInterface
    interface Completion {
        void complete(int bytesWritten);
    }
}
