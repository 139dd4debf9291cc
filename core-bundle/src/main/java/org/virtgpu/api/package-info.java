/**
 * The in-process API of the virtio-gpu device: what transports (vtest, vhost-user), embedders and tests use.
 * <p>
 * Obtain the {@link org.virtgpu.api.VirtGpuDevice} service, open a {@link org.virtgpu.api.GpuSession} per
 * client (one VM, one vtest connection) with its own {@link org.virtgpu.api.GuestMemory} and limits, and feed
 * it virtio-gpu control and cursor requests exactly as they appear on the virtqueues. A transport only
 * translates its framing; every device rule lives behind this API.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.virtgpu.api;
