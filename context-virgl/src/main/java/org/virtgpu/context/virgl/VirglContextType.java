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

/**
 * The virgl context type: capsets 1 and 2. It has no host GL renderer, so its capsets promise nothing
 * ({@link VirglCaps}) and its contexts run only the renderer-free commands ({@link VirglContext}).
 * <p>
 * Page size: virgl's capsets have no page-size field, and with no renderer it creates no host blobs, so it
 * needs nothing beyond the host page: policy NONE, the guest relies on VIRTIO_GPU_F_BLOB_ALIGNMENT.
 */
@Component(service = ContextType.class)
public final class VirglContextType implements ContextType {
    private static final List<Capset> CAPSETS = List.of(VirglCapset.VIRGL, VirglCapset.VIRGL2);

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
        return PageSizePolicy.none();
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
        return new VirglContext(spec.ctxId());
    }
}
