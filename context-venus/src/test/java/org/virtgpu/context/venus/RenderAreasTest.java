package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

class RenderAreasTest {
    private static final long VIEW16 = 0x100, VIEW64 = 0x101, PASS = 0x200, FB = 0x300, CB = 0x400, SEC = 0x401;
    private final TestStructs mem = new TestStructs();
    private final VnObjects objects = new VnObjects(VnInfo.HANDLE_TYPES, VnInfo.H_VkDevice);
    private final RenderAreas areas = new RenderAreas(objects);

    @AfterEach
    void close() {
        mem.close();
    }

    private long zeroed(long bytes) {
        return mem.zeroed(bytes);
    }

    /**
     * A VkRenderPassCreateInfo of one attachment (cleared) and one subpass with colors color attachments, each
     * referring to attachment ref.
     */
    private long passInfo(int colors, int ref) {
        long refs = zeroed(8L * Math.max(1, colors));
        for (int i = 0; i < colors; i++) {
            p32(refs + 8L * i, ref);
        }
        long sp = zeroed(72);
        p32(sp + 24, colors);
        p64(sp + 32, refs);
        long attachment = zeroed(36);
        p32(attachment + 12, RenderAreas.LOAD_OP_CLEAR);
        long info = zeroed(64);
        p32(info + 20, 1);
        p64(info + 24, attachment);
        p32(info + 32, 1);
        p64(info + 40, sp);
        return info;
    }

    private void pass(int colors) {
        long info = passInfo(colors, 0);
        assertNull(RenderAreas.passRefused(info, false, 8));
        areas.passCreated(PASS, info, false);
    }

    /** A VkFramebufferCreateInfo of w x h with view as its attachment. */
    private long framebufferInfo(long view, int w, int h, int flags) {
        long views = zeroed(8);
        p64(views, view);
        long info = zeroed(64);
        p32(info + 16, flags);
        p64(info + 24, PASS);
        p32(info + 32, 1);
        p64(info + 40, views);
        p32(info + 48, w);
        p32(info + 52, h);
        p32(info + 56, 1);
        return info;
    }

    /** VkRenderPassBeginInfo: renderPass @16, framebuffer @24, renderArea @32 */
    private long beginInfo(int x, int y, int w, int h) {
        long info = mem.ints(0, 0, 0, 0, 0, 0, 0, 0, x, y, w, h, 1, 0, 0, 0);
        p64(info + 16, PASS);
        p64(info + 24, FB);
        p64(info + 56, mem.zeroed(16)); // one VkClearValue
        return info;
    }

    private long rect(int x, int y, int w, int h, int base, int layers) {
        return mem.ints(x, y, w, h, base, layers);
    }

    private long colorAttachment(int index) {
        return mem.ints(Images.ASPECT_COLOR, index, 0, 0, 0, 0);
    }

    private void setUp16() {
        areas.viewCreated(VIEW16, 16, 16, 1);
        areas.viewCreated(VIEW64, 64, 64, 1);
        pass(1);
        areas.allocated(CB, 0);
        areas.begin(CB, 0);
    }

    @Test
    void framebuffersMustFitInTheirAttachments() {
        setUp16();
        assertNotNull(areas.framebufferRefused(framebufferInfo(VIEW16, 4096, 4096, 0)),
                "e2e/venus/vkhostile framebuffer: 4096x4096 on a 16x16 view");
        assertNull(areas.framebufferRefused(framebufferInfo(VIEW16, 16, 16, 0)));
        assertNull(areas.framebufferRefused(framebufferInfo(VIEW64, 16, 16, 0)), "a larger view is fine");
        assertNotNull(areas.framebufferRefused(framebufferInfo(0x999, 16, 16, 0)), "unknown view");
        assertNull(areas.framebufferRefused(framebufferInfo(0x999, 64, 64, RenderAreas.FRAMEBUFFER_IMAGELESS)),
                "imageless: checked at the begin");
    }

