package org.virtgpu.launcher.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;
import org.virtgpu.launcher.ConfigException;
import org.virtgpu.launcher.FrameworkBoot;
import org.virtgpu.launcher.LaunchConfig;
import org.virtgpu.launcher.RuntimeLog;

/**
 * Boots an embedded Felix with a chosen subset of the real built bundles, the way the launcher does
 * ({@link FrameworkBoot#prepare}: bundle selection and configuration go through the launcher's JSON config and
 * ConfigAdmin), for integration tests.
 * <p>
 * The bundles come from {@code launcher/target/bundles} (copied there by the build and kept off the test class
 * path), so a test sees bundle classes only through the framework: look services up by filter, read their
 * properties, and call methods reflectively ({@link #invoke}). Log records (JUL, where the bundles'
 * {@code System.Logger} ends up) are captured per harness for assertions.
 *
 * <pre>{@code
 * try (OsgiHarness h = OsgiHarness.with(tempDir).contexts("venus").boot()) {
 *     assertArrayEquals(new int[] {4}, h.capsets());
 *     h.stop("org.virtgpu.context.venus");
 *     h.awaitCapsets(new int[0]);
 * }
 * }</pre>
 */
public final class OsgiHarness implements AutoCloseable {
    public static final String CORE = "org.virtgpu.core";
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final JsonMapper JSON = new JsonMapper();

    private final FrameworkBoot boot;
    private final RuntimeLog watch;
    private final Capture capture;
    private List<BundleException> startFailures = List.of();

    private OsgiHarness(FrameworkBoot boot, Capture capture) throws InvalidSyntaxException {
        this.boot = boot;
        this.capture = capture;
        this.watch = new RuntimeLog(boot.context());
    }

    // --- where things are -----------------------------------------------------------------------------------

    /** launcher/target (the failsafe system property {@code virtgpu.target}, else ./target). */
    public static Path target() {
        return Path.of(System.getProperty("virtgpu.target", "target")).toAbsolutePath();
    }

    /** The bundle directory the build fills (what {@code java -jar virtgpu.jar} uses). */
    public static Path bundleDir() {
        return target().resolve("bundles");
    }

