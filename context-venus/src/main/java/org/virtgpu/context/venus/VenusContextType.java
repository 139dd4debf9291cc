package org.virtgpu.context.venus;

import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.PageSizePolicy;

/** The venus context type. */
@Component(service = ContextType.class)
public final class VenusContextType implements ContextType {
    private static final List<Capset> CAPSETS = List.of(
            new ThinCapset(4, "venus", 0, 160));

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
        throw GpuException.unsupported("venus contexts");
    }
}
