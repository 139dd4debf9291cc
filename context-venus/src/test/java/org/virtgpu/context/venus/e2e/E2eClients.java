package org.virtgpu.context.venus.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The C clients of e2e/venus (vkclient, vkgfx, vkrt, vkchurn, vkfreerace, vkhostile, glzink), built once per test JVM with
 * e2e/venus/build.sh (glslangValidator, and gcc against libvulkan, libEGL and libOpenGL) into a temporary directory
 * removed when the JVM exits.
 */
final class E2eClients {
    private static Path dir;

    private E2eClients() {
    }

    /** The path of a built client; the first call builds all of them and fails with the build log if that fails. */
    static synchronized Path client(String name) throws IOException, InterruptedException {
        if (dir == null) {
            Path repo = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
            Path out = Files.createTempDirectory("venus-e2e-clients");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(out)));
            Process p = new ProcessBuilder("sh", repo.resolve("e2e/venus/build.sh").toString(), out.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("e2e/venus/build.sh timed out:\n" + log);
            }
            if (p.exitValue() != 0) {
                throw new IOException("e2e/venus/build.sh failed (" + p.exitValue() + "):\n" + log);
            }
            dir = out;
        }
        return dir.resolve(name);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
