package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.g64;

import java.util.HashMap;
import java.util.Map;

/**
 * The sizes a shader asks of the driver once specialized: its compute workgroup's size, its workgroup memory and its
 * per-invocation private memory (Function and Private variables). Specialization constants set them at pipeline
 * creation, past any limit spirv-val could check: e2e/venus/spec.comp with a workgroup width of 65536 killed lavapipe
 * with SIGFPE and the server's JVM with it, and a function-local array of 2^24 words per invocation made lavapipe
 * allocate until the kernel killed it ({@code e2e/venus/vkhostile.c} spec size, spec local). Valid usage keeps the
 * workgroup within maxComputeWorkGroupSize and maxComputeWorkGroupInvocations and its memory within
 * maxComputeSharedMemorySize (VUID-RuntimeSpirv-x-06429 and its siblings, -Workgroup-06530); private memory has no
 * Vulkan limit, so it is capped at {@link #PRIVATE_BYTES} per invocation. Tessellation and geometry stages declare
 * sizes as execution modes: a control shader's OutputVertices of 2^24 (the limit is maxTessellationPatchSize, 32 on
 * lavapipe) made lavapipe's draw die with SIGSEGV ({@code vkhostile draw 1 tessout}), so a tessellation stage's
 * OutputVertices must be within maxTessellationPatchSize, a geometry stage's within maxGeometryOutputVertices and its
 * Invocations within maxGeometryShaderInvocations (VUID-RuntimeSpirv-OutputVertices-08979 and its siblings; lavapipe
 * survived geometry past them, but runs what it is given). A geometry stage's OpEmitStreamVertex and
 * OpEndStreamPrimitive name a vertex stream below maxTransformFeedbackStreams
 * (VUID-RuntimeSpirv-OpEmitStreamVertex-06310; spirv-val cannot know the device's limit, and lavapipe survived
 * stream 100 of 4, {@code vkhostile draw 1 geomstream}, but runs what it is given; since session 15).
 *
 * <p>A module keeps the instructions these need ({@link #summary}: SpecId and BuiltIn decorations, workgroup size
 * execution modes, types, constants, specialization constants and their operations, and Workgroup, Private and
 * Function variables), and each pipeline stage evaluates them with its VkSpecializationInfo. Sizes that depend on
 * an operation this evaluator does not know are refused (fail closed).
 */
final class ShaderSizes {
    /** {@code -Dvirtgpu.venus.shaderPrivateBytes}: Function and Private memory per invocation, at most */
    static final long PRIVATE_BYTES = Long.getLong("virtgpu.venus.shaderPrivateBytes", 64L << 10);
    static final int OP_EXECUTION_MODE = 16, OP_EXECUTION_MODE_ID = 331, OP_DECORATE = 71, OP_VARIABLE = 59;
    static final int OP_TYPE_BOOL = 20, OP_TYPE_INT = 21, OP_TYPE_FLOAT = 22, OP_TYPE_VECTOR = 23, OP_TYPE_MATRIX = 24;
    static final int OP_TYPE_ARRAY = 28, OP_TYPE_RUNTIME_ARRAY = 29, OP_TYPE_STRUCT = 30, OP_TYPE_POINTER = 32;
    static final int OP_CONSTANT_TRUE = 41, OP_CONSTANT_FALSE = 42, OP_CONSTANT = 43, OP_CONSTANT_COMPOSITE = 44;
    static final int OP_SPEC_TRUE = 48, OP_SPEC_FALSE = 49, OP_SPEC = 50, OP_SPEC_COMPOSITE = 51, OP_SPEC_OP = 52;
    static final int DECORATION_SPEC_ID = 1, DECORATION_BUILT_IN = 11, BUILT_IN_WORKGROUP_SIZE = 25;
    static final int MODE_LOCAL_SIZE = 17, MODE_LOCAL_SIZE_ID = 38, MODE_INVOCATIONS = 0, MODE_OUTPUT_VERTICES = 26;
    /** OpEmitStreamVertex, OpEndStreamPrimitive: their one operand, the vertex stream, is a constant's id */
    static final int OP_EMIT_STREAM_VERTEX = 220, OP_END_STREAM_PRIMITIVE = 221;
    /** VkShaderStageFlagBits */
    static final int TESSELLATION_CONTROL = 2, TESSELLATION_EVALUATION = 4, GEOMETRY = 8, COMPUTE = 0x20;
    /**
     * indices of the limits {@link #refused} takes: maxComputeSharedMemorySize, maxComputeWorkGroupInvocations, the
     * three maxComputeWorkGroupSize, maxTessellationPatchSize, maxGeometryShaderInvocations, maxGeometryOutputVertices
     * and, where the array has it, maxTransformFeedbackStreams
     */
    static final int SHARED = 0, INVOCATIONS = 1, SIZE = 2, PATCH = 5, GEOMETRY_INVOCATIONS = 6, GEOMETRY_VERTICES = 7,
            STREAMS = 8;
    static final int WORKGROUP = 4, PRIVATE = 6, FUNCTION = 7;
    private static final long SATURATE = 1L << 50;

