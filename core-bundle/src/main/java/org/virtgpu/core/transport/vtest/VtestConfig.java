package org.virtgpu.core.transport.vtest;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the vtest server (ConfigAdmin PID {@code org.virtgpu.transport.vtest}). */
@ObjectClassDefinition(name = "virtgpu vtest server",
        description = "virglrenderer-compatible vtest socket for Mesa's Venus (and virgl) drivers")
public @interface VtestConfig {
    String PID = "org.virtgpu.transport.vtest";

    @AttributeDefinition(description = "Listen at all")
    boolean enabled() default true;

    @AttributeDefinition(description = "AF_UNIX socket path; Mesa's default is /tmp/.virgl_test (env VTEST_SOCKET_NAME)")
    String socketPath() default "/tmp/.virgl_test";

    @AttributeDefinition(description = "Clients served at once; more connections are closed at once with a log line")
    int maxClients() default 16;

    @AttributeDefinition(description = "Per client: live resources")
    int maxResources() default 16384;

    @AttributeDefinition(description = "Per client: host bytes (blobs, resource storage and vtest shm)")
    long maxBytes() default 1L << 30;

    @AttributeDefinition(description = "Per client: one message's payload in bytes (SUBMIT_CMD streams, inline transfers)")
    int maxMessageBytes() default 16 << 20;

    @AttributeDefinition(description = "Per client: live sync objects")
    int maxSyncs() default 4096;

    @AttributeDefinition(description = "Per client: SYNC_WAITs pending at once (each holds an eventfd)")
    int maxPendingWaits() default 1024;

    @AttributeDefinition(description = "Rounds of the transport's warm-up at start (8 messages each through a private"
            + " connection and a no-op context, so that the first clients meet compiled code); 0 turns it off")
    int warmupRounds() default 2000;
}
