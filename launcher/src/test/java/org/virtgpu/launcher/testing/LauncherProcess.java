package org.virtgpu.launcher.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

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
     * Starts {@code target()/virtgpu.jar} with the JVM options of {@code launcher/jvm.args} and the malloc setting {@code ./virtgpu run}
     * adds, {@code user.home} under {@code dir} and {@code dir} as working directory; {@code env} is added to this
     * JVM's environment.
     */
    public static LauncherProcess start(Path dir, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "@" + jvmArgs(),
                "-Duser.home=" + dir.resolve("home"), "-jar", OsgiHarness.target().resolve("virtgpu.jar").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("GLIBC_TUNABLES", "glibc.malloc.arena_max=2");
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        return new LauncherProcess(pb.start(), t0);
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
