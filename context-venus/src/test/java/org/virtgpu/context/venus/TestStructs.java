package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Zeroed native memory for the C structs the executor's checks read, freed on close. */
final class TestStructs implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();

    long zeroed(long bytes) {
        return arena.allocate(bytes, 8).fill((byte) 0).address();
    }

    /** A VkPipelineLayoutCreateInfo (48 bytes: setLayoutCount @20, pSetLayouts @24) of these set layouts. */
    long pipelineLayoutInfo(long... setLayouts) {
        long handles = zeroed(8L * Math.max(1, setLayouts.length));
        for (int i = 0; i < setLayouts.length; i++) {
            p64(handles + 8L * i, setLayouts[i]);
        }
        long info = zeroed(48);
        p32(info + 20, setLayouts.length);
        p64(info + 24, handles);
        return info;
    }

    /** Consecutive 32-bit values (a VkOffset3D, a VkImageSubresourceLayers, a VkClearRect...). */
    long ints(int... values) {
        long a = zeroed(4L * Math.max(1, values.length));
        for (int i = 0; i < values.length; i++) {
            p32(a + 4L * i, values[i]);
        }
        return a;
    }

    /** Consecutive 64-bit values (an array of handles or VkDeviceSizes). */
    long longs(long... values) {
        long a = zeroed(8L * Math.max(1, values.length));
        for (int i = 0; i < values.length; i++) {
            p64(a + 8L * i, values[i]);
        }
        return a;
    }

    /** e2e/venus/add.comp compiled by glslangValidator (glslang-tools, which scripts/setup.sh installs) into dir. */
    static byte[] addCompSpirv(java.nio.file.Path dir) throws Exception {
        java.nio.file.Path repo = java.nio.file.Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
        return computeSpirv(dir, java.nio.file.Files.readString(repo.resolve("e2e/venus/add.comp")));
    }

    /** A GLSL compute shader's source compiled by glslangValidator (for Vulkan 1.2) into dir. */
    static byte[] computeSpirv(java.nio.file.Path dir, String source) throws Exception {
        return spirv(dir, source, ".comp");
    }

    /** GLSL source of the stage named by its glslangValidator suffix (".comp", ".geom"...) as SPIR-V for Vulkan 1.2. */
    static byte[] spirv(java.nio.file.Path dir, String source, String stage) throws Exception {
        return spirv(dir, source, stage, "vulkan1.2");
    }

    /** The same for glslangValidator's target environment env ("vulkan1.3": SPIR-V 1.6). */
    static byte[] spirv(java.nio.file.Path dir, String source, String stage, String env) throws Exception {
        java.nio.file.Path src = java.nio.file.Files.createTempFile(dir, "shader", stage);
        java.nio.file.Files.writeString(src, source);
        java.nio.file.Path out = dir.resolve(src.getFileName() + ".spv");
        Process p = new ProcessBuilder("glslangValidator", "-V", "--quiet", "--target-env", env, "-o",
                out.toString(), src.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("glslangValidator failed: " + log);
        }
        return java.nio.file.Files.readAllBytes(out);
    }

    static void copy(long from, long to, long bytes) {
        MemorySegment.copy(MemorySegment.ofAddress(from).reinterpret(bytes), 0, MemorySegment.ofAddress(to)
                .reinterpret(bytes), 0, bytes);
    }

    @Override
    public void close() {
        arena.close();
    }
}
