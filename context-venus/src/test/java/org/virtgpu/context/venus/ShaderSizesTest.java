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
    /**
     * lavapipe's: maxComputeSharedMemorySize, maxComputeWorkGroupInvocations, maxComputeWorkGroupSize,
     * maxTessellationPatchSize, maxGeometryShaderInvocations, maxGeometryOutputVertices
     */
    private static final long[] LIMITS = {32768, 1024, 1024, 1024, 1024, 32, 32, 1024};
    private static final int COMPUTE = ShaderSizes.COMPUTE, VERTEX = 1;
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
        return summary(source, ".comp");
    }

    private int[] summary(String source, String stage) throws Exception {
        byte[] code = TestStructs.spirv(tmp, source, stage);
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
        assertNull(ShaderSizes.refused(s, 0, COMPUTE, LIMITS), "the defaults: 1x1x1, 32 bytes shared, 16 private");
        assertNull(ShaderSizes.refused(s, spec(1024, 4096, 1024), COMPUTE, LIMITS), "at the limits");
        assertNotNull(ShaderSizes.refused(s, spec(65536, 4, 4), COMPUTE, LIMITS), "vkhostile spec size (SIGFPE)");
        assertNotNull(ShaderSizes.refused(s, spec(1025, 4, 4), COMPUTE, LIMITS), "past maxComputeWorkGroupSize");
        String shared = ShaderSizes.refused(s, spec(1, 4097, 4), COMPUTE, LIMITS);
        assertTrue(shared != null && shared.startsWith("32776 bytes of workgroup memory"),
                "SHARED * 2 words past 32 KiB: " + shared);
        assertNotNull(ShaderSizes.refused(s, spec(1, 4, 1 << 24), COMPUTE, LIMITS), "vkhostile spec local (64 MiB)");
        assertNotNull(ShaderSizes.refused(s, spec(1, 4, 1 << 24), VERTEX, LIMITS), "private memory in any stage");
        assertNull(ShaderSizes.refused(s, spec(65536, 1 << 20, 4), VERTEX, LIMITS),
                "workgroup limits are the compute stage's");
    }

    @Test
    void sizesThatCannotBeWorkedOutAreRefused() throws Exception {
        int[] s = summary(SPEC.replace("SHARED * 2u", "SHARED * SHARED / (LOCAL - 4u)"));
        assertNotNull(ShaderSizes.refused(s, 0, COMPUTE, LIMITS), "a division by zero at the defaults");
        assertNull(ShaderSizes.refused(s, spec(1, 4, 5), COMPUTE, LIMITS), "4 * 4 / 1 words");
    }

    /** A module whose OpExecutionMode mode (the first) is given value instead (as vkhostile raises it). */
    private static int[] raised(int[] summary, int mode, int value) {
        int[] s = summary.clone();
        for (int w = 0; w < s.length; w += Math.max(1, s[w] >>> 16)) {
            if ((s[w] & 0xffff) == ShaderSizes.OP_EXECUTION_MODE && s[w + 2] == mode) {
                s[w + 3] = value;
                return s;
            }
        }
        throw new AssertionError("no execution mode " + mode);
    }

    @Test
    void tessellationAndGeometryModesAreWithinTheDevicesLimits() throws Exception {
        int control = ShaderSizes.TESSELLATION_CONTROL, geometry = ShaderSizes.GEOMETRY;
        int[] tesc = summary("""
                #version 450
                layout(vertices = 3) out;
                void main() {
                    gl_out[gl_InvocationID].gl_Position = gl_in[gl_InvocationID].gl_Position;
                    gl_TessLevelInner[0] = 4.0;
                }
                """, ".tesc");
        int outputVertices = ShaderSizes.MODE_OUTPUT_VERTICES, invocations = ShaderSizes.MODE_INVOCATIONS;
        assertNull(ShaderSizes.refused(tesc, 0, control, LIMITS), "3 output vertices");
        assertNull(ShaderSizes.refused(raised(tesc, outputVertices, 32), 0, control, LIMITS), "at the limit");
        assertNotNull(ShaderSizes.refused(raised(tesc, outputVertices, 1 << 24), 0, control, LIMITS),
                "vkhostile draw tessout (SIGSEGV)");
        assertNotNull(ShaderSizes.refused(raised(tesc, outputVertices, 0), 0, control, LIMITS), "none");
        int[] geom = summary("""
                #version 450
                layout(triangles, invocations = 2) in;
                layout(triangle_strip, max_vertices = 3) out;
                void main() {
                    gl_Position = gl_in[0].gl_Position;
                    EmitVertex();
                }
                """, ".geom");
        assertNull(ShaderSizes.refused(geom, 0, geometry, LIMITS));
        assertNull(ShaderSizes.refused(raised(geom, outputVertices, 1024), 0, geometry, LIMITS), "at the limit");
        String vertices = ShaderSizes.refused(raised(geom, outputVertices, 1 << 24), 0, geometry, LIMITS);
        assertTrue(vertices != null && vertices.contains("maxGeometryOutputVertices 1024"), "vkhostile geom: " + vertices);
        assertNull(ShaderSizes.refused(raised(geom, invocations, 32), 0, geometry, LIMITS), "at the limit");
        String inv = ShaderSizes.refused(raised(geom, invocations, 1 << 24), 0, geometry, LIMITS);
        assertTrue(inv != null && inv.contains("maxGeometryShaderInvocations 32"), "vkhostile geominv: " + inv);
        assertNull(ShaderSizes.refused(raised(geom, outputVertices, 1 << 24), 0, VERTEX, LIMITS),
                "the limits are the stage's the module is used for");
    }

    /** vkhostile draw geomstream: a geometry shader emitting to vertex stream 100 of lavapipe's 4 */
    @Test
    void aGeometryStageEmitsToStreamsBelowTheDevicesLimit() throws Exception {
        long[] withStreams = java.util.Arrays.copyOf(LIMITS, ShaderSizes.STREAMS + 1);
        withStreams[ShaderSizes.STREAMS] = 4;
        String source = """
                #version 450
                layout(points) in;
                layout(points, max_vertices = 1) out;
                layout(stream = STREAM, location = 0) out vec4 v;
                void main() {
                    v = vec4(1.0);
                    gl_Position = gl_in[0].gl_Position;
                    EmitStreamVertex(STREAM);
                    EndStreamPrimitive(STREAM);
                }
                """;
        int[] three = summary(source.replace("STREAM", "3"), ".geom");
        int[] four = summary(source.replace("STREAM", "4"), ".geom");
        assertNull(ShaderSizes.refused(three, 0, ShaderSizes.GEOMETRY, withStreams), "stream 3 of 4");
        String why = ShaderSizes.refused(four, 0, ShaderSizes.GEOMETRY, withStreams);
        assertTrue(why != null && why.contains("vertex stream 4, the device's maxTransformFeedbackStreams 4"), why);
        withStreams[ShaderSizes.STREAMS] = 0;
        assertNotNull(ShaderSizes.refused(three, 0, ShaderSizes.GEOMETRY, withStreams), "no transform feedback");
        assertNull(ShaderSizes.refused(four, 0, ShaderSizes.GEOMETRY, LIMITS), "a limits array without the streams");
    }
}
