package org.virtgpu.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.cm.ConfigurationAdmin;
import org.virtgpu.api.VirtGpuDevice;

/**
 * An embedded Felix with the real virtgpu bundles (from target/it-bundles, copied by the build). The system bundle
 * exports {@code org.virtgpu.api} and {@code org.virtgpu.spi} from this test's class path, and the core bundle
 * imports them (bnd makes its exports substitutable), so the test and the bundles share those classes and the
 * test drives the device through its in-process API.
 */
final class EmbeddedFelix implements AutoCloseable {
    static final Path BUNDLES = Path.of(System.getProperty("virtgpu.itBundles", "target/it-bundles"));

    static final String LWJGL = System.getProperty("virtgpu.lwjglVersion", "3.4.3");

    final Framework framework;
    final Map<String, Bundle> bySymbolicName = new HashMap<>();

    EmbeddedFelix(Path storage) throws Exception {
        Map<String, String> cfg = new HashMap<>();
        cfg.put(Constants.FRAMEWORK_STORAGE, storage.toAbsolutePath().toString());
        cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        cfg.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.virtgpu.api;version=1.0.0,org.virtgpu.spi;version=1.0.0,org.osgi.service.cm;version=1.6,"
                // LWJGL below the hot-swappable layer, loaded once per JVM (research/osgi-stack.md, option C)
                + "org.lwjgl;version=" + LWJGL + ",org.lwjgl.system;version=" + LWJGL + ",org.lwjgl.vulkan;version=" + LWJGL);
        cfg.put("felix.log.level", "1");
        cfg.put("ds.loglevel", "warn");
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(cfg);
        framework.start();
        List<Bundle> installed = new ArrayList<>();
        try (var files = Files.list(BUNDLES)) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                Bundle b = context().installBundle(jar.toUri().toString());
                bySymbolicName.put(b.getSymbolicName(), b);
                installed.add(b);
            }
        }
        // ConfigAdmin first: the vtest transport listens on Mesa's default socket unless told not to, and a test
        // must not take that path from a developer's running server or another test
        Bundle cm = bundle("org.apache.felix.configadmin");
        cm.start();
        ServiceReference<ConfigurationAdmin> cmRef = context().getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin admin = context().getService(cmRef);
        Hashtable<String, Object> off = new Hashtable<>();
        off.put("enabled", false);
        admin.getConfiguration("org.virtgpu.transport.vtest", "?").update(off);
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    Bundle bundle(String symbolicName) {
        Bundle b = bySymbolicName.get(symbolicName);
        if (b == null) {
            throw new IllegalStateException("no bundle " + symbolicName + " in " + BUNDLES);
        }
        return b;
    }

    Path jarOf(String artifactId) {
        return BUNDLES.resolve(artifactId + ".jar");
    }

    /** The device service, waiting up to 10 s for it to satisfy {@code ready}. */
    VirtGpuDevice device(Predicate<ServiceReference<VirtGpuDevice>> ready) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            ServiceReference<VirtGpuDevice> ref = context().getServiceReference(VirtGpuDevice.class);
            if (ref != null && ready.test(ref)) {
                return context().getService(ref);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the virtgpu device did not come up as expected within 10 s");
    }

    int[] servedCapsets() {
        ServiceReference<VirtGpuDevice> ref = context().getServiceReference(VirtGpuDevice.class);
        return ref == null ? new int[0] : (int[]) ref.getProperty(VirtGpuDevice.PROP_CAPSETS);
    }

    long blobAlignment() {
        ServiceReference<VirtGpuDevice> ref = context().getServiceReference(VirtGpuDevice.class);
        return ref == null ? 0 : (Long) ref.getProperty(VirtGpuDevice.PROP_BLOB_ALIGNMENT);
    }

    /** A copy of {@code jar} whose Bundle-Version is {@code version}: a "new build" to update a bundle to. */
    static Path withVersion(Path jar, String version, Path out) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            mf.getMainAttributes().put(new Attributes.Name(Constants.BUNDLE_VERSION), version);
            try (OutputStream os = Files.newOutputStream(out); JarOutputStream jos = new JarOutputStream(os, mf)) {
                for (JarEntry e : in.stream().toList()) {
                    if (e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
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

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }
}
