package org.virtgpu.core.device;

import java.lang.System.Logger.Level;

/**
 * A guest can send bad requests as fast as it likes; it must not be able to flood the host's log. At most
 * {@code perSecond} lines per second per session, then one line saying how many were dropped.
 */
public final class RateLimitedLog {
    private static final System.Logger LOG = System.getLogger("org.virtgpu.core.device.Session");
    private final String prefix;
    private final int perSecond;
    private long windowStart;
    private int inWindow;
    private long dropped;

    public RateLimitedLog(String prefix, int perSecond) {
        this.prefix = prefix;
        this.perSecond = perSecond;
    }

    public synchronized void log(Level level, String message) {
        long now = System.nanoTime();
        if (now - windowStart > 1_000_000_000L) {
            if (dropped > 0) {
                LOG.log(Level.WARNING, prefix + dropped + " log lines dropped (rate limit " + perSecond + "/s)");
            }
            windowStart = now;
            inWindow = 0;
            dropped = 0;
        }
        if (inWindow++ < perSecond) {
            LOG.log(level, prefix + message);
        } else {
            dropped++;
        }
    }
}
