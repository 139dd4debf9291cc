package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.g64;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnMem;
import org.virtgpu.context.venus.wire.VnObjects;

/**
 * The shapes of descriptor set layouts, and what each command buffer has bound, so that no draw or dispatch runs a
 * shader against a set laid out for another layout, or against no set at all. lavapipe finds a shader's descriptors
 * at the offsets the bound pipeline's layout gives, in whatever set was last bound at that number: a dispatch whose
 * pipeline layout puts the shader's buffer 4097 descriptors into set 0, with a set of one buffer bound there, and a
 * dispatch with no set bound, each killed the server's JVM (SIGSEGV in lavapipe's compute worker; {@code
 * e2e/venus/vkhostile.c} setlayout far and unbound, the same on lavapipe directly).
 *
 * <p>Valid usage says the same: each set bound must have been allocated with a layout identically defined to the
 * bind's pipeline layout's set at that number (VUID-vkCmdBindDescriptorSets-pDescriptorSets-00358), a pipeline must
 * be bound at the draw's or dispatch's bind point, of that bind point (VUID-vkCmdBindPipeline-pipelineBindPoint-00777
 * and -00778), and every set its shaders statically use must be bound with a compatible layout
 * (VUID-vkCmdDispatch-None-08600 and the draws' same). A bind that breaks the first poisons the command buffer (as
 * other refused binds do: what it records later would run with the sets it had before); a draw or dispatch that
 * breaks the others is dropped.
 *
 * <p>A shape is what lays a set's memory out for the driver: the layout's flags and, for each binding in number
 * order, its number, type, count, binding flags and whether it has immutable samplers. Stage flags are left out (a
 * set whose layout differs only in them is laid out the same). Shapes are numbered per context from 1, at most
 * {@link #MAX_SHAPES} of them. The state a command buffer binds lives with its {@link RenderAreas.Recording}: begun
 * empty, and emptied by vkCmdExecuteCommands (the primary's state is undefined after it; lavapipe runs the
 * secondary's binds in place).
 */
final class DescriptorShapes {
    static final int GRAPHICS = 0, COMPUTE = 1;
    /** distinct set layout shapes per context */
    static final int MAX_SHAPES = 1 << 16;
    static final int STYPE_BINDING_FLAGS_CREATE_INFO = 1000161000;
    static final int SAMPLER = 0, COMBINED_IMAGE_SAMPLER = 1;
    static final long BINDING_VARIABLE_DESCRIPTOR_COUNT = 8;
    private static final int SET_LAYOUT = VnInfo.H_VkDescriptorSetLayout;
    private static final int SET = VnInfo.H_VkDescriptorSet;
    private static final int PIPELINE_LAYOUT = VnInfo.H_VkPipelineLayout;
    private static final int PIPELINE = VnInfo.H_VkPipeline;

    /**
     * A set layout: its shape (and the words it was numbered by, {@link #shapeOf}) and its dynamic buffer bindings
     * (or null).
     */
    record SetLayout(int shape, long[] words, DynamicOffsets.Layout dynamic) {
        /** One past its highest binding number. */
        long bindings() {
            return end(words);
        }
    }

    /**
     * A pipeline layout's set layouts as they were when it was made: their shapes (0 for none) and shape words (no
     * bindings for none).
     */
    record PipelineLayout(int[] shapes, long[][] words) {
        /** One past each set layout's highest binding number. */
        long[] bindings() {
            return Arrays.stream(words).mapToLong(DescriptorShapes::end).toArray();
        }
    }

    /** One past the highest binding number of shape words (their rows are in binding order), 0 for none. */
    static long end(long[] words) {
        return words.length > 1 ? words[words.length - 5] + 1 : 0;
    }

    /**
     * A pipeline: its bind point, its layout's set shapes, the set numbers its shaders use (sorted), and for a
     * graphics pipeline its static VkPrimitiveTopology (-1 for compute), whether the topology is dynamic, and whether
     * its patch control point count is (VK_EXT_extended_dynamic_state2).
     */
    record Pipeline(int point, int[] shapes, int[] usedSets, int topology, boolean dynamicTopology,
            boolean dynamicPatchPoints) {
    }

    static final int TOPOLOGY_PATCH_LIST = 10;

