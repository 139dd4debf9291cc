package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShaderSizesTest {
    /** lavapipe's: maxComputeSharedMemorySize, maxComputeWorkGroupInvocations, maxComputeWorkGroupSize */
    private static final long[] LIMITS = {32768, 1024, 1024, 1024, 1024};
    /** e2e/venus/spec.comp's shape, with a workgroup array twice as long as constant 1 (an OpSpecConstantOp) */
    private static final String SPEC = """
            #version 450
            layout(local_size_x_id = 0) in;
            layout(constant_id = 1) const uint SHARED = 4;
            layout(constant_id = 2) const uint LOCAL = 4;
            const uint TWICE = SHARED * 2u;
            layout(std430, set = 0, binding = 0) buffer B { uint d[]; };
            shared uint s[TWICE];
            void main() {
                uint t[LOCAL];
                uint i = gl_LocalInvocationID.x;
                t[i % LOCAL] = i;
                s[i % TWICE] = t[(i + 1) % LOCAL];
                barrier();
                d[i % 4] = s[(i + 1) % TWICE];
            }
            """;
    @TempDir
    Path tmp;
    private final TestStructs mem = new TestStructs();

    @AfterEach
    void close() {
        mem.close();
    }

    private int[] summary(String source) throws Exception {
        byte[] code = TestStructs.computeSpirv(tmp, source);
        long at = mem.zeroed(code.length);
        MemorySegment.copy(code, 0, MemorySegment.ofAddress(at).reinterpret(code.length), ValueLayout.JAVA_BYTE, 0,
                code.length);
        return ShaderSizes.summary(at, code.length);
    }

    /** A VkSpecializationInfo of constants 0, 1 and 2 (4 bytes each). */
    private long spec(int width, int shared, int local) {
        long entries = mem.zeroed(48);
        for (int i = 0; i < 3; i++) {
            p32(entries + 16L * i, i);
            p32(entries + 16L * i + 4, 4 * i);
            p64(entries + 16L * i + 8, 4);
        }
        long data = mem.ints(width, shared, local);
        long info = mem.zeroed(32);
        p32(info, 3);
        p64(info + 8, entries);
        p64(info + 16, 12);
        p64(info + 24, data);
        return info;
    }

    @Test
    void specializationSetsTheSizesThatAreChecked() throws Exception {
        int[] s = summary(SPEC);
        assertNull(ShaderSizes.refused(s, 0, true, LIMITS), "the defaults: 1x1x1, 32 bytes shared, 16 private");
        assertNull(ShaderSizes.refused(s, spec(1024, 4096, 1024), true, LIMITS), "at the limits");
        assertNotNull(ShaderSizes.refused(s, spec(65536, 4, 4), true, LIMITS), "vkhostile spec size (SIGFPE)");
        assertNotNull(ShaderSizes.refused(s, spec(1025, 4, 4), true, LIMITS), "past maxComputeWorkGroupSize");
        String shared = ShaderSizes.refused(s, spec(1, 4097, 4), true, LIMITS);
        assertTrue(shared != null && shared.startsWith("32776 bytes of workgroup memory"),
                "SHARED * 2 words past 32 KiB: " + shared);
        assertNotNull(ShaderSizes.refused(s, spec(1, 4, 1 << 24), true, LIMITS), "vkhostile spec local (64 MiB)");
        assertNotNull(ShaderSizes.refused(s, spec(1, 4, 1 << 24), false, LIMITS), "private memory in any stage");
        assertNull(ShaderSizes.refused(s, spec(65536, 1 << 20, 4), false, LIMITS),
                "workgroup limits are the compute stage's");
    }

    @Test
    void sizesThatCannotBeWorkedOutAreRefused() throws Exception {
        int[] s = summary(SPEC.replace("SHARED * 2u", "SHARED * SHARED / (LOCAL - 4u)"));
        assertNotNull(ShaderSizes.refused(s, 0, true, LIMITS), "a division by zero at the defaults");
        assertNull(ShaderSizes.refused(s, spec(1, 4, 5), true, LIMITS), "4 * 4 / 1 words");
    }
}
