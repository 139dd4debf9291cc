package org.virtgpu.context.crossdomain;

import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.PageSizePolicy;

/**
 * The cross-domain context type: capset 5. Image queries and image memory work ({@link CrossDomainContext}); no
 * channel to a host compositor is offered yet, so {@code supported_channels} is 0 and guests use the context
 * as an allocator (minigbm's gralloc mode).
 * <p>
 * Page size: IN_SIZES. The guest learns granularity from the {@code size} of each image-requirements reply,
 * which is rounded up to the device's blob alignment; the type needs nothing above the host page (0).
 */
@Component(service = ContextType.class)
public final class CrossDomainContextType implements ContextType {
    /** No channel implemented: advertising Wayland (bit 1 << 1) here would make sommelier fail at INIT. */
    static final int SUPPORTED_CHANNELS = 0;
    private static final List<Capset> CAPSETS = List.of(new CrossDomainCapset(SUPPORTED_CHANNELS));
    private static final PageSizePolicy POLICY = new PageSizePolicy(PageSizePolicy.Reporting.IN_SIZES, 0);

    @Override
    public String name() {
        return "cross-domain";
    }

    @Override
    public List<Capset> capsets() {
        return CAPSETS;
    }

    @Override
    public PageSizePolicy pageSizePolicy() {
        return POLICY;
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
        return new CrossDomainContext(spec.ctxId(), services, SUPPORTED_CHANNELS);
    }
}
