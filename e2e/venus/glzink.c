/*
 * glzink: OpenGL 4.6 core through Mesa's Zink on whichever Vulkan ICD the loader picks (VK_ICD_FILENAMES), on an
 * EGL surfaceless context; used to prove that Zink runs on virtgpu's Venus context as it does on lavapipe direct.
 * Run with LIBGL_ALWAYS_SOFTWARE=1 (Zink otherwise skips CPU devices) and MESA_LOADER_DRIVER_OVERRIDE=zink.
 * Every result is checked:
 *   version              the context is OpenGL 4.6 core on Zink (GL 3.0 needs VK_EXT_transform_feedback and
 *                        VK_EXT_conditional_rendering; without them Zink stops at 2.1)
 *   render               a triangle into a 64x64 framebuffer object, read back: centre coloured, corner cleared
 *   transform_feedback   four points captured (out = 2 * position + 1) with the rasterizer discarded, read back,
 *                        and a GL_TRANSFORM_FEEDBACK_PRIMITIVES_WRITTEN query of 4
 *   draw_transform_feedback  a triangle's positions captured into a transform feedback object, then drawn from it
 *                        with glDrawTransformFeedback (the vertex count comes from the captured byte count)
 *   conditional_render   occlusion queries of a hidden and a visible draw; a full-screen draw conditioned on each
 *                        is skipped, then made
 *   polygon_mode         the triangle drawn with glPolygonMode(GL_LINE): its edge coloured, its centre not (Zink
 *                        makes the polygon mode a dynamic state with VK_EXT_extended_dynamic_state3)
 *   blend_states         five strips drawn under five blend states: none, additive (ONE, ONE), a colour mask without
 *                        green, logic op XOR, and a reverse subtract; each strip's colour read back (with extended
 *                        dynamic state 3's blend states and extended dynamic state 2's logic op Zink keeps one
 *                        pipeline for them all, "full dynamic state 3"; without, one pipeline per blend state)
 *   msaa                 the triangle drawn into a 4-sample renderbuffer and resolved with glBlitFramebuffer:
 *                        centre coloured, corner cleared, and a pixel on its slanted edge in between (Zink sets the
 *                        sample count and mask per draw with extended dynamic state 3)
 *   primitives_generated a GL_PRIMITIVES_GENERATED query over two triangles drawn and one point list of three
 *                        points: 5 (Zink counts them with VK_EXT_primitives_generated_query)
 *   multi_draw           glMultiDrawArrays of triangles 0, 2 and 3 of four side by side, then glMultiDrawElements
 *                        of triangles 1 and 3: the drawn ones coloured, the skipped ones not (Zink draws them with
 *                        VK_EXT_multi_draw, its infos 12 bytes apart)
 *   line_stipple         in an OpenGL 4.6 compatibility context, a line across the framebuffer with glLineStipple(1,
 *                        0x00ff): eight pixels on, eight off (Zink stipples through VK_EXT_line_rasterization and
 *                        extended dynamic state 3; without the latter its stipple stayed unset and nothing was drawn)
 * Output: one "PASS <feature>" or "FAIL <feature>: <why>" line per feature, then "result PASS" (exit 0) or
 * "result FAIL" (exit 1).
 */
#define GL_GLEXT_PROTOTYPES 1
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/glcorearb.h>
#include <stdio.h>
#include <string.h>

#include "feature_report.h"

#define W 64
#define H 64

#define GLOK(what)                                                                                                 \
    do {                                                                                                           \
        GLenum e_ = glGetError();                                                                                  \
        EXPECT(e_ == GL_NO_ERROR, "%s: GL error 0x%x", what, e_);                                                  \
    } while (0)

/* whether a shader compiled or a program linked (status), with why set to its info log when not */
static int built(GLuint object, GLenum status, PFNGLGETSHADERIVPROC get, PFNGLGETSHADERINFOLOGPROC info,
                 const char *what) {
    GLint ok = 0;
    get(object, status, &ok);
    if (!ok) {
        char log[256];
        info(object, sizeof log, NULL, log);
        snprintf(why, sizeof why, "%s: %s", what, log);
    }
    return ok;
}

