package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Dictionary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.ConfigurationAdmin;
import org.virtgpu.launcher.testing.OsgiHarness;

/** The JSON configuration reaches the components through ConfigAdmin before they first activate. */
class ConfigAdminIT {
    @TempDir
    Path storage;

    @Test
    void hostPageSizeFromTheConfigFileBecomesTheDeviceBlobAlignment() throws Exception {
        try (OsgiHarness h = OsgiHarness.with(storage).contexts("virgl").config("{\"device\":{\"hostPageSize\":65536}}").boot()) {
            var device = h.service("(objectClass=" + RuntimeLog.DEVICE_CLASS + ")");
            assertEquals(65536L, device.getProperty("virtgpu.blobAlignment"));
        }
    }

    @Test
    void limitsAreMergedIntoTheDevicePidAndTransportsGetTheirPids() throws Exception {
        try (OsgiHarness h = OsgiHarness.with(storage).contexts()
                .config("{\"device\":{\"numScanouts\":2},\"limits\":{\"maxContexts\":8,\"maxBytes\":1048576},"
                        + "\"vhostUser\":{\"socketPath\":\"/tmp/x.sock\",\"enabled\":true},\"contexts\":{\"venus\":{\"ringThreads\":2}}}")
                .boot()) {
            // ConfigurationAdmin's API is a system package, so the test shares its classes with the ConfigAdmin bundle
            ConfigurationAdmin ca = h.context().getService(h.context().getServiceReference(ConfigurationAdmin.class));
            Dictionary<String, Object> dev = ca.getConfiguration(LaunchConfig.DEVICE_PID, "?").getProperties();
            assertEquals(2, dev.get("numScanouts"));
            assertEquals(8, dev.get("maxContexts"));
            assertEquals(1048576L, dev.get("maxBytes"));
            Dictionary<String, Object> vh = ca.getConfiguration(LaunchConfig.VHOST_USER_PID, "?").getProperties();
            assertEquals(Boolean.TRUE, vh.get("enabled"));
            assertEquals("/tmp/x.sock", vh.get("socketPath"));
            assertEquals(Boolean.FALSE, ca.getConfiguration(LaunchConfig.VTEST_PID, "?").getProperties().get("enabled"));
            // a context section without metatype passes through with its JSON types; the bundle need not be running
            assertEquals(2, ca.getConfiguration("org.virtgpu.context.venus", "?").getProperties().get("ringThreads"));
            assertTrue(h.hasDevice());
        }
    }

    @Test
    void theShippedExampleConfigurationIsAcceptedByTheRealBundles() throws Exception {
        Path example = OsgiHarness.target().getParent().resolve("src/main/dist/virtgpu.example.json");
        LaunchConfig cfg = LaunchConfig.read(example);
        cfg.vtestSocket(storage.resolve("vtest.sock").toString()); // never the shared /tmp/.virgl_test in a test
        var found = FrameworkBoot.scan(OsgiHarness.bundleDir());
        try (FrameworkBoot boot = FrameworkBoot.prepare(cfg, found, java.util.List.of(), storage.resolve("felix"),
                java.util.Map.of())) {
            assertEquals(1, boot.pids().get(LaunchConfig.DEVICE_PID).get("numScanouts"));
            assertEquals(64, boot.pids().get(LaunchConfig.DEVICE_PID).get("maxContexts"));
            assertEquals(16, boot.pids().get(LaunchConfig.VTEST_PID).get("maxClients"));
            assertEquals(Boolean.FALSE, boot.pids().get(LaunchConfig.VHOST_USER_PID).get("enabled"));
        }
    }
}
