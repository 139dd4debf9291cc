package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.g64;

import org.virtgpu.context.venus.VenusExecutor.Limits;
import org.virtgpu.context.venus.wire.VnMem;

/**
 * What the executor allows of a graphics pipeline's fixed-function state and of the dynamic states that replace it:
 * which VkDynamicState values a pipeline may name, which extended dynamic state features are withheld, the
 * create-info arrays and states that must be there (or may be left out because their states are dynamic), the
 * rasterization chain's enums and limits, and the values the dynamic state commands may set (sample counts, blend
 * equations, vertex input descriptions). Pure functions of the decoded structures (VnMem addresses) and the device's
 * {@link Limits}; {@link VenusExecutor} calls them and refuses what they name. Each rule says what a probe on
 * lavapipe showed (see docs/venus.md "Hostile clients" and "OpenGL 4.6 through Zink on Venus").
 */
final class PipelineStates {
    private PipelineStates() {
    }

    static final int DYNAMIC_STATE_PRIMITIVE_TOPOLOGY = 1000267002;

    /** Vulkan 1.3's dynamic states from VK_EXT_extended_dynamic_state2 */
    static final int DYNAMIC_STATE_RASTERIZER_DISCARD_ENABLE = 1000377001;
    static final int DYNAMIC_STATE_DEPTH_BIAS_ENABLE = 1000377002;
    static final int DYNAMIC_STATE_PRIMITIVE_RESTART_ENABLE = 1000377004;
    static final int DYNAMIC_STATE_LOGIC_OP = 1000377003;

    /**
     * The VkDynamicState values a graphics pipeline may name: Vulkan 1.0's and 1.3's, which are
     * VK_EXT_extended_dynamic_state's, VK_EXT_extended_dynamic_state2's five (the rasterizer discard, depth bias
     * and primitive restart enables, the logic op, and the patch control point count, which a draw needs set: left
     * unset it made lavapipe's draw die with SIGFPE, {@code vkhostile draw 1 tessdyn}), VK_EXT_line_rasterization's
     * line stipple (Zink names it whenever the extension is there), the 16 of VK_EXT_extended_dynamic_state3's that
     * are offered ({@link #EDS3_OFFERED}; their blend and sample states left unset before a draw, lavapipe survives
     * it: {@code vkhostile draw 1 blend3unset}, {@code ms3unset}), and VK_EXT_color_write_enable's (left unset before a
     * draw, lavapipe survives it: {@code vkhostile draw 1 cweunset}), and VK_EXT_vertex_input_dynamic_state's (left
     * unset, lavapipe survives it: {@code vinunset}; the pipeline's vertex input state is then ignored and may be
     * NULL, {@code vinnull}). lavapipe takes others too.
     */
    static boolean dynamicStateOffered(int state) {
        return state >= 0 && state <= 8 || state >= 1000267000 && state <= 1000267011
                || state == DYNAMIC_STATE_RASTERIZER_DISCARD_ENABLE || state == DYNAMIC_STATE_DEPTH_BIAS_ENABLE
                || state == DYNAMIC_STATE_PRIMITIVE_RESTART_ENABLE || state == DYNAMIC_STATE_LOGIC_OP
                || state == DYNAMIC_STATE_LINE_STIPPLE
                || state == DYNAMIC_STATE_COLOR_WRITE_ENABLE || state == DYNAMIC_STATE_PATCH_CONTROL_POINTS
                || state == DYNAMIC_STATE_VERTEX_INPUT
                || state >= DYNAMIC_STATE_EDS3 && state < DYNAMIC_STATE_EDS3 + 32
                        && (EDS3_OFFERED & 1L << (state - DYNAMIC_STATE_EDS3)) != 0;
    }

    /** The VkDynamicState values of a VkGraphicsPipelineCreateInfo's VkPipelineDynamicStateCreateInfo (@96). */
    static int[] dynamicStates(long info) {
        long dyn = g64(info + 96); // dynamicStateCount @20, pDynamicStates @24
        long states = dyn == 0 ? 0 : g64(dyn + 24);
        int[] out = new int[states == 0 ? 0 : Math.max(0, g32(dyn + 20))];
        for (int k = 0; k < out.length; k++) {
            out[k] = g32(states + 4L * k);
        }
        return out;
    }