    @Test
    void renderPassesNameTheirOwnAttachmentsAndSubpasses() {
        assertNull(RenderAreas.passRefused(passInfo(1, RenderAreas.ATTACHMENT_UNUSED), false, 8));
        assertNotNull(RenderAreas.passRefused(passInfo(1, 7), false, 8), "e2e/venus/vkhostile pipeline rpref");
        assertNotNull(RenderAreas.passRefused(passInfo(9, 0), false, 8), "9 color attachments of 8");
        setUp16();
        assertNotNull(areas.framebufferRefused(noAttachments()),
                "e2e/venus/vkhostile pipeline fbcount: no attachments for a pass of one");
        areas.framebufferCreated(FB, framebufferInfo(VIEW16, 16, 16, 0));
        long begin = beginInfo(0, 0, 16, 16);
        p32(begin + 48, 0);
        assertNotNull(areas.beginRenderPass(CB, begin), "no clear value for the cleared attachment");
        assertNull(areas.beginRenderPass(CB, beginInfo(0, 0, 16, 16)));
        assertNotNull(areas.nextSubpass(CB), "one subpass: no next");
        assertTrue(areas.subpasses(PASS) == 1 && areas.subpasses(0x999) == -1);
        long colorOnly = passInfo(1, 0);
        long attachment = org.virtgpu.context.venus.wire.VnMem.g64(colorOnly + 24);
        p32(attachment + 4, ImagesTest.R8G8B8A8_UNORM);
        p32(attachment + 12, 0); // loadOp LOAD
        p32(attachment + 20, RenderAreas.LOAD_OP_CLEAR); // stencilLoadOp: ignored for a color format
        areas.passCreated(PASS + 1, colorOnly, false);
        long fb = framebufferInfo(VIEW16, 16, 16, 0);
        p64(fb + 24, PASS + 1);
        areas.framebufferCreated(FB + 1, fb);
        long noClear = beginInfo(0, 0, 16, 16);
        p64(noClear + 16, PASS + 1);
        p64(noClear + 24, FB + 1);
        p32(noClear + 48, 0);
        assertNull(areas.beginRenderPass(CB, noClear), "no clear value needed: nothing is cleared");
    }

    private long noAttachments() {
        long info = framebufferInfo(VIEW16, 16, 16, 0);
        p32(info + 32, 0);
        return info;
    }

    @Test
    void renderAreasAndClearsStayInTheFramebuffer() {
        setUp16();
        areas.framebufferCreated(FB, framebufferInfo(VIEW16, 16, 16, 0));
        assertNotNull(areas.beginRenderPass(CB, beginInfo(0, 0, 4096, 4096)), "e2e/venus/vkhostile renderarea");
        assertNotNull(areas.beginRenderPass(CB, beginInfo(-1, 0, 4, 4)));
        assertNotNull(areas.clearAttachments(CB, 1, colorAttachment(0), 1, rect(0, 0, 4, 4, 0, 1)),
                "no render pass instance yet");
        assertNull(areas.beginRenderPass(CB, beginInfo(4, 4, 8, 8)));
        assertNull(areas.clearAttachments(CB, 1, colorAttachment(0), 1, rect(4, 4, 8, 8, 0, 1)));
        assertNotNull(areas.clearAttachments(CB, 1, colorAttachment(0), 1, rect(0, 0, 4096, 4096, 0, 8)),
                "e2e/venus/vkhostile clearatt");
        assertNotNull(areas.clearAttachments(CB, 1, colorAttachment(0), 1, rect(4, 4, 8, 8, 0, 2)), "layer 1 of 1");
        assertNotNull(areas.clearAttachments(CB, 1, colorAttachment(0), 1, rect(0, 0, 4, 4, 0, 1)),
                "outside the render area");
        assertNotNull(areas.clearAttachments(CB, 1, colorAttachment(1), 1, rect(4, 4, 1, 1, 0, 1)),
                "color attachment 1 of a subpass with one");
        areas.end(CB);
        assertNotNull(areas.clearAttachments(CB, 1, colorAttachment(0), 1, rect(4, 4, 1, 1, 0, 1)), "ended");
    }

