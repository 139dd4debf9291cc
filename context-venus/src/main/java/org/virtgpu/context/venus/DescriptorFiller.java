package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.g64;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import java.util.HashMap;
import java.util.Map;
import org.virtgpu.context.venus.gen.VnHooks;
import org.virtgpu.context.venus.wire.VnCtx;

/**
 * Gives every sampler, image and texel buffer descriptor of a freshly allocated descriptor set a valid value before
 * the client can use it. lavapipe keeps such descriptors as function tables that start out zeroed: a dispatch
 * sampling a combined image sampler the client never wrote called through a null pointer in the compute worker and
 * killed the server's JVM ({@code vkhostile sampler 1 unset}; buffer descriptors left unwritten read nothing, the
 * driver's buffer access being robust). Vulkan makes such use invalid, and whether a descriptor is written by the
 * time a draw runs can change after the draw is recorded (update-after-bind), so instead of tracking it the server
 * writes each such descriptor once at allocation: a 1x1 R8G8B8A8_UNORM image (sampled, storage and input
 * attachment usage) in the GENERAL layout, a nearest sampler, an R32_UINT view of a 256-byte texel buffer. The
 * client's own writes then replace them; a write the server refuses leaves them. Push descriptor sets get the same
 * (and the buffer for buffer descriptors) before a client's push where lavapipe would start from another set's bytes
 * ({@link #push}).
 *
 * <p>These objects are the server's: made on the device at its first such allocation with the host's entry points
 * directly (no client handle names them), and destroyed after the device's other children when the device goes.
 * Bindings with immutable samplers keep them; variable-count bindings (offered only with
 * {@code -Dvirtgpu.venus.bindlessDescriptors=true}) and inline uniform blocks are not filled. The image is never
 * transitioned out of VK_IMAGE_LAYOUT_UNDEFINED: lavapipe has no layouts, and on a driver with them a shader that
 * reads an unwritten descriptor gets undefined values, not a fault.
 */
final class DescriptorFiller {
    static final int SAMPLER = 0, COMBINED_IMAGE_SAMPLER = 1, SAMPLED_IMAGE = 2, STORAGE_IMAGE = 3;
    static final int UNIFORM_TEXEL_BUFFER = 4, STORAGE_TEXEL_BUFFER = 5, INPUT_ATTACHMENT = 10;
    /** descriptors per VkWriteDescriptorSet (they all point at the same objects, so one info array serves all) */
    static final int CHUNK = 4096;
    private static final int FORMAT_R8G8B8A8_UNORM = 37, FORMAT_R32_UINT = 98, LAYOUT_GENERAL = 1;
    /** the placeholder buffer's size (texel buffer view and buffer descriptors) */
    static final long PLACEHOLDER_BUFFER_BYTES = 256;
    private static final VnHooks HOST = new VnHooks() {
    };

    /** The server's own objects on one device. */
    private record Dummies(long image, long imageMemory, long view, long sampler, long buffer, long bufferMemory,
            long texelView) {
    }

    /** device -> its objects; a device whose objects could not be made maps to NONE */
    private final Map<Long, Dummies> byDevice = new HashMap<>();
    private static final Dummies NONE = new Dummies(0, 0, 0, 0, 0, 0, 0);

    /**
     * Whether the binding whose row starts at words[i] (number, type, count, flags, immutable samplers) gets values
     * from the server: a sampler, image or texel buffer type (samplers only without immutable ones), a count, and no
     * variable count (see the class comment).
     */
    static boolean filled(long[] words, int i) {
        long type = words[i + 1];
        boolean kind = type == SAMPLER ? words[i + 4] == 0 : type == COMBINED_IMAGE_SAMPLER || type == SAMPLED_IMAGE
                || type == STORAGE_IMAGE || type == UNIFORM_TEXEL_BUFFER || type == STORAGE_TEXEL_BUFFER
                || type == INPUT_ATTACHMENT;
        return kind && words[i + 2] > 0 && (words[i + 3] & DescriptorShapes.BINDING_VARIABLE_DESCRIPTOR_COUNT) == 0;
    }

    /**
     * Writes the server's objects into every descriptor of set (host handle, on device) that needs one; words are
     * the shape words of its layout ({@link DescriptorShapes#shapeOf}: flags, then per binding number, type, count,
     * flags, immutable samplers).
     */
    void fill(VnCtx c, long device, long set, long[] words) throws Throwable {
        long most = 0; // the largest binding filled, at most CHUNK
        for (int i = 1; i + 4 < words.length; i += 5) {
            if (filled(words, i)) {
                most = Math.min(CHUNK, Math.max(most, words[i + 2]));
            }
        }
        Infos infos = most == 0 ? null : infos(c, device, most);
        for (int i = 1; i + 4 < words.length && infos != null; i += 5) {
            if (!filled(words, i)) {
                continue;
            }
            for (long first = 0; first < words[i + 2]; first += CHUNK) {
                long w = c.alloc(1, 64); // VkWriteDescriptorSet
                write(w, words, i, first, Math.min(CHUNK, words[i + 2] - first), infos);
                p64(w + 16, set);
                HOST.vkUpdateDescriptorSets(c, device, 1, w, 0, 0);
            }
        }
    }

