package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.g64;

import java.util.Arrays;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

/**
 * The dynamic uniform and storage buffer descriptors of one context's descriptor sets, so that the offsets
 * vkCmdBindDescriptorSets adds to them keep each range inside its buffer. lavapipe adds them unchecked: a compute
 * dispatch writing through a dynamic storage buffer bound 1 GiB past its buffer killed the server's JVM (SIGSEGV in
 * lavapipe's worker, {@code e2e/venus/vkhostile.c} dynoffset; the same run on lavapipe directly). Valid usage keeps
 * offset + dynamic offset + range inside the buffer (VUID-vkCmdBindDescriptorSets-pDynamicOffsets-01979) and gives
 * one offset per dynamic descriptor (-dynamicOffsetCount-00359).
 *
 * <p>A layout with dynamic bindings keeps their binding numbers in order (the order of the offsets: by binding, then
 * array element; {@link DescriptorShapes.SetLayout}); a set of such a layout keeps the buffer, offset and range each
 * dynamic descriptor was last written with (vkUpdateDescriptorSets writes and copies), in the object table with the
 * set, gone with it. Sets of layouts without dynamic bindings cost nothing.
 */
final class DynamicOffsets {
    static final int UNIFORM_BUFFER_DYNAMIC = 8, STORAGE_BUFFER_DYNAMIC = 9;
    private static final int SET = VnInfo.H_VkDescriptorSet;

    /** Dynamic bindings in binding order, the first slot of each, and the number of slots. */
    record Layout(int[] bindings, int[] starts, int total) {
        /** The slot of array element element of binding, or -1. */
        int slot(int binding, long element) {
            int i = Arrays.binarySearch(bindings, binding);
            return i < 0 || element < 0 || element >= total - starts[i] ? -1 : starts[i] + (int) element;
        }
    }

    /** The dynamic descriptors of one set: buffer (0 while unwritten), offset and range per slot, under this lock. */
    static final class Set {
        final Layout layout;
        final long[] buffer, offset, range;

        Set(Layout layout) {
            this.layout = layout;
            buffer = new long[layout.total];
            offset = new long[layout.total];
            range = new long[layout.total];
        }
    }

    private final VnObjects objects;
    private final Bounds bounds;

    DynamicOffsets(VnObjects objects, Bounds bounds) {
        this.objects = objects;
        this.bounds = bounds;
    }

    /** At most this many dynamic descriptors in one layout (beyond any device's limits for the two types). */
    static final long MAX_DYNAMIC = 1 << 16;

    /**
     * Why a VkDescriptorSetLayoutCreateInfo (bindingCount @20, pBindings @24; each binding 24 bytes: binding @0,
     * descriptorType @4, descriptorCount @8) is refused: more dynamic descriptors than {@link #MAX_DYNAMIC}, two
     * dynamic bindings of one number, or a dynamic binding number past 2^31 - 1 (the slots would miss them, and
     * their offsets would go unchecked); null when it is not.
     */
    static String layoutRefused(long info) {
        long[] dynamic = dynamicBindings(info);
        long total = 0;
        for (int i = 0; i < dynamic.length; i++) {
            total += dynamic[i] & 0xFFFF_FFFFL;
            if (i > 0 && (dynamic[i] >>> 32) == (dynamic[i - 1] >>> 32)) {
                return "binding " + (dynamic[i] >>> 32) + " twice";
            }
            if ((dynamic[i] >>> 32) > Integer.MAX_VALUE) {
                return "binding " + (dynamic[i] >>> 32);
            }
        }
        return total > MAX_DYNAMIC ? total + " dynamic descriptors" : null;
    }

    /** The layout's dynamic bindings, binding << 32 | count, sorted by binding. */
    private static long[] dynamicBindings(long info) {
        int n = g32(info + 20);
        long bindings = g64(info + 24);
        long[] dynamic = new long[bindings == 0 ? 0 : Math.max(0, n)];
        int found = 0;
        for (int i = 0; i < dynamic.length; i++) {
            long b = bindings + 24L * i;
            int type = g32(b + 4);
            if ((type == UNIFORM_BUFFER_DYNAMIC || type == STORAGE_BUFFER_DYNAMIC) && g32(b + 8) != 0) {
                dynamic[found++] = Integer.toUnsignedLong(g32(b)) << 32 | Integer.toUnsignedLong(g32(b + 8));
            }
        }
        long[] sorted = Arrays.copyOf(dynamic, found);
        Arrays.sort(sorted);
        return sorted;
    }

    /** The dynamic bindings of a layout {@link #layoutRefused} accepted, or null when it has none. */
    static Layout layoutOf(long info) {
        long[] sorted = dynamicBindings(info);
        int found = sorted.length;
        if (found == 0) {
            return null;
        }
        int[] numbers = new int[found], starts = new int[found];
        long total = 0;
        for (int i = 0; i < found; i++) {
            numbers[i] = (int) (sorted[i] >>> 32);
            starts[i] = (int) total;
            total += sorted[i] & 0xFFFF_FFFFL;
        }
        return new Layout(numbers, starts, (int) total);
    }

