package org.virtgpu.context.venus;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs SPIR-V from a client through SPIRV-Tools' validator ({@code spirv-val}) before the host driver compiles it.
 * The driver's SPIR-V front end (Mesa's {@code spirv_to_nir} in lavapipe) runs inside this process and expects
 * valid modules: of 150 randomly mutated copies of e2e/venus/add.comp compiled straight on lavapipe, one died with
 * SIGSEGV in vkCreateComputePipelines, and spirv-val rejects that module (an OpTypeBool variable in the Uniform
 * storage class). Valid usage requires valid SPIR-V (VUID-VkShaderModuleCreateInfo-pCode-08737), so only a broken or
 * hostile client is refused.
 *
 * <p>The target environment is Vulkan 1.2 (the newest API version the capset offers) with block layout checks
 * skipped ({@code --skip-block-layout}: scalar and relaxed layouts are features a client may enable, and the driver
 * bounds-checks buffer accesses whatever the layout). Verdicts are cached by the module's SHA-256 (a few thousand
 * entries, least recently used dropped), so a client that creates the same shaders as the last one pays nothing;
 * a new module costs one {@code spirv-val} process (about 3 ms). Without the program ({@code
 * -Dvirtgpu.venus.spirvValidator}, default {@code /usr/bin/spirv-val}, from Debian's spirv-tools) modules are not
 * validated and the context type says so once in the log.
 *
 * <p>A valid module then goes through SPIRV-Tools' optimizer with only its {@code --graphics-robust-access} pass
 * ({@code spirv-opt}, same package; {@code -Dvirtgpu.venus.spirvOptimizer}), and the host driver gets its output:
 * every index into an array, vector or matrix (function-local, workgroup, private, push constant, and arrays of
 * descriptors) is clamped into the array, and indices into a buffer's runtime array to its length. lavapipe compiles
 * a shader's indices unchecked: a storage buffer written through element 64 or more of an array of four descriptors
 * (the index pushed as a constant, {@code e2e/venus/vkhostile.c} arrayindex) killed it and the server. In-range
 * indices read and write what they did. A module whose every index is inside a buffer block (bounds-checked by the
 * driver) or a constant in range skips the pass ({@link ClampScan}), so common compute shaders pay nothing. The pass does not take modules with the RuntimeDescriptorArray capability
 * (arrays of descriptors of no fixed size, whose length only the descriptor set knows): those are refused unless
 * {@link #BINDLESS_DESCRIPTORS} is set, which passes them unclamped (the executor withholds the features that
 * allow them, see {@link VenusExecutor}). Any other failure of the pass refuses the module (fail closed). The code
 * the driver gets is cached with the verdict (at most {@link #CACHE_BYTES} bytes of it).
 */
final class SpirvValidator {
    static final Path PROGRAM = Path.of(System.getProperty("virtgpu.venus.spirvValidator", "/usr/bin/spirv-val"));
    /**
     * The Vulkan version modules are validated against: the device's (Venus offers 1.3, see docs/venus.md "Vulkan 1.3
     * through Venus"), whose clients may send SPIR-V up to 1.6; under "vulkan1.2" spirv-val refused every SPIR-V 1.6
     * module ("Invalid SPIR-V binary version 1.6 for target environment SPIR-V 1.5")
     */
    static final String TARGET_ENV = "vulkan1.3";
    static final Path OPTIMIZER = Path.of(System.getProperty("virtgpu.venus.spirvOptimizer", "/usr/bin/spirv-opt"));
    /**
     * {@code -Dvirtgpu.venus.bindlessDescriptors=true}: offer runtimeDescriptorArray and the descriptor indexing
     * features that go with it, and pass modules using runtime descriptor arrays to the driver unclamped (on lavapipe
     * an index past such an array reaches any memory of the server); offer mutable descriptor types too (a descriptor
     * written as one type and read by a shader as another is not checked). Off by default.
     */
    static final boolean BINDLESS_DESCRIPTORS = Boolean.getBoolean("virtgpu.venus.bindlessDescriptors");
    static final int CAPABILITY_RUNTIME_DESCRIPTOR_ARRAY = 5302;
    static final long TIMEOUT_MILLIS = 10_000;
    private static final int CACHE_ENTRIES = 4096;
    static final long CACHE_BYTES = 64L << 20;

    /** A module's verdict: why it is refused (null: accepted), and the code the driver gets (null: the client's). */
    record Verdict(String refused, byte[] code) {
        static final Verdict PASS = new Verdict(null, null);
    }

    /** SHA-256 of a module -> its verdict (least recently used first) */
    private static final LinkedHashMap<String, Verdict> VERDICTS = new LinkedHashMap<>(256, 0.75f, true);
    private static long cachedBytes;
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    /** spirv-val and spirv-opt processes started so far (a cache hit starts none) */
    static final AtomicLong PROCESSES = new AtomicLong();

    private SpirvValidator() {
    }

    /** Whether modules are validated at all (the program exists). */
    static boolean available() {
        return Files.isExecutable(PROGRAM);
    }

    /** Why the size bytes of SPIR-V at address are refused, or null when they are valid (or cannot be checked). */
    static String refused(long address, long size) {
        return check(address, size).refused();
    }

    /** The verdict on the size bytes of SPIR-V at address (see the class comment). */
    static Verdict check(long address, long size) {
        if (!available() || !Files.isExecutable(OPTIMIZER)) {
            if (WARNED.compareAndSet(false, true)) {
                VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: " + PROGRAM + " or " + OPTIMIZER
                        + " not found (Debian: spirv-tools): clients' SPIR-V goes to the host driver unvalidated and"
                        + " unclamped");
            }
            return Verdict.PASS;
        }
        if (address == 0 || size <= 0 || size % 4 != 0 || size > Integer.MAX_VALUE - 8) {
            return new Verdict("a module of " + size + " bytes", null);
        }
        byte[] code = MemorySegment.ofAddress(address).reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
        String key = sha256(code);
        synchronized (VERDICTS) {
            Verdict known = VERDICTS.get(key);
            if (known != null) {
                return known;
            }
        }
        String why = validate(code);
        Verdict v = why != null ? new Verdict(why, null) : ClampScan.needed(code) ? robust(code) : Verdict.PASS;
        synchronized (VERDICTS) {
            Verdict old = VERDICTS.put(key, v);
            cachedBytes += bytes(v) - (old == null ? 0 : bytes(old));
            var eldest = VERDICTS.entrySet().iterator();
            while ((VERDICTS.size() > CACHE_ENTRIES || cachedBytes > CACHE_BYTES) && eldest.hasNext()) {
                cachedBytes -= bytes(eldest.next().getValue());
                eldest.remove();
            }
        }
        return v;
    }

    private static long bytes(Verdict v) {
        return v.code() == null ? 0 : v.code().length;
    }

    /** The module with its indices clamped by spirv-opt's graphics-robust-access pass (see the class comment). */
    private static Verdict robust(byte[] code) {
        Process p = null;
        try {
            PROCESSES.incrementAndGet();
            p = new ProcessBuilder(OPTIMIZER.toString(), "--graphics-robust-access", "-", "-o", "-").start();
            watchdog(p);
            Process proc = p;
            // spirv-opt reads all of standard input before it writes: feed it from another thread all the same, so
            // that a module larger than the pipe never deadlocks against an early error message
            Thread feeder = Thread.ofVirtual().start(() -> {
                try (var stdin = proc.getOutputStream()) {
                    stdin.write(code);
                } catch (IOException e) {
                    // the process ended early: its exit status says why
                }
            });
            byte[][] err = {new byte[0]};
            Thread errors = Thread.ofVirtual().start(() -> {
                try (InputStream e = proc.getErrorStream()) {
                    err[0] = e.readNBytes(2048);
                    e.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                    // nothing more to read
                }
            });
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            feeder.join(TIMEOUT_MILLIS);
            errors.join(TIMEOUT_MILLIS);
            if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                return new Verdict("spirv-opt did not finish within " + TIMEOUT_MILLIS + " ms", null);
            }
            if (p.exitValue() == 0 && out.length >= 20 && out.length % 4 == 0) {
                return new Verdict(null, out);
            }
            if (declares(code, CAPABILITY_RUNTIME_DESCRIPTOR_ARRAY)) {
                return BINDLESS_DESCRIPTORS ? Verdict.PASS : new Verdict("the module uses runtime descriptor"
                        + " arrays, which are not offered (-Dvirtgpu.venus.bindlessDescriptors)", null);
            }
            String msg = new String(err[0], StandardCharsets.UTF_8).strip().replace('\n', ' ');
            return new Verdict("spirv-opt --graphics-robust-access: "
                    + (msg.length() > 300 ? msg.substring(0, 300) + "..." : msg), null);
        } catch (IOException e) {
            return new Verdict("spirv-opt could not run: " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict("interrupted while clamping indices", null);
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    /** Whether little-endian SPIR-V code declares the capability. */
    static boolean declares(byte[] code, int capability) {
        return Spirv.declares(Spirv.of(code), code.length / 4, capability);
    }

    private static String validate(byte[] code) {
        Process p = null;
        try {
            // spirv-val reads the whole module from standard input before it writes anything, so no pipe fills up
            PROCESSES.incrementAndGet();
            p = new ProcessBuilder(PROGRAM.toString(), "--target-env", TARGET_ENV, "--skip-block-layout", "-")
                    .redirectErrorStream(true).start();
            watchdog(p);
            try (var stdin = p.getOutputStream()) {
                stdin.write(code);
            }
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(2048); // spirv-val stops at its first error
            }
            if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                return "spirv-val did not finish within " + TIMEOUT_MILLIS + " ms";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String msg = new String(out, StandardCharsets.UTF_8).strip().replace('\n', ' ');
            return "spirv-val: " + (msg.length() > 300 ? msg.substring(0, 300) + "..." : msg);
        } catch (IOException e) {
            return "spirv-val could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while validating";
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    /** Ends p after {@link #TIMEOUT_MILLIS} (its output then ends, so no read of it blocks for longer). */
    private static void watchdog(Process p) {
        Thread.ofVirtual().start(() -> {
            try {
                if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        });
    }

    private static String sha256(byte[] code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