static GLuint shader(GLenum type, const char *src) {
    GLuint s = glCreateShader(type);
    glShaderSource(s, 1, &src, NULL);
    glCompileShader(s);
    return built(s, GL_COMPILE_STATUS, glGetShaderiv, glGetShaderInfoLog, "shader") ? s : 0;
}

/* a program of a vertex shader and an optional fragment shader, capturing varyings (count 0: none) */
static GLuint program(const char *vs, const char *fs, const char *const *varyings, int count) {
    GLuint v = shader(GL_VERTEX_SHADER, vs), f = fs ? shader(GL_FRAGMENT_SHADER, fs) : 0;
    if (!v || (fs && !f)) {
        return 0;
    }
    GLuint p = glCreateProgram();
    glAttachShader(p, v);
    if (f) {
        glAttachShader(p, f);
    }
    if (count) {
        glTransformFeedbackVaryings(p, count, varyings, GL_INTERLEAVED_ATTRIBS);
    }
    glLinkProgram(p);
    return built(p, GL_LINK_STATUS, glGetProgramiv, glGetProgramInfoLog, "link") ? p : 0;
}

static const char *POS_VS = "#version 460 core\n"
                            "layout(location = 0) in vec4 pos;\n"
                            "void main() { gl_Position = pos; }\n";
static const char *COLOR_FS = "#version 460 core\n"
                              "uniform vec4 color;\n"
                              "out vec4 frag;\n"
                              "void main() { frag = color; }\n";

static GLuint fbo, colorTex, drawProgram, vao;

/* a 64x64 RGBA8 framebuffer object, a program drawing a uniform colour, a vertex array */
static int setup(void) {
    glGenTextures(1, &colorTex);
    glBindTexture(GL_TEXTURE_2D, colorTex);
    glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, W, H);
    glGenFramebuffers(1, &fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, colorTex, 0);
    EXPECT(glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE, "framebuffer incomplete");
    glViewport(0, 0, W, H);
    drawProgram = program(POS_VS, COLOR_FS, NULL, 0);
    if (!drawProgram) {
        return 0;
    }
    glGenVertexArrays(1, &vao);
    glBindVertexArray(vao);
    GLOK("setup");
    return 1;
}

static void pixel(int x, int y, unsigned char out[4]) {
    glReadPixels(x, y, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, out);
}

static int is(const unsigned char px[4], int r, int g, int b) {
    return px[0] == r && px[1] == g && px[2] == b && px[3] == 255;
}

static void clear_black(void) {
    glClearColor(0, 0, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT);
}

/* a buffer of n vec4 positions bound as attribute 0 */
static GLuint positions(const float *xyzw, int n) {
    GLuint b;
    glGenBuffers(1, &b);
    glBindBuffer(GL_ARRAY_BUFFER, b);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(16 * n), xyzw, GL_STATIC_DRAW);
    glVertexAttribPointer(0, 4, GL_FLOAT, GL_FALSE, 16, 0);
    glEnableVertexAttribArray(0);
    return b;
}

static const float TRIANGLE[] = {-0.5f, -0.5f, 0, 1, 0.5f, -0.5f, 0, 1, 0, 0.5f, 0, 1};

/* the framebuffer cleared, the triangle's positions bound (returned: the caller deletes them), the draw program
 * using colour r, g, b */
static GLuint triangle(float r, float g, float b) {
    clear_black();
    GLuint buffer = positions(TRIANGLE, 3);
    glUseProgram(drawProgram);
    glUniform4f(glGetUniformLocation(drawProgram, "color"), r, g, b, 1);
    return buffer;
}

static int f_version(void) {
    const char *v = (const char *)glGetString(GL_VERSION), *r = (const char *)glGetString(GL_RENDERER);
    printf("GL_VERSION %s\nGL_RENDERER %s\n", v ? v : "(null)", r ? r : "(null)");
    EXPECT(v && strncmp(v, "4.6", 3) == 0, "GL_VERSION %s, not 4.6", v ? v : "(null)");
    EXPECT(r && strncmp(r, "zink", 4) == 0, "GL_RENDERER %s is not Zink", r ? r : "(null)");
    return 1;
}

