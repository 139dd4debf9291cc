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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 */
final class SpirvValidator {
    static final Path PROGRAM = Path.of(System.getProperty("virtgpu.venus.spirvValidator", "/usr/bin/spirv-val"));
    static final long TIMEOUT_MILLIS = 10_000;
    private static final int CACHE_ENTRIES = 4096;
    /** SHA-256 of a module -> "" when valid, else why not */
    private static final Map<String, String> VERDICTS = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private SpirvValidator() {
    }

    /** Whether modules are validated at all (the program exists). */
    static boolean available() {
        return Files.isExecutable(PROGRAM);
    }

    /** Why the size bytes of SPIR-V at address are refused, or null when they are valid (or cannot be checked). */
    static String refused(long address, long size) {
        if (!available()) {
            if (WARNED.compareAndSet(false, true)) {
                VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: " + PROGRAM + " not found (Debian: spirv-tools):"
                        + " clients' SPIR-V goes to the host driver unvalidated");
            }
            return null;
        }
        if (address == 0 || size <= 0 || size % 4 != 0 || size > Integer.MAX_VALUE - 8) {
            return "a module of " + size + " bytes";
        }
        byte[] code = MemorySegment.ofAddress(address).reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
        String key = sha256(code);
        synchronized (VERDICTS) {
            String known = VERDICTS.get(key);
            if (known != null) {
                return known.isEmpty() ? null : known;
            }
        }
        String why = validate(code);
        synchronized (VERDICTS) {
            VERDICTS.put(key, why == null ? "" : why);
        }
        return why;
    }

    private static String validate(byte[] code) {
        Process p = null;
        try {
            // spirv-val reads the whole module from standard input before it writes anything, so no pipe fills up
            p = new ProcessBuilder(PROGRAM.toString(), "--target-env", "vulkan1.2", "--skip-block-layout", "-")
                    .redirectErrorStream(true).start();
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

    private static String sha256(byte[] code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
