package org.virtgpu.context.venus;

import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.PageSizePolicy;

/** The venus context type: Mesa's Venus protocol executed on the host Vulkan driver (capset 4). */
@Component(service = ContextType.class)
public final class VenusContextType implements ContextType {
    private static final List<Capset> CAPSETS = List.of(
            new VenusCapset());

    private volatile boolean active;
    private Thread background;
    /**
     * the sizes this type's contexts' object tables grew to, where each new one starts (the warm-up's context keeps
     * its own, so only clients size them; see VnObjects.Sizes)
     */
    private final VnObjects.Sizes tableSizes = new VnObjects.Sizes(VnInfo.HANDLE_TYPES);

    /**
     * Loads the host Vulkan loader in the background (LWJGL, libvulkan, the loader's ICD and layer scan: about
     * 300 ms on a cold JVM) so that the first client does not wait for it, then warms the decoder up
     * ({@link VenusWarmup}); a failure here is only logged, the first context creation tries again and reports it.
     */
    @Activate
    public void activate() {
        active = true;
        background = Thread.ofPlatform().daemon().name("venus-warmup").start(() -> {
            try {
                HostVulkan.getInstanceProcAddr();
            } catch (RuntimeException | LinkageError e) {
                VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: host Vulkan not available yet: " + e);
                return;
            }
            if (VenusWarmup.ENABLED && active) {
                VenusWarmup.run(VenusWarmup.ROUNDS, () -> !active);
            }
        });
    }

    /** The warm-up stops within one batch of commands; the bundle does not go while it still runs host calls. */
    @Deactivate
    public void deactivate() throws InterruptedException {
        active = false;
        Thread t = background;
        if (t != null) {
            t.join(2_000);
        }
    }

    @Override
    public String name() {
        return "venus";
    }

    @Override
    public List<Capset> capsets() {
        return CAPSETS;
    }

    @Override
    public PageSizePolicy pageSizePolicy() {
        return new PageSizePolicy(PageSizePolicy.Reporting.IN_SIZES, 0);
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
        if (spec.capsetId() != VenusCapset.ID) {
            throw GpuException.invalidParameter("venus serves capset 4, not " + spec.capsetId());
        }
        try {
            HostVulkan.getInstanceProcAddr();
        } catch (RuntimeException | LinkageError e) {
            throw new GpuException(org.virtgpu.spi.GpuError.UNSPEC, "no host Vulkan: " + e, e);
        }
        return new VenusContext(spec, services, tableSizes);
    }
}
