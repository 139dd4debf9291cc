package org.virtgpu.context.venus.e2e;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.virtgpu.context.venus.VenusContextType;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.transport.vtest.VtestConfig;
import org.virtgpu.core.transport.vtest.VtestServer;

/**
 * A vtest server with the real venus context type, in this JVM and without OSGi: an open-box device
 * ({@link DeviceComponent#standalone}) with {@link VenusContextType} bound, listening on a socket of its own.
 * The host side runs on whatever Vulkan driver this JVM's loader finds ({@code VK_ICD_FILENAMES}).
 * {@link #main} serves until killed (the benchmark script uses it when no launcher jar is around).
 */
public final class InProcessVtest implements AutoCloseable {
    public final Path socket;
    public final DeviceComponent device;
    private final VtestServer server;

    public InProcessVtest(Path socket) throws Exception {
        this.socket = socket;
        device = DeviceComponent.standalone(DeviceSettings.defaults());
        VenusContextType venus = new VenusContextType();
        venus.activate(); // what Declarative Services does in the launcher
        device.addContextType(venus, "org.virtgpu.context.venus (in-process)");
        server = new VtestServer(device, config(socket.toString()));
    }

    @Override
    public void close() {
        server.stop();
    }

    /**
     * Waits up to {@code nanos} for every session to end (a client's connection thread frees its session by itself
     * once the client is gone); true when none is left.
     */
    public boolean awaitNoSessions(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (!device.sessions().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return device.sessions().isEmpty();
    }

    /**
     * The ConfigAdmin defaults, with the socket path of this server and room for a 64 MiB client, and without the
     * transport's warm-up (these servers start for a few clients each; the core's VtestWarmupTest covers it).
     */
    static VtestConfig config(String path) {
        return new VtestConfig() {
            @Override public Class<? extends Annotation> annotationType() { return VtestConfig.class; }
            @Override public boolean enabled() { return true; }
            @Override public String socketPath() { return path; }
            @Override public int maxClients() { return 16; }
            @Override public int maxResources() { return 16384; }
            @Override public long maxBytes() { return 4L << 30; }
            @Override public int maxMessageBytes() { return 16 << 20; }
            @Override public int maxSyncs() { return 4096; }
            @Override public int maxPendingWaits() { return 1024; }
            @Override public int warmupRounds() { return 0; }
        };
    }

    /** {@code InProcessVtest <socket>}: serves until the process is killed. */
    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args.length > 0 ? args[0] : "/tmp/.virgl_test");
        Files.deleteIfExists(socket);
        try (InProcessVtest server = new InProcessVtest(socket)) {
            System.out.println("virtgpu vtest (venus) listening on " + socket);
            Thread.currentThread().join();
        }
    }
}