static int f_render(void) {
    GLuint b = triangle(0, 1, 0);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    unsigned char in[4], out[4];
    pixel(W / 2, H / 2, in);
    pixel(1, H - 2, out);
    glDeleteBuffers(1, &b);
    GLOK("render");
    EXPECT(is(in, 0, 255, 0), "centre %02x%02x%02x%02x, not green", in[0], in[1], in[2], in[3]);
    EXPECT(is(out, 0, 0, 0), "corner %02x%02x%02x%02x, not the clear colour", out[0], out[1], out[2], out[3]);
    return 1;
}

static int f_transform_feedback(void) {
    static const char *vs = "#version 460 core\n"
                            "layout(location = 0) in vec4 pos;\n"
                            "out vec4 xf;\n"
                            "void main() { xf = pos * 2.0 + 1.0; gl_Position = pos; }\n";
    const char *varyings[] = {"xf"};
    GLuint p = program(vs, NULL, varyings, 1);
    if (!p) {
        return 0; /* why says */
    }
    float pts[16];
    for (int i = 0; i < 16; i++) {
        pts[i] = (float)i;
    }
    GLuint in = positions(pts, 4), out, q;
    glGenBuffers(1, &out);
    glBindBuffer(GL_TRANSFORM_FEEDBACK_BUFFER, out);
    glBufferData(GL_TRANSFORM_FEEDBACK_BUFFER, sizeof pts, NULL, GL_STREAM_READ);
    glBindBufferBase(GL_TRANSFORM_FEEDBACK_BUFFER, 0, out);
    glGenQueries(1, &q);
    glUseProgram(p);
    glEnable(GL_RASTERIZER_DISCARD);
    glBeginQuery(GL_TRANSFORM_FEEDBACK_PRIMITIVES_WRITTEN, q);
    glBeginTransformFeedback(GL_POINTS);
    glDrawArrays(GL_POINTS, 0, 4);
    glEndTransformFeedback();
    glEndQuery(GL_TRANSFORM_FEEDBACK_PRIMITIVES_WRITTEN);
    glDisable(GL_RASTERIZER_DISCARD);
    GLuint written = 0;
    glGetQueryObjectuiv(q, GL_QUERY_RESULT, &written);
    float got[16];
    glGetBufferSubData(GL_TRANSFORM_FEEDBACK_BUFFER, 0, sizeof got, got);
    glDeleteQueries(1, &q);
    glDeleteBuffers(1, &in);
    glDeleteBuffers(1, &out);
    glDeleteProgram(p);
    GLOK("transform feedback");
    EXPECT(written == 4, "%u primitives written, not 4", written);
    for (int i = 0; i < 16; i++) {
        EXPECT(got[i] == 2.0f * (float)i + 1.0f, "captured value %d is %g, not %g", i, got[i], 2.0 * i + 1.0);
    }
    return 1;
}

static int f_draw_transform_feedback(void) {
    /* pass 1: the vertex shader moves the triangle right by 0.25 and captures gl_Position */
    static const char *vs = "#version 460 core\n"
                            "layout(location = 0) in vec4 pos;\n"
                            "void main() { gl_Position = pos + vec4(0.25, 0.0, 0.0, 0.0); }\n";
    const char *varyings[] = {"gl_Position"};
    GLuint p = program(vs, NULL, varyings, 1);
    if (!p) {
        return 0; /* why says */
    }
    GLuint in = positions(TRIANGLE, 3), out, tfo;
    glGenBuffers(1, &out);
    glBindBuffer(GL_ARRAY_BUFFER, out);
    glBufferData(GL_ARRAY_BUFFER, 16 * 16, NULL, GL_STREAM_COPY);
    glGenTransformFeedbacks(1, &tfo);
    glBindTransformFeedback(GL_TRANSFORM_FEEDBACK, tfo);
    glBindBufferBase(GL_TRANSFORM_FEEDBACK_BUFFER, 0, out);
    glBindBuffer(GL_ARRAY_BUFFER, in);
    glUseProgram(p);
    glEnable(GL_RASTERIZER_DISCARD);
    glBeginTransformFeedback(GL_TRIANGLES);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glEndTransformFeedback();
    glDisable(GL_RASTERIZER_DISCARD);
    glBindTransformFeedback(GL_TRANSFORM_FEEDBACK, 0);
    /* pass 2: draw what was captured, as many vertices as were written */
    clear_black();
    glBindBuffer(GL_ARRAY_BUFFER, out);
    glVertexAttribPointer(0, 4, GL_FLOAT, GL_FALSE, 16, 0);
    glUseProgram(drawProgram);
    glUniform4f(glGetUniformLocation(drawProgram, "color"), 0, 0, 1, 1);
    glDrawTransformFeedback(GL_TRIANGLES, tfo);
    unsigned char right[4], left[4];
    pixel(W / 2 + 12, H / 2 - 8, right); /* inside the moved triangle only */
    pixel(W / 2 - 14, H / 2 - 14, left); /* inside the original triangle only */
    glDeleteTransformFeedbacks(1, &tfo);
    glDeleteBuffers(1, &in);
    glDeleteBuffers(1, &out);
    glDeleteProgram(p);
    GLOK("draw transform feedback");
    EXPECT(is(right, 0, 0, 255), "moved triangle's pixel %02x%02x%02x%02x, not blue", right[0], right[1], right[2],
           right[3]);
    EXPECT(is(left, 0, 0, 0), "original triangle's pixel %02x%02x%02x%02x, not cleared", left[0], left[1], left[2],
           left[3]);
    return 1;
}

