package org.virtgpu.context.venus;

import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

/**
 * The descriptor sets and bindings a shader module's functions use, so that a pipeline's layout is checked to hold
 * them before the host driver lowers the shader against it. lavapipe indexes the layout's set array and the set
 * layout's binding array with the numbers it finds in the shader: two randomly changed copies of
 * e2e/venus/add.comp that spirv-val accepts (one decorating a buffer with DescriptorSet 131072, one with Binding
 * 4194305) died with SIGSEGV in vkCreateComputePipelines on lavapipe directly. Valid usage requires every resource a
 * stage statically uses to have a slot in the layout (VUID-VkComputePipelineCreateInfo-layout-07988 and its graphics
 * sibling).
 *
 * <p>The binding's descriptor type must be one that can back the variable, and it must hold at least as many
 * descriptors as the variable's array (VUID-VkComputePipelineCreateInfo-layout-07990 and -07991): add.comp's output
 * buffer with a layout that made binding 2 a storage image (set written with an image view) died with SIGSEGV in
 * lavapipe's compute worker, directly and in the server's JVM ({@code e2e/venus/vkhostile.c} desctype); a shader
 * array longer than its binding reads the descriptors after it, past the set (indices are clamped only to the
 * shader's own array, see {@link SpirvValidator}).
 *
 * <p>A variable counts as used when its id is an operand of any instruction inside a function (after the first
 * OpFunction): that is the spec's static use for modules with one entry point, and errs toward used for others.
 * Modules keep their used variables' {@code set << 32 | binding}, the descriptor types that can back each and its
 * array length ({@link Used}) with the module in the object table; pipeline layouts keep their set layouts' bindings
 * as they were when the pipeline layout was made ({@link DescriptorShapes.PipelineLayout}: a set layout may be
 * destroyed before the pipelines are made).
 */
final class ShaderResources {
    static final int OP_DECORATE = 71, OP_VARIABLE = 59, OP_FUNCTION = 54;
    static final int DECORATION_BINDING = 33, DECORATION_DESCRIPTOR_SET = 34;
    static final int DECORATION_BLOCK = 2, DECORATION_BUFFER_BLOCK = 3;
    static final int OP_TYPE_IMAGE = 25, OP_TYPE_SAMPLER = 26, OP_TYPE_SAMPLED_IMAGE = 27, OP_TYPE_ARRAY = 28;
    static final int OP_TYPE_RUNTIME_ARRAY = 29, OP_TYPE_STRUCT = 30, OP_TYPE_POINTER = 32, OP_CONSTANT = 43;
    static final int OP_TYPE_ACCELERATION_STRUCTURE = 5341;
    static final int UNIFORM_CONSTANT = 0, UNIFORM = 2, STORAGE_BUFFER = 12;
    static final int DIM_BUFFER = 5, DIM_SUBPASS_DATA = 6;
    /** descriptor types as bits of a kind mask: VkDescriptorType 0-10 as themselves, then these */
    static final int BIT_INLINE_UNIFORM_BLOCK = 11, BIT_ACCELERATION_STRUCTURE = 12;
    static final long UNKNOWN_COUNT = -1;
    private static final int MODULE = VnInfo.H_VkShaderModule;

    /**
     * What a module's functions use: {@code set << 32 | binding} sorted, and for each the descriptor types that can
     * back it (a mask of {@link #bit} values) and how many descriptors it reads (its array's length, 1 for none,
     * {@link #UNKNOWN_COUNT} when a specialization constant sizes it or the array has no fixed size).
     */
    record Used(long[] setBinding, int[] kinds, long[] counts) {
    }

    /** What a module keeps: its used resources, and the instructions its sizes depend on ({@link ShaderSizes}). */
    record Module(Used used, int[] sizes) {
    }

    private final VnObjects objects;

    ShaderResources(VnObjects objects) {
        this.objects = objects;
    }

    /** The bit of a VkDescriptorType in a kind mask, 0 for types no shader variable is checked against. */
    static int bit(long type) {
        return type >= 0 && type <= 10 ? 1 << type : type == 1000138000 ? 1 << BIT_INLINE_UNIFORM_BLOCK
                : type == 1000150000 ? 1 << BIT_ACCELERATION_STRUCTURE : 0;
    }