    /** Whether a VkGraphicsPipelineCreateInfo names state among its dynamic states. */
    static boolean dynamic(long info, int state) {
        return java.util.Arrays.stream(dynamicStates(info)).anyMatch(s -> s == state);
    }

    /**
     * A graphics pipeline's arrays that vk.xml marks noautovalidity or optional (pipeline libraries, dynamic rendering
     * and extended dynamic state 3 leave them out), so that the decoder lets them be NULL whatever their count says:
     * the shader stages (stageCount @20, pStages @24), the colour blend attachments (pColorBlendState @88) and the
     * colour attachment formats of a chained VkPipelineRenderingCreateInfo (colorAttachmentCount @20,
     * pColorAttachmentFormats @24). lavapipe read both from address 0 (vkhostile pipeline
     * stagesnull and rendnull on lavapipe directly, session 13; Mesa's Venus encoder dies on them first, so they are
     * checked here for other clients). Null when the arrays are there.
     */
    static String pipelineArraysMissing(long info) {
        if (g64(info + 24) == 0 && g32(info + 20) != 0) {
            return Integer.toUnsignedString(g32(info + 20)) + " stages without their array";
        }
        long cb = g64(info + 88); // VkPipelineColorBlendStateCreateInfo: attachmentCount @28, pAttachments @32
        if (cb != 0 && g32(cb + 28) != 0 && g64(cb + 32) == 0 && !blendStatesDynamic(info)) {
            // optional in vk.xml for extended dynamic state 3's blend states: with those static lavapipe read them
            // from address 0 and the launcher died (vkhostile pipeline 1 blendnull, session 13); with the three
            // dynamic it survives (draw 1 blend3null, session 15; VUID-VkPipelineColorBlendStateCreateInfo-
            // pAttachments-07353)
            return Integer.toUnsignedString(g32(cb + 28)) + " color blend attachments without their array";
        }
        long rendering = VnMem.chained(g64(info + 8), VenusExecutor.STYPE_PIPELINE_RENDERING_CREATE_INFO);
        if (rendering != 0 && g32(rendering + 20) != 0 && g64(rendering + 24) == 0) {
            return Integer.toUnsignedString(g32(rendering + 20)) + " color attachment formats without their array";
        }
        return null;
    }

    /** Whether a pipeline leaves its blend enables, equations and write masks to dynamic state (extended 3). */
    static boolean blendStatesDynamic(long info) {
        return dynamic(info, DYNAMIC_STATE_EDS3 + 8) && dynamic(info, DYNAMIC_STATE_EDS3 + 9)
                && dynamic(info, DYNAMIC_STATE_EDS3 + 10);
    }

    /**
     * Whether a pipeline leaves its rasterization samples, sample mask and alpha to coverage and alpha to one
     * enables to dynamic state (extended 3): its multisample state may then be NULL, and lavapipe survives it
     * ({@code vkhostile draw 1 ms3null}, session 15). The spec asks for alpha to one only where its feature is
     * enabled; all four are asked here.
     */
    static boolean multisampleStatesDynamic(long info) {
        return dynamic(info, DYNAMIC_STATE_EDS3 + 3) && dynamic(info, DYNAMIC_STATE_EDS3 + 4)
                && dynamic(info, DYNAMIC_STATE_EDS3 + 5) && dynamic(info, DYNAMIC_STATE_EDS3 + 6);
    }

    /**
     * A graphics pipeline's rasterization state (pRasterizationState @64) must be there, and its multisample state
     * (pMultisampleState @72) whenever the rasterizer may run (rasterizerDiscardEnable @24 of the rasterization state
     * false, or left to the dynamic state): vk.xml marks both noautovalidity (with extended dynamic state 3 a client
     * may leave them out when it makes all their states dynamic), so the decoder lets them be NULL, and lavapipe read
     * them from address 0 in vkCreateGraphicsPipelines: the server died ({@code vkhostile pipeline 1 noms}, {@code
     * nors}; session 13). The multisample state may be left out since session 15 when its four states are dynamic
     * ({@link #multisampleStatesDynamic}); the rasterization state is required even where extended dynamic state 3
     * would cover it.
     */
    static String rasterStatesMissing(long info) {
        long rs = g64(info + 64);
        if (rs == 0) {
            return "no rasterization state";
        }
        boolean rasterizes = g32(rs + 24) == 0 || dynamic(info, DYNAMIC_STATE_RASTERIZER_DISCARD_ENABLE);
        return rasterizes && g64(info + 72) == 0 && !multisampleStatesDynamic(info)
                ? "no multisample state, and the rasterizer may run" : null;
    }

