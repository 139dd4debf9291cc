package org.virtgpu.core.device;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.annotation.bundle.Capability;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.virtgpu.api.CapsetInfo;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.core.registry.CapsetRegistry;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;

/**
 * The device as an OSGi component. It tracks every {@link ContextType} service (dynamic, greedy, multiple),
 * keeps the capset registry, and registers {@link VirtGpuDevice} itself so that it can update the
 * {@code virtgpu.capsets} and {@code virtgpu.blobAlignment} service properties as types come and go.
 */
@Component(immediate = true, service = {}, configurationPid = DeviceConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DeviceConfig.class)
// The device registers VirtGpuDevice itself (to update its properties), so bnd cannot see it from the DS metadata:
// declare it, or a resolver (bnd/*.bndrun) finds no provider for the transports' mandatory reference.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.virtgpu.api.VirtGpuDevice\"",
        uses = VirtGpuDevice.class)
public final class DeviceComponent implements VirtGpuDevice {
    private static final System.Logger LOG = System.getLogger(DeviceComponent.class.getName());

    private final CapsetRegistry registry = new CapsetRegistry();
    private final Set<DeviceSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile DeviceSettings settings = DeviceSettings.defaults();
    private volatile int hostPageSize;
    /**
     * {@link #blobAlignment()}, read on every CREATE_BLOB and MAP_BLOB: recomputed (under {@link #alignmentLock})
     * only when context types come or go or the configuration changes, never per command.
     */
    private volatile long blobAlignment = HostPage.osPageSize();
    private final Object alignmentLock = new Object();
    private ServiceRegistration<VirtGpuDevice> registration;

    /** For Declarative Services. */
    public DeviceComponent() {
    }

    /**
     * A device outside OSGi (tests, benchmarks, embedders): add context types with {@link #addContextType}.
     */
    public static DeviceComponent standalone(DeviceSettings settings) {
        DeviceComponent d = new DeviceComponent();
        d.settings = settings;
        d.hostPageSize = HostPage.effective(settings.hostPageSize());
        d.recomputeBlobAlignment();
        return d;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindContextType(ContextType type, ServiceReference<ContextType> ref) {
        addContextType(type, ref.getBundle().getSymbolicName() + " " + ref.getBundle().getVersion());
    }

    void unbindContextType(ContextType type) {
        removeContextType(type);
    }

    /** Adds a context type served by {@code bundle} (the DS bind method's work). */
    public void addContextType(ContextType type, String bundle) {
        if (registry.add(type, bundle)) {
            LOG.log(Level.INFO, "context type {0} from {1} serves capsets {2}", type.name(), bundle,
                    type.capsets().stream().map(c -> c.id() + " (" + c.name() + ")").toList());
        }
        recomputeBlobAlignment();
        publish();
    }

    /**
     * Removes a context type (the DS unbind method's work). Every live context of that type in every session
     * becomes lost before this returns: destroyed, its pending fences completed; its resources stay in the core.
     */
    public void removeContextType(ContextType type) {
        var freed = registry.remove(type);
        if (!freed.isEmpty()) {
            LOG.log(Level.INFO, "context type {0} went away; capsets {1} no longer served", type.name(),
                    freed.stream().map(c -> c.id()).toList());
        }
        for (DeviceSession s : sessions) {
            s.contextTypeGone(type);
        }
        recomputeBlobAlignment();
        publish();
    }

    @Activate
    void activate(BundleContext context, DeviceConfig config) {
        this.settings = DeviceSettings.from(config);
        this.hostPageSize = HostPage.effective(config.hostPageSize());
        recomputeBlobAlignment();
        registration = context.registerService(VirtGpuDevice.class, this, properties());
        LOG.log(Level.INFO, "virtgpu device up: host page {0}, capsets {1}", hostPageSize, Arrays.toString(registry.ids()));
    }

    @Deactivate
    void deactivate() {
        for (DeviceSession s : List.copyOf(sessions)) {
            s.close();
        }
        ServiceRegistration<VirtGpuDevice> r;
        synchronized (this) {
            r = registration;
            registration = null;
        }
        if (r != null) {
            r.unregister();
        }
    }

    private Hashtable<String, Object> properties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(PROP_CAPSETS, registry.ids());
        p.put(PROP_BLOB_ALIGNMENT, blobAlignment());
        return p;
    }

