package org.virtgpu.core.device;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the device (ConfigAdmin PID {@code org.virtgpu.core}); the launcher's JSON "device" object. */
@ObjectClassDefinition(name = "virtgpu device", description = "virtio-gpu device model")
public @interface DeviceConfig {
    String PID = "org.virtgpu.core";

    @AttributeDefinition(description = "num_scanouts, 1..16")
    int numScanouts() default 1;

    @AttributeDefinition(description = "Host page size to act as (4096, 16384, 65536); 0 = the OS page size")
    int hostPageSize() default 0;

    @AttributeDefinition(description = "Size in bytes of the host-visible shared memory region (shm id 1)")
    long hostVisibleSize() default 256L << 20;

    @AttributeDefinition(description = "Preferred display width of every scanout")
    int displayWidth() default 1280;

    @AttributeDefinition(description = "Preferred display height of every scanout")
    int displayHeight() default 800;

    @AttributeDefinition(description = "Per-session limit: live resources")
    int maxResources() default 16384;

    @AttributeDefinition(description = "Per-session limit: host bytes (resource storage and host blobs)")
    long maxBytes() default 1L << 30;

    @AttributeDefinition(description = "Per-session limit: live contexts")
    int maxContexts() default 64;
}
