package org.virtgpu.core.transport.vhostuser;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the vhost-user back-end (PID {@code org.virtgpu.transport.vhostuser}; JSON "vhostUser"). */
@ObjectClassDefinition(name = "virtgpu vhost-user", description = "vhost-user-gpu back-end for QEMU")
public @interface VhostUserConfig {
    String PID = "org.virtgpu.transport.vhostuser";

    @AttributeDefinition(description = "Listen for a vhost-user front-end (QEMU -device vhost-user-gpu-pci)")
    boolean enabled() default false;

    @AttributeDefinition(description = "Unix socket path QEMU connects to (-chardev socket,path=...)")
    String socketPath() default "/tmp/virtgpu-vhost-user.sock";

    @AttributeDefinition(description = "Largest virtqueue size accepted in SET_VRING_NUM (power of 2, at most 32768)")
    int maxQueueSize() default 1024;

    @AttributeDefinition(description = "Per-guest limit: live resources")
    int maxResources() default 16384;

    @AttributeDefinition(description = "Per-guest limit: host bytes (resource storage and host blobs)")
    long maxBytes() default 1L << 30;

    @AttributeDefinition(description = "Per-guest limit: live contexts")
    int maxContexts() default 64;
}
