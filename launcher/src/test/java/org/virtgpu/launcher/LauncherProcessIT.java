package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.launcher.testing.OsgiHarness;

/** {@code java -jar virtgpu.jar} as an operator runs it: a separate JVM, its output, its exit status. */
class LauncherProcessIT {
    @TempDir
    Path tmp;
    private final List<Process> started = new ArrayList<>();

    /** A running launcher whose stderr and stdout lines are collected as they arrive. */
    record Run(Process process, List<String> lines, List<Thread> readers, long startNanos) {
        /** Waits for a line matching {@code p}; returns it, or fails after {@code ms}. */
        String await(Predicate<String> p, long ms) throws InterruptedException {
            long end = System.nanoTime() + ms * 1_000_000;
            while (System.nanoTime() < end) {
                for (String l : lines) {
                    if (p.test(l)) {
                        return l;
                    }
                }
                if (!process.isAlive() && readers.stream().noneMatch(Thread::isAlive) && lines.stream().noneMatch(p)) {
                    break; // the process is gone and its output fully read
                }
                Thread.sleep(5);
            }
            return fail("no matching line within " + ms + " ms; output:\n" + String.join("\n", lines));
        }
    }

    private Run launch(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("virtgpu.java", "java"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Duser.home=" + tmp.resolve("home"), "-jar", OsgiHarness.target().resolve("virtgpu.jar").toString()));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
        started.add(p);
        List<String> lines = new CopyOnWriteArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (var in : List.of(p.getErrorStream(), p.getInputStream())) {
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
        return new Run(p, lines, readers, t0);
    }

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void launcherJarServesAllCapsetsWithinThreeSecondsAndStopsCleanlyOnSigterm() throws Exception {
        Path cfg = tmp.resolve("virtgpu.json");
        Files.writeString(cfg, """
                {
                  "device": {"numScanouts": 2},
                  "limits": {"maxContexts": 8},
                  "vtest": {"socketPath": "%s"}
                }
                """.formatted(tmp.resolve("vtest.sock")));
        Run run = launch("--config", cfg.toString(), "--storage", tmp.resolve("felix").toString());
        String up = run.await(l -> l.contains("virtgpu up in"), 10_000);
        long ms = (System.nanoTime() - run.startNanos()) / 1_000_000;
        assertTrue(up.endsWith("capsets [1, 2, 3, 4, 5, 8, 9]"), up);
        System.out.println("LauncherProcessIT: capsets printed " + ms + " ms after the process was spawned");
        assertTrue(ms < 3_000, "capsets printed " + ms + " ms after the process started");
        run.await(l -> l.endsWith("transports: vtest on " + tmp.resolve("vtest.sock") + "; vhost-user disabled"), 1_000);
        assertTrue(run.lines().stream().anyMatch(l -> l.matches(".*bundle +\\d+ org\\.virtgpu\\.context\\.venus +\\S+ +ACTIVE")),
                run.lines().toString());

        // SIGTERM through the handle: Process.destroy() would also close our end of its stdout/stderr pipes
        run.process().toHandle().destroy();
        assertTrue(run.process().waitFor(15, TimeUnit.SECONDS), "exits after SIGTERM");
        assertEquals(128 + 15, run.process().exitValue(), "the JVM's status for SIGTERM");
        run.await(l -> l.endsWith("launcher: stopped"), 1_000);
        assertTrue(run.lines().stream().anyMatch(l -> l.contains("venus went away")), "bundles were stopped, not killed");
        assertFalse(run.lines().stream().anyMatch(l -> l.contains(" ERROR ") || l.contains(" WARN ")), String.join("\n", run.lines()));
    }

    @Test
    void unknownConfigKeyIsReportedWithTheKnownKeysAndExitStatusTwo() throws Exception {
        Path cfg = tmp.resolve("bad.json");
        Files.writeString(cfg, "{\"device\": {\"numScanout\": 1}, \"vtest\": {\"enabled\": \"yes\"}}");
        Run run = launch("--config", cfg.toString());
        assertTrue(run.process().waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, run.process().exitValue());
        run.await(l -> l.contains("config: device.numScanout: unknown key (known: [") && l.contains("numScanouts"), 1_000);
        run.await(l -> l.contains("config: vtest.enabled: expected Boolean, got \"yes\""), 1_000);
        assertFalse(run.lines().stream().anyMatch(l -> l.contains("virtgpu up")), "nothing started");
    }

    @Test
    void helpDescribesEveryOption() throws Exception {
        Run run = launch("--help");
        assertTrue(run.process().waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, run.process().exitValue());
        run.await(l -> l.startsWith("Usage: virtgpu"), 1_000);
        String all = String.join("\n", run.lines());
        for (String opt : List.of("--config=FILE", "--bundles=DIR", "--storage=DIR", "--shell ", "--shell-bundles=DIR",
                "--vtest-socket=PATH", "--no-vtest", "--vhost-user-socket=PATH", "--host-page-size=N", "--log-level=LEVEL",
                "--help", "--version")) {
            assertTrue(all.contains(opt), opt + " in\n" + all);
        }
    }

    @Test
    void shellRunsVirtgpuCommandsFromStdinAndEndOfInputStopsTheDevice() throws Exception {
        Run run = launch("--no-vtest", "--shell", "--storage", tmp.resolve("felix").toString());
        try (OutputStream in = run.process().getOutputStream()) {
            in.write("virtgpu:capsets\nvirtgpu:bundles\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            run.await(l -> l.matches("\\s*9\\s+gfxstream-composer\\s+\\d+\\s+\\d+\\s+org\\.virtgpu\\.context\\.gfxstream .*"), 10_000);
            run.await(l -> l.matches(".*org\\.virtgpu\\.context\\.venus\\s+\\S+\\s+ACTIVE\\s+4"), 5_000);
        }
        assertTrue(run.process().waitFor(15, TimeUnit.SECONDS), "end of input ends the shell and the framework");
        assertEquals(0, run.process().exitValue());
    }
}