static int f_conditional_render(void) {
    static const float FULL[] = {-1, -1, 0, 1, 3, -1, 0, 1, -1, 3, 0, 1};
    GLuint b = positions(FULL, 3), q[2];
    glGenQueries(2, q);
    glUseProgram(drawProgram);
    glUniform4f(glGetUniformLocation(drawProgram, "color"), 1, 1, 1, 1);
    /* q[0]: a draw the scissor hides entirely; q[1]: a visible one */
    glEnable(GL_SCISSOR_TEST);
    glScissor(0, 0, 0, 0);
    glBeginQuery(GL_SAMPLES_PASSED, q[0]);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glEndQuery(GL_SAMPLES_PASSED);
    glDisable(GL_SCISSOR_TEST);
    glBeginQuery(GL_SAMPLES_PASSED, q[1]);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glEndQuery(GL_SAMPLES_PASSED);
    unsigned char px[2][4];
    for (int i = 0; i < 2; i++) {
        clear_black();
        glUniform4f(glGetUniformLocation(drawProgram, "color"), 1, 0, 0, 1);
        glBeginConditionalRender(q[i], GL_QUERY_WAIT);
        glDrawArrays(GL_TRIANGLES, 0, 3);
        glEndConditionalRender();
        pixel(W / 2, H / 2, px[i]);
    }
    GLuint samples[2];
    glGetQueryObjectuiv(q[0], GL_QUERY_RESULT, &samples[0]);
    glGetQueryObjectuiv(q[1], GL_QUERY_RESULT, &samples[1]);
    glDeleteQueries(2, q);
    glDeleteBuffers(1, &b);
    GLOK("conditional render");
    EXPECT(samples[0] == 0 && samples[1] == W * H, "samples passed %u and %u, not 0 and %d", samples[0], samples[1],
           W * H);
    EXPECT(is(px[0], 0, 0, 0), "the draw conditioned on no samples ran (%02x%02x%02x)", px[0][0], px[0][1], px[0][2]);
    EXPECT(is(px[1], 255, 0, 0), "the draw conditioned on %u samples did not run (%02x%02x%02x)", samples[1], px[1][0],
           px[1][1], px[1][2]);
    return 1;
}

static int f_polygon_mode(void) {
    GLuint b = triangle(1, 0, 1);
    glPolygonMode(GL_FRONT_AND_BACK, GL_LINE);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glPolygonMode(GL_FRONT_AND_BACK, GL_FILL);
    unsigned char centre[4], edge[2][4];
    pixel(W / 2, H / 2 - 4, centre);
    pixel(W / 2, H / 4 - 1, edge[0]); /* the bottom edge, y = -0.5: row 16 or the one below it */
    pixel(W / 2, H / 4, edge[1]);
    glDeleteBuffers(1, &b);
    GLOK("polygon mode");
    EXPECT(is(centre, 0, 0, 0), "centre %02x%02x%02x%02x, not the clear colour", centre[0], centre[1], centre[2],
           centre[3]);
    EXPECT(is(edge[0], 255, 0, 255) || is(edge[1], 255, 0, 255), "bottom edge %02x%02x%02x / %02x%02x%02x, not drawn",
           edge[0][0], edge[0][1], edge[0][2], edge[1][0], edge[1][1], edge[1][2]);
    return 1;
}