    /**
     * The resources the functions of valid (spirv-val accepted) or at least well framed SPIR-V use: variables
     * decorated with both DescriptorSet and Binding that an instruction inside a function names.
     */
    static Used used(long code, long codeSize) {
        java.util.HashMap<Integer, long[]> decorated = new java.util.HashMap<>(); // id -> {set, binding}, -1 unset
        java.util.HashMap<Integer, int[]> types = new java.util.HashMap<>(); // type id -> its instruction's words
        java.util.HashMap<Integer, Integer> blocks = new java.util.HashMap<>(); // struct id -> Block or BufferBlock
        java.util.HashMap<Integer, Long> constants = new java.util.HashMap<>();
        java.util.HashMap<Integer, int[]> variables = new java.util.HashMap<>(); // id -> {pointer type, class}
        // declarations, up to the first OpFunction
        long functions = Spirv.walk(code, codeSize, 5, (w, op, count) -> {
            if (op == OP_DECORATE && count >= 3) {
                int target = Spirv.word(code, w, 1), decoration = Spirv.word(code, w, 2);
                if ((decoration == DECORATION_BINDING || decoration == DECORATION_DESCRIPTOR_SET) && count >= 4) {
                    long[] sb = decorated.computeIfAbsent(target, k -> new long[] {-1, -1});
                    sb[decoration == DECORATION_DESCRIPTOR_SET ? 0 : 1] = Integer.toUnsignedLong(Spirv.word(code, w, 3));
                } else if (decoration == DECORATION_BLOCK || decoration == DECORATION_BUFFER_BLOCK) {
                    blocks.put(target, decoration);
                }
            } else if (op == OP_TYPE_IMAGE || op == OP_TYPE_SAMPLER || op == OP_TYPE_SAMPLED_IMAGE || op == OP_TYPE_ARRAY
                    || op == OP_TYPE_RUNTIME_ARRAY || op == OP_TYPE_STRUCT || op == OP_TYPE_POINTER
                    || op == OP_TYPE_ACCELERATION_STRUCTURE) {
                if (count >= 2) {
                    int[] inst = new int[count];
                    for (int k = 0; k < count; k++) {
                        inst[k] = Spirv.word(code, w, k);
                    }
                    types.put(inst[1], inst);
                }
            } else if (op == OP_CONSTANT && count == 4) { // 32-bit (array lengths); wider ones stay unknown
                constants.put(Spirv.word(code, w, 2), Integer.toUnsignedLong(Spirv.word(code, w, 3)));
            } else if (op == OP_VARIABLE && count >= 4) {
                variables.put(Spirv.word(code, w, 2), new int[] {Spirv.word(code, w, 1), Spirv.word(code, w, 3)});
            }
            return op != OP_FUNCTION;
        });
        if (functions >= codeSize / 4 || decorated.isEmpty()) {
            return new Used(new long[0], new int[0], new long[0]);
        }
        java.util.TreeMap<Long, long[]> used = new java.util.TreeMap<>(); // set << 32 | binding -> {kinds, count}
        Spirv.walk(code, codeSize, functions, (w, op, count) -> {
            for (int k = 1; k < count; k++) {
                int id = Spirv.word(code, w, k);
                long[] sb = decorated.get(id);
                if (sb != null && sb[0] >= 0 && sb[1] >= 0) {
                    long[] kc = resource(variables.get(id), types, blocks, constants);
                    long[] had = used.putIfAbsent(sb[0] << 32 | sb[1], kc);
                    if (had != null && had != kc) { // two variables at one binding (aliasing): both must fit
                        had[0] &= kc[0];
                        had[1] = had[1] == UNKNOWN_COUNT || kc[1] == UNKNOWN_COUNT ? UNKNOWN_COUNT
                                : Math.max(had[1], kc[1]);
                    }
                }
            }
            return true;
        });
        long[] sbs = new long[used.size()];
        int[] kinds = new int[used.size()];
        long[] counts = new long[used.size()];
        int i = 0;
        for (var e : used.entrySet()) {
            sbs[i] = e.getKey();
            kinds[i] = (int) e.getValue()[0];
            counts[i++] = e.getValue()[1];
        }
        return new Used(sbs, kinds, counts);
    }

