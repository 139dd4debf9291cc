package org.virtgpu.launcher.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * {@code java -jar virtgpu.jar} as an operator runs it, in a separate JVM: its stderr and stdout lines are collected
 * as they arrive (both in one list, in arrival order), its stdin can feed the Gogo shell ({@code --shell}).
 */
public final class LauncherProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private final long startNanos;

    private LauncherProcess(Process process, long startNanos) {
        this.process = process;
        this.startNanos = startNanos;
        for (var in : List.of(process.getErrorStream(), process.getInputStream())) {
            readers.add(Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
            }));
        }
    }

    /**
     * Starts {@code target()/virtgpu.jar} with the JVM options of {@code launcher/jvm.args}, the AOT cache
     * ({@link #aotOptions()}) and the malloc setting {@code ./virtgpu run} adds, {@code user.home} under {@code dir}
     * and {@code dir} as working directory; {@code env} is added to this JVM's environment.
     */
    public static LauncherProcess start(Path dir, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "@" + jvmArgs()));
        cmd.addAll(aotOptions());
        cmd.addAll(List.of("-Duser.home=" + dir.resolve("home"), "-jar", OsgiHarness.target().resolve("virtgpu.jar").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("GLIBC_TUNABLES", "glibc.malloc.arena_max=2");
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        return new LauncherProcess(pb.start(), t0);
    }

    /**
     * The AOT cache the build's training run wrote, as {@code ./virtgpu run} passes it, but with
     * {@code -XX:AOTMode=on}: a cache the JVM cannot use (made by another JDK, say) stops the launcher here instead of
     * being skipped with a warning, and one older than the jars fails the test, so the tests notice. None when the
     * build skipped it ({@code -Dvirtgpu.aot.skip}).
     */
    public static List<String> aotOptions() {
        Path cache = aotCache();
        if (!Files.isRegularFile(cache)) {
            return List.of();
        }
        // the JVM does not notice a jar that changed after the cache was written (it was seen running an older
        // build's launcher classes from the cache): neither would a test, so a stale cache is a failed build
        try (var jars = Files.list(OsgiHarness.target().resolve("lib"))) {
            var written = Files.getLastModifiedTime(cache);
            var newer = Stream.concat(Stream.of(OsgiHarness.target().resolve("virtgpu.jar")), jars)
                    .filter(j -> lastModified(j).compareTo(written) > 0).toList();
            if (!newer.isEmpty()) {
                throw new IllegalStateException(cache + " is older than " + newer + ": the build's training run did not run");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on");
    }

    private static java.nio.file.attribute.FileTime lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A jar of {@code target()/bundles}. */
    public static Path bundle(String jar) {
        return OsgiHarness.target().resolve("bundles").resolve(jar);
    }

    /** {@code target()/virtgpu.aot}. */
    public static Path aotCache() {
        return OsgiHarness.target().resolve("virtgpu.aot").toAbsolutePath();
    }

    /** {@code launcher/jvm.args}: the JVM options {@code ./virtgpu run} passes (an argument file). */
    public static Path jvmArgs() {
        return OsgiHarness.target().getParent().resolve("jvm.args").toAbsolutePath();
    }

    /** The JDK's java (failsafe system property {@code virtgpu.java}), else {@code java} from the PATH. */
    public static String java() {
        return System.getProperty("virtgpu.java", "java");
    }

    public Process process() {
        return process;
    }

    public List<String> lines() {
        return lines;
    }

    public long startNanos() {
        return startNanos;
    }

    /** Waits for a line matching {@code p}; returns it, or fails after {@code ms}. */
    public String await(Predicate<String> p, long ms) throws InterruptedException {
        return await(0, p, ms);
    }

    /** Waits for a line matching {@code p} at index {@code from} or later (e.g. the answer to a shell command). */
    public String await(int from, Predicate<String> p, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000;
        while (true) {
            boolean finished = !process.isAlive() && readers.stream().noneMatch(Thread::isAlive);
            // a snapshot: a sub-list view of the live list fails (ConcurrentModificationException) when a reader
            // thread appends a line while it is iterated
            List<String> all = List.copyOf(lines);
            List<String> seen = all.subList(Math.min(from, all.size()), all.size());
            for (String l : seen) {
                if (p.test(l)) {
                    return l;
                }
            }
            if (finished || System.nanoTime() > end) {
                break; // the process is gone and its output fully read, or time is up
            }
            Thread.sleep(5);
        }
        return fail("no matching line within " + ms + " ms; output:\n" + String.join("\n", lines));
    }

    /** Writes one line to the launcher's stdin (a Gogo shell command with {@code --shell}). */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
