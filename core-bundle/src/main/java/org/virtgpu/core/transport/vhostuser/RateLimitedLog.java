package org.virtgpu.core.transport.vhostuser;

import java.lang.System.Logger.Level;

/**
 * A logger for what a guest can trigger at will: at most {@code perSecond} lines a second, then one line
 * saying how many were dropped. Single-threaded use per instance is not required; races only blur counts.
 */
final class RateLimitedLog {
    private final System.Logger log;
    private final int perSecond;
    private long windowStart;
    private int inWindow;
    private int dropped;

    RateLimitedLog(System.Logger log, int perSecond) {
        this.log = log;
        this.perSecond = perSecond;
    }

    void warn(String format, Object... args) {
        long now = System.nanoTime();
        if (now - windowStart > 1_000_000_000L) {
            if (dropped > 0) {
                log.log(Level.WARNING, "{0} more guest errors not logged", dropped);
            }
            windowStart = now;
            inWindow = 0;
            dropped = 0;
        }
        if (++inWindow <= perSecond) {
            log.log(Level.WARNING, format, args);
        } else {
            dropped++;
        }
    }
}