    @Test
    void imagelessFramebuffersTakeTheirViewsAtTheBegin() {
        setUp16();
        areas.framebufferCreated(FB, framebufferInfo(0, 64, 64, RenderAreas.FRAMEBUFFER_IMAGELESS));
        assertNotNull(areas.beginRenderPass(CB, beginInfo(0, 0, 16, 16)), "no attachments given");
        long views = zeroed(8);
        p64(views, VIEW16);
        long attachments = zeroed(32);
        p32(attachments, RenderAreas.STYPE_RENDER_PASS_ATTACHMENT_BEGIN_INFO);
        p32(attachments + 16, 1);
        p64(attachments + 24, views);
        long begin = beginInfo(0, 0, 16, 16);
        p64(begin + 8, attachments);
        assertNotNull(areas.beginRenderPass(CB, begin), "a 16x16 view in a 64x64 framebuffer");
        p64(views, VIEW64);
        assertNull(areas.beginRenderPass(CB, begin));
    }

    @Test
    void secondariesWithoutAFramebufferAreCheckedWhenExecuted() {
        setUp16();
        areas.framebufferCreated(FB, framebufferInfo(VIEW16, 16, 16, 0));
        areas.allocated(SEC, RenderAreas.LEVEL_SECONDARY);
        long inheritance = zeroed(56);
        p64(inheritance + 16, PASS); // subpass 0, no framebuffer
        long begin = zeroed(32);
        p32(begin + 16, RenderAreas.USAGE_RENDER_PASS_CONTINUE);
        p64(begin + 24, inheritance);
        areas.begin(SEC, begin);
        assertNull(areas.clearAttachments(SEC, 1, colorAttachment(0), 1, rect(0, 0, 4096, 4096, 0, 1)),
                "the area is not known yet");
        assertNotNull(areas.execute(CB, SEC), "the primary records no render pass instance");
        assertNull(areas.beginRenderPass(CB, beginInfo(0, 0, 16, 16)));
        assertNotNull(areas.execute(CB, SEC), "4096x4096 past 16x16");
        areas.begin(SEC, begin);
        assertNull(areas.clearAttachments(SEC, 1, colorAttachment(0), 1, rect(0, 0, 16, 16, 0, 1)));
        assertNull(areas.execute(CB, SEC));
        areas.allocated(SEC + 1, 0);
        areas.begin(SEC + 1, begin);
        assertNotNull(areas.clearAttachments(SEC + 1, 1, colorAttachment(0), 1, rect(0, 0, 1, 1, 0, 1)),
                "a primary does not inherit a render pass");
    }

    /**
     * Arrays vk.xml marks noautovalidity, so that the decoder lets them be NULL whatever their count says (session
     * 13): a framebuffer's attachments (lavapipe read them from address 0: vkhostile pipeline fbnull) and a
     * secondary's inheritance info (Vulkan requires it for a secondary).
     */
    @Test
    void aFramebufferWithoutItsAttachmentArrayAndASecondaryWithoutInheritanceAreRefused() {
        setUp16();
        long fb = framebufferInfo(VIEW16, 16, 16, 0);
        p64(fb + 40, 0);
        assertEquals("1 attachments without their array", areas.framebufferRefused(fb));
        areas.allocated(SEC, RenderAreas.LEVEL_SECONDARY);
        long begin = zeroed(32);
        assertEquals("a secondary command buffer begun without inheritance info", areas.begin(SEC, begin));
        assertNull(areas.begin(CB, begin), "a primary needs none");
    }

