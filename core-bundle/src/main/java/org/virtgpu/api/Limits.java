package org.virtgpu.api;

/**
 * Per-session limits. Going over one is answered with OUT_OF_MEMORY, never an exhausted JVM.
 *
 * @param maxResources the number of live resources
 * @param maxBytes     host bytes held: 2D/3D host storage plus host blobs
 * @param maxContexts  the number of live contexts
 */
public record Limits(int maxResources, long maxBytes, int maxContexts) {
    public static final Limits DEFAULT = new Limits(16384, 1L << 30, 64);

    public Limits {
        if (maxResources < 1 || maxBytes < 1 || maxContexts < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxResources + ", " + maxBytes + ", " + maxContexts);
        }
    }
}