    /** The jar of a bundle in {@link #bundleDir()} by symbolic name. */
    public static Path jar(String bsn) {
        try {
            Path p = FrameworkBoot.scan(bundleDir()).get(bsn);
            if (p == null) {
                throw new IllegalArgumentException("no bundle " + bsn + " in " + bundleDir());
            }
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code org.virtgpu.context.<name>}. */
    public static String contextBsn(String name) {
        return LaunchConfig.CONTEXT_BSN_PREFIX + name;
    }

    /**
     * A copy of {@code jar} in {@code dir} with another Bundle-SymbolicName (and optionally version): the same
     * code as a second, distinct bundle, e.g. a fork that claims the same capsets, or an "updated" build.
     */
    public static Path renamedCopy(Path jar, String bsn, String version, Path dir) throws IOException {
        Path out = dir.resolve(bsn + "-" + version + ".jar");
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            mf.getMainAttributes().put(new Attributes.Name(Constants.BUNDLE_SYMBOLICNAME), bsn);
            mf.getMainAttributes().put(new Attributes.Name(Constants.BUNDLE_VERSION), version);
            try (OutputStream os = Files.newOutputStream(out); JarOutputStream jos = new JarOutputStream(os, mf)) {
                for (JarEntry e : in.stream().toList()) {
                    if (e.getName().equals(JarFile.MANIFEST_NAME) || e.getName().equals("META-INF/")) {
                        continue;
                    }
                    jos.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(jos);
                    }
                    jos.closeEntry();
                }
            }
        }
        return out;
    }

    // --- building a subset ------------------------------------------------------------------------------------

    public static Builder with(Path storage) {
        return new Builder(storage);
    }

    /** What to boot. By default: every bundle of {@link #bundleDir()}, vtest and vhost-user disabled. */
    public static final class Builder {
        private final Path storage;
        private Path bundleDir = OsgiHarness.bundleDir();
        private Set<String> include;
        private final Set<String> exclude = new LinkedHashSet<>();
        private ObjectNode config = JSON.createObjectNode();
        private boolean tolerateStartFailures;

        private Builder(Path storage) {
            this.storage = storage;
            config.putObject("vtest").put("enabled", false);
        }

        /** The core plus only these context bundles ({@code "venus"}, {@code "crossdomain"}, ...); none = core only. */
        public Builder contexts(String... names) {
            include = new LinkedHashSet<>();
            include.add(CORE);
            Arrays.stream(names).map(OsgiHarness::contextBsn).forEach(include::add);
            return this;
        }

        /** Exactly these virtgpu bundles (symbolic names); the OSGi infrastructure is always added. */
        public Builder only(String... bsns) {
            include = new LinkedHashSet<>(List.of(bsns));
            return this;
        }

        public Builder exclude(String... bsns) {
            exclude.addAll(List.of(bsns));
            return this;
        }

        /** Take the bundles from another directory (e.g. a copy with one jar removed). */
        public Builder bundleDir(Path dir) {
            this.bundleDir = dir;
            return this;
        }

        /**
         * Merges this launcher JSON configuration (the launcher's format, e.g. {@code {"vtest":{"enabled":true,
         * "socketPath":"/tmp/x"}}}) over the defaults.
         */
        public Builder config(String json) {
            try {
                ObjectNode parsed = (ObjectNode) JSON.readTree(json);
                parsed.fields().forEachRemaining(f -> {
                    if (f.getValue().isObject() && config.get(f.getKey()) instanceof ObjectNode target) {
                        target.setAll((ObjectNode) f.getValue());
                    } else {
                        config.set(f.getKey(), f.getValue());
                    }
                });
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
            return this;
        }

        /** Keep going when a bundle does not start; see {@link OsgiHarness#startFailures()}. */
        public Builder tolerateStartFailures() {
            tolerateStartFailures = true;
            return this;
        }

        /** Installs, configures and starts; fails the test if a bundle does not start. */
        public OsgiHarness boot() throws BundleException, IOException, ConfigException, InvalidSyntaxException {
            ObjectNode cfg = config.deepCopy();
            ObjectNode bundles = cfg.putObject("bundles");
            if (include != null) {
                include.forEach(bundles.putArray("include")::add);
            }
            exclude.forEach(bundles.withArray("exclude")::add);
            Capture capture = Capture.install();
            FrameworkBoot boot;
            try {
                boot = FrameworkBoot.prepare(LaunchConfig.parse(cfg.toString(), "harness"), FrameworkBoot.scan(bundleDir),
                        List.of(), storage, Map.of());
            } catch (ConfigException | BundleException | IOException | RuntimeException e) {
                capture.close();
                throw e;
            }
            OsgiHarness h = new OsgiHarness(boot, capture);
            List<BundleException> failed = boot.startAll();
            h.startFailures = List.copyOf(failed);
            if (!failed.isEmpty() && !tolerateStartFailures) {
                h.close();
                fail("bundles failed to start: " + failed);
            }
            return h;
        }
    }

    // --- looking at the running framework ---------------------------------------------------------------------

    /** The bundles that did not start at boot (only with {@link Builder#tolerateStartFailures()}). */
    public List<BundleException> startFailures() {
        return startFailures;
    }

    public BundleContext context() {
        return boot.context();
    }

    /** The capsets the device service reports now ({@code virtgpu.capsets}); fails if there is no device. */
    public int[] capsets() throws InterruptedException {
        int[] c = watch.awaitDevice(TIMEOUT.toMillis());
        if (c == null) {
            fail("no org.virtgpu.api.VirtGpuDevice service within " + TIMEOUT);
        }
        return c;
    }

    /** True when a device service is registered. */
    public boolean hasDevice() {
        return watch.capsets() != null;
    }

    /** Waits until the device reports exactly {@code expected}; returns what it reports last. */
    public int[] awaitCapsets(int... expected) throws InterruptedException {
        await(() -> Arrays.equals(watch.capsets(), expected), TIMEOUT);
        return capsets();
    }

    /** The installed bundle with this symbolic name (fails if none). */
    public Bundle bundle(String bsn) {
        for (Bundle b : context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return fail("no bundle " + bsn + " installed");
    }

    /** The first service matching an LDAP filter, waiting up to {@link #TIMEOUT}. */
    public ServiceReference<?> service(String filter) throws InvalidSyntaxException, InterruptedException {
        ServiceTracker<Object, Object> t = new ServiceTracker<>(context(), context().createFilter(filter), null);
        t.open(true);
        try {
            t.waitForService(TIMEOUT.toMillis());
            ServiceReference<?> ref = t.getServiceReference();
            if (ref == null) {
                fail("no service matching " + filter + " within " + TIMEOUT);
            }
            return ref;
        } finally {
            t.close();
        }
    }

    /**
     * Calls a public method of a service object by name (the class lives in a bundle class loader, so tests
     * cannot cast it); arguments must be JDK types.
     */
    public Object invoke(ServiceReference<?> ref, String method, Object... args) throws ReflectiveOperationException {
        Object svc = context().getService(ref);
        try {
            for (Method m : svc.getClass().getMethods()) {
                if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                    return m.invoke(svc, args);
                }
            }
            throw new NoSuchMethodException(svc.getClass().getName() + "." + method + " with " + args.length + " arguments");
        } finally {
            context().ungetService(ref);
        }
    }

    // --- changing bundles -------------------------------------------------------------------------------------

    public void stop(String bsn) throws BundleException {
        bundle(bsn).stop();
    }

    public void start(String bsn) throws BundleException {
        bundle(bsn).start();
    }

    public void uninstall(String bsn) throws BundleException {
        bundle(bsn).uninstall();
    }

    /** Installs and starts another jar. */
    public Bundle installAndStart(Path jar) throws BundleException {
        Bundle b = boot.install(List.of(jar)).getFirst();
        b.start();
        return b;
    }

    /** Refreshes {@code bsns} (all removal-pending bundles when empty) and waits for the refresh to finish. */
    public void refresh(String... bsns) throws InterruptedException {
        List<Bundle> which = Arrays.stream(bsns).map(this::bundle).toList();
        CountDownLatch done = new CountDownLatch(1);
        context().getBundle(0).adapt(FrameworkWiring.class).refreshBundles(which.isEmpty() ? null : which, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        if (!done.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("refresh did not finish within " + TIMEOUT);
        }
    }

    // --- logs -------------------------------------------------------------------------------------------------

    /** Log records at {@code level} or above since boot, as "LEVEL logger: message". */
    public List<String> logs(Level level) {
        return capture.records.stream().filter(r -> r.getLevel().intValue() >= level.intValue())
                .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + capture.getFormatter().formatMessage(r)).toList();
    }

    /** Polls {@code condition} every 10 ms until true; fails after {@code timeout}. */
    public static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("condition not met within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    /** Stops the framework (waiting for it) and stops capturing logs. */
    @Override
    public void close() {
        watch.close();
        try {
            if (!boot.stop(TIMEOUT.toMillis())) {
                fail("framework did not stop within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            capture.close();
        }
    }

    /** Collects JUL records on the root logger while a harness runs. */
    private static final class Capture extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        static Capture install() {
            Capture c = new Capture();
            c.setFormatter(new java.util.logging.SimpleFormatter());
            c.setLevel(Level.ALL);
            Logger.getLogger("").addHandler(c);
            return c;
        }

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }
}
