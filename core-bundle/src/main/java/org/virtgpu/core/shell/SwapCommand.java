package org.virtgpu.core.shell;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextType;

/**
 * Gogo command {@code virtgpu:swap <bundle> <jar>}: replaces a context bundle while guests run and reports how
 * long it took until the new {@link ContextType} was serving.
 * <p>
 * {@code <bundle>} is a bundle id or symbolic name, {@code <jar>} a file path or URL. The command calls
 * {@link Bundle#update(InputStream)} (which stops the old revision: its contexts become lost and its capsets leave
 * the registry; then starts the new one), starts the bundle if it was not active, and waits until the bundle has
 * registered a ContextType again and the device lists every capset of it in {@link VirtGpuDevice#PROP_CAPSETS}.
 * The time printed runs from the update call to that moment. Context bundles export nothing, so no refresh is
 * needed (and none is done). The core bundle itself is refused: updating it would take the device down.
 */
@Component(service = SwapCommand.class, property = {
        "osgi.command.scope=virtgpu",
        "osgi.command.function=swap"})
public final class SwapCommand {
    private static final System.Logger LOG = System.getLogger(SwapCommand.class.getName());
    /** How long {@link #swap(String, String)} waits for the new revision to serve. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final BundleContext context;

    @Activate
    public SwapCommand(BundleContext context) {
        this.context = context;
    }

    /** What a swap did. */
    public record Result(String bundle, Version from, Version to, long nanos, int[] capsets, long blobAlignment) {
        public double millis() {
            return nanos / 1e6;
        }

        @Override
        public String toString() {
            return String.format("swapped %s %s -> %s in %.1f ms; capsets now %s, blob alignment %d",
                    bundle, from, to, millis(), Arrays.toString(capsets), blobAlignment);
        }
    }

    /** The Gogo entry point. */
    public String swap(String bundle, String jar) throws Exception {
        Bundle b = find(context, bundle);
        try (InputStream in = open(jar)) {
            Result r = swap(context, b, in, TIMEOUT);
            LOG.log(Level.INFO, r.toString());
            return r.toString();
        }
    }

    /**
     * Updates {@code bundle} from {@code jar} and waits until it serves again.
     *
     * @throws TimeoutException when the new revision registers no ContextType, or the device does not serve all
     *                          of its capsets (a taken capset id, say), within {@code timeout}
     */
    public static Result swap(BundleContext context, Bundle bundle, InputStream jar, Duration timeout)
            throws BundleException, InterruptedException, TimeoutException {
        if (bundle.getBundleId() == 0 || bundle.getBundleId() == context.getBundle().getBundleId()) {
            throw new BundleException("refusing to swap " + bundle.getSymbolicName()
                    + ": only context bundles can be replaced while the device runs");
        }
        Version from = bundle.getVersion();
        ReentrantLock lock = new ReentrantLock();
        Condition changed = lock.newCondition();
        ServiceListener wake = event -> {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        };
        String filter = "(|(" + Constants.OBJECTCLASS + "=" + ContextType.class.getName() + ")("
                + Constants.OBJECTCLASS + "=" + VirtGpuDevice.class.getName() + "))";
        try {
            context.addServiceListener(wake, filter);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(filter, e);
        }
        try {
            long t0 = System.nanoTime();
            boolean wasActive = bundle.getState() == Bundle.ACTIVE;
            bundle.update(jar);
            if (!wasActive) {
                bundle.start();
            }
            long deadline = t0 + timeout.toNanos();
            lock.lock();
            try {
                while (true) {
                    int[] served = serving(context, bundle);
                    if (served != null) {
                        long t1 = System.nanoTime();
                        return new Result(bundle.getSymbolicName(), from, bundle.getVersion(), t1 - t0, served,
                                blobAlignment(context));
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException(bundle.getSymbolicName() + " did not serve its capsets within "
                                + timeout.toMillis() + " ms of the update (state " + bundle.getState() + ")");
                    }
                    // a service event wakes us at once; the bound only guards against a missed event
                    changed.awaitNanos(Math.min(left, 50_000_000L));
                }
            } finally {
                lock.unlock();
            }
        } finally {
            context.removeServiceListener(wake);
        }
    }

    /** The device's capset ids when every capset of the bundle's ContextType services is among them, else null. */
    private static int[] serving(BundleContext context, Bundle bundle) {
        ServiceReference<?>[] refs = bundle.getRegisteredServices();
        ServiceReference<VirtGpuDevice> device = context.getServiceReference(VirtGpuDevice.class);
        if (refs == null || device == null || !(device.getProperty(VirtGpuDevice.PROP_CAPSETS) instanceof int[] ids)) {
            return null;
        }
        boolean any = false;
        for (ServiceReference<?> ref : refs) {
            if (!isContextType(ref)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            ServiceReference<ContextType> typeRef = (ServiceReference<ContextType>) ref;
            ContextType type = context.getService(typeRef);
            if (type == null) {
                return null;
            }
            try {
                List<Capset> capsets = type.capsets();
                for (Capset c : capsets) {
                    if (Arrays.stream(ids).noneMatch(id -> id == c.id())) {
                        return null;
                    }
                }
                any = true;
            } finally {
                context.ungetService(typeRef);
            }
        }
        return any ? ids.clone() : null;
    }

    static boolean isContextType(ServiceReference<?> ref) {
        return ref.getProperty(Constants.OBJECTCLASS) instanceof String[] classes
                && Arrays.asList(classes).contains(ContextType.class.getName());
    }

    private static long blobAlignment(BundleContext context) {
        ServiceReference<VirtGpuDevice> device = context.getServiceReference(VirtGpuDevice.class);
        Object a = device == null ? null : device.getProperty(VirtGpuDevice.PROP_BLOB_ALIGNMENT);
        return a instanceof Long l ? l : 0;
    }

    /** A bundle by id or symbolic name (the highest version when several are installed). */
    static Bundle find(BundleContext context, String idOrName) throws BundleException {
        if (idOrName.chars().allMatch(Character::isDigit) && !idOrName.isEmpty()) {
            Bundle b = context.getBundle(Long.parseLong(idOrName));
            if (b != null) {
                return b;
            }
        }
        Bundle best = null;
        for (Bundle b : context.getBundles()) {
            if (idOrName.equals(b.getSymbolicName()) && (best == null || b.getVersion().compareTo(best.getVersion()) > 0)) {
                best = b;
            }
        }
        if (best == null) {
            throw new BundleException("no bundle " + idOrName);
        }
        return best;
    }

    private static InputStream open(String jar) throws IOException {
        if (jar.contains("://")) {
            return URI.create(jar).toURL().openStream();
        }
        return Files.newInputStream(Path.of(jar));
    }
}
