package org.virtgpu.context.venus.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a Vulkan program as a subprocess on Mesa's Venus ICD in vtest mode, or directly on lavapipe. */
final class VenusClient {
    static final String VENUS_ICD = "/usr/share/vulkan/icd.d/virtio_icd.json";
    static final String LAVAPIPE_ICD = "/usr/share/vulkan/icd.d/lvp_icd.json";

    record Result(int exit, String output) {
    }

    private VenusClient() {
    }

    /** Through Venus: the client connects to {@code socket}; VN_DEBUG adds Mesa's init log to the output. */
    static Result run(Path socket, Path tmp, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        return run(Map.of("VK_ICD_FILENAMES", VENUS_ICD, "VN_DEBUG", "init,vtest",
                "VTEST_SOCKET_NAME", socket.toString(), "XDG_RUNTIME_DIR", tmp.toString()), tmp, timeoutSeconds, command);
    }

    /** Through Venus with more environment (Zink's: see {@link GlZinkThroughVenusTest}). */
    static Result run(Path socket, Path tmp, int timeoutSeconds, Map<String, String> more, String... command)
            throws IOException, InterruptedException {
        Map<String, String> env = new java.util.HashMap<>(more);
        env.putAll(Map.of("VK_ICD_FILENAMES", VENUS_ICD, "VN_DEBUG", "init,vtest", "VTEST_SOCKET_NAME",
                socket.toString(), "XDG_RUNTIME_DIR", tmp.toString()));
        return run(env, tmp, timeoutSeconds, command);
    }

    /** Straight on lavapipe with more environment. */
    static Result direct(Path tmp, int timeoutSeconds, Map<String, String> more, String... command)
            throws IOException, InterruptedException {
        Map<String, String> env = new java.util.HashMap<>(more);
        env.putAll(Map.of("VK_ICD_FILENAMES", LAVAPIPE_ICD, "XDG_RUNTIME_DIR", tmp.toString()));
        return run(env, tmp, timeoutSeconds, command);
    }

    /** Straight on lavapipe. */
    static Result direct(Path tmp, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        return run(Map.of("VK_ICD_FILENAMES", LAVAPIPE_ICD, "XDG_RUNTIME_DIR", tmp.toString()), tmp, timeoutSeconds, command);
    }

    private static Result run(Map<String, String> env, Path tmp, int timeoutSeconds, String... command)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(tmp, "client", ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return new Result(-1, "TIMED OUT after " + timeoutSeconds + " s\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
