package org.virtgpu.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * An embedded Felix with virtgpu's framework settings: what both the launcher and the integration tests boot.
 * <p>
 * Order matters: {@link #install} every bundle, {@link #configure} (which starts only ConfigAdmin), then
 * {@link #startAll}, so every component sees its configuration on first activation instead of activating with
 * defaults and being reconfigured a moment later (which would briefly open the default vtest socket).
 */
public final class FrameworkBoot implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FrameworkBoot.class.getName());
    public static final String CONFIG_ADMIN_BSN = "org.apache.felix.configadmin";

    private final Framework framework;
    private final List<Bundle> installed = new ArrayList<>();
    private Map<String, Map<String, Object>> pids = Map.of();

    private FrameworkBoot(Framework framework) {
        this.framework = framework;
    }

    /**
     * The system packages the framework exports besides the JDK's: LWJGL (lives on the launcher class path so its
     * native library loads once per JVM and a context bundle update never reloads it) and the ConfigAdmin API
     * (so the launcher, outside the framework, shares its classes with the ConfigAdmin bundle).
     */
    public static String systemPackagesExtra() {
        String lwjgl = versions().getProperty("lwjgl.version");
        return "org.lwjgl;version=" + lwjgl + ",org.lwjgl.system;version=" + lwjgl + ",org.lwjgl.vulkan;version=" + lwjgl
                + ",org.osgi.service.cm;version=1.6";
    }

    static Properties versions() {
        Properties p = new Properties();
        try (InputStream in = FrameworkBoot.class.getResourceAsStream("versions.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("launcher jar lacks org/virtgpu/launcher/versions.properties", e);
        }
        return p;
    }

    /**
     * Creates and initialises (but does not start) a framework whose storage is {@code storage}, wiped first.
     *
     * @param extra more framework properties (override the defaults)
     */
    public static FrameworkBoot init(Path storage, Map<String, String> extra) throws BundleException {
        Map<String, String> cfg = new HashMap<>();
        // never Felix's default ./felix-cache: a stale cache would bring back bundles (and code) from an older run
        cfg.put(Constants.FRAMEWORK_STORAGE, storage.toAbsolutePath().toString());
        cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        cfg.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, systemPackagesExtra());
        cfg.put("felix.log.level", "2"); // warnings; FelixLog forwards them to JUL
        cfg.put("ds.loglevel", "warn");
        cfg.putAll(extra);
        Map<String, Object> props = new HashMap<>(cfg);
        props.put("felix.log.logger", new FelixLog());
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
        @SuppressWarnings({"unchecked", "rawtypes"})
        Framework fw = factory.newFramework((Map) props);
        fw.init();
        return new FrameworkBoot(fw);
    }

    /** The bundle symbolic name in a jar's manifest, without directives; empty if the jar is not a bundle. */
    public static Optional<String> symbolicName(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            var mf = j.getManifest();
            String bsn = mf == null ? null : mf.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            return Optional.ofNullable(bsn).map(s -> s.split(";", 2)[0].trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    /** The bundle jars in {@code dir} by symbolic name, in file-name order; jars without one are skipped with a warning. */
    public static Map<String, Path> scan(Path dir) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                Optional<String> bsn = symbolicName(p);
                if (bsn.isEmpty()) {
                    LOG.warning(p + " is not an OSGi bundle (no Bundle-SymbolicName); skipped");
                } else if (out.putIfAbsent(bsn.get(), p) != null) {
                    LOG.warning(p + " has the same symbolic name as " + out.get(bsn.get()) + " (" + bsn.get() + "); skipped");
                }
            }
        }
        return out;
    }

    /**
     * Everything up to (not including) starting the bundles, the way the launcher does it: picks the bundles of
     * {@code found} that {@code cfg} selects, adds {@code extraJars}, installs them into a fresh framework in
     * {@code storage}, checks {@code cfg} against the installed bundles' metatype and stores it in ConfigAdmin.
     * Then call {@link #startAll()}. On a configuration error the framework is stopped and the error thrown.
     *
     * @param found every bundle of the bundle directory by symbolic name ({@link #scan})
     */
    public static FrameworkBoot prepare(LaunchConfig cfg, Map<String, Path> found, List<Path> extraJars, Path storage,
            Map<String, String> frameworkProps) throws ConfigException, BundleException, IOException {
        var selected = cfg.select(found.keySet());
        FrameworkBoot boot = init(storage, frameworkProps);
        try {
            List<Path> jars = new ArrayList<>(selected.stream().map(found::get).toList());
            jars.addAll(extraJars);
            boot.install(jars);
            boot.pids = cfg.toPids(Metatype.read(boot.installed),
                    found.keySet().stream().filter(b -> b.startsWith(LaunchConfig.CONTEXT_BSN_PREFIX)).toList());
            boot.configure(boot.pids);
            return boot;
        } catch (ConfigException | BundleException | IOException | RuntimeException e) {
            try {
                boot.stop(10_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    /** The configuration {@link #prepare} stored, by PID. */
    public Map<String, Map<String, Object>> pids() {
        return pids;
    }

    /** Installs the jars (by file URL, so a test can later update from the same location). */
    public List<Bundle> install(Iterable<Path> jars) throws BundleException {
        List<Bundle> out = new ArrayList<>();
        for (Path jar : jars) {
            Bundle b = context().installBundle(jar.toAbsolutePath().toUri().toString());
            installed.add(b);
            out.add(b);
        }
        return out;
    }

    /**
     * Starts the ConfigAdmin bundle and stores each PID's properties in it. Call before {@link #startAll()}.
     *
     * @throws IllegalStateException when no ConfigAdmin bundle is installed or its service does not come up
     */
    public void configure(Map<String, Map<String, Object>> byPid) throws BundleException, IOException {
        Bundle cm = installed.stream().filter(b -> CONFIG_ADMIN_BSN.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no ConfigurationAdmin bundle (" + CONFIG_ADMIN_BSN
                        + ") among the bundles; it is needed to configure the device"));
        framework.start();
        cm.start();
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> t = new ServiceTracker<>(context(), ConfigurationAdmin.class, null);
        t.open();
        try {
            ConfigurationAdmin admin = t.waitForService(TimeUnit.SECONDS.toMillis(10));
            if (admin == null) {
                throw new IllegalStateException("ConfigurationAdmin service did not appear within 10 s (is "
                        + CONFIG_ADMIN_BSN + " wired to the system bundle's org.osgi.service.cm?)");
            }
            for (var e : byPid.entrySet()) {
                // "?" = a multi-location binding: any bundle may receive it (the target bundle may be updated)
                Configuration c = admin.getConfiguration(e.getKey(), "?");
                Dictionary<String, Object> d = new Hashtable<>(e.getValue());
                c.update(d);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ConfigurationAdmin", e);
        } finally {
            t.close();
        }
    }

    /**
     * Starts the framework and every installed non-fragment bundle. A bundle that fails to start is logged and
     * returned; the others keep going (a broken context bundle must not take the device down).
     */
    public List<BundleException> startAll() throws BundleException {
        framework.start();
        List<BundleException> failed = new ArrayList<>();
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.UNINSTALLED) {
                try {
                    b.start();
                } catch (BundleException e) {
                    LOG.log(Level.SEVERE, "bundle " + b.getSymbolicName() + " did not start: " + e.getMessage());
                    failed.add(e);
                }
            }
        }
        return failed;
    }

    public Framework framework() {
        return framework;
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    public List<Bundle> installed() {
        return List.copyOf(installed);
    }

    /** Stops the framework and waits up to {@code timeoutMs} for it; true if it stopped in time. */
    public boolean stop(long timeoutMs) throws InterruptedException {
        if ((framework.getState() & (Bundle.UNINSTALLED | Bundle.INSTALLED | Bundle.RESOLVED)) != 0) {
            return true;
        }
        try {
            framework.stop();
        } catch (BundleException e) {
            LOG.log(Level.WARNING, "framework stop: " + e.getMessage(), e);
        }
        return framework.waitForStop(timeoutMs).getType() != org.osgi.framework.FrameworkEvent.WAIT_TIMEDOUT;
    }

    @Override
    public void close() throws InterruptedException {
        stop(10_000);
    }
}