/* one strip of rows [y, y + 8) filled by a full-screen triangle in colour r, g, b under the current blend state */
static void strip(int y, float r, float g, float b) {
    glScissor(0, y, W, 8);
    glUniform4f(glGetUniformLocation(drawProgram, "color"), r, g, b, 1);
    glDrawArrays(GL_TRIANGLES, 0, 3);
}

static int f_blend_states(void) {
    static const float FULL[] = {-1, -1, 0, 1, 3, -1, 0, 1, -1, 3, 0, 1};
    clear_black();
    GLuint b = positions(FULL, 3);
    glUseProgram(drawProgram);
    glEnable(GL_SCISSOR_TEST);
    strip(0, 1, 0, 0); /* no blending: red */
    glEnable(GL_BLEND);
    glBlendFunc(GL_ONE, GL_ONE);
    strip(8, 0, 1, 0);
    strip(8, 1, 0, 0); /* additive: green + red */
    glDisable(GL_BLEND);
    glColorMask(GL_TRUE, GL_FALSE, GL_TRUE, GL_TRUE);
    strip(16, 1, 1, 1); /* green masked: magenta */
    glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    strip(24, 0, 0, 1);
    glEnable(GL_COLOR_LOGIC_OP);
    glLogicOp(GL_XOR);
    glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_FALSE);
    strip(24, 1, 1, 1); /* blue XOR white: yellow (alpha kept) */
    glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    glDisable(GL_COLOR_LOGIC_OP);
    strip(32, 1, 1, 1);
    glEnable(GL_BLEND);
    glBlendEquationSeparate(GL_FUNC_REVERSE_SUBTRACT, GL_FUNC_ADD);
    strip(32, 1, 0, 0); /* white - red: cyan (alpha added: 1) */
    glBlendEquation(GL_FUNC_ADD);
    glDisable(GL_BLEND);
    glDisable(GL_SCISSOR_TEST);
    static const unsigned char WANT[5][3] = {{255, 0, 0}, {255, 255, 0}, {255, 0, 255}, {255, 255, 0}, {0, 255, 255}};
    unsigned char px[5][4], below[4];
    for (int i = 0; i < 5; i++) {
        pixel(W / 2, 8 * i + 4, px[i]);
    }
    pixel(W / 2, 44, below);
    glDeleteBuffers(1, &b);
    GLOK("blend states");
    static const char *const NAMES[5] = {"none", "additive", "colour mask", "logic op", "reverse subtract"};
    for (int i = 0; i < 5; i++) {
        EXPECT(is(px[i], WANT[i][0], WANT[i][1], WANT[i][2]), "%s: %02x%02x%02x%02x, not %02x%02x%02x", NAMES[i],
               px[i][0], px[i][1], px[i][2], px[i][3], WANT[i][0], WANT[i][1], WANT[i][2]);
    }
    EXPECT(is(below, 0, 0, 0), "outside the strips %02x%02x%02x%02x, not the clear colour", below[0], below[1],
           below[2], below[3]);
    return 1;
}