    static final int UNIFORM_BUFFER = 6, STORAGE_BUFFER = 7;

    /**
     * Before a client's vkCmdPushDescriptorSetKHR to point's set of layout on commandBuffer (see
     * VenusExecutor#vkCmdPushDescriptorSetKHR): one push of the server's that writes every descriptor of the push
     * descriptor set layout whose shape words are words, buffers included (a pushed set starts as a copy of whatever
     * set was bound at its number, so unlike an allocated set's its buffer descriptors may hold another layout's
     * bytes), samplers only where the binding has no immutable ones. Push descriptor layouts hold at most
     * maxPushDescriptors descriptors, of the types this writes (DescriptorShapes#pushLayoutRefused).
     */
    void push(VnCtx c, long device, long commandBuffer, int point, long layout, int set, long[] words)
            throws Throwable {
        long most = 0, writes = 0;
        for (int i = 1; i + 4 < words.length; i += 5) {
            if (pushed(words, i)) {
                most = Math.max(most, words[i + 2]);
                writes++;
            }
        }
        Infos infos = writes == 0 ? null : infos(c, device, most);
        if (infos == null) {
            return;
        }
        long w = c.alloc(writes, 64); // VkWriteDescriptorSet, dstSet ignored
        long at = w;
        for (int i = 1; i + 4 < words.length; i += 5) {
            if (pushed(words, i)) {
                write(at, words, i, 0, words[i + 2], infos);
                at += 64;
            }
        }
        HOST.vkCmdPushDescriptorSetKHR(c, commandBuffer, point, layout, set, (int) writes, w);
    }

    /** Whether {@link #push} writes the binding whose row starts at words[i]: {@link #filled}, or a buffer. */
    private static boolean pushed(long[] words, int i) {
        return filled(words, i) || (words[i + 1] == UNIFORM_BUFFER || words[i + 1] == STORAGE_BUFFER)
                && words[i + 2] > 0;
    }

    /** Arrays of n descriptor infos, each naming the device's placeholder of its kind. */
    private record Infos(long image, long texel, long buffer) {
    }

    /** The device's placeholders as arrays of n infos of each kind; null when the device has none. */
    private Infos infos(VnCtx c, long device, long n) throws Throwable {
        Dummies d = dummies(c, device);
        if (d == NONE) {
            return null;
        }
        long image = c.alloc(n, 24); // VkDescriptorImageInfo: sampler @0, imageView @8, imageLayout @16
        long texel = c.alloc(n, 8);
        long buffer = c.alloc(n, 24); // VkDescriptorBufferInfo: buffer @0, offset @8, range @16
        for (int k = 0; k < n; k++) {
            p64(image + 24L * k, d.sampler);
            p64(image + 24L * k + 8, d.view);
            p32(image + 24L * k + 16, LAYOUT_GENERAL);
            p64(texel + 8L * k, d.texelView);
            p64(buffer + 24L * k, d.buffer);
            p64(buffer + 24L * k + 16, PLACEHOLDER_BUFFER_BYTES);
        }
        return new Infos(image, texel, buffer);
    }

    /**
     * The VkWriteDescriptorSet at w (zeroed; dstSet left to the caller) of count placeholders from element first of
     * the binding whose row starts at words[i].
     */
    private static void write(long w, long[] words, int i, long first, long count, Infos infos) {
        long type = words[i + 1];
        p32(w, 35);
        p32(w + 24, (int) words[i]);
        p32(w + 28, (int) first);
        p32(w + 32, (int) count);
        p32(w + 36, (int) type);
        if (type == UNIFORM_TEXEL_BUFFER || type == STORAGE_TEXEL_BUFFER) {
            p64(w + 56, infos.texel);
        } else if (type == UNIFORM_BUFFER || type == STORAGE_BUFFER) {
            p64(w + 48, infos.buffer);
        } else {
            p64(w + 40, infos.image);
        }
    }

