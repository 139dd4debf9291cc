package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.g64;

import org.virtgpu.context.venus.gen.VnFormats;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnMem;
import org.virtgpu.context.venus.wire.VnObjects;

/**
 * What a render pass instance may write: the sizes of image views, framebuffers and render areas, so that rendering
 * never reaches past its attachments. lavapipe trusts them: a render pass clearing a 4096x4096 framebuffer whose
 * attachment is a 16x16 image, and vkCmdClearAttachments of a rectangle past a 16x16 framebuffer, each killed the
 * server's JVM ({@code e2e/venus/vkhostile.c}, framebuffer and clearatt). Valid usage keeps them inside
 * (VUID-VkFramebufferCreateInfo-flags-04533, VUID-VkRenderPassBeginInfo-pNext-02852, VUID-VkRenderingInfo-pNext-06079,
 * VUID-vkCmdClearAttachments-pRects-00016 and their siblings).
 *
 * <p>Views, render passes and framebuffers keep their sizes in the object table ({@link VnObjects#attach}); each
 * command buffer keeps the render pass instance it records (its area, layers and the current subpass's color
 * attachment count). A secondary that continues a render pass knows its area only when its inheritance names the
 * framebuffer; otherwise its clears are remembered and checked when a primary executes it. Each check answers why a
 * command is refused, or null.
 */
final class RenderAreas {
    static final int FRAMEBUFFER_IMAGELESS = 0x1;
    static final int USAGE_RENDER_PASS_CONTINUE = 0x2;
    static final int STYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO = 1000053000;
    static final int STYPE_RENDER_PASS_ATTACHMENT_BEGIN_INFO = 1000108003;
    static final int STYPE_INHERITANCE_RENDERING_INFO = 1000044004;
    static final int LEVEL_SECONDARY = 1;
    static final int ATTACHMENT_UNUSED = -1;
    static final int SUBPASS_EXTERNAL = -1;
    static final int LOAD_OP_CLEAR = 1;
    static final int STYPE_DEPTH_STENCIL_RESOLVE = 1000199005;

    /** An image view: the extent of its base level and the layers it spans. */
    record View(long width, long height, long layers, int usage) {
    }

    /**
     * A render pass: color attachments and view mask per subpass, the layers multiview reaches (one past the highest
     * view of any subpass, 0 without multiview), its attachment count and how many clear values a begin must give
     * (one past the last attachment that is cleared).
     */
    record Pass(int[] colorCounts, int[] viewMasks, int views, int attachments, int clearValues) {
    }

    /** A framebuffer: its extent and layers, and its attachments' views (none when imageless). */
    record Framebuffer(long width, long height, long layers, boolean imageless, int views) {
    }

    /** What a command buffer records: its render pass instance and what it has bound; guarded by itself. */
    static final class Recording {
        boolean secondary;
        boolean active;
        boolean areaKnown;
        long x0, y0, x1, y1, layers;
        int colorCount;
        /** the current subpass's view mask (0 without multiview): one query per view */
        int viewMask;
        Pass pass;
        int subpass;
        /** clears recorded while the area was unknown: the box they reach (checked when executed) */
        boolean needs;
        long needX, needY, needLayers;
        /** a refused command left it without the structure it was recorded with: it must not be submitted */
        boolean poisoned;
        /**
         * host handle -> handle type of every object its commands named since it began, see VenusExecutor#staleName
         */
        org.virtgpu.context.venus.wire.LongLongMap names = new org.virtgpu.context.venus.wire.LongLongMap();
        /** the object table's forgotten count when all of names were last known alive */
        long namesChecked = -1;
        /** the pipelines and descriptor sets it has bound ({@link DescriptorShapes}) */
        final DescriptorShapes.Bound bound = new DescriptorShapes.Bound();
        /** the transform feedback bindings it has bound (bit i: binding i), and whether transform feedback is active */
        long feedbackBound;
        boolean feedbackActive;

        /** Clears reaching x, y and layers were recorded while the area was unknown (under this lock). */
        void need(long x, long y, long layers) {
            needs = true;
            needX = Math.max(needX, x);
            needY = Math.max(needY, y);
            needLayers = Math.max(needLayers, layers);
        }
    }