    /**
     * The same for a graphics pipeline's stages, dynamic rendering formats and colour blend attachments (vkhostile
     * stagesnull, rendnull, blendnull).
     */
    @Test
    void aGraphicsPipelineWithoutItsStageOrFormatArrayIsRefused() {
        long info = zeroed(144); // VkGraphicsPipelineCreateInfo: pNext @8, stageCount @20, pStages @24
        assertNull(PipelineStates.pipelineArraysMissing(info), "no stages, no array: nothing to read");
        p32(info + 20, 2);
        assertEquals("2 stages without their array", PipelineStates.pipelineArraysMissing(info));
        p64(info + 24, zeroed(96));
        assertNull(PipelineStates.pipelineArraysMissing(info));
        long rendering = zeroed(48); // VkPipelineRenderingCreateInfo: colorAttachmentCount @20, formats @24
        p32(rendering, VenusExecutor.STYPE_PIPELINE_RENDERING_CREATE_INFO);
        p32(rendering + 20, 1);
        p64(info + 8, rendering);
        assertEquals("1 color attachment formats without their array", PipelineStates.pipelineArraysMissing(info));
        p64(rendering + 24, zeroed(4));
        assertNull(PipelineStates.pipelineArraysMissing(info));
        long blend = zeroed(56); // VkPipelineColorBlendStateCreateInfo: attachmentCount @28, pAttachments @32
        p32(blend + 28, 1);
        p64(info + 88, blend);
        assertEquals("1 color blend attachments without their array", PipelineStates.pipelineArraysMissing(info));
        // with extended dynamic state 3's blend enables, equations and write masks all dynamic the array may be NULL
        // (lavapipe survives it: vkhostile draw 1 blend3null); two of the three are not enough
        long dyn = zeroed(32); // VkPipelineDynamicStateCreateInfo: dynamicStateCount @20, pDynamicStates @24
        p32(dyn + 20, 2);
        p64(dyn + 24, mem.ints(PipelineStates.DYNAMIC_STATE_EDS3 + 8, PipelineStates.DYNAMIC_STATE_EDS3 + 9));
        p64(info + 96, dyn);
        assertEquals("1 color blend attachments without their array", PipelineStates.pipelineArraysMissing(info));
        p32(dyn + 20, 3);
        p64(dyn + 24, mem.ints(PipelineStates.DYNAMIC_STATE_EDS3 + 8, PipelineStates.DYNAMIC_STATE_EDS3 + 9,
                PipelineStates.DYNAMIC_STATE_EDS3 + 10));
        assertNull(PipelineStates.pipelineArraysMissing(info));
        p64(blend + 32, zeroed(32));
        assertNull(PipelineStates.pipelineArraysMissing(info));
    }

    /** vkhostile pipeline noms (killed lavapipe) against draw ms3null (the four multisample states dynamic). */
    @Test
    void aGraphicsPipelineMayLeaveOutItsMultisampleStateOnlyWhenItsFourStatesAreDynamic() {
        long info = zeroed(144); // pRasterizationState @64, pMultisampleState @72, pDynamicState @96
        p64(info + 64, zeroed(64)); // rasterizerDiscardEnable @24 false: the rasterizer runs
        assertEquals("no multisample state, and the rasterizer may run", PipelineStates.rasterStatesMissing(info));
        long dyn = zeroed(32);
        p32(dyn + 20, 3);
        p64(dyn + 24, mem.ints(PipelineStates.DYNAMIC_STATE_EDS3 + 3, PipelineStates.DYNAMIC_STATE_EDS3 + 4,
                PipelineStates.DYNAMIC_STATE_EDS3 + 5));
        p64(info + 96, dyn);
        assertEquals("no multisample state, and the rasterizer may run", PipelineStates.rasterStatesMissing(info),
                "alpha to one still static");
        p32(dyn + 20, 4);
        p64(dyn + 24, mem.ints(PipelineStates.DYNAMIC_STATE_EDS3 + 3, PipelineStates.DYNAMIC_STATE_EDS3 + 4,
                PipelineStates.DYNAMIC_STATE_EDS3 + 5, PipelineStates.DYNAMIC_STATE_EDS3 + 6));
        assertNull(PipelineStates.rasterStatesMissing(info));
        p64(info + 64, 0);
        assertEquals("no rasterization state", PipelineStates.rasterStatesMissing(info));
    }

