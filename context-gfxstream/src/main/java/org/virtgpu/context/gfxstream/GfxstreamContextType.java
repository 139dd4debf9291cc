package org.virtgpu.context.gfxstream;

import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.PageSizePolicy;

/** The gfxstream context type. */
@Component(service = ContextType.class)
public final class GfxstreamContextType implements ContextType {
    private static final List<Capset> CAPSETS = List.of(
            new ThinCapset(3, "gfxstream-vulkan", 1, 64),
            new ThinCapset(8, "gfxstream-gles", 1, 64),
            new ThinCapset(9, "gfxstream-composer", 1, 64));

    @Override
    public String name() {
        return "gfxstream";
    }

    @Override
    public List<Capset> capsets() {
        return CAPSETS;
    }

    @Override
    public PageSizePolicy pageSizePolicy() {
        return new PageSizePolicy(PageSizePolicy.Reporting.IN_CAPSET, 0);
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
        throw GpuException.unsupported("gfxstream contexts");
    }
}
