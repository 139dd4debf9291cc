package org.virtgpu.launcher;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar virtgpu.jar}: runs the device in an embedded Felix. See docs/launcher.md. */
@Command(name = "virtgpu", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Main.Version.class,
        usageHelpAutoWidth = true,
        description = "Runs the virtgpu virtio-gpu host device: an embedded Apache Felix with the core bundle and the"
                + " context bundles found in the bundle directory, configured from a JSON file through ConfigAdmin."
                + " Stops cleanly on SIGINT/SIGTERM.",
        footer = {"", "Exit status: 0 stopped normally, 1 the framework failed, 2 bad options or configuration.",
                "Configuration format and examples: docs/launcher.md"})
public final class Main implements Callable<Integer> {
    static {
        // before the first Logger below initialises JUL
        LogSetup.installManager();
    }

    private static final Logger LOG = Logger.getLogger("org.virtgpu.launcher");

    @Option(names = "--config", paramLabel = "FILE",
            description = "JSON configuration (sections device, limits, vtest, vhostUser, contexts, bundles). Options below override it.")
    Path config;

    @Option(names = "--bundles", paramLabel = "DIR", description = "Directory of bundle jars to install (default: bundles/ beside virtgpu.jar).")
    Path bundles;

    @Option(names = "--storage", paramLabel = "DIR",
            description = "Framework storage directory, wiped at start (default: a fresh temporary directory, deleted at exit).")
    Path storage;

    @Option(names = "--shell", description = "Also install the Gogo shell (shell-bundles/ beside virtgpu.jar) and read commands from stdin, e.g. virtgpu:capsets.")
    boolean shell;

    @Option(names = "--shell-bundles", paramLabel = "DIR", description = "Where the Gogo bundles are (default: shell-bundles/ beside virtgpu.jar).")
    Path shellBundles;

    @Option(names = "--vtest-socket", paramLabel = "PATH", description = "Serve vtest on this Unix socket (default " + LaunchConfig.DEFAULT_VTEST_SOCKET + "); enables vtest.")
    String vtestSocket;

    @Option(names = "--no-vtest", description = "Do not serve vtest.")
    boolean noVtest;

    @Option(names = "--vhost-user-socket", paramLabel = "PATH", description = "Serve vhost-user-gpu on this Unix socket; enables vhost-user.")
    String vhostUserSocket;

    @Option(names = "--host-page-size", paramLabel = "N", description = "Act as a host with this page size: 4096, 16384 or 65536 (default: the OS page size).")
    Integer hostPageSize;

    @Option(names = "--check", description = "Start the device, report its capsets and transports, then stop: exit status 0 when"
            + " the device came up with every selected bundle started, 1 otherwise. The build's start-up training run uses it.")
    boolean check;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info", description = "error, warn, info, debug, trace or off (default: ${DEFAULT-VALUE}).")
    String logLevel;

    public static void main(String[] args) {
        int rc = new CommandLine(new Main()).execute(args);
        System.exit(rc);
    }

