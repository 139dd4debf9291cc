package org.virtgpu.spi;

import java.lang.foreign.MemorySegment;

/**
 * Host memory backed by a memfd, owned by the core so that it survives any context bundle.
 * Reference counted: the allocator holds one reference; {@link #retain()} adds one (a context that
 * imports the memory into a host API, say), {@link #release()} drops one, and the mapping and fd go
 * away at zero. Offset 0 of the fd is offset 0 of {@link #segment()}.
 */
public interface SharedMemory {
    /** The mapped bytes (read-write, shared). Invalid after the last release. */
    MemorySegment segment();

    /** Size in bytes (a multiple of the host page size). */
    long size();

    /** The memfd; callers that pass it on (SCM_RIGHTS) must not close it. */
    int fd();

    /** Adds a reference and returns this. */
    SharedMemory retain();

    /** Drops a reference; the last one unmaps and closes. */
    void release();
}