    private ShaderSizes() {
    }

    /** The instructions of well framed SPIR-V that sizes depend on, one after another (see the class comment). */
    static int[] summary(long code, long codeSize) {
        int[][] out = {new int[64]};
        int[] n = {0};
        Spirv.walk(code, codeSize, 5, (w, op, count) -> {
            int third = count >= 3 ? Spirv.word(code, w, 2) : -1;
            boolean keep = switch (op) {
                case OP_DECORATE -> third == DECORATION_SPEC_ID || third == DECORATION_BUILT_IN;
                case OP_EXECUTION_MODE, OP_EXECUTION_MODE_ID -> third == MODE_LOCAL_SIZE || third == MODE_LOCAL_SIZE_ID
                        || third == MODE_INVOCATIONS || third == MODE_OUTPUT_VERTICES;
                case OP_VARIABLE -> count >= 4 && (Spirv.word(code, w, 3) == WORKGROUP
                        || Spirv.word(code, w, 3) == PRIVATE || Spirv.word(code, w, 3) == FUNCTION);
                case OP_EMIT_STREAM_VERTEX, OP_END_STREAM_PRIMITIVE -> count == 2;
                default -> op >= OP_TYPE_BOOL && op <= OP_TYPE_POINTER || op >= OP_CONSTANT_TRUE && op <= OP_SPEC_OP;
            };
            if (keep) {
                if (n[0] + count > out[0].length) {
                    out[0] = java.util.Arrays.copyOf(out[0], Math.max(out[0].length * 2, n[0] + count));
                }
                for (int k = 0; k < count; k++) {
                    out[0][n[0] + k] = Spirv.word(code, w, k);
                }
                n[0] += count;
            }
            return true;
        });
        return java.util.Arrays.copyOf(out[0], n[0]);
    }

    /** An evaluation that cannot be done (an unknown operation or id, a division by zero). */
    private static final class Unknown extends Exception {
        Unknown(String why) {
            super(why, null, false, false);
        }
    }

    /** A module's summary indexed for one evaluation with one stage's specialization. */
    private static final class Eval {
        final Map<Integer, int[]> byId = new HashMap<>();
        final Map<Integer, Integer> specIds = new HashMap<>();
        final Map<Integer, Long> special = new HashMap<>(); // constantID -> value from VkSpecializationInfo
        final Map<Integer, Long> memo = new HashMap<>();

        long value(int id, int depth) throws Unknown {
            Long known = memo.get(id);
            if (known != null) {
                return known;
            }
            int[] in = byId.get(id);
            if (in == null || depth > 64) {
                throw new Unknown("id " + id + " is not a constant");
            }
            int op = in[0] & 0xffff;
            long v = switch (op) {
                case OP_CONSTANT_TRUE, OP_SPEC_TRUE -> specialized(id, 1);
                case OP_CONSTANT_FALSE, OP_SPEC_FALSE -> specialized(id, 0);
                case OP_CONSTANT, OP_SPEC -> specialized(id, literal(in, 3)) & mask(in[1]);
                case OP_SPEC_OP -> operation(in, depth) & mask(in[1]);
                default -> throw new Unknown("id " + id + " is not a scalar constant");
            };
            memo.put(id, v);
            return v;
        }

        private long specialized(int id, long dflt) {
            Integer specId = specIds.get(id);
            Long v = specId == null ? null : special.get(specId);
            return v == null ? dflt : v;
        }

        private static long literal(int[] in, int at) {
            return Integer.toUnsignedLong(in[at]) | (in.length > at + 1 ? (long) in[at + 1] << 32 : 0);
        }

        private long mask(int type) {
            int[] t = byId.get(type);
            int width = t != null && (t[0] & 0xffff) == OP_TYPE_INT && t.length >= 3 ? t[2] : 32;
            return width >= 64 ? -1L : (1L << width) - 1;
        }