    private static final int VIEW = VnInfo.H_VkImageView;
    private static final int PASS = VnInfo.H_VkRenderPass;
    private static final int FRAMEBUFFER = VnInfo.H_VkFramebuffer;
    private static final int COMMAND_BUFFER = VnInfo.H_VkCommandBuffer;
    private final VnObjects objects;
    /** set once a command buffer of this context was poisoned: until then submits skip {@link #poisoned} */
    private volatile boolean anyPoisoned;

    RenderAreas(VnObjects objects) {
        this.objects = objects;
    }

    void viewCreated(long view, long width, long height, long layers) {
        viewCreated(view, width, height, layers, -1);
    }

    /** An image view of that extent and layers, and usage (its image's, less what VkImageViewUsageCreateInfo drops). */
    void viewCreated(long view, long width, long height, long layers, int usage) {
        objects.attach(VIEW, view, new View(width, height, layers, usage));
    }

    /** The usage of a live image view (-1 when created without one known), or 0 when the view is not known. */
    int viewUsage(long view) {
        View v = view(view);
        return v == null ? 0 : v.usage;
    }

    private View view(long view) {
        return objects.attached(VIEW, view) instanceof View v ? v : null;
    }

    /**
     * Why a VkRenderPassCreateInfo (v2 false) or VkRenderPassCreateInfo2 cannot be made safely (null when it can):
     * each subpass has at most maxColors color attachments (VUID-VkSubpassDescription-colorAttachmentCount-00845),
     * every attachment reference names an attachment of the pass or VK_ATTACHMENT_UNUSED (-attachment-00834), and
     * every dependency names a subpass of it or VK_SUBPASS_EXTERNAL (VUID-VkRenderPassCreateInfo-pDependencies-06866).
     * Mesa's render pass code behind lavapipe indexes its arrays with them.
     */
    static String passRefused(long info, boolean v2, long maxColors) {
        long attachments = Integer.toUnsignedLong(g32(info + 20));
        int n = g32(info + 32);
        long subpasses = g64(info + 40);
        if (n <= 0 || n > 1024 || subpasses == 0) {
            return n + " subpasses";
        }
        for (int i = 0; i < n; i++) {
            long sp = subpasses + (v2 ? 88L : 72L) * i;
            // v1: input count @8, array @16; colors @24, @32; resolves @40; depth @48; preserve count @56, array @64
            // v2: input count @28, array @32; colors @40, @48; resolves @56; depth @64; preserve count @72, array @80
            long colors = Integer.toUnsignedLong(g32(sp + (v2 ? 40 : 24)));
            if (colors > maxColors) {
                return "subpass " + i + " has " + colors + " color attachments, the device " + maxColors;
            }
            String why = refs(g32(sp + (v2 ? 28 : 8)), g64(sp + (v2 ? 32 : 16)), v2, attachments);
            why = why != null ? why : refs((int) colors, g64(sp + (v2 ? 48 : 32)), v2, attachments);
            why = why != null ? why : refs((int) colors, g64(sp + (v2 ? 56 : 40)), v2, attachments);
            why = why != null ? why : refs(1, g64(sp + (v2 ? 64 : 48)), v2, attachments);
            long preserve = g64(sp + (v2 ? 80 : 64));
            for (int k = 0; why == null && k < g32(sp + (v2 ? 72 : 56)) && preserve != 0; k++) {
                why = index(g32(preserve + 4L * k), attachments);
            }
            long resolve = v2 ? VnMem.chained(g64(sp + 8), STYPE_DEPTH_STENCIL_RESOLVE) : 0;
            if (why == null && resolve != 0) {
                why = refs(1, g64(resolve + 24), true, attachments);
            }
            if (why != null) {
                return "subpass " + i + ": " + why;
            }
        }
        long deps = g64(info + 56);
        for (int i = 0; i < g32(info + 48) && deps != 0; i++) {
            long d = deps + (v2 ? 48L : 28L) * i + (v2 ? 16 : 0); // srcSubpass, dstSubpass
            for (int src : new int[] {g32(d), g32(d + 4)}) {
                if (src != SUBPASS_EXTERNAL && Integer.compareUnsigned(src, n) >= 0) {
                    return "dependency " + i + " names subpass " + Integer.toUnsignedString(src) + " of " + n;
                }
            }
        }
        return null;
    }

