package org.virtgpu.launcher;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging set up for the launcher: one compact line per record on stderr. The bundles log through
 * {@link System.Logger}, which the JDK backs with JUL when no other provider is installed, so this is the one
 * place that decides what an operator sees.
 */
public final class LogSetup {
    private LogSetup() {
    }

    /**
     * Keeps the handlers alive during JVM shutdown. The stock LogManager resets (closes) every handler from its
     * own shutdown hook, which runs concurrently with ours, so the lines bundles log while the framework stops
     * would be lost. Installed through {@code java.util.logging.manager} before JUL initialises.
     */
    public static final class Manager extends LogManager {
        private volatile boolean configured;

        @Override
        public void reset() {
            if (!configured) {
                super.reset();
            }
        }

        void configured() {
            configured = true;
        }
    }

    /** Must run before anything touches JUL (first statement of main). */
    public static void installManager() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", Manager.class.getName());
        }
    }

    /** Routes the root logger to one stderr handler with {@link OneLine} at {@code level}. */
    public static void configure(Level level) {
        LogManager manager = LogManager.getLogManager();
        manager.reset();
        Handler h = new ConsoleHandler(); // System.err, flushed per record
        h.setFormatter(new OneLine());
        h.setLevel(level);
        Logger root = Logger.getLogger("");
        root.addHandler(h);
        root.setLevel(level);
        if (manager instanceof Manager m) {
            m.configured();
        }
    }

    /** {@code 12:00:01.234 INFO  DeviceComponent: capsets now [1, 2]}; a stack trace follows on its own lines. */
    public static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append(TIME.format(LocalTime.ofInstant(r.getInstant(), ZoneId.systemDefault()))).append(' ');
            String level = levelName(r.getLevel());
            sb.append(level).repeat(' ', 6 - level.length());
            String name = r.getLoggerName();
            if (name != null) {
                sb.append(name, name.lastIndexOf('.') + 1, name.length()).append(": ");
            }
            sb.append(formatMessage(r)).append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter w = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(w));
                sb.append(w);
            }
            return sb.toString();
        }
    }

    /** The System.Logger level names, which are what our code logs with. */
    static String levelName(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        } else if (v >= Level.WARNING.intValue()) {
            return "WARN";
        } else if (v >= Level.INFO.intValue()) {
            return "INFO";
        } else if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    /** Parses an operator's level name (error, warn, info, debug, trace). */
    public static Level parseLevel(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            case "off" -> Level.OFF;
            default -> throw new IllegalArgumentException("log level must be error, warn, info, debug, trace or off, not " + s);
        };
    }
}