static int f_msaa(void) {
    GLuint rb, ms;
    glGenRenderbuffers(1, &rb);
    glBindRenderbuffer(GL_RENDERBUFFER, rb);
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, 4, GL_RGBA8, W, H);
    glGenFramebuffers(1, &ms);
    glBindFramebuffer(GL_FRAMEBUFFER, ms);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, rb);
    EXPECT(glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE, "multisample framebuffer incomplete");
    GLuint b = triangle(1, 0, 0);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, ms);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, fbo);
    glBlitFramebuffer(0, 0, W, H, 0, 0, W, H, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    unsigned char in[4], out[4], row[W * 4];
    pixel(W / 2, H / 2, in);
    pixel(1, H - 2, out);
    /* the left edge runs from (16, 16) to (32, 48): along row 32 some pixel is partly covered */
    glReadPixels(0, H / 2, W, 1, GL_RGBA, GL_UNSIGNED_BYTE, row);
    int partial = 0;
    for (int x = 0; x < W; x++) {
        partial |= row[4 * x] > 0 && row[4 * x] < 255;
    }
    glDeleteBuffers(1, &b);
    glDeleteFramebuffers(1, &ms);
    glDeleteRenderbuffers(1, &rb);
    GLOK("msaa");
    EXPECT(is(in, 255, 0, 0), "centre %02x%02x%02x%02x, not red", in[0], in[1], in[2], in[3]);
    EXPECT(is(out, 0, 0, 0), "corner %02x%02x%02x%02x, not the clear colour", out[0], out[1], out[2], out[3]);
    EXPECT(partial, "no partly covered pixel along row %d: not multisampled", H / 2);
    return 1;
}

static int f_primitives_generated(void) {
    GLuint b = triangle(1, 1, 1);
    GLuint q;
    glGenQueries(1, &q);
    glBeginQuery(GL_PRIMITIVES_GENERATED, q);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glDrawArrays(GL_POINTS, 0, 3);
    glEndQuery(GL_PRIMITIVES_GENERATED);
    GLuint generated = 0;
    glGetQueryObjectuiv(q, GL_QUERY_RESULT, &generated);
    glDeleteQueries(1, &q);
    glDeleteBuffers(1, &b);
    GLOK("primitives generated");
    EXPECT(generated == 5, "%u primitives generated, not 5", generated);
    return 1;
}

/* which of the four triangles of f_multi_draw are drawn in colour r, g, b: a bit each */
static int drawn_triangles(int r, int g, int b) {
    int mask = 0;
    for (int t = 0; t < 4; t++) {
        unsigned char px[4];
        pixel(8 + 16 * t, 30, px);
        mask |= is(px, r, g, b) << t;
    }
    return mask;
}

static int f_multi_draw(void) {
    float tri[4 * 3 * 4];
    for (int t = 0; t < 4; t++) {
        float cx = -0.75f + 0.5f * t, v[3][2] = {{cx - 0.15f, -0.2f}, {cx + 0.15f, -0.2f}, {cx, 0.3f}};
        for (int k = 0; k < 3; k++) {
            float *o = tri + 4 * (3 * t + k);
            o[0] = v[k][0];
            o[1] = v[k][1];
            o[2] = 0;
            o[3] = 1;
        }
    }
    clear_black();
    GLuint b = positions(tri, 12);
    glUseProgram(drawProgram);
    glUniform4f(glGetUniformLocation(drawProgram, "color"), 0, 1, 1, 1);
    const GLint firsts[3] = {0, 6, 9};
    const GLsizei counts[3] = {3, 3, 3};
    glMultiDrawArrays(GL_TRIANGLES, firsts, counts, 3);
    int arrays = drawn_triangles(0, 255, 255);
    clear_black();
    GLuint ib;
    const GLuint indices[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    glGenBuffers(1, &ib);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, ib);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, sizeof indices, indices, GL_STATIC_DRAW);
    glUniform4f(glGetUniformLocation(drawProgram, "color"), 1, 1, 0, 1);
    const void *offsets[2] = {(const void *)(3 * sizeof(GLuint)), (const void *)(9 * sizeof(GLuint))};
    const GLsizei icounts[2] = {3, 3};
    glMultiDrawElements(GL_TRIANGLES, icounts, GL_UNSIGNED_INT, offsets, 2);
    int elements = drawn_triangles(255, 255, 0);
    glDeleteBuffers(1, &ib);
    glDeleteBuffers(1, &b);
    GLOK("multi draw");
    EXPECT(arrays == 0xd, "glMultiDrawArrays drew triangles 0x%x, not 0xd (0, 2, 3)", arrays);
    EXPECT(elements == 0xa, "glMultiDrawElements drew triangles 0x%x, not 0xa (1, 3)", elements);
    return 1;
}

