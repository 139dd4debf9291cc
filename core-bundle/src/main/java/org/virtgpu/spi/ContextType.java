package org.virtgpu.spi;

import java.util.List;

/**
 * A context type, provided as an OSGi service by a context bundle. The core tracks every such service
 * (dynamic, greedy, multiple) and builds its capset table from {@link #capsets()}.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface ContextType {
    /** Service property the core publishes nothing with; informational name for logs ("venus"). */
    String name();

    /** The capsets this type serves; must not change while the service is registered. */
    List<Capset> capsets();

    /** How this type reports page granularity and what alignment it requires. */
    PageSizePolicy pageSizePolicy();

    /**
     * Creates a context for CTX_CREATE.
     *
     * @throws GpuException OUT_OF_MEMORY when the type's own limits are reached, UNSPEC when the host cannot
     */
    GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException;
}
