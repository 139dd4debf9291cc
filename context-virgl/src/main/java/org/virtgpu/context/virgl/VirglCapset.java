package org.virtgpu.context.virgl;

import org.virtgpu.spi.Capset;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;

/**
 * Capset 1 ("virgl", version 1, {@code virgl_caps_v1}) or 2 ("virgl2", version 2, {@code virgl_caps_v2}).
 * Neither carries a page-size field (fact sheet §2.8): the guest relies on VIRTIO_GPU_F_BLOB_ALIGNMENT.
 */
record VirglCapset(int id, String name, int maxVersion, int size) implements Capset {
    static final VirglCapset VIRGL = new VirglCapset(1, "virgl", 1, VirglCaps.V1_SIZE);
    static final VirglCapset VIRGL2 = new VirglCapset(2, "virgl2", 2, VirglCaps.V2_SIZE);

    @Override
    public byte[] payload(int version, HostInfo host) throws GpuException {
        if (version < 0 || version > maxVersion) {
            throw GpuException.invalidParameter("capset " + id + " (" + name + ") version " + version
                    + " is above its maximum " + maxVersion);
        }
        // One layout per capset whatever the requested version, as vrend does: v2 only grows in place.
        return VirglCaps.payload(id);
    }
}