    static final int DYNAMIC_STATE_COLOR_WRITE_ENABLE = 1000381000;
    static final int DYNAMIC_STATE_VERTEX_INPUT = 1000352000;
    static final int DYNAMIC_STATE_PATCH_CONTROL_POINTS = 1000377000;
    static final int STYPE_PIPELINE_COLOR_WRITE_CREATE_INFO = 1000381001;
    static final int STYPE_EXTENDED_DYNAMIC_STATE_2_FEATURES = 1000377000;
    static final int STYPE_EXTENDED_DYNAMIC_STATE_3_FEATURES = 1000455000;
    /**
     * VK_EXT_extended_dynamic_state2's features withheld: none since session 15. Its patch control points (@24) are
     * offered since session 14, with the count checked when set and a draw refused until it is ({@link
     * DescriptorShapes#ready}: left unset it killed lavapipe, {@code vkhostile draw 1 tessdyn}); its logic op (@20)
     * since session 15, with the op checked against VkLogicOp.
     */
    static final long[] EDS2_WITHHELD = {};
    /**
     * VK_DYNAMIC_STATE_TESSELLATION_DOMAIN_ORIGIN_EXT: VK_EXT_extended_dynamic_state3's dynamic states follow it in the
     * order of its 31 features (extendedDynamicState3TessellationDomainOrigin @16, then one every 4 bytes) as far as
     * the ones offered go.
     */
    static final int DYNAMIC_STATE_EDS3 = 1000455002;
    /**
     * The VK_EXT_extended_dynamic_state3 states offered, as bits by feature index: depth clamp enable (1), polygon mode
     * (2), depth clip enable (14), provoking vertex mode (17), line rasterization mode (18), line stipple enable (19)
     * and depth clip negative one to one (20), the set Mesa's Zink needs before it uses the extension (without it,
     * Zink 25.0 leaves a stippled line's dynamic stipple unset: nothing drawn; session 14); since session 15 also the
     * tessellation domain origin (0), rasterization samples (3), sample mask (4), alpha to coverage (5) and alpha to
     * one (6) enables, the logic op enable (7), colour blend enables (8), equations (9) and write masks (10), which
     * with extended dynamic state 2's logic op are what Zink's "full dynamic state 3" path needs (one pipeline for
     * every blend and sample state). Their commands are carried and their values checked (enums, sample counts,
     * attachment ranges: 100 blend enables killed lavapipe, {@code vkhostile draw 1 blend3count}); of the other 10
     * (rasterization stream, conservative rasterization, sample locations, advanced blending, NV state) the five the
     * Venus protocol numbers are decoded and refused ({@link VenusExecutor#withheldCommand}), the NV ones are protocol
     * errors, and all their features read false.
     */
    static final long EDS3_OFFERED = 0x7ffL | 1L << 14 | 1L << 17 | 1L << 18 | 1L << 19 | 1L << 20;
    static final long[] EDS3_WITHHELD = java.util.stream.IntStream.range(0, 31)
            .filter(i -> (EDS3_OFFERED & 1L << i) == 0).mapToLong(i -> 16 + 4L * i).toArray();

    static final int STYPE_RASTERIZATION_LINE_STATE = 1000259001, STYPE_RASTERIZATION_STREAM_STATE = 1000028002;
    static final int DYNAMIC_STATE_LINE_STIPPLE = 1000259000;

