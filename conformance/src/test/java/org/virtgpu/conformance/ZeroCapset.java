package org.virtgpu.conformance;

import org.virtgpu.spi.Capset;
import org.virtgpu.spi.HostInfo;

/** A capset of 4 zero bytes, version 0, for the test-only context types of this module. */
record ZeroCapset(int id, String name) implements Capset {
    @Override
    public int maxVersion() {
        return 0;
    }

    @Override
    public int size() {
        return 4;
    }

    @Override
    public byte[] payload(int version, HostInfo host) {
        return new byte[4];
    }
}