    /** count VkAttachmentReference(2)s at refs (8 or 32 bytes; attachment @0 or @16) name attachments or UNUSED. */
    private static String refs(int count, long refs, boolean v2, long attachments) {
        for (int k = 0; k < count && refs != 0; k++) {
            String why = index(g32(refs + (v2 ? 32L * k + 16 : 8L * k)), attachments);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    private static String index(int attachment, long attachments) {
        return attachment == ATTACHMENT_UNUSED || Integer.toUnsignedLong(attachment) < attachments ? null
                : "attachment " + Integer.toUnsignedString(attachment) + " of " + attachments;
    }

    /** vkCreateRenderPass (v2 false) or vkCreateRenderPass2 created pass from info ({@link #passRefused} null). */
    void passCreated(long pass, long info, boolean v2) {
        int n = g32(info + 32);
        long subpasses = g64(info + 40);
        int[] colors = new int[Math.max(0, Math.min(n, 1024))];
        int[] masks = new int[colors.length];
        for (int i = 0; i < colors.length && subpasses != 0; i++) {
            long sp = subpasses + (v2 ? 88L : 72L) * i;
            colors[i] = g32(sp + (v2 ? 40 : 24));
            if (v2) {
                masks[i] = g32(sp + 24);
            }
        }
        long multiview = v2 ? 0 : VnMem.chained(g64(info + 8), STYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO);
        long pm = multiview == 0 ? 0 : g64(multiview + 24);
        for (int i = 0; pm != 0 && i < g32(multiview + 16) && i < masks.length; i++) {
            masks[i] = g32(pm + 4L * i);
        }
        int views = 0;
        for (int m : masks) {
            views = Math.max(views, 32 - Integer.numberOfLeadingZeros(m));
        }
        int attachments = g32(info + 20);
        long descs = g64(info + 24);
        int clears = 0;
        for (int i = 0; i < attachments && descs != 0; i++) {
            // format @4 / @20, loadOp @12 / @28 (color and depth), stencilLoadOp @20 / @36 (stencil only)
            long a = descs + (v2 ? 56L : 36L) * i;
            int f = VnFormats.index(g32(a + (v2 ? 20 : 4)));
            boolean stencil = f >= 0 && VnFormats.STENCIL_BYTES[f] != 0;
            boolean colorOrDepth = f < 0 || !stencil || VnFormats.DEPTH_BYTES[f] != 0;
            if ((colorOrDepth && g32(a + (v2 ? 28 : 12)) == LOAD_OP_CLEAR)
                    || (stencil && g32(a + (v2 ? 36 : 20)) == LOAD_OP_CLEAR)) {
                clears = i + 1; // VUID-VkRenderPassBeginInfo-clearValueCount-00902
            }
        }
        objects.attach(PASS, pass, new Pass(colors, masks, views, attachments, clears));
    }

    /** The number of subpasses of a live render pass, -1 when unknown. */
    int subpasses(long pass) {
        Pass p = pass(pass);
        return p == null ? -1 : p.colorCounts.length;
    }

    private Pass pass(long pass) {
        return objects.attached(PASS, pass) instanceof Pass p ? p : null;
    }

    /** Why a view does not cover width x height x layers (null when it does). */
    private String covers(long view, long width, long height, long layers) {
        View v = view(view);
        if (v == null) {
            return "an attachment view is unknown";
        }
        if (v.width < width || v.height < height || v.layers < layers) {
            return "an attachment view of " + v.width + "x" + v.height + "x" + v.layers + " under " + width + "x"
                    + height + "x" + layers;
        }
        return null;
    }

    /**
     * VkFramebufferCreateInfo (renderPass @24, attachmentCount @32, pAttachments @40, width @48, height @52, layers
     * @56): each attachment covers the framebuffer, and the layers of the pass's views.
     */
    String framebufferRefused(long info) {
        Pass p = pass(g64(info + 24));
        long w = Integer.toUnsignedLong(g32(info + 48)), h = Integer.toUnsignedLong(g32(info + 52));
        long layers = Integer.toUnsignedLong(g32(info + 56));
        if (p == null) {
            return "the render pass is unknown";
        }
        if (w == 0 || h == 0 || layers == 0) {
            return "an empty framebuffer";
        }
        if ((g32(info + 16) & FRAMEBUFFER_IMAGELESS) != 0) {
            return null; // the views come with vkCmdBeginRenderPass
        }
        if (g32(info + 32) != p.attachments) {
            return Integer.toUnsignedString(g32(info + 32)) + " attachments for a render pass of " + p.attachments;
        }
        long views = g64(info + 40);
        if (views == 0 && g32(info + 32) != 0) {
            // pAttachments is noautovalidity (imageless framebuffers leave it out), so the decoder lets it be NULL;
            // lavapipe read the views from address 0 (vkhostile pipeline fbnull, session 13)
            return Integer.toUnsignedString(g32(info + 32)) + " attachments without their array";
        }
        for (int i = 0; i < g32(info + 32) && views != 0; i++) {
            String why = covers(g64(views + 8L * i), w, h, Math.max(layers, p.views));
            if (why != null) {
                return "attachment " + i + ": " + why;
            }
        }
        return null;
    }

    void framebufferCreated(long fb, long info) {
        Pass p = pass(g64(info + 24));
        objects.attach(FRAMEBUFFER, fb, new Framebuffer(Integer.toUnsignedLong(g32(info + 48)),
                Integer.toUnsignedLong(g32(info + 52)), Integer.toUnsignedLong(g32(info + 56)),
                (g32(info + 16) & FRAMEBUFFER_IMAGELESS) != 0, p == null ? 0 : p.views));
    }

    private Framebuffer framebuffer(long fb) {
        return objects.attached(FRAMEBUFFER, fb) instanceof Framebuffer f ? f : null;
    }

    /** vkAllocateCommandBuffers: level 1 is secondary. */
    void allocated(long commandBuffer, int level) {
        Recording r = new Recording();
        r.secondary = level == LEVEL_SECONDARY;
        objects.attach(COMMAND_BUFFER, commandBuffer, r);
    }

    Recording recording(long commandBuffer) {
        if (objects.attached(COMMAND_BUFFER, commandBuffer) instanceof Recording r) {
            return r;
        }
        Recording r = new Recording(); // allocated before this class knew (not expected): a primary
        objects.attach(COMMAND_BUFFER, commandBuffer, r);
        return r;
    }

    /**
     * vkBeginCommandBuffer's VkCommandBufferBeginInfo (flags @16, pInheritanceInfo @24): recording starts over; a
     * secondary that continues a render pass takes the inherited pass, subpass and, when named, framebuffer. Why the
     * inherited subpass is not one of the pass (Mesa's render pass code indexes the pass's subpasses with it when
     * the host begins), or null.
     */
    String begin(long commandBuffer, long beginInfo) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            r.active = false;
            r.areaKnown = false;
            r.poisoned = false;
            r.names = new org.virtgpu.context.venus.wire.LongLongMap();
            r.namesChecked = -1;
            r.bound.clear();
            r.feedbackBound = 0;
            r.feedbackActive = false;
            r.needs = false;
            r.needX = r.needY = r.needLayers = 0;
            r.pass = null;
            long inh = beginInfo == 0 ? 0 : g64(beginInfo + 24);
            if (r.secondary && inh == 0) {
                // pInheritanceInfo is noautovalidity (primaries ignore it), so the decoder lets it be NULL, and a
                // secondary's begin reads it (VUID-vkBeginCommandBuffer-commandBuffer-00051)
                return "a secondary command buffer begun without inheritance info";
            }
            if (!r.secondary || (g32(beginInfo + 16) & USAGE_RENDER_PASS_CONTINUE) == 0) {
                return null;
            }
            r.pass = pass(g64(inh + 16));
            r.subpass = g32(inh + 24);
            if (g64(inh + 16) != 0 && (r.pass == null || r.subpass < 0 || r.subpass >= r.pass.colorCounts.length)) {
                String why = "inherited subpass " + Integer.toUnsignedString(r.subpass) + " of "
                        + (r.pass == null ? "an unknown render pass" : r.pass.colorCounts.length);
                r.pass = null;
                return why;
            }
            r.active = true;
            r.colorCount = colorCount(r.pass, r.subpass);
            r.viewMask = viewMask(r.pass, r.subpass);
            long rendering = VnMem.chained(g64(inh + 8), STYPE_INHERITANCE_RENDERING_INFO);
            if (rendering != 0) { // viewMask @20, colorAttachmentCount @24
                r.colorCount = g32(rendering + 24);
                r.viewMask = g32(rendering + 20);
            }
            Framebuffer f = framebuffer(g64(inh + 32));
            if (f != null) {
                r.areaKnown = true;
                r.x0 = r.y0 = 0;
                r.x1 = f.width;
                r.y1 = f.height;
                r.layers = Math.max(f.layers, f.views);
            }
            return null;
        }
    }