    /**
     * What VK_EXT_line_rasterization and VK_EXT_transform_feedback chain to a graphics pipeline's rasterization state
     * (pRasterizationState @64, pNext @8): a line rasterization mode of VkLineRasterizationModeEXT (0-3) and, when
     * stippling with a static stipple, a factor of 1 to 256 (VUID-VkGraphicsPipelineCreateInfo-stippledLineEnable-
     * 02767); a rasterization stream below maxTransformFeedbackStreams (VUID-VkPipelineRasterizationStateStream
     * CreateInfoEXT-rasterizationStream-02325). VkPipelineRasterizationLineStateCreateInfoEXT: lineRasterizationMode
     * @16, stippledLineEnable @20, lineStippleFactor @24; VkPipelineRasterizationStateStreamCreateInfoEXT:
     * rasterizationStream @20. Null when they are.
     */
    static String rasterChainRefused(long info, Limits l) {
        long rs = g64(info + 64);
        long line = VnMem.chained(g64(rs + 8), STYPE_RASTERIZATION_LINE_STATE);
        if (line != 0) {
            int mode = g32(line + 16), factor = g32(line + 24);
            if (mode < 0 || mode > 3) {
                return "line rasterization mode " + mode;
            }
            if (g32(line + 20) != 0 && !dynamic(info, DYNAMIC_STATE_LINE_STIPPLE) && (factor < 1 || factor > 256)) {
                return "line stipple factor " + factor;
            }
        }
        long stream = VnMem.chained(g64(rs + 8), STYPE_RASTERIZATION_STREAM_STATE);
        if (stream != 0 && Integer.toUnsignedLong(g32(stream + 20)) >= l.xfb().streams()) {
            return "rasterization stream " + Integer.toUnsignedString(g32(stream + 20)) + " of "
                    + l.xfb().streams();
        }
        return null;
    }

    /**
     * A graphics pipeline's dynamic states, topology and tessellation state. lavapipe's draws died with SIGFPE on a
     * patch list topology without tessellation stages ({@code vkhostile draw 1 patchlist}) and on 2^20 control
     * points per patch ({@code tesspatch}; the limit is maxTessellationPatchSize): tessellation control and
     * evaluation stages come together, with a patch list of 1 to maxTessellationPatchSize points (VUID-
     * VkGraphicsPipelineCreateInfo-pStages-00729, -00730, -00736, -topology-08889, VUID-
     * VkPipelineTessellationStateCreateInfo-patchControlPoints-01214), and without them no patch list.
     */
    static String topologyRefused(long info, int stageBits, Limits l) {
        for (int state : dynamicStates(info)) {
            if (!dynamicStateOffered(state)) {
                return "dynamic state " + state + ", which the device does not offer";
            }
        }
        int tessStages = stageBits & (ShaderSizes.TESSELLATION_CONTROL | ShaderSizes.TESSELLATION_EVALUATION);
        if (tessStages != 0 && tessStages != (ShaderSizes.TESSELLATION_CONTROL | ShaderSizes.TESSELLATION_EVALUATION)) {
            return "a tessellation control stage without an evaluation stage, or the reverse";
        }
        long ia = g64(info + 40);
        int topology = ia == 0 ? -1 : g32(ia + 20);
        if (ia != 0 && (topology < 0 || topology > DescriptorShapes.TOPOLOGY_PATCH_LIST)) {
            return "topology " + topology;
        }
        if ((tessStages != 0) != (topology == DescriptorShapes.TOPOLOGY_PATCH_LIST)) {
            return tessStages != 0 ? "tessellation stages with topology " + topology
                    : "a patch list topology without tessellation stages";
        }
        long ts = g64(info + 48); // VkPipelineTessellationStateCreateInfo: patchControlPoints @20
        long points = ts == 0 ? 0 : Integer.toUnsignedLong(g32(ts + 20));
        if (tessStages != 0 && !dynamic(info, DYNAMIC_STATE_PATCH_CONTROL_POINTS)
                && (points < 1 || points > l.shader()[ShaderSizes.PATCH])) {
            return points + " control points per patch, the device's maxTessellationPatchSize "
                    + l.shader()[ShaderSizes.PATCH];
        }
        return null;
    }

    /**
     * A VkSampleCountFlagBits: one bit of 1 to 64 (VUID-vkCmdSetRasterizationSamplesEXT-rasterizationSamples-parameter,
     * VUID-vkCmdSetSampleMaskEXT-samples-parameter). lavapipe survives 3, 64 and a count other than its attachments'
     * ({@code vkhostile draw 1 ms3samples}, {@code ms3unsup}, {@code ms3mismatch}); the last is the client's error
     * and not checked.
     */
    static boolean sampleCountBit(int samples) {
        return samples > 0 && samples <= 64 && Integer.bitCount(samples) == 1;
    }