    @Override
    public Integer call() throws Exception {
        Level level;
        try {
            level = LogSetup.parseLevel(logLevel);
        } catch (IllegalArgumentException e) {
            System.err.println("virtgpu: " + e.getMessage());
            return 2;
        }
        LogSetup.configure(level);
        phase("options parsed");
        if (noVtest && vtestSocket != null) {
            return usage("--no-vtest and --vtest-socket contradict each other");
        }
        Path home = jarDir();
        Path bundleDir = bundles != null ? bundles : home.resolve("bundles");
        if (!Files.isDirectory(bundleDir)) {
            return usage("bundle directory " + bundleDir + " does not exist (build first: ./virtgpu build)");
        }
        LaunchConfig cfg;
        Map<String, Path> found;
        try {
            cfg = config != null ? LaunchConfig.read(config) : LaunchConfig.defaults();
            if (vtestSocket != null) {
                cfg.vtestSocket(vtestSocket);
            }
            if (noVtest) {
                cfg.noVtest();
            }
            if (vhostUserSocket != null) {
                cfg.vhostUserSocket(vhostUserSocket);
            }
            if (hostPageSize != null) {
                cfg.hostPageSize(hostPageSize);
            }
            found = FrameworkBoot.scan(bundleDir);
            cfg.select(found.keySet()); // fail early, before the framework starts
        } catch (ConfigException e) {
            return configError(e);
        }
        phase("configuration read");
        cfg.unmatchedExcludes(found.keySet()).forEach(bsn -> LOG.warning("bundles.exclude: no bundle " + bsn + " in " + bundleDir));

        List<Path> extra = new ArrayList<>();
        if (shell) {
            Path dir = shellBundles != null ? shellBundles : home.resolve("shell-bundles");
            if (!Files.isDirectory(dir)) {
                return usage("--shell: Gogo bundle directory " + dir + " does not exist");
            }
            extra.addAll(FrameworkBoot.scan(dir).values());
        }
        boolean tempStorage = storage == null;
        Path store = tempStorage ? Files.createTempDirectory("virtgpu-felix-") : storage;
        // one hook (hooks run concurrently): stop the framework, then delete the storage it used
        AtomicReference<FrameworkBoot> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(running.get(), tempStorage ? store : null), "virtgpu-shutdown"));
        FrameworkBoot boot;
        try {
            boot = FrameworkBoot.prepare(cfg, found, extra, store, Map.of());
        } catch (ConfigException e) {
            return configError(e);
        } catch (IllegalStateException e) {
            LOG.severe(e.getMessage());
            return 1;
        }
        running.set(boot);
        phase("bundles installed, configuration stored");
        Map<String, Map<String, Object>> pids = boot.pids();
        logTransports(pids);

        try (RuntimeLog watch = new RuntimeLog(boot.context())) {
            List<BundleException> failed = boot.startAll();
            phase("bundles started");
            boot.installed().stream().sorted(Comparator.comparingLong(Bundle::getBundleId))
                    .forEach(b -> LOG.info("bundle " + RuntimeLog.describe(b)));
            int[] caps = watch.awaitDevice(2_000);
            long ms = ManagementFactory.getRuntimeMXBean().getUptime();
            if (caps == null) {
                LOG.warning("no virtgpu device service after " + ms + " ms (is the core bundle selected and started?)");
            } else {
                LOG.info("virtgpu up in " + ms + " ms: capsets " + Arrays.toString(caps)
                        + (failed.isEmpty() ? "" : ", " + failed.size() + " bundle(s) failed to start"));
            }
            LOG.info("transports: " + transport("vtest", pids.get(LaunchConfig.VTEST_PID)) + "; "
                    + transport("vhost-user", pids.get(LaunchConfig.VHOST_USER_PID)));
            if (check) {
                boolean up = caps != null && failed.isEmpty();
                LOG.info("--check: " + (up ? "the device came up" : "the device did not come up") + "; stopping");
                boot.stop(10_000);
                return up ? 0 : 1;
            }
            boot.framework().waitForStop(0);
        }
        return 0;
    }

    private static void logTransports(Map<String, Map<String, Object>> pids) {
        var vt = pids.get(LaunchConfig.VTEST_PID);
        var vh = pids.get(LaunchConfig.VHOST_USER_PID);
        LOG.info("vtest: " + (Boolean.TRUE.equals(vt.get("enabled")) ? "enabled on " + vt.get("socketPath") : "disabled")
                + "; vhost-user: " + (Boolean.TRUE.equals(vh.get("enabled")) ? "enabled on " + vh.get("socketPath") : "disabled"));
        pids.forEach((pid, props) -> LOG.fine("config " + pid + " = " + props));
        String tunables = System.getenv("GLIBC_TUNABLES");
        if (tunables == null || !tunables.contains("glibc.malloc.arena_max=")) {
            LOG.info("GLIBC_TUNABLES sets no glibc.malloc.arena_max: a host Vulkan driver's threads may each get a"
                    + " fresh malloc arena (device creation about 1.3x slower, docs/venus-performance.md); ./virtgpu run sets"
                    + " glibc.malloc.arena_max=2");
        }
        if (!"0".equals(vmOption("PerMethodTrapLimit"))) {
            LOG.info("the JVM runs without -XX:PerMethodTrapLimit=0: a fresh server's first clients recompile the"
                    + " decoders the warm-ups compiled (first clients up to 2x slower, docs/launcher.md \"JVM options\");"
                    + " ./virtgpu run passes launcher/jvm.args");
        }
    }

    /** A HotSpot option's value, null where the JVM has no such option (not HotSpot). */
    static String vmOption(String name) {
        try {
            return java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * One transport's state as the operator cares about it: the transports listen while their component
     * activates, so by now an enabled transport's socket exists, or its component logged why not.
     */
    private static String transport(String name, Map<String, Object> cfg) {
        if (!Boolean.TRUE.equals(cfg.get("enabled"))) {
            return name + " disabled";
        }
        Object path = cfg.get("socketPath");
        boolean listening = path instanceof String p && Files.exists(Path.of(p));
        if (!listening) {
            LOG.warning(name + " is enabled but nothing listens on " + path + " (see the errors above)");
        }
        return name + " on " + path + (listening ? "" : " (NOT listening)");
    }

    private static void shutdown(FrameworkBoot boot, Path tempStorage) {
        try {
            if (boot != null) {
                LOG.info("stopping");
                boolean stopped = boot.stop(10_000);
                LOG.info(stopped ? "stopped" : "framework did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (tempStorage != null) {
                deleteTree(tempStorage);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.fine("could not delete " + dir + ": " + e);
        }
    }

    /** Startup phases with the JVM's uptime, at debug level: where the time to "virtgpu up" goes. */
    private static void phase(String what) {
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine(what + " at " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms");
        }
    }

    private static int usage(String msg) {
        LOG.severe(msg);
        return 2;
    }

    private static int configError(ConfigException e) {
        e.problems().forEach(p -> LOG.severe("config: " + p));
        return 2;
    }

    /**
     * Where virtgpu.jar is (or target/classes when run from an IDE). A class from a JDK AOT cache can come without a
     * code source location (seen with Temurin 25.0.3 when the working directory differs from the training run's), so
     * the class path's first entry, which {@code java -jar} sets to the jar, is the fallback.
     */
    static Path jarDir() throws URISyntaxException {
        var source = Main.class.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            return Path.of(source.getLocation().toURI()).getParent();
        }
        String first = System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)[0];
        return Path.of(first).toAbsolutePath().getParent();
    }

    /** Version line for --version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = FrameworkBoot.versions();
            return new String[] {"virtgpu " + p.getProperty("version") + " (Felix " + p.getProperty("felix.version")
                    + ", LWJGL " + p.getProperty("lwjgl.version") + ", Java " + Runtime.version() + ")"};
        }
    }
}