    private static int viewMask(Pass p, int subpass) {
        return p != null && subpass >= 0 && subpass < p.viewMasks.length ? p.viewMasks[subpass] : 0;
    }

    private static int colorCount(Pass p, int subpass) {
        return p != null && subpass >= 0 && subpass < p.colorCounts.length ? p.colorCounts[subpass] : 0;
    }

    /** Why a render area (offset x, y; extent w, h) is not inside width x height, or null. */
    private static String areaInside(long x, long y, long w, long h, long width, long height) {
        if (x < 0 || y < 0 || x > width || y > height || w > width - x || h > height - y) {
            return "render area " + x + "," + y + " + " + w + "x" + h + " leaves " + width + "x" + height;
        }
        return null;
    }

    /**
     * vkCmdBeginRenderPass(2)'s VkRenderPassBeginInfo (pNext @8, renderPass @16, framebuffer @24, renderArea @32):
     * the area lies in the framebuffer, and an imageless framebuffer's views (VkRenderPassAttachmentBeginInfo) cover
     * it.
     */
    String beginRenderPass(long commandBuffer, long info) {
        Framebuffer f = framebuffer(g64(info + 24));
        Pass p = pass(g64(info + 16));
        if (f == null || p == null) {
            return "the framebuffer or render pass is unknown";
        }
        long x = g32(info + 32), y = g32(info + 36);
        long w = Integer.toUnsignedLong(g32(info + 40)), h = Integer.toUnsignedLong(g32(info + 44));
        String why = areaInside(x, y, w, h, f.width, f.height);
        if (why != null) {
            return why;
        }
        if (Integer.compareUnsigned(g32(info + 48), p.clearValues) < 0 || (p.clearValues > 0 && g64(info + 56) == 0)) {
            return Integer.toUnsignedString(g32(info + 48)) + " clear values for a render pass that clears "
                    + p.clearValues;
        }
        long layers = Math.max(f.layers, p.views);
        if (f.imageless) {
            long found = VnMem.chained(g64(info + 8), STYPE_RENDER_PASS_ATTACHMENT_BEGIN_INFO);
            if (found == 0 || g32(found + 16) != p.attachments) {
                return "an imageless framebuffer without its " + p.attachments + " attachments";
            }
            long views = g64(found + 24);
            for (int i = 0; i < g32(found + 16) && views != 0; i++) {
                why = covers(g64(views + 8L * i), f.width, f.height, layers);
                if (why != null) {
                    return "attachment " + i + ": " + why;
                }
            }
        }
        start(commandBuffer, x, y, w, h, layers, p, colorCount(p, 0), viewMask(p, 0));
        return null;
    }