    private void publish() {
        ServiceRegistration<VirtGpuDevice> r;
        synchronized (this) {
            r = registration;
        }
        if (r != null) {
            try {
                r.setProperties(properties());
            } catch (IllegalStateException unregistered) {
                // deactivating
            }
        }
        LOG.log(Level.INFO, "capsets now {0}, blob alignment {1}", Arrays.toString(registry.ids()), blobAlignment());
    }

    /** max(host page size, every active context type's required alignment). */
    public long blobAlignment() {
        return blobAlignment;
    }

    /**
     * Serialised so that the last recomputation, which runs after the last registry change, is the one that sticks
     * when context types come and go on several threads at once.
     */
    private void recomputeBlobAlignment() {
        synchronized (alignmentLock) {
            long a = hostPageSize == 0 ? HostPage.osPageSize() : hostPageSize;
            for (var p : registry.providers()) {
                a = Math.max(a, p.type().pageSizePolicy().requiredAlignment());
            }
            blobAlignment = a;
        }
    }

    public CapsetRegistry registry() {
        return registry;
    }

    @Override
    public DeviceInfo info() {
        DeviceSettings c = settings;
        List<CapsetInfo> caps = registry.entries().stream()
                .map(e -> new CapsetInfo(e.capset().id(), e.capset().name(), e.capset().maxVersion(), e.capset().size(),
                        e.provider().bundle()))
                .toList();
        long features = (1L << DeviceInfo.F_VIRGL) | (1L << DeviceInfo.F_EDID) | (1L << DeviceInfo.F_RESOURCE_UUID)
                | (1L << DeviceInfo.F_RESOURCE_BLOB) | (1L << DeviceInfo.F_CONTEXT_INIT) | (1L << DeviceInfo.F_BLOB_ALIGNMENT);
        return new DeviceInfo(features, c.numScanouts(), caps, hostPageSize, blobAlignment(), c.hostVisibleSize());
    }

    /** Host facts for capsets and contexts. */
    public HostInfo hostInfo() {
        return new HostInfo(hostPageSize, blobAlignment(), settings.hostVisibleSize() == 0 ? 0
                : Math.addExact(settings.hostVisibleSize(), hostPageSize - 1L) & -(long) hostPageSize);
    }

    public DeviceSettings settings() {
        return settings;
    }

    @Override
    public GpuSession openSession(SessionOptions options) throws GpuException {
        DeviceSession s = new DeviceSession(this, settings, hostInfo(), options);
        sessions.add(s);
        LOG.log(Level.INFO, "session {0} opened (features 0x{1})", options.name(),
                Long.toHexString(options.negotiatedFeatures()));
        return s;
    }

    void sessionClosed(DeviceSession s) {
        if (sessions.remove(s)) {
            LOG.log(Level.INFO, "session {0} closed", s.name());
        }
    }

    /**
     * The current image of {@code scanoutId} in the open session called {@code session} (its full name, or the name's
     * first word such as {@code vtest:1}), as a PNG.
     *
     * @throws IllegalArgumentException when no session, or more than one, has that name
     */
    public Optional<byte[]> snapshotPng(String session, int scanoutId) {
        List<DeviceSession> match = sessions.stream()
                .filter(s -> s.name().equals(session) || s.name().startsWith(session + " ")).toList();
        if (match.size() != 1) {
            throw new IllegalArgumentException((match.isEmpty() ? "no open session called " : "several sessions match ")
                    + session + "; open: " + sessions.stream().map(DeviceSession::name).sorted().toList());
        }
        return match.getFirst().snapshotPng(scanoutId);
    }

    /** Read-only views of the open sessions, for the shell. */
    public List<SessionSnapshot> sessions() {
        return sessions.stream().map(DeviceSession::snapshot)
                .sorted(java.util.Comparator.comparing(SessionSnapshot::name)).toList();
    }
}