    /** The device's objects, made on first use; NONE when the host refused one (logged once per device). */
    private synchronized Dummies dummies(VnCtx c, long device) throws Throwable {
        Dummies d = byDevice.get(device);
        if (d != null) {
            return d;
        }
        long[] made = new long[7];
        String failed = make(c, device, made);
        d = new Dummies(made[0], made[1], made[2], made[3], made[4], made[5], made[6]);
        if (failed != null) {
            destroy(c, device, d); // what was made before the refusal
            VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: the device's placeholder descriptors could not "
                    + "be made (" + failed + "): descriptors a client leaves unwritten stay so");
            d = NONE;
        }
        byDevice.put(device, d);
        return d;
    }

    /**
     * Makes the objects into made (image, its memory, view, sampler, buffer, its memory, texel view; the scratch
     * memory of c comes zeroed); why not.
     */
    private static String make(VnCtx c, long device, long[] made) throws Throwable {
        long out = c.alloc(1, 8);
        long info = c.alloc(1, 88); // VkImageCreateInfo
        p32(info, 14);
        p32(info + 20, Images.TYPE_2D);
        p32(info + 24, FORMAT_R8G8B8A8_UNORM);
        p32(info + 28, 1);
        p32(info + 32, 1);
        p32(info + 36, 1);
        p32(info + 40, 1);
        p32(info + 44, 1);
        p32(info + 48, 1);
        p32(info + 56, 0x4 | 0x8 | 0x10 | 0x80); // sampled, storage, color attachment, input attachment
        if (HOST.vkCreateImage(c, device, info, 0, out) != 0) {
            return "vkCreateImage";
        }
        made[0] = g64(out);
        long reqs = c.alloc(1, 24); // VkMemoryRequirements: size @0, memoryTypeBits @16
        HOST.vkGetImageMemoryRequirements(c, device, made[0], reqs);
        if ((made[1] = memory(c, device, reqs)) == 0 || HOST.vkBindImageMemory(c, device, made[0], made[1], 0) != 0) {
            return "the image's memory";
        }
        long view = c.alloc(1, 80); // VkImageViewCreateInfo
        p32(view, 15);
        p64(view + 24, made[0]);
        p32(view + 32, Images.VIEW_2D);
        p32(view + 36, FORMAT_R8G8B8A8_UNORM);
        p32(view + 56, 1); // color aspect, level 0 (1), layer 0 (1)
        p32(view + 64, 1);
        p32(view + 72, 1);
        if (HOST.vkCreateImageView(c, device, view, 0, out) != 0) {
            return "vkCreateImageView";
        }
        made[2] = g64(out);
        long sampler = c.alloc(1, 80); // VkSamplerCreateInfo: nearest, repeat, no anisotropy
        p32(sampler, 31);
        if (HOST.vkCreateSampler(c, device, sampler, 0, out) != 0) {
            return "vkCreateSampler";
        }
        made[3] = g64(out);
        long buffer = c.alloc(1, 56); // VkBufferCreateInfo: size @24, usage @32
        p32(buffer, 12);
        p64(buffer + 24, PLACEHOLDER_BUFFER_BYTES);
        p32(buffer + 32, 0x4 | 0x8 | 0x10 | 0x20); // uniform and storage texel, uniform and storage
        if (HOST.vkCreateBuffer(c, device, buffer, 0, out) != 0) {
            return "vkCreateBuffer";
        }
        made[4] = g64(out);
        HOST.vkGetBufferMemoryRequirements(c, device, made[4], reqs);
        if ((made[5] = memory(c, device, reqs)) == 0
                || HOST.vkBindBufferMemory(c, device, made[4], made[5], 0) != 0) {
            return "the buffer's memory";
        }
        long texel = c.alloc(1, 56); // VkBufferViewCreateInfo: buffer @24, format @32, offset @40, range @48
        p32(texel, 13);
        p64(texel + 24, made[4]);
        p32(texel + 32, FORMAT_R32_UINT);
        p64(texel + 48, -1L); // VK_WHOLE_SIZE
        if (HOST.vkCreateBufferView(c, device, texel, 0, out) != 0) {
            return "vkCreateBufferView";
        }
        made[6] = g64(out);
        return null;
    }

    /** Memory of the first type requirements allow, 0 when none could be had. */
    private static long memory(VnCtx c, long device, long reqs) throws Throwable {
        int bits = g32(reqs + 16);
        if (bits == 0) {
            return 0;
        }
        long info = c.alloc(1, 32); // VkMemoryAllocateInfo: allocationSize @16, memoryTypeIndex @24
        p32(info, 5);
        p64(info + 16, g64(reqs));
        p32(info + 24, Integer.numberOfTrailingZeros(bits));
        long out = c.alloc(1, 8);
        return HOST.vkAllocateMemory(c, device, info, 0, out) == 0 ? g64(out) : 0;
    }

    /** The device is going (idle, its other children destroyed): destroys its objects. */
    void deviceDestroyed(VnCtx c, long device) {
        Dummies d;
        synchronized (this) {
            d = byDevice.remove(device);
        }
        if (d != null && d != NONE) {
            destroy(c, device, d);
        }
    }

    /** The device is leaked (it may still run work that uses them): its objects stay with it. */
    synchronized void deviceLeaked(long device) {
        byDevice.remove(device);
    }

    /** A host vkDestroy* or vkFreeMemory entry point. */
    @FunctionalInterface
    private interface Destroy {
        void destroy(VnCtx c, long device, long handle, long allocator) throws Throwable;
    }

    private static void destroy(VnCtx c, long device, Dummies d) {
        long[] handles = {d.texelView, d.buffer, d.bufferMemory, d.sampler, d.view, d.image, d.imageMemory};
        Destroy[] destroys = {HOST::vkDestroyBufferView, HOST::vkDestroyBuffer, HOST::vkFreeMemory,
            HOST::vkDestroySampler, HOST::vkDestroyImageView, HOST::vkDestroyImage, HOST::vkFreeMemory};
        for (int i = 0; i < handles.length; i++) {
            try {
                if (handles[i] != 0) {
                    destroys[i].destroy(c, device, handles[i], 0);
                }
            } catch (Throwable t) {
                VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: destroying a placeholder descriptor's object"
                        + " failed: " + t);
            }
        }
    }
}
