package org.virtgpu.context.venus;

import org.virtgpu.spi.Capset;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;

/** Placeholder capset until the real payload lands (issue 4): id, version and size are the real ones. */
record ThinCapset(int id, String name, int maxVersion, int size) implements Capset {
    @Override
    public byte[] payload(int version, HostInfo host) throws GpuException {
        if (version > maxVersion) {
            throw GpuException.invalidParameter("capset " + id + " version " + version + " > " + maxVersion);
        }
        return new byte[size];
    }
}
