package org.virtgpu.launcher;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * Felix's framework logger routed to JUL, so framework errors (a bundle that fails to resolve, an exception in a
 * listener) share the launcher's format instead of going to stdout.
 */
final class FelixLog extends org.apache.felix.framework.Logger {
    private static final Logger JUL = Logger.getLogger("org.apache.felix.framework");

    FelixLog() {
        // Felix filters by its own level before doLog; JUL filters again by the configured level
        setLogLevel(LOG_DEBUG);
    }

    @Override
    protected void doLog(Bundle bundle, @SuppressWarnings("rawtypes") ServiceReference sr, int level, String msg, Throwable t) {
        Level l = switch (level) {
            case LOG_ERROR -> Level.SEVERE;
            case LOG_WARNING -> Level.WARNING;
            case LOG_INFO -> Level.INFO;
            default -> Level.FINE;
        };
        if (JUL.isLoggable(l)) {
            String where = bundle != null ? "[" + bundle.getSymbolicName() + "] " : "";
            JUL.log(l, where + msg, t);
        }
    }
}
