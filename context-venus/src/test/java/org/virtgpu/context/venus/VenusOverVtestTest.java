package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.transport.vtest.VtestConfig;
import org.virtgpu.core.transport.vtest.VtestServer;

/**
 * End to end: Mesa 25's Venus ICD ({@code vulkaninfo --summary}) over our vtest socket, the Venus context
 * executing on lavapipe (surefire sets {@code VK_ICD_FILENAMES} for this JVM to lavapipe; the client process
 * gets the virtio ICD).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VenusOverVtestTest {
    @TempDir
    Path dir;

    record Config(String socketPath) implements VtestConfig {
        @Override public boolean enabled() { return true; }
        @Override public int maxClients() { return 4; }
        @Override public int maxResources() { return 16384; }
        @Override public long maxBytes() { return 1L << 30; }
        @Override public int maxMessageBytes() { return 16 << 20; }
        @Override public int maxSyncs() { return 4096; }
        @Override public int maxPendingWaits() { return 1024; }
        @Override public Class<? extends Annotation> annotationType() { return VtestConfig.class; }
    }

    @Test
    void vulkaninfoThroughVtestListsTheLavapipeDeviceAsVenus() throws Exception {
        String path = dir.resolve("vtest.sock").toString();
        DeviceComponent device = DeviceComponent.standalone(DeviceSettings.defaults());
        device.addContextType(new VenusContextType(), "org.virtgpu.context.venus test");
        VtestServer server = new VtestServer(device, new Config(path));
        Path log = dir.resolve("vulkaninfo.log");
        ProcessBuilder pb = new ProcessBuilder("vulkaninfo", "--summary").redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/virtio_icd.json");
        pb.environment().put("VN_DEBUG", "vtest");
        pb.environment().put("VTEST_SOCKET_NAME", path);
        long start = System.nanoTime();
        Process p = pb.start();
        int rc;
        try {
            boolean done = p.waitFor(90, TimeUnit.SECONDS);
            rc = done ? p.exitValue() : -1;
            System.out.printf("vulkaninfo --summary through vtest: exit %d after %d ms%n", rc,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            server.stop();
        }
        String out = Files.readString(log);
        System.out.println(out);
        assertEquals(0, rc, out);
        assertTrue(out.contains("Virtio-GPU Venus"), out);
        assertTrue(device.sessions().isEmpty(), "the session ended with the client");
    }
}
