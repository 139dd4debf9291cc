package org.virtgpu.spi;

/**
 * Where a context reports fence completion. May be called from any thread. Signalling fence N on a ring
 * retires every fence on that ring with an id up to N (the spec's per-ring timeline rule).
 */
@FunctionalInterface
public interface FenceSink {
    void signal(int ringIdx, long fenceId);
}
