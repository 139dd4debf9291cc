package org.virtgpu.core.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.core.device.ContextRow;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.ResourceRow;
import org.virtgpu.core.device.SessionSnapshot;
import org.virtgpu.core.registry.CapsetRegistry;
import org.virtgpu.spi.ContextType;

/**
 * Gogo shell commands {@code virtgpu:capsets}, {@code virtgpu:bundles}, {@code virtgpu:contexts},
 * {@code virtgpu:resources}, {@code virtgpu:snapshot}. Gogo finds commands by the {@code osgi.command.*} service properties (RFC 147), so
 * this bundle needs no Gogo import and runs the same without a shell. Each command returns its table as a String,
 * which Gogo prints.
 */
@Component(service = ShellCommands.class, property = {
        "osgi.command.scope=virtgpu",
        "osgi.command.function=capsets",
        "osgi.command.function=bundles",
        "osgi.command.function=contexts",
        "osgi.command.function=resources",
        "osgi.command.function=snapshot"})
public final class ShellCommands {
    private static final String NO_DEVICE = "no virtgpu device is running\n";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile VirtGpuDevice device; // package-private: tests set it without a framework

    private final BundleContext context;

    @Activate
    public ShellCommands(BundleContext context) {
        this.context = context;
    }

    /** Served capsets (id, name, max version, size, providing bundle), then context types refused or waiting. */
    public String capsets() {
        CapsetRegistry registry = registry();
        if (registry == null) {
            return NO_DEVICE;
        }
        Table t = new Table("ID", "NAME", "VERSION", "SIZE", "BUNDLE");
        for (CapsetRegistry.Entry e : registry.entries()) {
            t.row(e.capset().id(), e.capset().name(), e.capset().maxVersion(), e.capset().size(), e.provider().bundle());
        }
        StringBuilder sb = new StringBuilder(t.toString());
        List<CapsetRegistry.Provider> waiting = registry.waiting();
        if (!waiting.isEmpty()) {
            sb.append("\nrefused, waiting for their capset ids to be free:\n");
            Table w = new Table("TYPE", "CAPSETS", "BUNDLE");
            for (CapsetRegistry.Provider p : waiting) {
                w.row(p.type().name(), ids(p.type()), p.bundle());
            }
            sb.append(w);
        }
        return sb.toString();
    }

    /** Context bundles (those named org.virtgpu.context.* or registering a ContextType): state and capsets. */
    public String bundles() {
        CapsetRegistry registry = registry();
        Table t = new Table("ID", "BUNDLE", "VERSION", "STATE", "CAPSETS");
        for (Bundle b : context.getBundles()) {
            if (!isContextBundle(b)) {
                continue;
            }
            String key = b.getSymbolicName() + " " + b.getVersion();
            String caps = "-";
            if (registry != null) {
                List<String> parts = new ArrayList<>();
                registry.providers().stream().filter(p -> p.bundle().equals(key)).forEach(p -> parts.add(ids(p.type())));
                registry.waiting().stream().filter(p -> p.bundle().equals(key)).forEach(p -> parts.add("refused " + ids(p.type())));
                if (!parts.isEmpty()) {
                    caps = String.join(" ", parts);
                }
            }
            t.row(b.getBundleId(), b.getSymbolicName(), b.getVersion(), state(b), caps);
        }
        return t.toString();
    }

    /** Live contexts of every open session (vtest client or vhost-user guest). */
    public String contexts() {
        if (!(device instanceof DeviceComponent d)) {
            return NO_DEVICE;
        }
        Table t = new Table("SESSION", "CTX", "CAPSET", "TYPE", "STATE");
        List<SessionSnapshot> sessions = d.sessions();
        for (SessionSnapshot s : sessions) {
            for (ContextRow c : s.contexts()) {
                t.row(s.name(), c.ctxId(), c.capsetId(), c.type(), c.lost() ? "lost" : "live");
            }
        }
        return t + sessionCount(sessions);
    }

