package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.launcher.testing.LauncherProcess;
import org.virtgpu.launcher.testing.OsgiHarness;

/**
 * The flagship path as a user runs it: the packaged {@code virtgpu.jar} (every bundle, LWJGL as system packages of
 * Felix) in its own JVM on lavapipe, and Mesa's real Venus ICD in vtest mode as the client: {@code vulkaninfo},
 * e2e/venus/vkclient.c, vkrt.c and the hostile vkfreerace.c, and a venus bundle swap under a running Vulkan client (e2e/launcher/vkloop.c) while a
 * cross-domain client (e2e/launcher/xdclient.c) keeps working.
 */
class VenusLauncherIT {
    static final String VENUS = "org.virtgpu.context.venus";
    static final String VENUS_ICD = "/usr/share/vulkan/icd.d/virtio_icd.json";
    static final String LAVAPIPE_ICD = "/usr/share/vulkan/icd.d/lvp_icd.json";
    /** Mesa's vtest driver aborts the process when its renderer stops answering: 128 + SIGABRT. */
    static final int EXIT_SIGABRT = 128 + 6;

    @TempDir
    static Path build;
    @TempDir
    Path tmp;
    private final List<AutoCloseable> started = new ArrayList<>();

    @BeforeAll
    static void buildClients() throws Exception {
        Path repo = OsgiHarness.target().getParent().getParent();
        for (String script : List.of("e2e/venus/build.sh", "e2e/launcher/build.sh")) {
            Process p = new ProcessBuilder("sh", repo.resolve(script).toString(), build.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), script + " timed out");
            assertEquals(0, p.exitValue(), script + " failed:\n" + log);
        }
    }

    @AfterEach
    void killLeftovers() throws Exception {
        for (AutoCloseable c : started) {
            c.close();
        }
    }

    /** A client process with its output in a file. */
    final class Client implements AutoCloseable {
        final Process process;
        final Path log;
        final long startNanos = System.nanoTime();

        Client(Map<String, String> env, String... command) throws IOException {
            log = Files.createTempFile(tmp, Path.of(command[0]).getFileName().toString(), ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            process = pb.start();
            started.add(this);
        }

        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** Waits until the output contains {@code text}; fails if the process ends first or after {@code ms}. */
        void await(String text, long ms) throws Exception {
            long end = System.nanoTime() + ms * 1_000_000;
            while (!output().contains(text)) {
                if (!process.isAlive() && !output().contains(text)) {
                    fail(command() + " ended (" + process.exitValue() + ") before printing '" + text + "':\n" + output());
                }
                if (System.nanoTime() > end) {
                    fail(command() + " did not print '" + text + "' within " + ms + " ms:\n" + output());
                }
                Thread.sleep(10);
            }
        }

        /** Waits for the exit; fails (and kills it) after {@code seconds}: a hang. Returns the exit status. */
        int finish(int seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(command() + " still running after " + seconds + " s:\n" + output());
            }
            return process.exitValue();
        }

        private String command() {
            return process.info().command().orElse("client");
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** A Mesa Venus client of the launcher's vtest socket. */
    Client venus(Path socket, String... command) throws IOException {
        return new Client(Map.of("VK_ICD_FILENAMES", VENUS_ICD, "VN_DEBUG", "vtest", "VTEST_SOCKET_NAME",
                socket.toString(), "XDG_RUNTIME_DIR", tmp.toString()), command);
    }

    LauncherProcess launch(String... args) throws Exception {
        // the launcher's host Vulkan is lavapipe, chosen the way a user would: the loader's environment variable
        LauncherProcess p = LauncherProcess.start(tmp, Map.of("VK_ICD_FILENAMES", LAVAPIPE_ICD), args);
        started.add(p);
        p.await(l -> l.contains("virtgpu up in") && l.endsWith("capsets [1, 2, 3, 4, 5, 8, 9]"), 20_000);
        return p;
    }

    /** Lines at WARN or ERROR level, minus those matching {@code allowed}. */
    static List<String> problems(LauncherProcess p, String allowed) {
        return p.lines().stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .filter(l -> !l.matches(allowed)).toList();
    }

    @Test
    void vulkaninfoAndTheVkClientRunThroughThePackagedLauncher() throws Exception {
        Path socket = tmp.resolve("vtest.sock");
        LauncherProcess launcher = launch("--vtest-socket", socket.toString(), "--storage", tmp.resolve("felix").toString());
        launcher.await(l -> l.endsWith("transports: vtest on " + socket + "; vhost-user disabled"), 1_000);

        Client summary = venus(socket, "vulkaninfo", "--summary");
        assertEquals(0, summary.finish(60), summary.output());
        assertTrue(summary.output().contains("Virtio-GPU Venus (llvmpipe"), summary.output());
        assertTrue(summary.output().contains("driverName         = venus"), summary.output());

        // the full report queries every property and feature struct the driver knows, with long pNext chains
        long t0 = System.nanoTime();
        Client full = venus(socket, "vulkaninfo");
        assertEquals(0, full.finish(60), full.output());
        long fullMs = (System.nanoTime() - t0) / 1_000_000;
        String report = full.output();
        assertTrue(report.contains("deviceName        = Virtio-GPU Venus (llvmpipe"), report);
        for (String section : List.of("VkPhysicalDeviceVulkan11Properties:", "VkPhysicalDeviceVulkan12Features:",
                "VkPhysicalDeviceMemoryProperties:", "VkQueueFamilyProperties:", "VkPhysicalDeviceFeatures:")) {
            assertTrue(report.contains(section), section + " in\n" + report);
        }

        // and every format's properties (vkGetPhysicalDeviceFormatProperties2 with its pNext chains)
        Client formats = venus(socket, "vulkaninfo", "--show-formats");
        assertEquals(0, formats.finish(60), formats.output());
        assertTrue(formats.output().contains("Format Properties:") && formats.output().contains("FORMAT_R8G8B8A8_UNORM"),
                formats.output());

        Client vkclient = venus(socket, build.resolve("vkclient").toString());
        assertEquals(0, vkclient.finish(120), vkclient.output());
        assertTrue(vkclient.output().contains("device Virtio-GPU Venus (llvmpipe"), vkclient.output());
        assertTrue(vkclient.output().contains("result PASS"), vkclient.output());

        // the round-trip client of the benchmark (e2e/venus/vkrt.c) runs too: 200 empty submit + fence waits
        Client vkrt = venus(socket, build.resolve("vkrt").toString(), "200");
        assertEquals(0, vkrt.finish(60), vkrt.output());
        assertTrue(vkrt.output().matches("(?s)rt n=200 p10 [0-9.]+ p50 .* mean [0-9.]+ us\\nresult PASS\\n?"),
                vkrt.output());
        // and its venus-wait mode straight on lavapipe (bench.sh's limit+venus-wait row): every round trip ends when
        // vkrt sees the 4 bytes its feedback command buffer writes (a missing write leaves it polling to the timeout)
        Client emulated = new Client(Map.of("VK_ICD_FILENAMES", LAVAPIPE_ICD), build.resolve("vkrt").toString(), "100",
                "venus-wait");
        assertEquals(0, emulated.finish(60), emulated.output());
        assertTrue(emulated.output().matches("(?s).*rt n=100 p10 [0-9.]+ p50 .* mean [0-9.]+ us\\nvenus-wait slept in \\d+"
                + " of 100 round trips\\nresult PASS\\n?"), emulated.output());

        // a hostile client freeing memory and destroying buffers under its running copies (e2e/venus/vkfreerace.c)
        // must not take the launcher down: vkrt then runs again on the same device
        Client race = venus(socket, build.resolve("vkfreerace").toString(), "4", "destroy");
        assertEquals(0, race.finish(60), race.output());
        assertTrue(race.output().contains("result PASS"), race.output());
        // and one copying four times past its buffers (refused, logged; it killed the launcher before range checks)
        Client oob = venus(socket, build.resolve("vkfreerace").toString(), "2", "oob");
        assertEquals(0, oob.finish(60), oob.output());
        assertTrue(oob.output().contains("result PASS"), oob.output());
        Client after = venus(socket, build.resolve("vkrt").toString(), "50");
        assertEquals(0, after.finish(60), after.output());

        // every client's session ended with its process
        for (String name : List.of("vulkaninfo", "vkclient", "vkrt", "vkfreerace")) {
            launcher.await(l -> l.matches(".*vtest client \\d+ \\(" + name + "\\) ended: disconnected"), 5_000);
        }
        System.out.printf("VenusLauncherIT: vulkaninfo (full, %d lines) exit 0 after %d ms; vkclient steps:%n%s",
                report.lines().count(), fullMs, vkclient.output().lines().filter(l -> l.startsWith("step "))
                        .map(l -> "  " + l + "\n").reduce("", String::concat));
        assertEquals(List.of(), problems(launcher, ".*venus: vkCmdCopyBuffer refused: region 0 leaves its source or"
                + " destination buffer"), "no warning or error from the device but the refused copies");

        launcher.process().toHandle().destroy(); // SIGTERM
        assertTrue(launcher.process().waitFor(15, TimeUnit.SECONDS), "exits after SIGTERM");
        assertEquals(128 + 15, launcher.process().exitValue());
    }

    @Test
    void swappingTheVenusBundleLosesOnlyTheRunningVulkanClientAndServesNewOnes() throws Exception {
        Path socket = tmp.resolve("vtest.sock");
        Path newVenus = OsgiHarness.renamedCopy(OsgiHarness.jar(VENUS), VENUS, "0.1.1", tmp);
        LauncherProcess launcher = launch("--shell", "--vtest-socket", socket.toString(),
                "--storage", tmp.resolve("felix").toString());

        Client xd = new Client(Map.of(), build.resolve("xdclient").toString(), socket.toString(), "60");
        Client loop = venus(socket, build.resolve("vkloop").toString(), "60");
        xd.await("xd resources", 10_000);
        loop.await("running", 20_000);
        // the client's query ring and image blob (not the short-lived blobs it creates and drops meanwhile)
        Matcher ids = Pattern.compile("xd resources (\\d+) (\\d+)").matcher(xd.output());
        assertTrue(ids.find(), xd.output());
        Set<String> longLivedIds = Set.of(ids.group(1), ids.group(2));
        Predicate<String> longLived = row -> row.matches("vtest:\\d+ xdclient .*")
                && longLivedIds.contains(row.split(" ")[2]);
        List<String> xdBefore = shell(launcher, "virtgpu:resources", "open session").stream()
                .map(VenusLauncherIT::cells).filter(longLived).toList();
        assertEquals(2, xdBefore.size(), "query ring and image blob: " + xdBefore + "; ids " + longLivedIds + "; client said:\n" + xd.output());
        assertEquals(1, venusThreads(launcher, "venus-ringmon-"), "the running Venus context has its ring monitor");
        assertTrue(venusThreads(launcher, "venus-ring-") >= 1, "and at least one ring thread");

        long t0 = System.nanoTime();
        String swapped = shell(launcher, "virtgpu:swap " + VENUS + " " + newVenus, "swapped ").getLast();
        long t1 = System.nanoTime();
        long swapCallMs = (t1 - t0) / 1_000_000;
        Matcher m = Pattern.compile("swapped " + Pattern.quote(VENUS) + " 0\\.1\\.0\\.SNAPSHOT -> 0\\.1\\.1 in ([0-9.]+) ms;"
                + " capsets now \\[1, 2, 3, 4, 5, 8, 9], blob alignment 4096").matcher(swapped);
        assertTrue(m.find(), swapped);

        // the lost context's ring and monitor threads are gone with destroy(), while its client still runs
        assertEquals(0, venusThreads(launcher, "venus-ring"), "no venus thread left after the swap");
        List<String> contexts = shell(launcher, "virtgpu:contexts", "open session");
        // the Vulkan client's context is lost (or its session already gone with the client, which can be that quick)
        launcher.await(l -> l.matches(".* WARN  Session: session vtest:\\d+ vkloop: context 1 lost: its context type went away"),
                1_000);
        assertTrue(contexts.stream().noneMatch(l -> l.matches("vtest:\\d+ vkloop .* live")), contexts.toString());
        assertTrue(contexts.stream().anyMatch(l -> l.matches("vtest:\\d+ xdclient +1 +5 +cross-domain +live")),
                contexts.toString());
        List<String> xdAfter = shell(launcher, "virtgpu:resources", "open session").stream()
                .map(VenusLauncherIT::cells).filter(longLived).toList();
        assertEquals(xdBefore, xdAfter, "the cross-domain client's resources are untouched");

        // the running Vulkan client fails instead of hanging: the lost context marked its ring FATAL, which Mesa's
        // Venus driver checks on every ring submit and in its wait loops, and aborts on ("vn_ring_submit abort on
        // fatal"; without FATAL it took Mesa's ALIVE watchdog about 4 s to give up)
        int loopExit = loop.finish(20);
        long loopEndMs = (System.nanoTime() - t0) / 1_000_000;
        String loopOut = loop.output();
        assertFalse(loopOut.contains("result PASS"), loopOut);
        boolean aborted = loopExit == EXIT_SIGABRT
                && (loopOut.contains("abort on fatal") || loopOut.contains("aborting on ring fatal error"));
        assertTrue(aborted || loopExit == 3 && loopOut.contains("result LOST "), "exit " + loopExit + ":\n" + loopOut);
        // whichever comes first ends the connection: Mesa aborting (disconnect), or the transport dropping the client
        // because its SUBMIT_3D on the lost context failed (vtest has no error reply for a submit)
        launcher.await(l -> l.matches(".*vtest client \\d+ \\(vkloop\\) ended: (disconnected"
                + "|SUBMIT_3D failed in the device: ERR_UNSPEC)"), 5_000);

        // a new Venus client works through the new revision, which serves capset 4
        Client after = venus(socket, "vulkaninfo", "--summary");
        assertEquals(0, after.finish(60), after.output());
        assertTrue(after.output().contains("Virtio-GPU Venus (llvmpipe"), after.output());
        List<String> capsets = shell(launcher, "virtgpu:capsets", "gfxstream-composer");
        assertTrue(capsets.stream().anyMatch(l -> l.matches(" *4 +venus +\\d+ +\\d+ +" + Pattern.quote(VENUS) + " 0\\.1\\.1")),
                capsets.toString());

        // the cross-domain client never saw a failed command and kept its blob contents
        xd.process.toHandle().destroy(); // SIGTERM: it finishes its loop, checks its blob and reports
        assertEquals(0, xd.finish(30), xd.output());
        String xdOut = xd.output();
        Matcher pass = Pattern.compile("xd PASS iterations (\\d+) max_ms ([0-9.]+) over_100ms (\\d+)").matcher(xdOut);
        assertTrue(pass.find(), xdOut);
        assertNotEquals("0", pass.group(1));
        assertTrue(Double.parseDouble(pass.group(2)) < 2_000, "cross-domain round trip stalled: " + xdOut);
        // its slowest iteration that overlapped the swap (System.nanoTime() is CLOCK_MONOTONIC, as in the client)
        double duringSwap = xdOut.lines().filter(l -> l.startsWith("xd slow ")).map(l -> l.split(" "))
                .filter(f -> Long.parseLong(f[2]) < t1 && Long.parseLong(f[2]) + (long) (Double.parseDouble(f[3]) * 1e6) > t0)
                .mapToDouble(f -> Double.parseDouble(f[3])).max().orElse(0);

        launcher.await(l -> l.matches(".*vtest client \\d+ \\(xdclient\\) ended: disconnected"), 5_000);
        // a session ends on its connection thread after the client's disconnect is logged: poll for a few seconds
        // (one clean-clone run saw "1 open session(s)" in a single look right after the line)
        List<String> end = shell(launcher, "virtgpu:resources", "open session");
        for (long stop = System.nanoTime() + 5_000_000_000L; !end.getLast().endsWith("; 0 open session(s)")
                && System.nanoTime() < stop; ) {
            Thread.sleep(100);
            end = shell(launcher, "virtgpu:resources", "open session");
        }
        assertEquals("0 resource(s), 0 bytes; 0 open session(s)", end.getLast(), "every session freed: " + end);
        assertEquals(0, venusThreads(launcher, "venus-ring"), "no venus thread left");
        // besides the loss itself, the transport may report dropping the lost client's failed submit (see above)
        assertEquals(List.of(), problems(launcher, ".* WARN  Session: (session vtest:\\d+ vkloop: context 1 lost: its"
                + " context type went away|vtest client \\d+ \\(vkloop\\) dropped: SUBMIT_3D failed in the device:"
                + " ERR_UNSPEC)"), "only the loss of the Venus context is reported");
        System.out.printf("VenusLauncherIT: venus bundle swapped in %s ms (shell command round trip %d ms) under a"
                        + " running Vulkan client and a cross-domain client; the Vulkan client ended %d ms after the"
                        + " swap began (exit %d: %s); cross-domain: %s, slowest iteration overlapping the swap %s%n", m.group(1),
                swapCallMs, loopEndMs, loopExit, loopOut.lines().filter(l -> l.contains("abort") || l.startsWith("result"))
                        .toList(), pass.group(), duringSwap == 0 ? "none over 20 ms" : duringSwap + " ms");

        launcher.process().getOutputStream().close(); // end of shell input stops the device
        assertTrue(launcher.process().waitFor(15, TimeUnit.SECONDS), "end of input stops the launcher");
        assertEquals(0, launcher.process().exitValue());
    }

    /**
     * Sends a Gogo command and returns the lines printed from then on up to and including the first one
     * containing {@code last} (the shell prints its prompt before log lines, so both are filtered out).
     */
    static List<String> shell(LauncherProcess p, String command, String last) throws Exception {
        int from = p.lines().size();
        p.send(command);
        p.await(from, l -> l.contains(last), 15_000);
        List<String> out = new ArrayList<>();
        List<String> all = List.copyOf(p.lines()); // a snapshot: the live list grows while this runs
        for (String l : all.subList(Math.min(from, all.size()), all.size())) {
            String s = l.startsWith("g! ") ? l.substring(3) : l;
            out.add(s);
            if (s.contains(last)) {
                break;
            }
        }
        return out;
    }

    /** A table row with single spaces between cells (column widths follow the widest row). */
    static String cells(String row) {
        return String.join(" ", row.trim().split("\\s+"));
    }

    /** Threads of the launcher JVM whose name starts with {@code prefix}, counted from {@code jcmd Thread.print}. */
    static long venusThreads(LauncherProcess p, String prefix) throws Exception {
        Path jcmd = Path.of(LauncherProcess.java()).resolveSibling("jcmd");
        Process j = new ProcessBuilder(jcmd.toString(), Long.toString(p.process().pid()), "Thread.print")
                .redirectErrorStream(true).start();
        String dump = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(j.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, j.exitValue(), dump);
        return dump.lines().filter(l -> l.startsWith("\"" + prefix)).count();
    }
}