/* in a compatibility context of its own (glLineStipple is not core): a stippled line along row H / 2 */
static int f_line_stipple(EGLDisplay d) {
    const EGLint attrs[] = {EGL_CONTEXT_MAJOR_VERSION, 4, EGL_CONTEXT_MINOR_VERSION, 6, EGL_CONTEXT_OPENGL_PROFILE_MASK,
                            EGL_CONTEXT_OPENGL_COMPATIBILITY_PROFILE_BIT, EGL_NONE};
    EGLContext ctx = eglCreateContext(d, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attrs);
    EXPECT(ctx != EGL_NO_CONTEXT && eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx),
           "no OpenGL 4.6 compatibility context (0x%x)", eglGetError());
    void (*lineStipple)(GLint, GLushort) = (void (*)(GLint, GLushort))eglGetProcAddress("glLineStipple");
    EXPECT(lineStipple, "no glLineStipple");
    int ok = setup();
    unsigned char row[W * 4];
    if (ok) {
        clear_black();
        const float line[] = {-1, (H / 2 + 0.5f) / H * 2 - 1, 0, 1, 1, (H / 2 + 0.5f) / H * 2 - 1, 0, 1};
        GLuint b = positions(line, 2);
        glUseProgram(drawProgram);
        glUniform4f(glGetUniformLocation(drawProgram, "color"), 1, 1, 0, 1);
        glEnable(0x0B24); /* GL_LINE_STIPPLE */
        lineStipple(1, 0x00ff);
        glDrawArrays(GL_LINES, 0, 2);
        glReadPixels(0, H / 2, W, 1, GL_RGBA, GL_UNSIGNED_BYTE, row);
        glDeleteBuffers(1, &b);
        GLenum e = glGetError();
        if (e != GL_NO_ERROR) {
            snprintf(why, sizeof why, "line stipple: GL error 0x%x", e);
            ok = 0;
        }
    }
    eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(d, ctx);
    if (!ok) {
        return 0; /* why says */
    }
    char drawn[W + 1], want[W + 1];
    for (int x = 0; x < W; x++) {
        drawn[x] = is(row + 4 * x, 255, 255, 0) ? '#' : is(row + 4 * x, 0, 0, 0) ? '.' : '?';
        want[x] = (x / 8) % 2 == 0 ? '#' : '.';
    }
    drawn[W] = want[W] = 0;
    EXPECT(strcmp(drawn, want) == 0, "row %s, not %s", drawn, want);
    return 1;
}

int main(void) {
    PFNEGLGETPLATFORMDISPLAYEXTPROC getDisplay = (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress(
        "eglGetPlatformDisplayEXT");
    EGLDisplay d = getDisplay ? getDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL) : EGL_NO_DISPLAY;
    EGLint major, minor;
    if (d == EGL_NO_DISPLAY || !eglInitialize(d, &major, &minor) || !eglBindAPI(EGL_OPENGL_API)) {
        printf("FAIL egl: no surfaceless display (0x%x)\nresult FAIL\n", eglGetError());
        return 1;
    }
    const EGLint attrs[] = {EGL_CONTEXT_MAJOR_VERSION, 4, EGL_CONTEXT_MINOR_VERSION, 6, EGL_CONTEXT_OPENGL_PROFILE_MASK,
                            EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
    EGLContext ctx = eglCreateContext(d, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attrs);
    if (ctx == EGL_NO_CONTEXT || !eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
        printf("FAIL version: no OpenGL 4.6 core context (0x%x)\nresult FAIL\n", eglGetError());
        return 1;
    }
    report("version", f_version());
    if (!setup()) {
        printf("FAIL setup: %s\nresult FAIL\n", why);
        return 1;
    }
    report("render", f_render());
    report("transform_feedback", f_transform_feedback());
    report("draw_transform_feedback", f_draw_transform_feedback());
    report("conditional_render", f_conditional_render());
    report("polygon_mode", f_polygon_mode());
    report("blend_states", f_blend_states());
    report("msaa", f_msaa());
    report("primitives_generated", f_primitives_generated());
    report("multi_draw", f_multi_draw());
    report("line_stipple", f_line_stipple(d));
    eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(d, ctx);
    eglTerminate(d);
    printf("result %s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
