package org.virtgpu.api;

import java.lang.foreign.MemorySegment;
import org.virtgpu.spi.GpuException;

/**
 * The guest's memory as one transport sees it: vhost-user maps the guest's memfds, vtest and tests use
 * plain memory. Addresses are guest-physical (what mem_entry.addr carries).
 */
@FunctionalInterface
public interface GuestMemory {
    /**
     * A view of {@code length} bytes at guest address {@code address}. The view must stay valid until the
     * session is closed or the transport replaces its memory table.
     *
     * @throws GpuException UNSPEC when the range is not entirely inside guest memory (the spec's answer
     *                      for a mem_entry outside guest RAM)
     */
    MemorySegment slice(long address, long length) throws GpuException;

    /** Guest memory that contains nothing: every slice fails. For clients that only use host blobs. */
    static GuestMemory none() {
        return (address, length) -> {
            throw new GpuException(org.virtgpu.spi.GpuError.UNSPEC,
                    "no guest memory at 0x" + Long.toHexString(address) + "+" + length);
        };
    }
}