    /** vkhostile draw 1 vinbinding, vinattrbinding, vinloc, vincount against vinok and the ones lavapipe survives. */
    @Test
    void aDynamicVertexInputMustStayWithinTheBindingAndAttributeLimits() {
        VenusExecutor.Limits limits = new VenusExecutor.Limits(128, 8, 32, 16, 32, 8, new long[8],
                VenusExecutor.TransformFeedback.NONE, 2048, 2047, 32); // lavapipe's vertex stride and offset limits
        // VkVertexInputBindingDescription2EXT: binding @16, stride @20, inputRate @24, divisor @28;
        // VkVertexInputAttributeDescription2EXT: location @16, binding @20, format @24, offset @28
        long bindings = zeroed(32 * 33), attribute = zeroed(32);
        for (int k = 0; k < 33; k++) {
            p32(bindings + 32L * k + 16, k);
            p32(bindings + 32L * k + 20, 2048); // stride at the limit
            p32(bindings + 32L * k + 28, 1 << 30); // divisor: not checked (lavapipe survives it, vindivbig)
        }
        p32(attribute + 24, 1000); // a format that is none: not checked (vinformat)
        p32(attribute + 28, 2047); // offset at the limit
        assertNull(PipelineStates.vertexInputRefused(limits, 32, bindings, 1, attribute));
        assertEquals("33 bindings and 1 attributes of 32 and 32",
                PipelineStates.vertexInputRefused(limits, 33, bindings, 1, attribute));
        p32(bindings + 16, 100);
        assertEquals("binding description 0: binding 100 of 32, input rate 0, stride 2048 of 2048",
                PipelineStates.vertexInputRefused(limits, 1, bindings, 0, 0));
        p32(bindings + 16, 0);
        p32(bindings + 24, 2);
        assertEquals("binding description 0: binding 0 of 32, input rate 2, stride 2048 of 2048",
                PipelineStates.vertexInputRefused(limits, 1, bindings, 0, 0));
        p32(bindings + 24, 1);
        p32(bindings + 20, 2049);
        assertEquals("binding description 0: binding 0 of 32, input rate 1, stride 2049 of 2048",
                PipelineStates.vertexInputRefused(limits, 1, bindings, 0, 0), "vinstride");
        p32(bindings + 20, 8);
        p32(attribute + 16, 32);
        assertEquals("attribute description 0: location 32 of 32, binding 0 of 32, offset 2047 of 2047",
                PipelineStates.vertexInputRefused(limits, 1, bindings, 1, attribute));
        p32(attribute + 16, 31);
        p32(attribute + 20, -1);
        assertEquals("attribute description 0: location 31 of 32, binding 4294967295 of 32, offset 2047 of 2047",
                PipelineStates.vertexInputRefused(limits, 1, bindings, 1, attribute));
        p32(attribute + 20, 0);
        p32(attribute + 28, 2048);
        assertEquals("attribute description 0: location 31 of 32, binding 0 of 32, offset 2048 of 2047",
                PipelineStates.vertexInputRefused(limits, 1, bindings, 1, attribute), "vinoffset");
        assertTrue(PipelineStates.dynamicStateOffered(PipelineStates.DYNAMIC_STATE_VERTEX_INPUT));
    }

    @Test
    void dynamicSampleCountsAndBlendEquationsMustBeTheirEnums() {
        for (int samples : new int[] {1, 2, 4, 8, 16, 32, 64}) {
            assertTrue(PipelineStates.sampleCountBit(samples), "" + samples);
        }
        for (int samples : new int[] {0, 3, 128, 1000, -1, Integer.MIN_VALUE}) {
            assertFalse(PipelineStates.sampleCountBit(samples), "" + samples);
        }
        // VkColorBlendEquationEXT (24 bytes): factors @0, @4, op @8, factors @12, @16, op @20
        long eqs = zeroed(48);
        p32(eqs + 24, 18);
        p32(eqs + 24 + 8, 4);
        assertNull(PipelineStates.blendEquationsRefused(eqs, 2), "ONE_MINUS_SRC1_ALPHA and MAX");
        p32(eqs + 24 + 20, 5);
        assertEquals("blend equation 1: op 5", PipelineStates.blendEquationsRefused(eqs, 2));
        assertNull(PipelineStates.blendEquationsRefused(eqs, 1), "only the count is read");
        p32(eqs + 24 + 20, 0);
        p32(eqs + 16, 19);
        assertEquals("blend equation 0: factor 19", PipelineStates.blendEquationsRefused(eqs, 2));
        p32(eqs + 16, 0);
        p32(eqs + 8, 1000148000); // VK_BLEND_OP_ZERO_EXT: advanced blending is not advertised
        assertEquals("blend equation 0: op 1000148000", PipelineStates.blendEquationsRefused(eqs, 2));
    }

