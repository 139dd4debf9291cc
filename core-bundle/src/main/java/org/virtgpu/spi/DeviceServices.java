package org.virtgpu.spi;

import java.util.Optional;

/** What the core offers a context. Implemented by the core, one per device session. */
@org.osgi.annotation.versioning.ProviderType
public interface DeviceServices {
    /** Host facts: page size, blob alignment, host-visible region size. */
    HostInfo host();

    /**
     * Allocates core-owned shared memory (a memfd), counted against the session's byte limit. The size is
     * rounded up to the host page size.
     *
     * @throws GpuException OUT_OF_MEMORY when the session's limit or the host refuses
     */
    SharedMemory allocate(String name, long size) throws GpuException;

    /** A resource attached to the calling context, by id. */
    Optional<ResourceView> resource(int resourceId);
}
