package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * QEMU 10 boots a Linux guest under TCG whose virtio-gpu is virtgpu (the packaged launcher, every bundle), through
 * vhost-user: runs {@code e2e/vhost-user/run-e2e.sh} and requires every check it makes to pass (guest-side DRM and
 * virtgpu ioctls, host-side screendumps). See docs/vhost-user.md.
 */
class VhostUserQemuIT {
    /** Checks the script must report as passed: a missing line is a failure too. */
    private static final List<String> REQUIRED = List.of("bind", "driver", "virgl", "3d", "capsets", "capset-table",
            "getcaps", "display", "setcrtc", "dirtyfb", "resource_create", "transfer_to_host", "execbuffer", "fence",
            "screen1", "screen2", "screen3");

    @Test
    void linuxGuestDrivesVirtgpuThroughQemuVhostUserGpu() throws Exception {
        Path target = Path.of(System.getProperty("virtgpu.target", "target")).toAbsolutePath();
        Path root = target.getParent().getParent();
        Path script = root.resolve("e2e/vhost-user/run-e2e.sh");
        Path javaHome = Path.of(System.getProperty("virtgpu.java", System.getProperty("java.home") + "/bin/java"))
                .getParent().getParent();
        Path log = Files.createTempFile("vhost-user-e2e", ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("VIRTGPU_JAR", target.resolve("virtgpu.jar").toString());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        Process p = pb.start();
        boolean finished = p.waitFor(150, TimeUnit.SECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        String out = read(log);
        Files.deleteIfExists(log);
        assertTrue(finished, "run-e2e.sh did not finish in 150 s:\n" + out);
        for (String check : REQUIRED) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith("RESULT PASS " + check + " ")),
                    "no passed '" + check + "' check:\n" + out);
        }
        assertTrue(out.lines().noneMatch(l -> l.startsWith("RESULT FAIL")), "a check failed:\n" + out);
        assertEquals(0, p.exitValue(), "run-e2e.sh exit status:\n" + out);
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