    private void start(long commandBuffer, long x, long y, long w, long h, long layers, Pass p, int colors,
            int viewMask) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            r.active = true;
            r.viewMask = viewMask;
            r.areaKnown = true;
            r.x0 = x;
            r.y0 = y;
            r.x1 = x + w;
            r.y1 = y + h;
            r.layers = layers;
            r.pass = p;
            r.subpass = 0;
            r.colorCount = colors;
        }
    }

    /**
     * The queries one query command takes in commandBuffer now: one per view of the current subpass's (or
     * vkCmdBeginRendering's) view mask in a multiview render pass instance, else 1.
     */
    int views(long commandBuffer) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            return r.active ? Math.max(1, Integer.bitCount(r.viewMask)) : 1;
        }
    }

    /** vkCmdNextSubpass(2): why not (past the pass's last subpass, or no render pass instance), or null. */
    String nextSubpass(long commandBuffer) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            if (!r.active || r.pass == null || r.subpass + 1 >= r.pass.colorCounts.length) {
                return "no next subpass";
            }
            r.subpass++;
            r.colorCount = colorCount(r.pass, r.subpass);
            r.viewMask = viewMask(r.pass, r.subpass);
            return null;
        }
    }

    void end(long commandBuffer) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            r.active = false;
            r.areaKnown = false;
        }
    }

    /** vkCmdBindTransformFeedbackBuffersEXT of bindings [first, first + count), within the device's 64 at most. */
    void feedbackBound(long commandBuffer, int first, int count) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            for (int i = first; i < first + count && i < 64; i++) {
                r.feedbackBound |= 1L << i;
            }
        }
    }

    /**
     * vkCmdBeginTransformFeedbackEXT: transform feedback must not be active (VUID-vkCmdBeginTransformFeedbackEXT-
     * None-02367); it is from now on. Why not, or null.
     */
    String feedbackBegin(long commandBuffer) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            if (r.feedbackActive) {
                return "transform feedback is already active";
            }
            r.feedbackActive = true;
            return null;
        }
    }

    /**
     * vkCmdEndTransformFeedbackEXT: transform feedback must be active (VUID-vkCmdEndTransformFeedbackEXT-None-02375),
     * and each counter buffer named (pBuffers, count of them; NULL elements skipped) must have its transform feedback
     * buffer bound in this command buffer: lavapipe writes counter i from its stream output target i, and with nothing
     * bound there it read through a null target (an end alone, {@code vkhostile xfb endonly}: SIGSEGV). Checked at
     * both i and first + i (the spec's pairing). It is no longer active. Why not, or null.
     */
    String feedbackEnd(long commandBuffer, int first, int count, long pBuffers) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            if (!r.feedbackActive) {
                return "transform feedback is not active";
            }
            for (int i = 0; i < count && pBuffers != 0; i++) {
                long want = 1L << i | (first + i < 64 ? 1L << (first + i) : 0);
                if (g64(pBuffers + 8L * i) != 0 && (r.feedbackBound & want) != want) {
                    return "counter buffer " + i + " without its transform feedback buffer bound";
                }
            }
            r.feedbackActive = false;
            return null;
        }
    }

    /**
     * A command that shapes the recording (a render pass begin, a descriptor set bind) was refused: the rest of the
     * recording no longer matches what the client meant, and the host driver would run it without that state
     * (lavapipe records without checking, and runs at submit). The command buffer cannot be submitted until it is begun again.
     */
    void poison(long commandBuffer) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            r.poisoned = true;
        }
        anyPoisoned = true;
    }

    /** Whether commandBuffer was {@link #poison}ed since it was last begun; false at once while none ever was. */
    boolean poisoned(long commandBuffer) {
        if (!anyPoisoned) {
            return false;
        }
        Recording r = objects.attached(COMMAND_BUFFER, commandBuffer) instanceof Recording x ? x : null;
        if (r == null) {
            return false;
        }
        synchronized (r) {
            return r.poisoned;
        }
    }

    /**
     * vkCmdBeginRendering's VkRenderingInfo (renderArea @20, layerCount @36, viewMask @40, colorAttachmentCount @44,
     * pColorAttachments @48, pDepthAttachment @56, pStencilAttachment @64; VkRenderingAttachmentInfo: 72 bytes,
     * imageView @16, resolveImageView @32): every view covers the area and the layers.
     */
    String beginRendering(long commandBuffer, long info) {
        long x = g32(info + 20), y = g32(info + 24);
        long w = Integer.toUnsignedLong(g32(info + 28)), h = Integer.toUnsignedLong(g32(info + 32));
        int viewMask = g32(info + 40);
        long layers = Math.max(Integer.toUnsignedLong(g32(info + 36)), 32 - Integer.numberOfLeadingZeros(viewMask));
        if (x < 0 || y < 0) {
            return "render area offset " + x + "," + y;
        }
        int colors = g32(info + 44);
        long pColors = g64(info + 48);
        for (int i = 0; i < colors && pColors != 0; i++) {
            String why = attachmentCovers(pColors + 72L * i, x + w, y + h, layers);
            if (why != null) {
                return "color attachment " + i + ": " + why;
            }
        }
        for (long att : new long[] {g64(info + 56), g64(info + 64)}) {
            String why = att == 0 ? null : attachmentCovers(att, x + w, y + h, layers);
            if (why != null) {
                return "depth/stencil attachment: " + why;
            }
        }
        start(commandBuffer, x, y, w, h, layers, null, colors, viewMask);
        return null;
    }

    private String attachmentCovers(long att, long width, long height, long layers) {
        for (long view : new long[] {g64(att + 16), g64(att + 32)}) {
            String why = view == 0 ? null : covers(view, width, height, layers);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /**
     * vkCmdClearAttachments: VkClearAttachment (24 bytes: aspectMask @0, colorAttachment @4) names an attachment of
     * the current subpass; VkClearRect (24 bytes: rect @0, baseArrayLayer @16, layerCount @20) lies in the render
     * area and its layers. In a secondary with an unknown area, the rectangles are kept for {@link #execute}.
     */
    String clearAttachments(long commandBuffer, int attachmentCount, long pAttachments, int rectCount, long pRects) {
        Recording r = recording(commandBuffer);
        synchronized (r) {
            if (!r.active) {
                return "no render pass instance";
            }
            for (int i = 0; i < attachmentCount && pAttachments != 0; i++) {
                long a = pAttachments + 24L * i;
                if ((g32(a) & Images.ASPECT_COLOR) != 0 && Integer.compareUnsigned(g32(a + 4), r.colorCount) >= 0) {
                    return "color attachment " + Integer.toUnsignedString(g32(a + 4)) + " of " + r.colorCount;
                }
            }
            long maxX = 0, maxY = 0, maxLayers = 0;
            for (int i = 0; i < rectCount && pRects != 0; i++) {
                long p = pRects + 24L * i;
                long x = g32(p), y = g32(p + 4);
                long w = Integer.toUnsignedLong(g32(p + 8)), h = Integer.toUnsignedLong(g32(p + 12));
                long layerEnd = Integer.toUnsignedLong(g32(p + 16)) + Integer.toUnsignedLong(g32(p + 20));
                if (x < 0 || y < 0) {
                    return "rectangle " + i + " at " + x + "," + y;
                }
                if (r.areaKnown && (x < r.x0 || y < r.y0 || x + w > r.x1 || y + h > r.y1 || layerEnd > r.layers)) {
                    return "rectangle " + i + " (" + x + "," + y + " + " + w + "x" + h + ", layers to " + layerEnd
                            + ") leaves the render area " + r.x0 + "," + r.y0 + " to " + r.x1 + "," + r.y1 + " x "
                            + r.layers;
                }
                maxX = Math.max(maxX, x + w);
                maxY = Math.max(maxY, y + h);
                maxLayers = Math.max(maxLayers, layerEnd);
            }
            if (!r.areaKnown) {
                r.need(maxX, maxY, maxLayers);
            }
            return null;
        }
    }

    /**
     * vkCmdExecuteCommands: clears a secondary recorded without knowing its area must fit the area the primary
     * records now (a secondary executing secondaries passes them on).
     */
    String execute(long primary, long secondary) {
        Recording s = recording(secondary);
        long x, y, layers;
        synchronized (s) {
            if (!s.needs) {
                return null;
            }
            x = s.needX;
            y = s.needY;
            layers = s.needLayers;
        }
        Recording p = recording(primary);
        synchronized (p) {
            if (!p.active) {
                return "a secondary that clears attachments outside a render pass instance";
            }
            if (!p.areaKnown) {
                p.need(x, y, layers);
                return null;
            }
            if (x > p.x1 || y > p.y1 || layers > p.layers) {
                return "a secondary clears to " + x + "," + y + " x " + layers + " layers, past the render area to "
                        + p.x1 + "," + p.y1 + " x " + p.layers;
            }
            return null;
        }
    }
}