    @Test
    void aLineRasterizationModeStippleFactorOrRasterizationStreamPastItsRangeIsRefused() {
        VenusExecutor.Limits limits = new VenusExecutor.Limits(128, 8, 32, 16, 32, 8, new long[8],
                new VenusExecutor.TransformFeedback(4, 4, 512), 2048, 2047, 32);
        long info = zeroed(144); // VkGraphicsPipelineCreateInfo: pRasterizationState @64, pDynamicState @96
        long rs = zeroed(64); // VkPipelineRasterizationStateCreateInfo: pNext @8
        p64(info + 64, rs);
        assertNull(PipelineStates.rasterChainRefused(info, limits), "nothing chained");
        long line = zeroed(32); // lineRasterizationMode @16, stippledLineEnable @20, lineStippleFactor @24
        p32(line, PipelineStates.STYPE_RASTERIZATION_LINE_STATE);
        p64(rs + 8, line);
        p32(line + 16, 3);
        assertNull(PipelineStates.rasterChainRefused(info, limits), "Bresenham lines");
        p32(line + 16, 4);
        assertEquals("line rasterization mode 4", PipelineStates.rasterChainRefused(info, limits));
        p32(line + 16, 0);
        p32(line + 20, 1);
        assertEquals("line stipple factor 0", PipelineStates.rasterChainRefused(info, limits));
        p32(line + 24, 256);
        assertNull(PipelineStates.rasterChainRefused(info, limits));
        p32(line + 24, 257);
        assertEquals("line stipple factor 257", PipelineStates.rasterChainRefused(info, limits));
        long dyn = zeroed(32); // VkPipelineDynamicStateCreateInfo: dynamicStateCount @20, pDynamicStates @24
        p32(dyn + 20, 1);
        p64(dyn + 24, mem.ints(PipelineStates.DYNAMIC_STATE_LINE_STIPPLE));
        p64(info + 96, dyn);
        assertNull(PipelineStates.rasterChainRefused(info, limits), "the factor is set by the command buffer");
        long stream = zeroed(24); // VkPipelineRasterizationStateStreamCreateInfoEXT: rasterizationStream @20
        p32(stream, PipelineStates.STYPE_RASTERIZATION_STREAM_STATE);
        p64(line + 8, stream);
        p32(stream + 20, 3);
        assertNull(PipelineStates.rasterChainRefused(info, limits));
        p32(stream + 20, 4);
        assertEquals("rasterization stream 4 of 4", PipelineStates.rasterChainRefused(info, limits));
        VenusExecutor.Limits noXfb = new VenusExecutor.Limits(128, 8, 32, 16, 32, 8, new long[8],
                VenusExecutor.TransformFeedback.NONE, 2048, 2047, 32);
        p32(stream + 20, 0);
        assertEquals("rasterization stream 0 of 0", PipelineStates.rasterChainRefused(info, noXfb),
                "a host without transform feedback has no streams to select");
        assertTrue(PipelineStates.dynamicStateOffered(PipelineStates.DYNAMIC_STATE_LINE_STIPPLE));
        assertTrue(PipelineStates.dynamicStateOffered(PipelineStates.DYNAMIC_STATE_COLOR_WRITE_ENABLE));
        assertTrue(PipelineStates.dynamicStateOffered(PipelineStates.DYNAMIC_STATE_PATCH_CONTROL_POINTS),
                "offered since session 14, with a draw refused until it is set");
    }

