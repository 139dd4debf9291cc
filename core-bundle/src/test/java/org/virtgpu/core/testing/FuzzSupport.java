package org.virtgpu.core.testing;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Lets Jazzer 0.24.0 instrument our classes on JDK 25.
 *
 * <p>Jazzer's shaded ASM and JaCoCo read class files up to major version 67 (Java 23) and refuse ours (69, {@code
 * --release 25}) with "Unsupported class file major version 69", so without this the fuzzer gets no coverage from the
 * code under test and mutates blindly. Our classes use no class-file feature newer than Java 17 (records, sealed
 * types, switch patterns all compile to version-independent bytecode; no preview features), so presenting them as
 * version 67 is sound. A retransform-capable transformer registered <em>before</em> Jazzer's sees each class first and
 * rewrites only the two major-version bytes of {@code org/virtgpu/**} classes; Jazzer's transformer, registered later
 * on the same {@link Instrumentation}, then instruments them. JDK classes are left alone (Jazzer's few hooks inside
 * java.util.regex etc. stay uninstrumented, which only costs some sanitizers we do not need).
 *
 * <p>Fuzz test classes say {@code @ExtendWith(FuzzSupport.class)}: class-level {@code beforeAll} runs before the
 * {@code @FuzzTest} argument provider that starts Jazzer's agent.
 */
public final class FuzzSupport implements BeforeAllCallback {
    private static final int JAVA_23 = 67;
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        // The same Instrumentation Jazzer's AgentInstaller gets: ByteBuddyAgent.install() returns the one already
        // attached when called again.
        Instrumentation inst = com.code_intelligence.jazzer.third_party.net.bytebuddy.agent.ByteBuddyAgent.install();
        inst.addTransformer(new ClassFileTransformer() {
            @Override
            public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                                    ProtectionDomain domain, byte[] bytes) {
                if (name == null || !name.startsWith("org/virtgpu/") || bytes.length < 8) {
                    return null;
                }
                int major = (bytes[6] & 0xff) << 8 | bytes[7] & 0xff;
                if (major <= JAVA_23) {
                    return null;
                }
                byte[] copy = bytes.clone();
                copy[6] = (byte) (JAVA_23 >> 8);
                copy[7] = (byte) JAVA_23;
                return copy;
            }
        }, true);
    }

    /** The open file descriptors of this process and what they point at (/proc/self/fd). */
    public static Map<Integer, String> openFds() {
        Map<Integer, String> m = new TreeMap<>();
        try (var dir = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : dir.toList()) {
                try {
                    m.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // the fd used to list the directory is gone by now
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
        return m;
    }

    /** Fails naming every fd opened since {@code before} was taken and still open. */
    public static void assertNoNewFds(Map<Integer, String> before) {
        Map<Integer, String> now = openFds();
        // the directory stream listing /proc/self/fd shows up as /proc/<pid>/fd
        now.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())) || e.getValue().matches("/proc/\\d+/fd"));
        if (!now.isEmpty()) {
            throw new AssertionError("file descriptors leaked: " + now);
        }
    }

    /**
     * Records every ERROR ({@code SEVERE}) log line under {@code org.virtgpu}. Our dispatchers catch what they did
     * not expect and log it at ERROR so that a guest cannot take the device down; for a fuzzer that catch-all would
     * hide the bug, so a fuzz target opens a trap and {@link #check() checks} it: an ERROR line is a finding.
     */
    public static final class SevereLogTrap extends Handler implements AutoCloseable {
        private static final Logger ROOT = Logger.getLogger("org.virtgpu");
        private final List<LogRecord> severe = new CopyOnWriteArrayList<>();
        private final Level before;

        /** Also mutes INFO/WARNING lines while open: a fuzzer provokes millions of them and they only cost time. */
        public SevereLogTrap() {
            before = ROOT.getLevel();
            ROOT.setLevel(Level.SEVERE);
            ROOT.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                severe.add(r);
            }
        }

        /** Throws the first ERROR line's exception (or an AssertionError naming the line). */
        public void check() {
            if (severe.isEmpty()) {
                return;
            }
            LogRecord r = severe.getFirst();
            AssertionError e = new AssertionError("ERROR logged by " + r.getLoggerName() + ": " + r.getMessage(),
                    r.getThrown());
            severe.clear();
            throw e;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            ROOT.removeHandler(this);
            ROOT.setLevel(before);
        }
    }
}
