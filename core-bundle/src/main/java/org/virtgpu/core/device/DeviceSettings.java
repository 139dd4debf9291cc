package org.virtgpu.core.device;

import org.virtgpu.api.Limits;
import org.virtgpu.core.scanout.Edid;

/**
 * The device configuration as plain values: built from {@link DeviceConfig} under OSGi, or directly by tests,
 * benchmarks and embedders ({@link DeviceComponent#standalone}).
 *
 * @param numScanouts     num_scanouts, 1..16
 * @param hostPageSize    0 (OS page size), 4096, 16384 or 65536
 * @param hostVisibleSize size of the host-visible region (shm id 1) in bytes; 0 = no region (MAP_BLOB refused)
 * @param displayWidth    preferred mode width of every scanout (GET_DISPLAY_INFO, EDID), 16..4095
 * @param displayHeight   preferred mode height, 16..4095
 * @param limits          per-session ceilings; a session gets the smaller of these and its own options'
 */
public record DeviceSettings(int numScanouts, int hostPageSize, long hostVisibleSize, int displayWidth,
                             int displayHeight, Limits limits) {
    public DeviceSettings {
        if (numScanouts < 1 || numScanouts > 16) {
            throw new IllegalArgumentException("numScanouts must be 1..16, not " + numScanouts);
        }
        if (hostVisibleSize < 0) {
            throw new IllegalArgumentException("hostVisibleSize must be >= 0, not " + hostVisibleSize);
        }
        if (displayWidth < 16 || displayHeight < 16 || displayWidth > Edid.MAX_ACTIVE || displayHeight > Edid.MAX_ACTIVE) {
            throw new IllegalArgumentException("display size " + displayWidth + "x" + displayHeight
                    + " must be 16..4095 each (one EDID detailed timing)");
        }
        HostPage.effective(hostPageSize); // validates
    }

    public static DeviceSettings defaults() {
        return new DeviceSettings(1, 0, 256L << 20, 1280, 800, Limits.DEFAULT);
    }

    public static DeviceSettings from(DeviceConfig c) {
        return new DeviceSettings(c.numScanouts(), c.hostPageSize(), c.hostVisibleSize(), c.displayWidth(),
                c.displayHeight(), new Limits(c.maxResources(), c.maxBytes(), c.maxContexts()));
    }

    public DeviceSettings withHostPageSize(int size) {
        return new DeviceSettings(numScanouts, size, hostVisibleSize, displayWidth, displayHeight, limits);
    }

    public DeviceSettings withNumScanouts(int n) {
        return new DeviceSettings(n, hostPageSize, hostVisibleSize, displayWidth, displayHeight, limits);
    }

    public DeviceSettings withHostVisibleSize(long size) {
        return new DeviceSettings(numScanouts, hostPageSize, size, displayWidth, displayHeight, limits);
    }

    public DeviceSettings withDisplay(int width, int height) {
        return new DeviceSettings(numScanouts, hostPageSize, hostVisibleSize, width, height, limits);
    }

    public DeviceSettings withLimits(Limits l) {
        return new DeviceSettings(numScanouts, hostPageSize, hostVisibleSize, displayWidth, displayHeight, l);
    }
}
