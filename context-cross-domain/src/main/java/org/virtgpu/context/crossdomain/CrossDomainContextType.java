package org.virtgpu.context.crossdomain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.PageSizePolicy;

/**
 * The cross-domain context type: capset 5. Image queries and image memory always work ({@link CrossDomainContext});
 * the Wayland channel ({@link WaylandChannel}) is offered, and advertised in {@code supported_channels}, when a
 * compositor socket exists at activation (configuration {@code waylandSocket}, or $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY).
 * The capset is fixed for the life of the component: a configuration change re-activates it, which is a hot-swap.
 * <p>
 * Page size: IN_SIZES. The guest learns granularity from the {@code size} of each image-requirements reply,
 * which is rounded up to the device's blob alignment; the type needs nothing above the host page (0).
 */
@Component(service = ContextType.class, configurationPid = CrossDomainContextType.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CrossDomainContextType.Config.class)
public final class CrossDomainContextType implements ContextType {
    static final String PID = "org.virtgpu.context.crossdomain";
    private static final PageSizePolicy POLICY = new PageSizePolicy(PageSizePolicy.Reporting.IN_SIZES, 0);

    /** Configuration (ConfigAdmin PID {@code org.virtgpu.context.crossdomain}). */
    @ObjectClassDefinition(name = "virtgpu cross-domain", description = "cross-domain context type (capset 5)")
    public @interface Config {
        @AttributeDefinition(description = "Wayland compositor socket for the WAYLAND channel: a path, \"auto\""
                + " ($XDG_RUNTIME_DIR/$WAYLAND_DISPLAY, default wayland-0) or \"none\"")
        String waylandSocket() default "auto";
    }

    private final String waylandSocket;
    /** The capset's supported_channels bits, handed to every context. */
    private final int supportedChannels;
    private final List<Capset> capsets;

    /** No channel: what tests and plain construction get. */
    public CrossDomainContextType() {
        this((String) null);
    }

    /** With the Wayland channel to {@code waylandSocket} (null: none). */
    CrossDomainContextType(String waylandSocket) {
        this.waylandSocket = waylandSocket;
        this.supportedChannels = waylandSocket == null ? 0 : 1 << CrossDomainProtocol.CHANNEL_TYPE_WAYLAND;
        this.capsets = List.of(new CrossDomainCapset(supportedChannels));
    }

    @Activate
    public CrossDomainContextType(Config config) {
        this(resolve(config.waylandSocket()));
    }

    /** The socket to offer, or null when none is configured or it does not exist now. */
    static String resolve(String setting) {
        String s = setting == null ? "auto" : setting.trim();
        if (s.isEmpty() || s.equals("none")) {
            return null;
        }
        Path p;
        if (s.equals("auto")) {
            String display = System.getenv().getOrDefault("WAYLAND_DISPLAY", "wayland-0");
            String runtime = System.getenv("XDG_RUNTIME_DIR");
            if (display.startsWith("/")) {
                p = Path.of(display);
            } else if (runtime == null) {
                return null;
            } else {
                p = Path.of(runtime, display);
            }
        } else {
            p = Path.of(s);
        }
        return Files.exists(p) && !Files.isDirectory(p) ? p.toAbsolutePath().toString() : null;
    }

    @Override
    public String name() {
        return "cross-domain";
    }

    @Override
    public List<Capset> capsets() {
        return capsets;
    }

    @Override
    public PageSizePolicy pageSizePolicy() {
        return POLICY;
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
        return new CrossDomainContext(spec.ctxId(), services, supportedChannels, waylandSocket, spec.fences());
    }
}
