/**
 * The service provider interface a context-type bundle implements and uses.
 *
 * <h2>Writing a context bundle</h2>
 * <ol>
 *   <li>Implement {@link org.virtgpu.spi.ContextType} as a Declarative Services component
 *       ({@code @Component(service = ContextType.class)}). Its {@link org.virtgpu.spi.ContextType#capsets()}
 *       lists the capset ids it serves; the core refuses a capset id another bundle already owns.</li>
 *   <li>Declare how the guest learns the host page size with a {@link org.virtgpu.spi.PageSizePolicy}.</li>
 *   <li>Return a {@link org.virtgpu.spi.GpuContext} from {@code createContext}; override only what the
 *       context supports: the defaults answer {@link org.virtgpu.spi.GpuError#UNSPEC} or do nothing.</li>
 *   <li>Use {@link org.virtgpu.spi.DeviceServices} for everything that must outlive the bundle: shared
 *       memory, resource lookup. Never keep guest memory views after {@code detachResource}.</li>
 * </ol>
 * Context bundles export no packages, so updating one never refreshes another bundle.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.virtgpu.spi;