        private long operation(int[] in, int depth) throws Unknown {
            int opcode = in[3];
            long a = in.length > 4 ? value(in[4], depth + 1) : 0;
            long b = in.length > 5 && opcode != 113 && opcode != 114 && opcode != 200 ? value(in[5], depth + 1) : 0;
            return switch (opcode) {
                case 113, 114 -> a; // UConvert, SConvert (widths: masked by the result type)
                case 128 -> a + b; // IAdd
                case 130 -> a - b; // ISub
                case 132 -> a * b; // IMul
                case 134, 135 -> { // UDiv, SDiv (operands as unsigned: sizes are not negative)
                    if (b == 0) {
                        throw new Unknown("a division by zero");
                    }
                    yield Long.divideUnsigned(a, b);
                }
                case 137, 138, 139 -> { // UMod, SRem, SMod
                    if (b == 0) {
                        throw new Unknown("a division by zero");
                    }
                    yield Long.remainderUnsigned(a, b);
                }
                case 194, 195 -> a >>> (b & 63); // ShiftRightLogical, ShiftRightArithmetic
                case 196 -> a << (b & 63); // ShiftLeftLogical
                case 197 -> a | b;
                case 198 -> a ^ b;
                case 199 -> a & b;
                case 200 -> ~a; // Not
                case 169 -> a != 0 ? b : value(in[6], depth + 1); // Select
                case 170 -> a == b ? 1 : 0;
                case 171 -> a != b ? 1 : 0;
                case 172, 173 -> Long.compareUnsigned(a, b) > 0 ? 1 : 0;
                case 174, 175 -> Long.compareUnsigned(a, b) >= 0 ? 1 : 0;
                case 176, 177 -> Long.compareUnsigned(a, b) < 0 ? 1 : 0;
                case 178, 179 -> Long.compareUnsigned(a, b) <= 0 ? 1 : 0;
                default -> throw new Unknown("specialization constant operation " + opcode);
            };
        }

        long size(int type, int depth) throws Unknown {
            int[] t = byId.get(type);
            if (t == null || depth > 32) {
                throw new Unknown("type " + type + " of no known size");
            }
            return switch (t[0] & 0xffff) {
                case OP_TYPE_BOOL -> 4;
                case OP_TYPE_INT, OP_TYPE_FLOAT -> Math.max(1, t[2] / 8);
                case OP_TYPE_VECTOR, OP_TYPE_MATRIX -> times(Integer.toUnsignedLong(t[3]), size(t[2], depth + 1));
                case OP_TYPE_ARRAY -> times(value(t[3], 0), size(t[2], depth + 1));
                case OP_TYPE_RUNTIME_ARRAY -> throw new Unknown("a runtime array outside a buffer");
                case OP_TYPE_STRUCT -> {
                    long sum = 0;
                    for (int k = 2; k < t.length; k++) {
                        sum = Math.min(SATURATE, sum + size(t[k], depth + 1));
                    }
                    yield sum;
                }
                default -> 8; // pointers, images, samplers: a handle
            };
        }

        private static long times(long a, long b) {
            return a != 0 && b > SATURATE / a ? SATURATE : Math.min(SATURATE, a * b);
        }
    }

