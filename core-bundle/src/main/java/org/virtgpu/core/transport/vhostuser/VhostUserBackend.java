package org.virtgpu.core.transport.vhostuser;

import java.lang.System.Logger.Level;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.virtgpu.api.Limits;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.core.nativeio.NativeException;

/**
 * The vhost-user transport as a DS component: when configured with {@code enabled=true} it listens on
 * {@code socketPath} for QEMU's {@code -device vhost-user-gpu-pci} and feeds the device's sessions.
 */
@Component(immediate = true, service = {}, configurationPid = VhostUserConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = VhostUserConfig.class)
public final class VhostUserBackend {
    private static final System.Logger LOG = System.getLogger(VhostUserBackend.class.getName());

    private VhostUserServer server;

    @Activate
    public VhostUserBackend(@Reference VirtGpuDevice device, VhostUserConfig config) throws NativeException {
        if (!config.enabled()) {
            LOG.log(Level.DEBUG, "vhost-user back-end disabled");
            return;
        }
        Limits limits = new Limits(config.maxResources(), config.maxBytes(), config.maxContexts());
        server = new VhostUserServer(config.socketPath(), device, config.maxQueueSize(), limits);
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
