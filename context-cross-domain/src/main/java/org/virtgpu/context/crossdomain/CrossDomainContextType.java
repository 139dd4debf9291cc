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

/** The cross-domain context type. */
@Component(service = ContextType.class)
public final class CrossDomainContextType implements ContextType {
    private static final List<Capset> CAPSETS = List.of(
            new ThinCapset(5, "cross-domain", 0, 64));

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
        return new PageSizePolicy(PageSizePolicy.Reporting.IN_SIZES, 0);
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
        throw GpuException.unsupported("cross-domain contexts");
    }
}
