package org.virtgpu.core.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures the session log (System.Logger is backed by java.util.logging in these tests). */
public final class LogCapture extends Handler implements AutoCloseable {
    private static final Logger SESSION = Logger.getLogger("org.virtgpu.core.device.Session");
    public final List<String> lines = new CopyOnWriteArrayList<>();

    public LogCapture() {
        SESSION.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        lines.add(r.getMessage());
    }

    public boolean contains(String part) {
        return lines.stream().anyMatch(l -> l.contains(part));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        SESSION.removeHandler(this);
    }
}
