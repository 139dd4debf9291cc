package org.virtgpu.launcher;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * Logs what the running device offers, from outside the framework's class spaces: the capsets from the
 * {@code virtgpu.capsets} property of the {@code org.virtgpu.api.VirtGpuDevice} service. The tracker keeps service
 * references only, never service objects, whose classes the launcher cannot load.
 */
public final class RuntimeLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.virtgpu.launcher");
    public static final String DEVICE_CLASS = "org.virtgpu.api.VirtGpuDevice";
    public static final String PROP_CAPSETS = "virtgpu.capsets";

    private final ServiceTracker<Object, ServiceReference<Object>> device;
    private final Map<ServiceReference<?>, String> lastCapsets = new ConcurrentHashMap<>();

    public RuntimeLog(BundleContext ctx) throws InvalidSyntaxException {
        device = new ServiceTracker<>(ctx, ctx.createFilter("(objectClass=" + DEVICE_CLASS + ")"), new ServiceTrackerCustomizer<>() {
            @Override
            public ServiceReference<Object> addingService(ServiceReference<Object> ref) {
                lastCapsets.put(ref, capsetText(ref));
                return ref;
            }

            @Override
            public void modifiedService(ServiceReference<Object> ref, ServiceReference<Object> s) {
                String now = capsetText(ref);
                if (!Objects.equals(lastCapsets.put(ref, now), now)) {
                    LOG.info("capsets now " + now);
                }
            }

            @Override
            public void removedService(ServiceReference<Object> ref, ServiceReference<Object> s) {
                lastCapsets.remove(ref);
                LOG.info("device service gone (core bundle stopped)");
            }
        });
        // all-services mode: the launcher's class space has no org.virtgpu.api, so skip the assignability check
        device.open(true);
    }

    /** The capset ids the device serves now, or null if no device service is registered. */
    public int[] capsets() {
        ServiceReference<Object> ref = device.getServiceReference();
        return ref == null ? null : capsetsOf(ref);
    }

    /** Waits up to {@code ms} for the device service; returns its capsets or null. */
    public int[] awaitDevice(long ms) throws InterruptedException {
        device.waitForService(ms);
        return capsets();
    }

    public static int[] capsetsOf(ServiceReference<?> ref) {
        return ref.getProperty(PROP_CAPSETS) instanceof int[] a ? a.clone() : new int[0];
    }

    private static String capsetText(ServiceReference<?> ref) {
        return Arrays.toString(capsetsOf(ref));
    }

    /** One line per bundle: id, symbolic name, version, state. */
    public static String describe(Bundle b) {
        return String.format("%3d %-40s %-18s %s", b.getBundleId(), b.getSymbolicName(), b.getVersion(), state(b));
    }

    private static final String[] STATES = {"UNINSTALLED", "INSTALLED", "RESOLVED", "STARTING", "STOPPING", "ACTIVE"};

    public static String state(Bundle b) {
        // Bundle states are one bit each: UNINSTALLED 1, INSTALLED 2, RESOLVED 4, STARTING 8, STOPPING 16, ACTIVE 32
        return STATES[Integer.numberOfTrailingZeros(b.getState()) % STATES.length];
    }

    @Override
    public void close() {
        device.close();
    }
}
