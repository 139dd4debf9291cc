package org.virtgpu.spi;

/**
 * One capability set a context type serves (GET_CAPSET_INFO / GET_CAPSET).
 * <p>
 * The id, maximum version and size must stay the same for the lifetime of the bundle: the Linux guest
 * reads them once at probe and caches payloads. Advertise a capset only when it can be filled honestly.
 */
public interface Capset {
    /** The capset id (virgl 1, virgl2 2, gfxstream-vulkan 3, venus 4, cross-domain 5, ...). */
    int id();

    /** A short name for logs and the shell ("venus"). */
    String name();

    /** The highest version {@link #payload} accepts. */
    int maxVersion();

    /** The exact size in bytes of every payload (capset_max_size). Must be greater than 0. */
    int size();

    /**
     * Builds the payload for {@code version} (at most {@link #maxVersion()}), exactly {@link #size()} bytes.
     *
     * @throws GpuException INVALID_PARAMETER for a version above {@link #maxVersion()}
     */
    byte[] payload(int version, HostInfo host) throws GpuException;
}
