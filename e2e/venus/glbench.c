/*
 * glbench: an OpenGL 4.6 core workload through Mesa's Zink on whichever Vulkan ICD the loader picks, timed in steps
 * for e2e/venus/bench.sh (BENCH_CLIENT=glbench): the same run straight on lavapipe, through virglrenderer's Venus
 * and through virtgpu's. EGL surfaceless; run with LIBGL_ALWAYS_SOFTWARE=1 MESA_LOADER_DRIVER_OVERRIDE=zink.
 * Steps (milliseconds, "step NAME MS" lines):
 *   context_create   display, context and the first glGetString (Zink creates its Vulkan instance and device)
 *   setup            a 256x256 RGBA8 framebuffer object, a program, 64 triangles in a buffer
 *   frame_plain      per frame, the mean of FRAMES frames: clear, 64 draws of one triangle each, glFinish
 *   frame_blend      the same with the blend state changed before every draw (four states in turn: with extended
 *                    dynamic state 3 Zink sets them per draw, without it each is a pipeline of its own)
 *   readback         glReadPixels of the whole framebuffer
 * Every frame's last draw is checked in the read-back pixels; "result PASS" (exit 0) or "result FAIL" (exit 1).
 */
#define _POSIX_C_SOURCE 200809L
#define GL_GLEXT_PROTOTYPES 1
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/glcorearb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

#define SIZE 256
#define TRIANGLES 64
#define FRAMES 60

static void fail(const char *what) {
    printf("FAIL %s (GL error 0x%x)\nresult FAIL\n", what, glGetError());
    exit(1);
}

static GLuint shader(GLenum type, const char *src) {
    GLuint s = glCreateShader(type);
    glShaderSource(s, 1, &src, NULL);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) fail("shader");
    return s;
}

/* one frame: clear, then each triangle drawn (blend: with one of four blend states before each draw) */
static void frame(GLint color, int blend) {
    static const GLenum EQUATIONS[4] = {GL_FUNC_ADD, GL_FUNC_ADD, GL_FUNC_REVERSE_SUBTRACT, GL_MAX};
    glClear(GL_COLOR_BUFFER_BIT);
    for (int t = 0; t < TRIANGLES; t++) {
        if (blend) {
            int k = t % 4;
            if (k == 0) {
                glDisable(GL_BLEND);
            } else {
                glEnable(GL_BLEND);
                glBlendEquation(EQUATIONS[k]);
                glBlendFunc(GL_ONE, k == 1 ? GL_ONE : GL_ONE_MINUS_SRC_ALPHA);
            }
        }
        glUniform4f(color, (t & 1) ? 1.0f : 0.0f, (t & 2) ? 1.0f : 0.0f, 1.0f, 1.0f);
        glDrawArrays(GL_TRIANGLES, 3 * t, 3);
    }
    glDisable(GL_BLEND);
    glFinish();
}

int main(void) {
    double t = now_ms();
    PFNEGLGETPLATFORMDISPLAYEXTPROC getDisplay =
        (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
    EGLDisplay d = getDisplay ? getDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL) : EGL_NO_DISPLAY;
    EGLint major, minor;
    if (d == EGL_NO_DISPLAY || !eglInitialize(d, &major, &minor) || !eglBindAPI(EGL_OPENGL_API)) fail("egl");
    const EGLint attrs[] = {EGL_CONTEXT_MAJOR_VERSION, 4, EGL_CONTEXT_MINOR_VERSION, 6, EGL_CONTEXT_OPENGL_PROFILE_MASK,
                            EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
    EGLContext ctx = eglCreateContext(d, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attrs);
    if (ctx == EGL_NO_CONTEXT || !eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) fail("context");
    const char *renderer = (const char *)glGetString(GL_RENDERER);
    if (!renderer || strncmp(renderer, "zink", 4) != 0) fail("not Zink");
    printf("renderer %s\nstep context_create %.3f\n", renderer, now_ms() - t);

    t = now_ms();
    GLuint tex, fbo, vao, buf;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, SIZE, SIZE);
    glGenFramebuffers(1, &fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex, 0);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) fail("framebuffer");
    glViewport(0, 0, SIZE, SIZE);
    GLuint p = glCreateProgram();
    glAttachShader(p, shader(GL_VERTEX_SHADER, "#version 460 core\nlayout(location = 0) in vec2 pos;\n"
                                               "void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n"));
    glAttachShader(p, shader(GL_FRAGMENT_SHADER, "#version 460 core\nuniform vec4 color;\nout vec4 frag;\n"
                                                 "void main() { frag = color; }\n"));
    glLinkProgram(p);
    GLint linked = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &linked);
    if (!linked) fail("link");
    glUseProgram(p);
    GLint color = glGetUniformLocation(p, "color");
    /* 64 triangles on an 8x8 grid, each in its own cell */
    static float pos[TRIANGLES * 6];
    for (int i = 0; i < TRIANGLES; i++) {
        float x = -1.0f + 0.25f * (i % 8), y = -1.0f + 0.25f * (i / 8);
        float v[6] = {x + 0.02f, y + 0.02f, x + 0.23f, y + 0.02f, x + 0.02f, y + 0.23f};
        memcpy(pos + 6 * i, v, sizeof v);
    }
    glGenVertexArrays(1, &vao);
    glBindVertexArray(vao);
    glGenBuffers(1, &buf);
    glBindBuffer(GL_ARRAY_BUFFER, buf);
    glBufferData(GL_ARRAY_BUFFER, sizeof pos, pos, GL_STATIC_DRAW);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 8, 0);
    glEnableVertexAttribArray(0);
    glClearColor(0, 0, 0, 1);
    glFinish();
    if (glGetError() != GL_NO_ERROR) fail("setup");
    printf("step setup %.3f\n", now_ms() - t);

    for (int blend = 0; blend < 2; blend++) {
        frame(color, blend); /* the first frame compiles what the rest reuse: not timed */
        t = now_ms();
        for (int f = 0; f < FRAMES; f++) frame(color, blend);
        printf("step %s %.3f\n", blend ? "frame_blend" : "frame_plain", (now_ms() - t) / FRAMES);
    }

    t = now_ms();
    static unsigned char px[SIZE * SIZE * 4];
    glReadPixels(0, 0, SIZE, SIZE, GL_RGBA, GL_UNSIGNED_BYTE, px);
    printf("step readback %.3f\n", now_ms() - t);
    /* the last triangle (63: blend state 3, GL_MAX of (1, 1, 1) over black) is white; its cell's far corner black */
    const unsigned char *in = px + 4 * ((SIZE * 7 / 8 + 8) * SIZE + SIZE * 7 / 8 + 8);
    const unsigned char *out = px + 4 * ((SIZE - 2) * SIZE + SIZE - 2);
    if (in[0] != 255 || in[1] != 255 || in[2] != 255 || out[0] != 0 || out[1] != 0 || out[2] != 0) {
        printf("FAIL readback: triangle %02x%02x%02x, corner %02x%02x%02x\nresult FAIL\n", in[0], in[1], in[2], out[0],
               out[1], out[2]);
        return 1;
    }
    eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(d, ctx);
    eglTerminate(d);
    printf("result PASS\n");
    return 0;
}