    /**
     * {kinds, count} of a variable ({pointer type, storage class}): the descriptor types that can back it (the
     * spec's "Shader Resource and Descriptor Type Correspondence") and its array length. A variable of a shape no
     * descriptor backs gets kinds 0, which every layout refuses.
     */
    private static long[] resource(int[] variable, java.util.Map<Integer, int[]> types,
            java.util.Map<Integer, Integer> blocks, java.util.Map<Integer, Long> constants) {
        if (variable == null) {
            return new long[] {0, 1};
        }
        int[] pointer = types.get(variable[0]);
        int type = pointer != null && pointer.length >= 4 && (pointer[0] & 0xffff) == OP_TYPE_POINTER ? pointer[3] : -1;
        long n = 1;
        int[] t = types.get(type);
        for (int hops = 0; t != null && hops < 16; hops++) {
            int op = t[0] & 0xffff;
            if (op == OP_TYPE_ARRAY && t.length >= 4) {
                Long len = constants.get(t[3]);
                n = len == null || n == UNKNOWN_COUNT ? UNKNOWN_COUNT : Math.min(n * len, 1L << 40);
            } else if (op == OP_TYPE_RUNTIME_ARRAY && t.length >= 3) {
                n = UNKNOWN_COUNT;
            } else {
                break;
            }
            type = t[2];
            t = types.get(type);
        }
        int op = t == null ? -1 : t[0] & 0xffff;
        int kinds = 0;
        switch (variable[1]) {
            case STORAGE_BUFFER -> kinds = op == OP_TYPE_STRUCT ? bit(7) | bit(9) : 0;
            case UNIFORM -> kinds = op != OP_TYPE_STRUCT ? 0
                    : Integer.valueOf(DECORATION_BUFFER_BLOCK).equals(blocks.get(type)) ? bit(7) | bit(9)
                    : bit(6) | bit(8) | 1 << BIT_INLINE_UNIFORM_BLOCK;
            case UNIFORM_CONSTANT -> {
                if (op == OP_TYPE_SAMPLER) {
                    kinds = bit(0) | bit(1);
                } else if (op == OP_TYPE_SAMPLED_IMAGE) { // GLSL's samplerBuffer is a uniform texel buffer
                    int[] image = t.length >= 3 ? types.get(t[2]) : null;
                    kinds = image != null && image.length >= 4 && image[3] == DIM_BUFFER ? bit(4) : bit(1);
                } else if (op == OP_TYPE_ACCELERATION_STRUCTURE) {
                    kinds = 1 << BIT_ACCELERATION_STRUCTURE;
                } else if (op == OP_TYPE_IMAGE && t.length >= 8) {
                    int dim = t[3], sampled = t[7];
                    kinds = dim == DIM_SUBPASS_DATA ? bit(10)
                            : dim == DIM_BUFFER ? (sampled != 2 ? bit(4) : 0) | (sampled != 1 ? bit(5) : 0)
                            : (sampled != 2 ? bit(1) | bit(2) : 0) | (sampled != 1 ? bit(3) : 0);
                }
            }
            default -> kinds = 0;
        }
        return new long[] {kinds, n};
    }

    void moduleCreated(long module, long code, long codeSize) {
        objects.attach(MODULE, module, new Module(used(code, codeSize), ShaderSizes.summary(code, codeSize)));
    }

    private Used usedBy(long module) {
        return objects.attached(MODULE, module) instanceof Module m ? m.used : null;
    }

    /** The instructions a module's sizes depend on, null for a module not seen here. */
    int[] sizes(long module) {
        return objects.attached(MODULE, module) instanceof Module m ? m.sizes : null;
    }

    /** The set numbers a module uses (repeated per binding), none for a module not seen here. */
    int[] usedSets(long module) {
        Used u = usedBy(module);
        return u == null ? new int[0]
                : java.util.Arrays.stream(u.setBinding).mapToInt(sb -> (int) (sb >>> 32)).toArray();
    }

    /**
     * Why a stage's module uses a set or binding that layout (null: unknown) lacks, or one whose descriptor type
     * cannot back the shader's variable, or with fewer descriptors than the shader's array; null when it does not
     * (also for modules not seen here).
     */
    String stage(long module, DescriptorShapes.PipelineLayout l) {
        Used u = usedBy(module);
        if (u == null) {
            return null;
        }
        for (int i = 0; i < u.setBinding.length; i++) {
            long set = u.setBinding[i] >>> 32, binding = u.setBinding[i] & 0xFFFF_FFFFL;
            long[] row = l == null || set >= l.words().length ? null : DescriptorShapes.binding(l.words()[(int) set],
                    binding);
            if (row == null) {
                return "the shader uses set " + set + " binding " + binding + ", which the pipeline layout lacks";
            }
            if ((u.kinds[i] & bit(row[1])) == 0 && !(row[1] == DescriptorShapes.MUTABLE
                    && SpirvValidator.BINDLESS_DESCRIPTORS)) {
                return "the shader's set " + set + " binding " + binding + " is not a resource that descriptor type "
                        + row[1] + " backs";
            }
            if (u.counts[i] == UNKNOWN_COUNT ? !SpirvValidator.BINDLESS_DESCRIPTORS
                    : row[2] < u.counts[i] || row[2] == 0) {
                return "the shader's set " + set + " binding " + binding + " is an array of "
                        + (u.counts[i] == UNKNOWN_COUNT ? "a size this server does not know" : u.counts[i])
                        + ", the layout's binding holds " + row[2];
            }
        }
        return null;
    }
}
