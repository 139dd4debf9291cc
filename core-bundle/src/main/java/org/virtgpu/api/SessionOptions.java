package org.virtgpu.api;

/**
 * How a session is opened.
 *
 * @param name               for logs ("vtest:3", "vhost-user:/run/vgpu.sock")
 * @param guestMemory        how to reach the guest's memory
 * @param negotiatedFeatures the VIRTIO_GPU_F_* bits the driver accepted (a subset of {@link DeviceInfo#features()})
 * @param limits             per-session limits
 * @param display            where scanout updates go
 */
public record SessionOptions(String name, GuestMemory guestMemory, long negotiatedFeatures, Limits limits,
                             DisplaySink display) {
    public static SessionOptions of(String name, GuestMemory memory, long negotiatedFeatures) {
        return new SessionOptions(name, memory, negotiatedFeatures, Limits.DEFAULT, DisplaySink.NONE);
    }

    public SessionOptions withLimits(Limits l) {
        return new SessionOptions(name, guestMemory, negotiatedFeatures, l, display);
    }

    public SessionOptions withDisplay(DisplaySink d) {
        return new SessionOptions(name, guestMemory, negotiatedFeatures, limits, d);
    }
}