    /**
     * Why a stage of a module with this summary, specialized by the VkSpecializationInfo at spec (0: none;
     * mapEntryCount @0, pMapEntries @8 of 16-byte entries constantID @0, offset @4, size @8; dataSize @16, pData @24),
     * asks more than limits (indexed by {@link #SHARED} and the others) allow; stage is the stage's
     * VkShaderStageFlagBits. Null when it does not.
     */
    static String refused(int[] summary, long spec, int stage, long[] limits) {
        Eval e = new Eval();
        java.util.List<int[]> variables = new java.util.ArrayList<>();
        java.util.List<int[]> modes = new java.util.ArrayList<>();
        java.util.List<Integer> streams = new java.util.ArrayList<>();
        int workgroupSize = -1;
        for (int w = 0; w < summary.length; ) {
            int count = summary[w] >>> 16;
            int[] in = java.util.Arrays.copyOfRange(summary, w, Math.min(summary.length, w + Math.max(1, count)));
            int op = in[0] & 0xffff;
            if (op == OP_DECORATE && in.length >= 4) {
                if (in[2] == DECORATION_SPEC_ID) {
                    e.specIds.put(in[1], in[3]);
                } else if (in[3] == BUILT_IN_WORKGROUP_SIZE) {
                    workgroupSize = in[1];
                }
            } else if ((op == OP_EXECUTION_MODE || op == OP_EXECUTION_MODE_ID) && in.length >= 4) {
                modes.add(in);
            } else if (op == OP_VARIABLE && in.length >= 4) {
                variables.add(in);
            } else if (op == OP_EMIT_STREAM_VERTEX || op == OP_END_STREAM_PRIMITIVE) {
                streams.add(in[1]);
            } else if (in.length >= 2) {
                // types have their id first, constants second
                e.byId.put(op >= OP_TYPE_BOOL && op <= OP_TYPE_POINTER ? in[1] : in.length >= 3 ? in[2] : in[1], in);
            }
            w += Math.max(1, count);
        }
        if (spec != 0) {
            long entries = g64(spec + 8), data = g64(spec + 24), dataSize = g64(spec + 16);
            for (int i = 0; i < g32(spec) && entries != 0 && data != 0; i++) {
                long entry = entries + 16L * i;
                long offset = Integer.toUnsignedLong(g32(entry + 4)), size = g64(entry + 8);
                if ((size == 1 || size == 2 || size == 4 || size == 8) && offset + size <= dataSize) {
                    long v = size == 8 ? g64(data + offset) : Integer.toUnsignedLong(g32(data + offset))
                            & (size == 4 ? 0xFFFF_FFFFL : size == 2 ? 0xFFFF : 0xFF);
                    e.special.put(g32(entry), v);
                }
            }
        }
        try {
            long shared = 0, local = 0;
            for (int[] v : variables) {
                int[] pointer = e.byId.get(v[1]);
                if (pointer == null || (pointer[0] & 0xffff) != OP_TYPE_POINTER || pointer.length < 4) {
                    throw new Unknown("variable " + v[2] + " of no known pointer type");
                }
                long size = e.size(pointer[3], 0);
                if (v[3] == WORKGROUP) {
                    shared = Math.min(SATURATE, shared + size);
                } else {
                    local = Math.min(SATURATE, local + size);
                }
            }
            if (local > PRIVATE_BYTES) {
                return local + " bytes of private memory per invocation (at most " + PRIVATE_BYTES
                        + ", -Dvirtgpu.venus.shaderPrivateBytes)";
            }
            if (stage == GEOMETRY && limits.length > STREAMS) {
                for (int id : streams) {
                    long stream = e.value(id, 0);
                    if (stream >= limits[STREAMS]) {
                        return "vertex stream " + stream + ", the device's maxTransformFeedbackStreams "
                                + limits[STREAMS];
                    }
                }
            }
            if (stage == TESSELLATION_CONTROL || stage == TESSELLATION_EVALUATION || stage == GEOMETRY) {
                return modesRefused(modes, stage, limits);
            }
            if (stage != COMPUTE) {
                return null;
            }
            if (shared > limits[SHARED]) {
                return shared + " bytes of workgroup memory, the device's maxComputeSharedMemorySize "
                        + limits[SHARED];
            }
            java.util.List<long[]> sizes = new java.util.ArrayList<>();
            if (workgroupSize >= 0) {
                int[] c = e.byId.get(workgroupSize);
                if (c == null || c.length < 6) {
                    throw new Unknown("the WorkgroupSize built-in");
                }
                sizes.add(new long[] {e.value(c[3], 0), e.value(c[4], 0), e.value(c[5], 0)});
            } else {
                for (int[] m : modes) {
                    if (m.length < 6 || m[2] != MODE_LOCAL_SIZE && m[2] != MODE_LOCAL_SIZE_ID) {
                        continue;
                    }
                    sizes.add(m[2] == MODE_LOCAL_SIZE ? new long[] {Integer.toUnsignedLong(m[3]),
                            Integer.toUnsignedLong(m[4]), Integer.toUnsignedLong(m[5])}
                            : new long[] {e.value(m[3], 0), e.value(m[4], 0), e.value(m[5], 0)});
                }
            }
            for (long[] s : sizes) {
                long invocations = 1;
                for (int d = 0; d < 3; d++) {
                    if (s[d] < 1 || s[d] > limits[SIZE + d]) {
                        return "a workgroup of " + s[0] + "x" + s[1] + "x" + s[2] + ", the device's maximum "
                                + limits[SIZE] + "x" + limits[SIZE + 1] + "x" + limits[SIZE + 2];
                    }
                    invocations *= s[d];
                }
                if (invocations > limits[INVOCATIONS]) {
                    return "a workgroup of " + invocations + " invocations, the device's maximum "
                            + limits[INVOCATIONS];
                }
            }
            return null;
        } catch (Unknown u) {
            return "the shader's sizes cannot be worked out: " + u.getMessage();
        }
    }

    /** A tessellation or geometry stage's OutputVertices and Invocations against the device's limits. */
    private static String modesRefused(java.util.List<int[]> modes, int stage, long[] limits) {
        for (int[] m : modes) {
            long value = Integer.toUnsignedLong(m[3]);
            if (m[2] == MODE_OUTPUT_VERTICES) {
                long max = stage == GEOMETRY ? limits[GEOMETRY_VERTICES] : limits[PATCH];
                if (value < 1 || value > max) {
                    return "OutputVertices " + value + ", the device's " + (stage == GEOMETRY
                            ? "maxGeometryOutputVertices " : "maxTessellationPatchSize ") + max;
                }
            } else if (m[2] == MODE_INVOCATIONS && stage == GEOMETRY
                    && (value < 1 || value > limits[GEOMETRY_INVOCATIONS])) {
                return "Invocations " + value + ", the device's maxGeometryShaderInvocations "
                        + limits[GEOMETRY_INVOCATIONS];
            }
        }
        return null;
    }
}
