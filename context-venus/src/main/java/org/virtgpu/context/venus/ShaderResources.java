package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;

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
 * <p>A variable counts as used when its id is an operand of any instruction inside a function (after the first
 * OpFunction): that is the spec's static use for modules with one entry point, and errs toward used for others.
 * Modules keep the sorted {@code set << 32 | binding} of their used variables with the module in the object table;
 * pipeline layouts keep one past the highest binding number of each of their set layouts, as those were when the
 * pipeline layout was made ({@link DescriptorShapes.PipelineLayout}: a set layout may be destroyed before the
 * pipelines are made).
 */
final class ShaderResources {
    static final int OP_DECORATE = 71, OP_VARIABLE = 59, OP_FUNCTION = 54;
    static final int DECORATION_BINDING = 33, DECORATION_DESCRIPTOR_SET = 34;
    private static final int MODULE = VnInfo.H_VkShaderModule;

    private final VnObjects objects;

    ShaderResources(VnObjects objects) {
        this.objects = objects;
    }

    /**
     * The {@code set << 32 | binding} pairs of the variables decorated with both that an instruction inside a
     * function names, sorted; the module is valid SPIR-V (spirv-val accepted it) or at least well framed.
     */
    static long[] used(long code, long codeSize) {
        long words = codeSize / 4;
        java.util.HashMap<Integer, long[]> decorated = new java.util.HashMap<>(); // id -> {set, binding}, -1 unset
        long functions = -1;
        for (long w = 5; w < words; ) {
            int instruction = g32(code + 4 * w);
            int count = instruction >>> 16;
            if (count < 1 || w + count > words) {
                break;
            }
            int op = instruction & 0xffff;
            if (op == OP_DECORATE && count >= 4) {
                int decoration = g32(code + 4 * (w + 2));
                if (decoration == DECORATION_BINDING || decoration == DECORATION_DESCRIPTOR_SET) {
                    long[] sb = decorated.computeIfAbsent(g32(code + 4 * (w + 1)), k -> new long[] {-1, -1});
                    sb[decoration == DECORATION_DESCRIPTOR_SET ? 0 : 1] = Integer.toUnsignedLong(g32(code + 4 * (w + 3)));
                }
            } else if (op == OP_FUNCTION && functions < 0) {
                functions = w;
            }
            w += count;
        }
        if (functions < 0 || decorated.isEmpty()) {
            return new long[0];
        }
        java.util.TreeSet<Long> used = new java.util.TreeSet<>();
        for (long w = functions; w < words; ) {
            int instruction = g32(code + 4 * w);
            int count = instruction >>> 16;
            if (count < 1 || w + count > words) {
                break;
            }
            for (int k = 1; k < count; k++) {
                long[] sb = decorated.get(g32(code + 4 * (w + k)));
                if (sb != null && sb[0] >= 0 && sb[1] >= 0) {
                    used.add(sb[0] << 32 | sb[1]);
                }
            }
            w += count;
        }
        return used.stream().mapToLong(Long::longValue).toArray();
    }

    void moduleCreated(long module, long code, long codeSize) {
        long[] u = used(code, codeSize);
        if (u.length > 0) {
            objects.attach(MODULE, module, u);
        }
    }

    /** The set numbers a module uses (repeated per binding), none for a module not seen here. */
    int[] usedSets(long module) {
        return objects.attached(MODULE, module) instanceof long[] used
                ? java.util.Arrays.stream(used).mapToInt(sb -> (int) (sb >>> 32)).toArray() : new int[0];
    }

    /**
     * Why a stage's module uses a set or binding that layout (null: unknown) lacks, or null (also for modules not
     * seen here).
     */
    String stage(long module, DescriptorShapes.PipelineLayout l) {
        if (!(objects.attached(MODULE, module) instanceof long[] used)) {
            return null;
        }
        for (long sb : used) {
            long set = sb >>> 32, binding = sb & 0xFFFF_FFFFL;
            long bindings = l != null && set < l.bindings().length ? l.bindings()[(int) set] : 0;
            if (binding >= bindings) {
                return "the shader uses set " + set + " binding " + binding + ", which the pipeline layout lacks";
            }
        }
        return null;
    }
}