    private Set set(long set) {
        return objects.attached(SET, set) instanceof Set s ? s : null;
    }

    /**
     * After vkUpdateDescriptorSets: each VkWriteDescriptorSet (64 bytes: dstSet @16, dstBinding @24,
     * dstArrayElement @28, descriptorCount @32, descriptorType @36, pBufferInfo @48) of a dynamic type, then each
     * VkCopyDescriptorSet (56 bytes: srcSet @16, srcBinding @24, srcArrayElement @28, dstSet @32, dstBinding @40,
     * dstArrayElement @44, descriptorCount @48). A write past its binding goes on into the next dynamic binding, as
     * consecutive binding updates do.
     */
    void updated(int writeCount, long writes, int copyCount, long copies) {
        for (int i = 0; i < writeCount && writes != 0; i++) {
            long w = writes + 64L * i;
            int type = g32(w + 36);
            Set s = type == UNIFORM_BUFFER_DYNAMIC || type == STORAGE_BUFFER_DYNAMIC ? set(g64(w + 16)) : null;
            long infos = g64(w + 48);
            if (s == null || infos == 0) {
                continue;
            }
            int first = s.layout.slot(g32(w + 24), Integer.toUnsignedLong(g32(w + 28)));
            synchronized (s) {
                for (long j = 0; first >= 0 && j < Integer.toUnsignedLong(g32(w + 32)) && first + j < s.layout.total;
                        j++) {
                    long info = infos + 24 * j; // VkDescriptorBufferInfo: buffer @0, offset @8, range @16
                    int k = first + (int) j;
                    s.buffer[k] = g64(info);
                    s.offset[k] = g64(info + 8);
                    s.range[k] = g64(info + 16);
                }
            }
        }
        for (int i = 0; i < copyCount && copies != 0; i++) {
            long c = copies + 56L * i;
            Set from = set(g64(c + 16)), to = set(g64(c + 32));
            if (from == null || to == null) {
                continue;
            }
            int src = from.layout.slot(g32(c + 24), Integer.toUnsignedLong(g32(c + 28)));
            int dst = to.layout.slot(g32(c + 40), Integer.toUnsignedLong(g32(c + 44)));
            long n = Integer.toUnsignedLong(g32(c + 48));
            for (long j = 0; src >= 0 && dst >= 0 && j < n && src + j < from.layout.total && dst + j < to.layout.total;
                    j++) {
                long b, o, r;
                synchronized (from) {
                    b = from.buffer[src + (int) j];
                    o = from.offset[src + (int) j];
                    r = from.range[src + (int) j];
                }
                synchronized (to) {
                    to.buffer[dst + (int) j] = b;
                    to.offset[dst + (int) j] = o;
                    to.range[dst + (int) j] = r;
                }
            }
        }
    }

    /**
     * vkCmdBindDescriptorSets: the dynamic offsets (dynamicOffsetCount of them at pDynamicOffsets, uint32 each) are
     * taken by the sets in order, each set's slots in binding order; each written slot's offset + dynamic offset +
     * range must lie in its buffer (a range of VK_WHOLE_SIZE reaches the buffer's end from the written offset, so it
     * takes no dynamic offset but 0). Why not, or null.
     */
    String bind(int setCount, long pSets, int dynamicOffsetCount, long pDynamicOffsets) {
        long used = 0;
        for (int i = 0; i < setCount && pSets != 0; i++) {
            Set s = set(g64(pSets + 8L * i));
            if (s == null) {
                continue;
            }
            synchronized (s) {
                for (int k = 0; k < s.layout.total; k++, used++) {
                    if (used >= Integer.toUnsignedLong(dynamicOffsetCount) || pDynamicOffsets == 0) {
                        return "set " + i + " needs more than the " + Integer.toUnsignedString(dynamicOffsetCount)
                                + " dynamic offsets given";
                    }
                    long dyn = Integer.toUnsignedLong(g32(pDynamicOffsets + 4 * used));
                    long buffer = s.buffer[k];
                    if (buffer == 0) {
                        continue; // never written: lavapipe has no buffer to offset
                    }
                    long size = bounds.boundSize(buffer);
                    long range = s.range[k] == Bounds.WHOLE_SIZE ? size - s.offset[k] : s.range[k];
                    if (size < 0 || !bounds.range(buffer, s.offset[k] + dyn, range)) {
                        return "set " + i + "'s dynamic descriptor " + k + ": offset " + s.offset[k] + " + " + dyn
                                + " and range " + range + " leave its buffer";
                    }
                }
            }
        }
        return null;
    }
}
