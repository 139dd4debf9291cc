package org.virtgpu.api;

import org.virtgpu.spi.GpuException;

/**
 * The device, registered as an OSGi service by the core bundle. Its service properties carry
 * {@code virtgpu.capsets} (int[] of the capset ids currently served) and {@code virtgpu.blobAlignment}
 * (long), updated whenever context types come and go, so tools outside the framework's class spaces can
 * watch them without loading this interface.
 */
@org.osgi.annotation.versioning.ProviderType
public interface VirtGpuDevice {
    /** Service property: the capset ids currently served, ascending (int[]). */
    String PROP_CAPSETS = "virtgpu.capsets";
    /** Service property: the blob alignment currently reported (Long). */
    String PROP_BLOB_ALIGNMENT = "virtgpu.blobAlignment";

    /** A snapshot of what the device offers right now. */
    DeviceInfo info();

    /**
     * Opens a session: one guest or client with its own resources, contexts, fences and limits.
     * Closing it frees everything it holds.
     */
    GpuSession openSession(SessionOptions options) throws GpuException;
}