    /** Why one of count VkColorBlendEquationEXT at equations is refused (see above), or null. */
    static String blendEquationsRefused(long equations, int count) {
        for (int k = 0; k < count && equations != 0; k++) {
            long e = equations + 24L * k;
            for (int field = 0; field < 6; field++) {
                int value = g32(e + 4L * field);
                boolean op = field == 2 || field == 5;
                if (value < 0 || value > (op ? 4 : 18)) {
                    return "blend equation " + k + ": " + (op ? "op " : "factor ") + Integer.toUnsignedString(value);
                }
            }
        }
        return null;
    }

    /**
     * Why vkCmdSetVertexInputEXT's descriptions are refused (see above), or null: their counts, then each description
     * as {@link #vertexDescriptionsRefused} checks it, with the input rate. VkVertexInputBindingDescription2EXT and
     * VkVertexInputAttributeDescription2EXT are 32 bytes, their fields 16 bytes in.
     */
    static String vertexInputRefused(Limits l, int bindingCount, long bindings, int attributeCount, long attributes) {
        if (Integer.toUnsignedLong(bindingCount) > l.vertexBindings()
                || Integer.toUnsignedLong(attributeCount) > l.vertexAttributes()) {
            return Integer.toUnsignedString(bindingCount) + " bindings and " + Integer.toUnsignedString(attributeCount)
                    + " attributes of " + l.vertexBindings() + " and " + l.vertexAttributes();
        }
        return vertexDescriptionsRefused(l, bindingCount, bindings, 32, attributeCount, attributes, 32, 16, true);
    }

    /**
     * Why a vertex input's binding or attribute descriptions leave the device's limits, or null: each binding number
     * below maxVertexInputBindings and its stride at most maxVertexInputBindingStride (with rates: its input rate a
     * VkVertexInputRate), each attribute's location below maxVertexInputAttributes, its binding below
     * maxVertexInputBindings and its offset at most maxVertexInputAttributeOffset. Shared by a pipeline's
     * VkVertexInputBindingDescription (12 bytes) and VkVertexInputAttributeDescription (16), whose fields start at
     * 0, and vkCmdSetVertexInputEXT's 32-byte descriptions, whose fields start at 16: binding, stride, inputRate;
     * location, binding, format, offset, each 4 bytes from fields.
     */
    static String vertexDescriptionsRefused(Limits l, int bindingCount, long bindings, long bindingSize,
            int attributeCount, long attributes, long attributeSize, long fields, boolean rates) {
        for (int k = 0; k < bindingCount && bindings != 0; k++) {
            long b = bindings + bindingSize * k + fields;
            int rate = g32(b + 8);
            if (Integer.toUnsignedLong(g32(b)) >= l.vertexBindings() || rates && (rate < 0 || rate > 1)
                    || Integer.toUnsignedLong(g32(b + 4)) > l.vertexStride()) {
                return "binding description " + k + ": binding " + Integer.toUnsignedString(g32(b)) + " of "
                        + l.vertexBindings() + ", input rate " + rate + ", stride "
                        + Integer.toUnsignedString(g32(b + 4)) + " of " + l.vertexStride();
            }
        }
        for (int k = 0; k < attributeCount && attributes != 0; k++) {
            long a = attributes + attributeSize * k + fields;
            if (Integer.toUnsignedLong(g32(a)) >= l.vertexAttributes()
                    || Integer.toUnsignedLong(g32(a + 4)) >= l.vertexBindings()
                    || Integer.toUnsignedLong(g32(a + 12)) > l.vertexOffset()) {
                return "attribute description " + k + ": location " + Integer.toUnsignedString(g32(a)) + " of "
                        + l.vertexAttributes() + ", binding " + Integer.toUnsignedString(g32(a + 4)) + " of "
                        + l.vertexBindings() + ", offset " + Integer.toUnsignedString(g32(a + 12)) + " of "
                        + l.vertexOffset();
            }
        }
        return null;
    }
}
