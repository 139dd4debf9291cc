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

/**
 * The gfxstream context type: capsets 3 (vulkan), 8 (gles), 9 (composer).
 * <p>
 * Page size: reported IN_CAPSET ({@code blobAlignment}, see {@link GfxstreamCapset#blobAlignment}). Its required
 * alignment is the host page size, which the SPI spells as 0 ("the host page size is enough"): the core's
 * blob_alignment is then max(host page, ...) = the value the capset carries. The ASG layout itself subdivides
 * the blob at 4 KiB, which every host page size is a multiple of.
 */
@Component(service = ContextType.class)
public final class GfxstreamContextType implements ContextType {
    private static final List<Capset> CAPSETS = List.of(GfxstreamCapset.VULKAN, GfxstreamCapset.GLES, GfxstreamCapset.COMPOSER);
    private static final PageSizePolicy POLICY = new PageSizePolicy(PageSizePolicy.Reporting.IN_CAPSET, 0);

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
        return POLICY;
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
        return new GfxstreamContext(spec.ctxId(), spec.capsetId(), services);
    }
}
