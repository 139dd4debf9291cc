package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpirvValidatorTest {
    @TempDir
    Path tmp;

    private byte[] addComp() throws Exception {
        return TestStructs.addCompSpirv(tmp);
    }

    private static String refused(byte[] code) {
        return check(code).refused();
    }

    private static SpirvValidator.Verdict check(byte[] code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Math.max(1, code.length), 4);
            MemorySegment.copy(code, 0, m, ValueLayout.JAVA_BYTE, 0, code.length);
            return SpirvValidator.check(m.address(), code.length);
        }
    }

    /** How many GLSL.std.450 clamp and min instructions (OpExtInst of SClamp 45, UClamp 44, UMin 38) code has. */
    private static int clamps(byte[] code) {
        var words = java.nio.ByteBuffer.wrap(code).order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int n = 0;
        for (int w = 5; w < words.limit(); w += words.get(w) >>> 16) {
            int op = words.get(w) & 0xffff, inst = (words.get(w) >>> 16) >= 5 ? words.get(w + 4) : -1;
            if (op == 12 && (inst == 45 || inst == 44 || inst == 38)) {
                n++;
            }
        }
        return n;
    }

    static final String LOCAL_AND_DESCRIPTOR_ARRAYS = """
            #version 450
            layout(local_size_x = 1) in;
            layout(std430, set = 0, binding = 0) buffer B { uint d[]; } bufs[4];
            layout(push_constant) uniform P { uint index; };
            shared uint s[4];
            void main() {
                uint t[4];
                t[index] = 1u;
                s[index] = 2u;
                bufs[index].d[0] = t[index ^ 1u] + s[index ^ 2u];
            }
            """;

    static final String RUNTIME_DESCRIPTOR_ARRAY = """
            #version 450
            #extension GL_EXT_nonuniform_qualifier : require
            layout(local_size_x = 1) in;
            layout(std430, set = 0, binding = 0) buffer B { uint d[]; } bufs[];
            layout(push_constant) uniform P { uint index; };
            void main() {
                bufs[nonuniformEXT(index)].d[0] = 1u;
            }
            """;

    @Test
    void theDriverGetsEveryArrayIndexClamped() throws Exception {
        byte[] code = TestStructs.computeSpirv(tmp, LOCAL_AND_DESCRIPTOR_ARRAYS);
        assertEquals(0, clamps(code));
        SpirvValidator.Verdict v = check(code);
        assertNull(v.refused());
        assertNotNull(v.code(), "spirv-opt --graphics-robust-access rewrote the module");
        // t[index] twice, s[index] twice, bufs[index], and d[0] inside the buffer (clamped to its length)
        assertTrue(clamps(v.code()) >= 6, "clamps: " + clamps(v.code()));
        assertNull(refused(v.code()), "the rewritten module is valid SPIR-V");
        assertTrue(check(code) == v, "the second look is the cached verdict");
    }

    @Test
    void modulesWhoseIndicesAreAllInsideBuffersOrConstantGoAsTheyAre() throws Exception {
        byte[] add = TestStructs.addCompSpirv(tmp);
        assertTrue(!ClampScan.needed(add), "add.comp: a[i], b[i], c[i] inside their buffers");
        SpirvValidator.Verdict v = check(add);
        assertNull(v.refused());
        assertNull(v.code(), "the driver gets add.comp as it is");
        byte[] constant = TestStructs.computeSpirv(tmp, """
                #version 450
                layout(local_size_x = 1) in;
                layout(std430, set = 0, binding = 0) buffer B { uint d[]; } bufs[4];
                void main() {
                    uint t[4];
                    t[2] = 7u;
                    bufs[3].d[gl_LocalInvocationID.x] = t[2];
                }
                """);
        assertTrue(!ClampScan.needed(constant), "constant indices in range, a dynamic one inside a buffer");
        assertTrue(ClampScan.needed(TestStructs.computeSpirv(tmp, LOCAL_AND_DESCRIPTOR_ARRAYS)));
        assertTrue(ClampScan.needed(TestStructs.computeSpirv(tmp, """
                #version 450
                layout(local_size_x = 1) in;
                layout(std430, set = 0, binding = 0) buffer B { uint d[]; } bufs[4];
                void main() {
                    bufs[gl_LocalInvocationID.x].d[0] = 1u;
                }
                """)), "a dynamic index into an array of descriptors");
        assertTrue(ClampScan.needed(TestStructs.computeSpirv(tmp, """
                #version 450
                layout(local_size_x = 1) in;
                layout(push_constant) uniform P { uint i; };
                layout(std430, set = 0, binding = 0) buffer B { uint d[]; };
                void main() {
                    vec4 v = vec4(1.0);
                    v[i] = 2.0;
                    d[0] = uint(v.x);
                }
                """)), "a dynamic index into a function-local vector");
    }

    /**
     * Venus offers Vulkan 1.3, whose clients may compile for SPIR-V 1.6: validated against vulkan1.3 (under vulkan1.2
     * spirv-val refused the version itself), and clamped like any other module.
     */
    @Test
    void spirv16ModulesOfVulkan13ClientsPass() throws Exception {
        java.nio.file.Path repo = java.nio.file.Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
        byte[] add = TestStructs.spirv(tmp, java.nio.file.Files.readString(repo.resolve("e2e/venus/add.comp")), ".comp",
                "vulkan1.3");
        assertEquals(0x00010600, java.nio.ByteBuffer.wrap(add).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4),
                "glslangValidator wrote SPIR-V 1.6");
        assertNull(refused(add));
        SpirvValidator.Verdict v = check(TestStructs.spirv(tmp, LOCAL_AND_DESCRIPTOR_ARRAYS, ".comp", "vulkan1.3"));
        assertNull(v.refused());
        assertNotNull(v.code(), "spirv-opt --graphics-robust-access rewrote the module");
    }

    @Test
    void runtimeDescriptorArraysAreRefusedUnlessOffered() throws Exception {
        byte[] code = TestStructs.computeSpirv(tmp, RUNTIME_DESCRIPTOR_ARRAY);
        assertTrue(SpirvValidator.declares(code, SpirvValidator.CAPABILITY_RUNTIME_DESCRIPTOR_ARRAY));
        assertEquals(false, SpirvValidator.BINDLESS_DESCRIPTORS, "not offered by default");
        String why = refused(code);
        assertNotNull(why, "the pass cannot bound an index into an array whose length only the set knows");
        assertTrue(why.contains("runtime descriptor arrays"), why);
    }

    @Test
    void validModulesPassAndBrokenOnesAreRefusedWithTheValidatorsReason() throws Exception {
        assertTrue(SpirvValidator.available(), SpirvValidator.PROGRAM + " (Debian: spirv-tools) must be installed");
        byte[] good = addComp();
        assertNull(refused(good));
        long before = SpirvValidator.PROCESSES.get();
        assertNull(refused(good));
        assertEquals(before, SpirvValidator.PROCESSES.get(), "the second look is a cache hit, not a process");
        byte[] bad = good.clone();
        bad[12] = 2; // the header's id bound (word 3, little-endian): far below the ids the module uses
        bad[13] = 0;
        bad[14] = 0;
        bad[15] = 0;
        String why = refused(bad);
        assertNotNull(why, "a module whose ids are past its id bound");
        assertTrue(why.startsWith("spirv-val: "), why);
        byte[] badMagic = good.clone();
        badMagic[0] ^= 1;
        assertNotNull(refused(badMagic));
        assertEquals("a module of 6 bytes", refused(new byte[6]));
    }
}
