package org.virtgpu.context.virgl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encoder of {@code virgl_caps_v1} (capset 1, 308 bytes) and {@code virgl_caps_v2} (capset 2, 1408 bytes), the
 * payloads a virgl guest driver (Mesa's virgl winsys, {@code virgl_drm_get_caps}) reads to learn what the host's
 * GL renderer can do. Layout from virglrenderer {@code src/virgl_hw.h} (fact sheet context-types.md §2.2); every
 * field is little-endian, natural alignment, no padding.
 * <p>
 * This bundle has <b>no GL renderer</b>: it cannot sample, render, rasterise or run shaders. So every value is
 * the one that promises nothing, and each choice is written next to the field. A guest that reads these caps
 * sees a renderer with no formats and GLSL level 0; Mesa's virgl driver then refuses to create a screen
 * instead of failing later on a draw the host cannot execute. That is the honest outcome until a renderer exists.
 */
final class VirglCaps {
    /** sizeof(struct virgl_caps_v1). */
    static final int V1_SIZE = 308;
    /** sizeof(struct virgl_caps_v2) in virglrenderer 1.x (the struct grows in place; a guest reads what it knows). */
    static final int V2_SIZE = 1408;

    // virgl_caps_v1
    static final int OFF_MAX_VERSION = 0;
    /** Four virgl_supported_format_mask (16 x u32 each): sampler @4, render @68, depthstencil @132, vertexbuffer @196. */
    static final int OFF_SAMPLER_FORMATS = 4;
    static final int OFF_RENDER_FORMATS = 68;
    static final int OFF_DEPTHSTENCIL_FORMATS = 132;
    static final int OFF_VERTEXBUFFER_FORMATS = 196;
    /** virgl_caps_bool_set1: 32 one-bit booleans in one u32. */
    static final int OFF_BSET = 260;
    static final int OFF_GLSL_LEVEL = 264;
    static final int OFF_MAX_TEXTURE_ARRAY_LAYERS = 268;
    static final int OFF_MAX_STREAMOUT_BUFFERS = 272;
    static final int OFF_MAX_DUAL_SOURCE_RENDER_TARGETS = 276;
    static final int OFF_MAX_RENDER_TARGETS = 280;
    static final int OFF_MAX_SAMPLES = 284;
    static final int OFF_PRIM_MASK = 288;
    static final int OFF_MAX_TBO_SIZE = 292;
    static final int OFF_MAX_UNIFORM_BLOCKS = 296;
    static final int OFF_MAX_VIEWPORTS = 300;
    static final int OFF_MAX_TEXTURE_GATHER_COMPONENTS = 304;

    // virgl_caps_v2 (after the embedded v1)
    static final int OFF_MIN_ALIASED_POINT_SIZE = 308;
    static final int OFF_MAX_TEXTURE_LOD_BIAS = 340;
    static final int OFF_MAX_VERTEX_ATTRIBS = 356;
    static final int OFF_CAPABILITY_BITS = 392;
    static final int OFF_MAX_TEXTURE_2D_SIZE = 484;
    static final int OFF_HOST_FEATURE_CHECK_VERSION = 556;
    static final int OFF_SUPPORTED_READBACK_FORMATS = 560;
    static final int OFF_SCANOUT_FORMATS = 624;
    static final int OFF_CAPABILITY_BITS_V2 = 688;
    static final int OFF_MAX_VIDEO_MEMORY = 692;
    static final int OFF_RENDERER = 696;
    static final int RENDERER_LEN = 64;
    static final int OFF_MAX_ANISOTROPY = 760;
    static final int OFF_MAX_TEXTURE_SAMPLERS = 764;
    static final int OFF_SUPPORTED_MULTISAMPLE_FORMATS = 768;
    static final int OFF_NUM_VIDEO_CAPS = 856;
    static final int OFF_VIDEO_CAPS = 860;
    static final int OFF_MAX_SHADER_STORAGE_BLOCKS = 1384;

    /**
     * The renderer string (char[64], NUL-terminated) the guest shows as GL_RENDERER; it says plainly that no GL
     * renderer backs this capset, so a user reading glxinfo knows why nothing renders.
     */
    static final String RENDERER = "virtgpu virgl (no host GL renderer)";

    private VirglCaps() {
    }

    /**
     * Builds the payload of capset {@code capsetId} (1 or 2). The embedded {@code max_version} is the capset's
     * maximum version (1 for capset 1, 2 for capset 2), as vrend_renderer_fill_caps writes it.
     * <p>
     * Values and why (no renderer, so "nothing" everywhere a capability is promised):
     * <ul>
     *   <li>format masks (sampler, render, depth/stencil, vertex buffer, readback, scanout, multisample): all zero;
     *       the host can neither sample nor render any format.</li>
     *   <li>bset (the 32 boolean features), capability_bits, capability_bits_v2: 0; none is implemented.</li>
     *   <li>glsl_level 0, max_render_targets 0, max_samples 0, every other limit 0: no shader compiler, no
     *       framebuffer. 0 is also what vrend reports for limits its GL lacks.</li>
     *   <li>float limits (point sizes, line widths, LOD bias, anisotropy): 0.0; no rasteriser.</li>
     *   <li>host_feature_check_version 0: the guest must not assume any host-side workaround exists.</li>
     *   <li>max_video_memory 0 and num_video_caps 0: no video memory pool, no video codecs.</li>
     *   <li>renderer: {@link #RENDERER}.</li>
     * </ul>
     */
    static byte[] payload(int capsetId) {
        int size = capsetId == 1 ? V1_SIZE : V2_SIZE;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_MAX_VERSION, capsetId == 1 ? 1 : 2);
        // Every other v1 field stays 0 (see above). Written explicitly where a future renderer would fill it, so
        // the offsets are pinned by VirglCapsTest rather than implied.
        b.putInt(OFF_GLSL_LEVEL, 0);
        b.putInt(OFF_MAX_RENDER_TARGETS, 0);
        b.putInt(OFF_MAX_SAMPLES, 0);
        if (capsetId == 2) {
            b.putInt(OFF_CAPABILITY_BITS, 0);
            b.putInt(OFF_HOST_FEATURE_CHECK_VERSION, 0);
            b.putInt(OFF_CAPABILITY_BITS_V2, 0);
            b.putInt(OFF_MAX_VIDEO_MEMORY, 0);
            b.putInt(OFF_NUM_VIDEO_CAPS, 0);
            byte[] name = RENDERER.getBytes(StandardCharsets.US_ASCII);
            // char[64] with a terminating NUL, which the zero-filled buffer already provides
            b.put(OFF_RENDERER, name, 0, Math.min(name.length, RENDERER_LEN - 1));
        }
        return b.array();
    }
}
