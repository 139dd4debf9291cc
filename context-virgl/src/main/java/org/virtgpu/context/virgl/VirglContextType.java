package org.virtgpu.context.virgl;

import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.PageSizePolicy;

/** The virgl context type. */
@Component(service = ContextType.class)
public final class VirglContextType implements ContextType {
    private static final List<Capset> CAPSETS = List.of(
            new ThinCapset(1, "virgl", 1, 308),
            new ThinCapset(2, "virgl2", 2, 1024));

    @Override
    public String name() {
        return "virgl";
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
        throw GpuException.unsupported("virgl contexts");
    }
}