    /** the shape words of no set layout */
    private static final long[] NO_BINDINGS = {0};
    private static final int[] NO_SETS = {};

    /** What a command buffer has bound per bind point (guarded by its Recording). */
    static final class Bound {
        final Pipeline[] pipeline = new Pipeline[2];
        /** per bind point, the shape of the set bound at each number (0: none); replaced, never written, when empty */
        final int[][] sets = {NO_SETS, NO_SETS};
        /** the topology vkCmdSetPrimitiveTopology set, -1 for none (or since a pipeline of static topology) */
        int topology = -1;
        /** the count vkCmdSetPatchControlPointsEXT set, -1 for none (or since a pipeline of a static count) */
        int patchPoints = -1;

        void clear() {
            Arrays.fill(pipeline, null);
            topology = -1;
            patchPoints = -1;
            sets[GRAPHICS] = NO_SETS;
            sets[COMPUTE] = NO_SETS;
        }
    }

    private record Key(long[] words) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(words, k.words);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(words);
        }
    }

    private final VnObjects objects;
    private final RenderAreas areas;
    private final Map<Key, Integer> shapes = new HashMap<>();
    /** the words of shape n at index n - 1 (under shapes' lock) */
    private final java.util.List<long[]> shapeWords = new java.util.ArrayList<>();

    DescriptorShapes(VnObjects objects, RenderAreas areas) {
        this.objects = objects;
        this.areas = areas;
    }

    /**
     * The shape of a VkDescriptorSetLayoutCreateInfo (pNext @8, flags @16, bindingCount @20, pBindings @24; each
     * binding 24 bytes: binding @0, descriptorType @4, descriptorCount @8, pImmutableSamplers @16), with the binding
     * flags of a VkDescriptorSetLayoutBindingFlagsCreateInfo in its chain (bindingCount @16, pBindingFlags @24): the
     * layout's flags, then per binding in number order {number, type, count, flags, immutable samplers 0 or 1}.
     */
    static long[] shapeOf(long info) {
        int n = Math.max(0, g32(info + 20));
        long bindings = g64(info + 24);
        if (bindings == 0) {
            n = 0;
        }
        long chained = VnMem.chained(g64(info + 8), STYPE_BINDING_FLAGS_CREATE_INFO);
        int flagCount = chained == 0 ? 0 : g32(chained + 16);
        long flags = chained == 0 ? 0 : g64(chained + 24);
        long[][] rows = new long[n][];
        for (int i = 0; i < n; i++) {
            long b = bindings + 24L * i;
            int type = g32(b + 4);
            boolean immutable = (type == SAMPLER || type == COMBINED_IMAGE_SAMPLER) && g64(b + 16) != 0;
            long bindingFlags = flags != 0 && i < flagCount ? Integer.toUnsignedLong(g32(flags + 4L * i)) : 0;
            rows[i] = new long[] {Integer.toUnsignedLong(g32(b)), Integer.toUnsignedLong(type),
                    Integer.toUnsignedLong(g32(b + 8)), bindingFlags, immutable ? 1 : 0};
        }
        Arrays.sort(rows, (x, y) -> Long.compare(x[0], y[0]));
        long[] words = new long[1 + 5 * n];
        words[0] = Integer.toUnsignedLong(g32(info + 16));
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, words, 1 + 5 * i, 5);
        }
        return words;
    }

    /**
     * Why a set layout is refused before the driver makes it, or null: too many distinct shapes in this context, or
     * a binding of variable descriptor count or of a mutable descriptor type while those are withheld (lavapipe
     * sizes a variable-count set by the count given at allocation, below the layout's, and a shader's clamped index
     * still reaches past it; a mutable descriptor can be read as another type than it was written as; see
     * {@link SpirvValidator#BINDLESS_DESCRIPTORS}).
     */
    String layoutRefused(long info, long maxPushDescriptors) {
        long[] words = shapeOf(info);
        String push = pushLayoutRefused(words, maxPushDescriptors);
        if (push != null) {
            return push;
        }
        for (int i = 1; i < words.length && !SpirvValidator.BINDLESS_DESCRIPTORS; i += 5) {
            if ((words[i + 3] & BINDING_VARIABLE_DESCRIPTOR_COUNT) != 0 || words[i + 1] == MUTABLE) {
                return "binding " + words[i] + (words[i + 1] == MUTABLE ? " is of a mutable descriptor type"
                        : " has a variable descriptor count") + " (not offered: -Dvirtgpu.venus.bindlessDescriptors)";
            }
        }
        synchronized (shapes) {
            return shapes.size() >= MAX_SHAPES && !shapes.containsKey(new Key(words))
                    ? "more than " + MAX_SHAPES + " distinct descriptor set layouts" : null;
        }
    }

    /** VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR */
    static final long PUSH_DESCRIPTOR = 1;
    static final long STORAGE_BUFFER = 7, INPUT_ATTACHMENT = 10;
    /** binding flags a push descriptor layout must not have: update after bind, unused while pending, variable count */
    static final long PUSH_FORBIDDEN_BINDING_FLAGS = 0x1 | 0x4 | 0x8;

    /**
     * Why the shape words of a layout with PUSH_DESCRIPTOR_BIT cannot be a push descriptor layout, null when they can
     * (or the layout is not one): no dynamic buffers, inline uniform blocks or mutable types
     * (VUID-VkDescriptorSetLayoutCreateInfo-flags-00280, -02208, -04591; nor acceleration structures, which are not
     * offered), none of update after bind, unused while pending or variable count
     * (VUID-VkDescriptorSetLayoutBindingFlagsCreateInfo-flags-03003), at most the device's maxPushDescriptors
     * descriptors (-flags-00281; this bounds what {@link DescriptorFiller#push} writes per push). Immutable samplers
     * are refused too, a restriction of this server: lavapipe writes them when it makes a pushed set and then copies
     * the set bound at that number over them, so after a set of another layout a pushed set's immutable samplers are
     * that set's bytes, and no write can put them back (see VenusExecutor#vkCmdPushDescriptorSetKHR).
     */
    static String pushLayoutRefused(long[] words, long maxPushDescriptors) {
        if ((words[0] & PUSH_DESCRIPTOR) == 0) {
            return null;
        }
        long total = 0;
        for (int i = 1; i + 4 < words.length; i += 5) {
            long type = words[i + 1];
            if (!(type >= SAMPLER && type <= STORAGE_BUFFER || type == INPUT_ATTACHMENT)) {
                return "push descriptor layout binding " + words[i] + " is of descriptor type " + type;
            }
            if (words[i + 4] != 0) {
                return "push descriptor layout binding " + words[i] + " has immutable samplers (not offered)";
            }
            if ((words[i + 3] & PUSH_FORBIDDEN_BINDING_FLAGS) != 0) {
                return "push descriptor layout binding " + words[i] + " has binding flags " + words[i + 3];
            }
            total += words[i + 2];
        }
        return total > maxPushDescriptors ? "a push descriptor layout of " + total
                + " descriptors, the device's maxPushDescriptors " + maxPushDescriptors : null;
    }

    /** Where a push goes: its set layout's shape words and shape number. */
    record PushTarget(long[] words, int shape) {
    }

    /**
     * vkCmdPushDescriptorSetKHR at point with layout's set: its {@link PushTarget}, or why not (a string):
     * a bind point without sets, an unknown layout, a set number past its sets (VUID-vkCmdPushDescriptorSetKHR-set-00364)
     * or of a layout made without PUSH_DESCRIPTOR_BIT (-set-00365).
     */
    Object pushTarget(int point, long layout, int set) {
        if (point != GRAPHICS && point != COMPUTE) {
            return "bind point " + point;
        }
        PipelineLayout l = pipelineLayout(layout);
        if (l == null) {
            return "an unknown pipeline layout";
        }
        if (set < 0 || set >= l.shapes.length) {
            return "set " + Integer.toUnsignedString(set) + " past the layout's " + l.shapes.length;
        }
        if (l.shapes[set] == 0 || (l.words[set][0] & PUSH_DESCRIPTOR) == 0) {
            return "set " + set + " of the layout is not a push descriptor set layout";
        }
        return new PushTarget(l.words[set], l.shapes[set]);
    }

    /**
     * A push to point's set of target on commandBuffer, which is then bound there with target's shape: whether the
     * server must first write every descriptor of the set. lavapipe starts each pushed set as a copy of the set bound
     * at that number when the push runs, whatever its layout (zeroed when none), so unless that is an earlier push of
     * the same shape its bytes are another layout's or none (see {@link DescriptorFiller#push}).
     */
    boolean pushBind(long commandBuffer, int point, int set, PushTarget target) {
        RenderAreas.Recording r = areas.recording(commandBuffer);
        synchronized (r) {
            int[] sets = r.bound.sets[point];
            if (set < sets.length && sets[set] == target.shape) {
                return false;
            }
            boundSets(r, point, set + 1)[set] = target.shape;
            return true;
        }
    }

    /** r's shapes bound at point, grown to hold n set numbers (under r's lock). */
    private static int[] boundSets(RenderAreas.Recording r, int point, int n) {
        int[] sets = r.bound.sets[point];
        return n > sets.length ? (r.bound.sets[point] = Arrays.copyOf(sets, n)) : sets;
    }

    /** Whether a set layout was made for push descriptors (sets must not be allocated with it). */
    boolean pushLayout(long layout) {
        SetLayout l = setLayout(layout);
        return l != null && (l.words[0] & PUSH_DESCRIPTOR) != 0;
    }

    /** After the driver made layout from info, which {@link DynamicOffsets#layoutRefused} and this accepted. */
    void setLayoutCreated(long layout, long info) {
        long[] words = shapeOf(info);
        int shape;
        synchronized (shapes) {
            shape = shapes.computeIfAbsent(new Key(words), k -> {
                shapeWords.add(words);
                return shapeWords.size();
            });
        }
        objects.attach(SET_LAYOUT, layout, new SetLayout(shape, words, DynamicOffsets.layoutOf(info)));
    }

    /** The row {number, type, count, binding flags, immutable samplers} of binding in shape words, or null. */
    static long[] binding(long[] words, long binding) {
        int at = bindingAt(words, binding);
        return at < 0 ? null : Arrays.copyOfRange(words, at, at + 5);
    }

    /** Where binding's row starts in shape words, -1 when it has none (no copy: the checks of every push use it). */
    static int bindingAt(long[] words, long binding) {
        int lo = 0, hi = (words.length - 1) / 5 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long n = words[1 + 5 * mid];
            if (n == binding) {
                return 1 + 5 * mid;
            }
            if (n < binding) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    SetLayout setLayout(long layout) {
        return objects.attached(SET_LAYOUT, layout) instanceof SetLayout l ? l : null;
    }

    /** VkPipelineLayoutCreateInfo (setLayoutCount @20, pSetLayouts @24): its set layouts' shapes as they are now. */
    void pipelineLayoutCreated(long layout, long info) {
        int n = g32(info + 20);
        long sets = g64(info + 24);
        int count = sets == 0 ? 0 : Math.max(0, n);
        int[] s = new int[count];
        long[][] w = new long[count][];
        for (int i = 0; i < count; i++) {
            SetLayout l = setLayout(g64(sets + 8L * i));
            s[i] = l == null ? 0 : l.shape;
            w[i] = l == null ? NO_BINDINGS : l.words;
        }
        objects.attach(PIPELINE_LAYOUT, layout, new PipelineLayout(s, w));
    }

    PipelineLayout pipelineLayout(long layout) {
        return objects.attached(PIPELINE_LAYOUT, layout) instanceof PipelineLayout l ? l : null;
    }

    /**
     * VkDescriptorSetAllocateInfo (descriptorSetCount @24, pSetLayouts @32) allocated the sets at pSets: each keeps
     * its layout's shape (extra), and a set of a layout with dynamic buffers their slots (see {@link DynamicOffsets}).
     */
    void setsAllocated(long info, long pSets) {
        long layouts = g64(info + 32);
        for (int i = 0; i < g32(info + 24) && layouts != 0 && pSets != 0; i++) {
            SetLayout l = setLayout(g64(layouts + 8L * i));
            long set = g64(pSets + 8L * i);
            if (l != null) {
                objects.extra(SET, set, l.shape | 1L << 62);
                if (l.dynamic != null) {
                    objects.attach(SET, set, new DynamicOffsets.Set(l.dynamic));
                }
            }
        }
    }

    private int setShape(long set) {
        return (int) objects.extra(SET, set);
    }

    /** The shape words of a set's layout, null for a set not known here. */
    private long[] setWords(long set) {
        int shape = setShape(set);
        synchronized (shapes) {
            return shape <= 0 || shape > shapeWords.size() ? null : shapeWords.get(shape - 1);
        }
    }

    static final long INLINE_UNIFORM_BLOCK = 1000138000, MUTABLE = 1000351000;

    /**
     * Why count descriptors from element of binding in set (of type, -1 for any) do not fit: the binding and the
     * ones after it that an update rolls over into must exist, hold them and be of the type (inline uniform blocks:
     * count and element are bytes of the one binding); null when they fit.
     */
    private String range(long set, long binding, long element, long count, long type) {
        long[] words = setWords(set);
        return words == null ? "an unknown descriptor set" : range(words, binding, element, count, type);
    }

    /** {@link #range} in a set laid out by shape words. */
    private static String range(long[] words, long binding, long element, long count, long type) {
        long b = binding, e = element, need = count;
        for (int hops = 0; hops <= words.length / 5; hops++, b++, e = 0) {
            int at = bindingAt(words, b);
            if (at < 0 || (type >= 0 && words[at + 1] != type && words[at + 1] != MUTABLE)) {
                return at < 0 ? "binding " + b + " is not in the set's layout"
                        : "binding " + b + " is of descriptor type " + words[at + 1] + ", not " + type;
            }
            if (type < 0) {
                type = words[at + 1];
            }
            long room = words[at + 2] - e;
            if (room < 0 || words[at + 1] == INLINE_UNIFORM_BLOCK && need > room) {
                return "element " + e + " of binding " + b + "'s " + words[at + 2];
            }
            if (need <= room) {
                return null;
            }
            need -= room;
        }
        return count + " descriptors from binding " + binding + " element " + element + " run past the set";
    }

    /**
     * vkUpdateDescriptorSets: why a VkWriteDescriptorSet (dstSet @16, dstBinding @24, dstArrayElement @28,
     * descriptorCount @32, descriptorType @36) does not fit its set (see {@link #range}; lavapipe wrote 4096 storage
     * buffer descriptors into a binding of one past its set and died, {@code vkhostile descwrite}), null when it
     * does (VUID-VkWriteDescriptorSet-descriptorType-00319 and -dstArrayElement-00321).
     */
    String writeRefused(long write) {
        long[] words = setWords(g64(write + 16));
        return words == null ? "an unknown descriptor set" : writeRefused(words, write);
    }

    /** {@link #writeRefused} of a write into a set laid out by shape words (a push descriptor set's). */
    static String writeRefused(long[] words, long write) {
        long count = Integer.toUnsignedLong(g32(write + 32)), type = Integer.toUnsignedLong(g32(write + 36));
        if (type == INLINE_UNIFORM_BLOCK) {
            String why = inlineRefused(write, count);
            if (why != null) {
                return why;
            }
        }
        return range(words, Integer.toUnsignedLong(g32(write + 24)), Integer.toUnsignedLong(g32(write + 28)), count,
                type);
    }

    static final int STYPE_WRITE_INLINE_UNIFORM_BLOCK = 1000138002;

    /**
     * An inline uniform block write gives its bytes in a VkWriteDescriptorSetInlineUniformBlock (dataSize @16) that
     * must be there and hold exactly descriptorCount bytes, and both offset and count are multiples of 4
     * (VUID-VkWriteDescriptorSet-descriptorType-02219, -02220, -02221): lavapipe copied a 1 MiB dataSize into a
     * 16-byte block and died, killing the server ({@code vkhostile inline}). Why not, or null.
     */
    private static String inlineRefused(long write, long count) {
        long data = VnMem.chained(g64(write + 8), STYPE_WRITE_INLINE_UNIFORM_BLOCK);
        if (data == 0) {
            return "an inline uniform block write without its data";
        }
        long size = Integer.toUnsignedLong(g32(data + 16));
        return size != count ? "an inline uniform block write of " + count + " bytes carries " + size
                : (count & 3) != 0 || (g32(write + 28) & 3) != 0 ? "an inline uniform block write not in words" : null;
    }

    /** Whether the binding a VkWriteDescriptorSet (dstSet @16, dstBinding @24) starts at has immutable samplers. */
    boolean immutableSamplers(long write) {
        return immutableSamplers(setWords(g64(write + 16)), write);
    }

    /** {@link #immutableSamplers} in a set laid out by shape words (null: none). */
    static boolean immutableSamplers(long[] words, long write) {
        int at = words == null ? -1 : bindingAt(words, Integer.toUnsignedLong(g32(write + 24)));
        return at >= 0 && words[at + 4] != 0;
    }

    /**
     * vkUpdateDescriptorSets: why a VkCopyDescriptorSet (srcSet @16, srcBinding @24, srcArrayElement @28, dstSet
     * @32, dstBinding @40, dstArrayElement @44, descriptorCount @48) does not fit both sets with one type, or null.
     */
    String copyRefused(long copy) {
        long count = Integer.toUnsignedLong(g32(copy + 48));
        long[] src = setWords(g64(copy + 16));
        long[] row = src == null ? null : binding(src, Integer.toUnsignedLong(g32(copy + 24)));
        String why = range(g64(copy + 16), Integer.toUnsignedLong(g32(copy + 24)),
                Integer.toUnsignedLong(g32(copy + 28)), count, -1);
        return why != null ? "source: " + why : row == null ? "source: no such binding"
                : (why = range(g64(copy + 32), Integer.toUnsignedLong(g32(copy + 40)),
                        Integer.toUnsignedLong(g32(copy + 44)), count, row[1] == MUTABLE ? -1 : row[1])) != null
                        ? "destination: " + why : null;
    }

    /** A compute pipeline made with layout, its stage using the sets usedSets (may repeat, any order). */
    void pipelineCreated(long pipeline, long layout, int[] usedSets) {
        pipelineCreated(pipeline, COMPUTE, layout, usedSets, -1, false, false);
    }

    /**
     * A pipeline made at point with layout, its stages using the sets usedSets (may repeat, any order); topology,
     * dynamicTopology and dynamicPatchPoints as in {@link Pipeline}.
     */
    void pipelineCreated(long pipeline, int point, long layout, int[] usedSets, int topology,
            boolean dynamicTopology, boolean dynamicPatchPoints) {
        PipelineLayout l = pipelineLayout(layout);
        objects.attach(PIPELINE, pipeline, new Pipeline(point, l == null ? new int[0] : l.shapes,
                Arrays.stream(usedSets).distinct().sorted().toArray(), topology, dynamicTopology, dynamicPatchPoints));
    }

    /**
     * vkCmdSetPatchControlPointsEXT: why the count is refused (not 1 to max, maxTessellationPatchSize:
     * VUID-vkCmdSetPatchControlPointsEXT-patchControlPoints-04874), or null; a draw with a pipeline of a dynamic count
     * needs it set (see {@link #ready}).
     */
    String setPatchPoints(long commandBuffer, int points, long max) {
        if (points < 1 || points > max) {
            return Integer.toUnsignedString(points) + " control points per patch, the device's maxTessellationPatchSize "
                    + max;
        }
        RenderAreas.Recording r = areas.recording(commandBuffer);
        synchronized (r) {
            r.bound.patchPoints = points;
        }
        return null;
    }

    /**
     * vkCmdSetPrimitiveTopology: why the topology is refused (not a VkPrimitiveTopology), or null; a draw checks it
     * against the pipeline's (see {@link #ready}).
     */
    String setTopology(long commandBuffer, int topology) {
        if (topology < 0 || topology > TOPOLOGY_PATCH_LIST) {
            return "topology " + topology;
        }
        RenderAreas.Recording r = areas.recording(commandBuffer);
        synchronized (r) {
            r.bound.topology = topology;
        }
        return null;
    }

    /** vkCmdBindPipeline: why it is refused (an unknown pipeline, or one of another bind point), or null. */
    String bindPipeline(long commandBuffer, int point, long pipeline) {
        Pipeline p = objects.attached(PIPELINE, pipeline) instanceof Pipeline x ? x : null;
        if (p == null || p.point != point) {
            return p == null ? "an unknown pipeline" : "a pipeline of bind point " + p.point + " bound at " + point;
        }
        RenderAreas.Recording r = areas.recording(commandBuffer);
        synchronized (r) {
            r.bound.pipeline[point] = p;
            if (point == GRAPHICS && !p.dynamicTopology) {
                r.bound.topology = -1; // a static topology makes the dynamic one undefined
            }
            if (point == GRAPHICS && !p.dynamicPatchPoints) {
                r.bound.patchPoints = -1; // so does a static patch control point count
            }
        }
        return null;
    }

    /**
     * vkCmdBindDescriptorSets (the layout's set count was checked to hold firstSet + count): why not, or null. Each
     * set must exist and have the shape of the layout's set layout at its number.
     */
    String bindSets(long commandBuffer, int point, long layout, int firstSet, int count, long pSets) {
        if (point != GRAPHICS && point != COMPUTE) {
            return "bind point " + point;
        }
        PipelineLayout l = pipelineLayout(layout);
        if (l == null) {
            return "an unknown pipeline layout";
        }
        int[] bound = new int[Math.max(0, count)];
        for (int i = 0; i < bound.length; i++) {
            int n = firstSet + i;
            long set = pSets == 0 ? 0 : g64(pSets + 8L * i);
            int shape = set == 0 ? 0 : setShape(set);
            if (shape == 0 || n < 0 || n >= l.shapes.length || shape != l.shapes[n]) {
                return set == 0 ? "set " + n + " is VK_NULL_HANDLE"
                        : "set " + n + " was allocated with a layout unlike the pipeline layout's set " + n;
            }
            bound[i] = shape;
        }
        RenderAreas.Recording r = areas.recording(commandBuffer);
        synchronized (r) {
            System.arraycopy(bound, 0, boundSets(r, point, firstSet + bound.length), firstSet, bound.length);
        }
        return null;
    }

    /**
     * A draw (point GRAPHICS) or dispatch (COMPUTE): why the bound pipeline cannot run with the bound sets (none bound,
     * or a set it uses unbound or of another shape than its layout's) or, for a pipeline of dynamic topology, with the
     * topology set (none, or a patch list for a pipeline made with another topology or the reverse: lavapipe's draw
     * died with SIGFPE, {@code vkhostile draw 1 topodyn}; without dynamicPrimitiveTopologyUnrestricted, which is not
     * offered, the two must be of one class, VUID-vkCmdDraw-dynamicPrimitiveTopologyUnrestricted-07500) and, for a
     * pipeline of dynamic patch control points, with a count set (VUID-vkCmdDraw-None-04875), or null.
     */
    String ready(long commandBuffer, int point) {
        RenderAreas.Recording r = areas.recording(commandBuffer);
        synchronized (r) {
            Pipeline p = r.bound.pipeline[point];
            if (p == null) {
                return "no pipeline bound";
            }
            if (point == GRAPHICS && p.dynamicTopology && (r.bound.topology < 0
                    || (r.bound.topology == TOPOLOGY_PATCH_LIST) != (p.topology == TOPOLOGY_PATCH_LIST))) {
                return r.bound.topology < 0 ? "the pipeline's dynamic topology is not set"
                        : "topology " + r.bound.topology + " with a pipeline made for topology " + p.topology;
            }
            if (point == GRAPHICS && p.dynamicPatchPoints && r.bound.patchPoints < 0) {
                // lavapipe's draw divides by the count: left unset, it died with SIGFPE (vkhostile draw 1 tessdyn)
                return "the pipeline's dynamic patch control point count is not set";
            }
            int[] sets = r.bound.sets[point];
            for (int n : p.usedSets) {
                int want = n < p.shapes.length ? p.shapes[n] : -1;
                int have = n < sets.length ? sets[n] : 0;
                if (have == 0 || have != want) {
                    return have == 0 ? "the pipeline uses set " + n + ", which is not bound"
                            : "the set bound at " + n + " is laid out unlike the pipeline layout's";
                }
            }
            return null;
        }
    }

    /** vkCmdExecuteCommands: the primary's bound state is undefined after it. */
    void executed(long primary) {
        RenderAreas.Recording r = areas.recording(primary);
        synchronized (r) {
            r.bound.clear();
        }
    }
}