    /**
     * {@code virtgpu:snapshot <session> <scanout> <file.png>}: writes what a scanout of a session shows as a PNG, so a
     * person can look at the guest's screen. The session is a name from {@code virtgpu:resources} or its first word.
     */
    public String snapshot(String session, int scanout, String file) throws java.io.IOException {
        if (!(device instanceof DeviceComponent d)) {
            return NO_DEVICE;
        }
        java.util.Optional<byte[]> png;
        try {
            png = d.snapshotPng(session, scanout);
        } catch (IllegalArgumentException e) {
            return e.getMessage() + "\n";
        }
        if (png.isEmpty()) {
            return "scanout " + scanout + " of " + session + " is not enabled\n";
        }
        java.nio.file.Path out = java.nio.file.Path.of(file).toAbsolutePath();
        java.nio.file.Files.write(out, png.get());
        return "wrote " + out + " (" + png.get().length + " bytes)\n";
    }

    /** Live resources of every open session. */
    public String resources() {
        if (!(device instanceof DeviceComponent d)) {
            return NO_DEVICE;
        }
        Table t = new Table("SESSION", "ID", "KIND", "SIZE", "WIDTH", "HEIGHT", "MAPPED");
        long bytes = 0;
        int n = 0;
        List<SessionSnapshot> sessions = d.sessions();
        for (SessionSnapshot s : sessions) {
            for (ResourceRow r : s.resources()) {
                t.row(s.name(), r.id(), r.kind(), r.size(), r.width(), r.height(), r.mapped() ? "yes" : "no");
                bytes += r.size();
                n++;
            }
        }
        return t.toString() + n + " resource(s), " + bytes + " bytes; " + sessionCount(sessions);
    }

    private static String sessionCount(List<SessionSnapshot> sessions) {
        return sessions.size() + " open session(s)\n";
    }

    private CapsetRegistry registry() {
        return device instanceof DeviceComponent d ? d.registry() : null;
    }

    private static boolean isContextBundle(Bundle b) {
        String bsn = b.getSymbolicName();
        if (bsn != null && bsn.startsWith("org.virtgpu.context.")) {
            return true;
        }
        ServiceReference<?>[] refs = b.getRegisteredServices();
        return refs != null && Arrays.stream(refs).anyMatch(SwapCommand::isContextType);
    }

    private static String ids(ContextType t) {
        return t.capsets().stream().map(c -> Integer.toString(c.id())).reduce((a, b) -> a + "," + b).orElse("");
    }

    private static final String[] STATES = {"UNINSTALLED", "INSTALLED", "RESOLVED", "STARTING", "STOPPING", "ACTIVE"};

    private static String state(Bundle b) {
        // Bundle states are one bit each: UNINSTALLED 1, INSTALLED 2, RESOLVED 4, STARTING 8, STOPPING 16, ACTIVE 32
        return STATES[Integer.numberOfTrailingZeros(b.getState()) % STATES.length];
    }

    /** A text table: numeric columns right-aligned, the others left-aligned. */
    static final class Table {
        private final List<Object[]> rows = new ArrayList<>();

        Table(Object... header) {
            rows.add(header);
        }

        void row(Object... cells) {
            rows.add(cells);
        }

        @Override
        public String toString() {
            int n = rows.getFirst().length;
            int[] w = new int[n];
            boolean[] numeric = new boolean[n];
            for (Object[] r : rows) {
                for (int i = 0; i < n; i++) {
                    w[i] = Math.max(w[i], String.valueOf(r[i]).length());
                    numeric[i] |= r[i] instanceof Number;
                }
            }
            StringBuilder sb = new StringBuilder();
            for (Object[] r : rows) {
                for (int i = 0; i < n; i++) {
                    String s = String.valueOf(r[i]);
                    if (numeric[i]) {
                        sb.repeat(' ', w[i] - s.length()).append(s);
                    } else {
                        sb.append(s);
                        if (i < n - 1) {
                            sb.repeat(' ', w[i] - s.length());
                        }
                    }
                    if (i < n - 1) {
                        sb.append("  ");
                    }
                }
                sb.append('\n');
            }
            return sb.toString();
        }
    }

}