    @Test
    void sixteenStatesOfExtendedDynamicState3AreOfferedAndTheOtherFeaturesWithheld() {
        // VK_DYNAMIC_STATE_TESSELLATION_DOMAIN_ORIGIN_EXT .. COLOR_WRITE_MASK_EXT (session 15), DEPTH_CLIP_ENABLE_EXT,
        // PROVOKING_VERTEX_MODE_EXT .. DEPTH_CLIP_NEGATIVE_ONE_TO_ONE_EXT as vk.xml numbers them, and extended
        // dynamic state 2's logic op (session 15)
        int[] offered = {1000455002, 1000455003, 1000455004, 1000455005, 1000455006, 1000455007, 1000455008,
            1000455009, 1000455010, 1000455011, 1000455012, 1000455016, 1000455019, 1000455020, 1000455021,
            1000455022, 1000377003};
        for (int state : offered) {
            assertTrue(PipelineStates.dynamicStateOffered(state), "state " + state);
        }
        // rasterization stream, conservative rasterization mode and size, sample locations enable, advanced blend,
        // the NV states
        int[] notOffered = {1000455013, 1000455014, 1000455015, 1000455017, 1000455018, 1000455023, 1000455032,
            1000455033};
        for (int state : notOffered) {
            assertFalse(PipelineStates.dynamicStateOffered(state), "state " + state);
        }
        // VkPhysicalDeviceExtendedDynamicState3FeaturesEXT: 31 features from @16; withheld: 60-68, 76, 80, 100-136
        assertArrayEquals(new long[] {60, 64, 68, 76, 80, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136},
                PipelineStates.EDS3_WITHHELD);
        assertArrayEquals(new long[0], PipelineStates.EDS2_WITHHELD, "logic op (@20) offered since session 15");
    }

    @Test
    void transformFeedbackEndsOnlyWhatItBeganWithItsCounterBuffersBound() {
        areas.allocated(CB, 0);
        areas.begin(CB, 0);
        long counters = mem.longs(0x77, 0, 0x78); // the middle one VK_NULL_HANDLE
        assertEquals("transform feedback is not active", areas.feedbackEnd(CB, 0, 1, counters),
                "an end of nothing begun (lavapipe read through a null stream output target)");
        assertNull(areas.feedbackBegin(CB));
        assertEquals("transform feedback is already active", areas.feedbackBegin(CB));
        areas.feedbackBound(CB, 0, 1);
        assertEquals("counter buffer 2 without its transform feedback buffer bound",
                areas.feedbackEnd(CB, 0, 3, counters));
        areas.feedbackBound(CB, 2, 1);
        assertNull(areas.feedbackEnd(CB, 0, 3, counters), "counter 1 is VK_NULL_HANDLE: nothing to write");
        assertNull(areas.feedbackBegin(CB), "ended: it may begin again");
        assertNull(areas.feedbackEnd(CB, 0, 0, 0), "no counter buffers");
        assertNull(areas.feedbackBegin(CB));
        areas.begin(CB, 0);
        assertNull(areas.feedbackBegin(CB), "begun again: nothing active");
        assertEquals("counter buffer 0 without its transform feedback buffer bound",
                areas.feedbackEnd(CB, 0, 1, counters), "nor bound");
    }

    @Test
    void aPoisonedCommandBufferStaysSoUntilBegunAgain() {
        setUp16();
        assertFalse(areas.poisoned(CB));
        areas.poison(CB);
        assertTrue(areas.poisoned(CB));
        assertFalse(areas.poisoned(SEC), "others are not");
        areas.begin(CB, 0);
        assertFalse(areas.poisoned(CB));
    }

    @Test
    void aQueryInAMultiviewSubpassTakesOneQueryPerView() {
        areas.viewCreated(VIEW16, 16, 16, 4);
        long info = passInfo(1, 0);
        long masks = mem.ints(0b1011); // views 0, 1 and 3: three queries, layers up to 4
        long multiview = zeroed(64);
        p32(multiview, RenderAreas.STYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO);
        p32(multiview + 16, 1);
        p64(multiview + 24, masks);
        p64(info + 8, multiview);
        areas.passCreated(PASS, info, false);
        areas.allocated(CB, 0);
        areas.begin(CB, 0);
        assertTrue(areas.views(CB) == 1, "outside a render pass instance");
        assertNull(areas.framebufferRefused(framebufferInfo(VIEW16, 16, 16, 0)), "a view of 4 layers");
        areas.framebufferCreated(FB, framebufferInfo(VIEW16, 16, 16, 0));
        assertNull(areas.beginRenderPass(CB, beginInfo(0, 0, 16, 16)));
        assertTrue(areas.views(CB) == 3, "three bits in the subpass's view mask");
        areas.end(CB);
        assertTrue(areas.views(CB) == 1);
        areas.viewCreated(VIEW64, 64, 64, 1);
        assertNotNull(areas.framebufferRefused(framebufferInfo(VIEW64, 16, 16, 0)), "view 3 needs 4 layers");
    }
}
