/*
 * vgpu-guest: exercises a virtio-gpu device from inside a Linux guest through the DRM and virtgpu ioctls,
 * and prints one machine-readable line per check:  "PASS <check> <details>" or "FAIL <check> <reason>".
 *
 *   vgpu-guest test            every check (capsets, GET_CAPS, dumb buffer scanout + DIRTYFB, 3D resource +
 *                              TRANSFER_TO_HOST, EXECBUFFER with an out-fence and WAIT)
 *   vgpu-guest bench N         N double-buffered page flips of full-screen frames; prints "FPS <frames/s>"
 *
 * The uapi structs are written out here from the kernel's uapi documentation (drm.h, drm_mode.h,
 * virtgpu_drm.h) so the program builds without kernel headers. Built with gcc -static.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* ---- drm.h ---- */
struct drm_version {
    int version_major, version_minor, version_patchlevel;
    uint64_t name_len; char *name;
    uint64_t date_len; char *date;
    uint64_t desc_len; char *desc;
};
struct drm_get_cap { uint64_t capability; uint64_t value; };
struct drm_gem_close { uint32_t handle; uint32_t pad; };
struct drm_event { uint32_t type; uint32_t length; };
#define DRM_IOCTL_BASE 'd'
#define DRM_IOWR(nr, type) _IOWR(DRM_IOCTL_BASE, nr, type)
#define DRM_IOW(nr, type) _IOW(DRM_IOCTL_BASE, nr, type)
#define DRM_IOCTL_VERSION DRM_IOWR(0x00, struct drm_version)
#define DRM_IOCTL_GEM_CLOSE DRM_IOW(0x09, struct drm_gem_close)
#define DRM_IOCTL_GET_CAP DRM_IOWR(0x0c, struct drm_get_cap)
#define DRM_CAP_DUMB_BUFFER 0x1
#define DRM_EVENT_FLIP_COMPLETE 0x02

/* ---- drm_mode.h ---- */
struct drm_mode_modeinfo {
    uint32_t clock;
    uint16_t hdisplay, hsync_start, hsync_end, htotal, hskew;
    uint16_t vdisplay, vsync_start, vsync_end, vtotal, vscan;
    uint32_t vrefresh, flags, type;
    char name[32];
};
struct drm_mode_card_res {
    uint64_t fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr;
    uint32_t count_fbs, count_crtcs, count_connectors, count_encoders;
    uint32_t min_width, max_width, min_height, max_height;
};
struct drm_mode_crtc {
    uint64_t set_connectors_ptr;
    uint32_t count_connectors, crtc_id, fb_id, x, y, gamma_size, mode_valid;
    struct drm_mode_modeinfo mode;
};
struct drm_mode_get_encoder { uint32_t encoder_id, encoder_type, crtc_id, possible_crtcs, possible_clones; };
struct drm_mode_get_connector {
    uint64_t encoders_ptr, modes_ptr, props_ptr, prop_values_ptr;
    uint32_t count_modes, count_props, count_encoders;
    uint32_t encoder_id, connector_id, connector_type, connector_type_id, connection;
    uint32_t mm_width, mm_height, subpixel, pad;
};
struct drm_mode_fb_cmd { uint32_t fb_id, width, height, pitch, bpp, depth, handle; };
struct drm_clip_rect { unsigned short x1, y1, x2, y2; };
struct drm_mode_fb_dirty_cmd { uint32_t fb_id, flags, color, num_clips; uint64_t clips_ptr; };
struct drm_mode_crtc_page_flip { uint32_t crtc_id, fb_id, flags, reserved; uint64_t user_data; };
struct drm_mode_create_dumb { uint32_t height, width, bpp, flags, handle, pitch; uint64_t size; };
struct drm_mode_map_dumb { uint32_t handle, pad; uint64_t offset; };
#define DRM_IOCTL_MODE_GETRESOURCES DRM_IOWR(0xA0, struct drm_mode_card_res)
#define DRM_IOCTL_MODE_SETCRTC DRM_IOWR(0xA2, struct drm_mode_crtc)
#define DRM_IOCTL_MODE_GETENCODER DRM_IOWR(0xA6, struct drm_mode_get_encoder)
#define DRM_IOCTL_MODE_GETCONNECTOR DRM_IOWR(0xA7, struct drm_mode_get_connector)
#define DRM_IOCTL_MODE_ADDFB DRM_IOWR(0xAE, struct drm_mode_fb_cmd)
#define DRM_IOCTL_MODE_PAGE_FLIP DRM_IOWR(0xB0, struct drm_mode_crtc_page_flip)
#define DRM_IOCTL_MODE_DIRTYFB DRM_IOWR(0xB1, struct drm_mode_fb_dirty_cmd)
#define DRM_IOCTL_MODE_CREATE_DUMB DRM_IOWR(0xB2, struct drm_mode_create_dumb)
#define DRM_IOCTL_MODE_MAP_DUMB DRM_IOWR(0xB3, struct drm_mode_map_dumb)
#define DRM_MODE_PAGE_FLIP_EVENT 0x01
#define DRM_MODE_CONNECTED 1

/* ---- virtgpu_drm.h ---- */
#define DRM_COMMAND_BASE 0x40
struct drm_virtgpu_map { uint64_t offset; uint32_t handle; uint32_t pad; };
struct drm_virtgpu_execbuffer {
    uint32_t flags, size;
    uint64_t command, bo_handles;
    uint32_t num_bo_handles;
    int32_t fence_fd;
    uint32_t ring_idx, syncobj_stride, num_in_syncobjs, num_out_syncobjs;
    uint64_t in_syncobjs, out_syncobjs;
};
struct drm_virtgpu_getparam { uint64_t param; uint64_t value; };
struct drm_virtgpu_resource_create {
    uint32_t target, format, bind, width, height, depth, array_size, last_level, nr_samples, flags;
    uint32_t bo_handle, res_handle, size, stride;
};
struct drm_virtgpu_3d_box { uint32_t x, y, z, w, h, d; };
struct drm_virtgpu_3d_transfer_to_host {
    uint32_t bo_handle;
    struct drm_virtgpu_3d_box box;
    uint32_t level, offset, stride, layer_stride;
};
struct drm_virtgpu_3d_wait { uint32_t handle, flags; };
struct drm_virtgpu_get_caps { uint32_t cap_set_id, cap_set_ver; uint64_t addr; uint32_t size, pad; };
#define DRM_IOCTL_VIRTGPU_MAP DRM_IOWR(DRM_COMMAND_BASE + 0x01, struct drm_virtgpu_map)
#define DRM_IOCTL_VIRTGPU_EXECBUFFER DRM_IOWR(DRM_COMMAND_BASE + 0x02, struct drm_virtgpu_execbuffer)
#define DRM_IOCTL_VIRTGPU_GETPARAM DRM_IOWR(DRM_COMMAND_BASE + 0x03, struct drm_virtgpu_getparam)
#define DRM_IOCTL_VIRTGPU_RESOURCE_CREATE DRM_IOWR(DRM_COMMAND_BASE + 0x04, struct drm_virtgpu_resource_create)
#define DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST DRM_IOWR(DRM_COMMAND_BASE + 0x07, struct drm_virtgpu_3d_transfer_to_host)
#define DRM_IOCTL_VIRTGPU_WAIT DRM_IOWR(DRM_COMMAND_BASE + 0x08, struct drm_virtgpu_3d_wait)
#define DRM_IOCTL_VIRTGPU_GET_CAPS DRM_IOWR(DRM_COMMAND_BASE + 0x09, struct drm_virtgpu_get_caps)
#define VIRTGPU_PARAM_3D_FEATURES 1
#define VIRTGPU_PARAM_CAPSET_QUERY_FIX 2
#define VIRTGPU_PARAM_RESOURCE_BLOB 3
#define VIRTGPU_PARAM_HOST_VISIBLE 4
#define VIRTGPU_PARAM_CONTEXT_INIT 6
#define VIRTGPU_PARAM_SUPPORTED_CAPSET_IDS 7
#define VIRTGPU_EXECBUF_FENCE_FD_OUT 0x02
/* gallium pipe_texture_target PIPE_TEXTURE_2D, virgl bind RENDER_TARGET | SAMPLER_VIEW | SCANOUT */
#define PIPE_TEXTURE_2D 2
#define VIRGL_BIND_RENDER_TARGET (1 << 1)
#define VIRGL_BIND_SAMPLER_VIEW (1 << 3)
#define VIRGL_BIND_SCANOUT (1 << 18)
#define VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM 2

static int failures;

#define PASS(check, ...) do { printf("PASS %s ", check); printf(__VA_ARGS__); printf("\n"); fflush(stdout); } while (0)
#define FAIL(check, ...) do { failures++; printf("FAIL %s ", check); printf(__VA_ARGS__); printf("\n"); fflush(stdout); } while (0)

/* The test pattern: frame k at (x, y); the host checks screendumps against the same formula. */
static uint32_t pattern(uint32_t x, uint32_t y, uint32_t k) {
    uint32_t r = (x + k * 37) & 0xff, g = (y + k * 53) & 0xff, b = (k * 80 + 0x20) & 0xff;
    return (r << 16) | (g << 8) | b; /* XRGB8888: bytes B, G, R, X in memory */
}

static void fill(uint32_t *px, uint32_t w, uint32_t h, uint32_t pitch, uint32_t k) {
    for (uint32_t y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)((char *)px + (size_t)y * pitch);
        for (uint32_t x = 0; x < w; x++) row[x] = pattern(x, y, k);
    }
}

static int getparam(int fd, uint64_t param, int *out) {
    struct drm_virtgpu_getparam gp = { .param = param, .value = (uint64_t)(uintptr_t)out };
    return ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp);
}

static uint32_t fnv1a(const uint8_t *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
    return h;
}

/* Waits for a marker file the host's script cannot create; instead the guest sleeps so the host can screendump. */
static void hold(const char *marker, int ms) {
    printf("SCREEN %s\n", marker);
    fflush(stdout);
    usleep(ms * 1000);
}

struct display { uint32_t crtc, connector, w, h; struct drm_mode_modeinfo mode; };

static int find_display(int fd, struct display *d) {
    struct drm_mode_card_res res = {0};
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res)) return -1;
    uint32_t crtcs[16] = {0}, conns[16] = {0}, encs[16] = {0};
    if (res.count_crtcs > 16 || res.count_connectors > 16 || res.count_encoders > 16) return -1;
    res.count_fbs = 0; res.fb_id_ptr = 0;
    res.crtc_id_ptr = (uintptr_t)crtcs; res.connector_id_ptr = (uintptr_t)conns; res.encoder_id_ptr = (uintptr_t)encs;
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res)) return -1;
    for (uint32_t i = 0; i < res.count_connectors; i++) {
        struct drm_mode_get_connector c = { .connector_id = conns[i] };
        if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c)) continue;
        if (c.connection != DRM_MODE_CONNECTED || c.count_modes == 0) continue;
        struct drm_mode_modeinfo *modes = calloc(c.count_modes, sizeof *modes);
        uint32_t *cencs = calloc(c.count_encoders + 1, sizeof *cencs);
        c.modes_ptr = (uintptr_t)modes; c.encoders_ptr = (uintptr_t)cencs;
        c.count_props = 0; c.props_ptr = 0; c.prop_values_ptr = 0;
        if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c)) { free(modes); free(cencs); continue; }
        d->connector = conns[i];
        d->mode = modes[0];
        d->w = modes[0].hdisplay; d->h = modes[0].vdisplay;
        d->crtc = crtcs[0];
        struct drm_mode_get_encoder e = { .encoder_id = c.encoder_id ? c.encoder_id : cencs[0] };
        if (e.encoder_id && ioctl(fd, DRM_IOCTL_MODE_GETENCODER, &e) == 0 && e.crtc_id) d->crtc = e.crtc_id;
        free(modes); free(cencs);
        return 0;
    }
    return -1;
}

struct dumb { uint32_t handle, pitch, fb; uint64_t size; uint32_t *px; };

static int dumb_create(int fd, uint32_t w, uint32_t h, struct dumb *b) {
    struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
    if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c)) return -1;
    b->handle = c.handle; b->pitch = c.pitch; b->size = c.size;
    struct drm_mode_map_dumb m = { .handle = c.handle };
    if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m)) return -1;
    b->px = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
    if (b->px == MAP_FAILED) return -1;
    struct drm_mode_fb_cmd f = { .width = w, .height = h, .pitch = c.pitch, .bpp = 32, .depth = 24, .handle = c.handle };
    if (ioctl(fd, DRM_IOCTL_MODE_ADDFB, &f)) return -1;
    b->fb = f.fb_id;
    return 0;
}

static int set_crtc(int fd, struct display *d, uint32_t fb) {
    struct drm_mode_crtc c = { .crtc_id = d->crtc, .fb_id = fb, .set_connectors_ptr = (uintptr_t)&d->connector,
                               .count_connectors = 1, .mode_valid = 1, .mode = d->mode };
    return ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &c);
}

static int dirty(int fd, uint32_t fb, uint32_t w, uint32_t h) {
    struct drm_clip_rect clip = { 0, 0, (unsigned short)w, (unsigned short)h };
    struct drm_mode_fb_dirty_cmd dc = { .fb_id = fb, .num_clips = 1, .clips_ptr = (uintptr_t)&clip };
    return ioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dc);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bench(int fd, int frames) {
    struct display d;
    if (find_display(fd, &d)) { FAIL("bench", "no connected display"); return 1; }
    struct dumb b[2];
    for (int i = 0; i < 2; i++)
        if (dumb_create(fd, d.w, d.h, &b[i])) { FAIL("bench", "dumb buffer: %s", strerror(errno)); return 1; }
    fill(b[0].px, d.w, d.h, b[0].pitch, 0);
    if (set_crtc(fd, &d, b[0].fb)) { FAIL("bench", "SETCRTC: %s", strerror(errno)); return 1; }
    int use_flip = 1;
    double t0 = now();
    for (int k = 1; k <= frames; k++) {
        struct dumb *back = &b[k & 1];
        fill(back->px, d.w, d.h, back->pitch, k);
        if (use_flip) {
            struct drm_mode_crtc_page_flip pf = { .crtc_id = d.crtc, .fb_id = back->fb, .flags = DRM_MODE_PAGE_FLIP_EVENT };
            if (ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, &pf)) {
                printf("INFO page flip unavailable (%s): using DIRTYFB\n", strerror(errno));
                use_flip = 0;
            } else {
                /* the flip completes once the host has flushed the frame: read the completion event */
                char ev[256];
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 5000) != 1 || read(fd, ev, sizeof ev) < (ssize_t)sizeof(struct drm_event)) {
                    FAIL("bench", "no flip event for frame %d", k); return 1;
                }
                continue;
            }
        }
        if (dirty(fd, back->fb, d.w, d.h)) { FAIL("bench", "DIRTYFB: %s", strerror(errno)); return 1; }
    }
    double dt = now() - t0;
    printf("FPS %.2f frames=%d seconds=%.3f size=%ux%u mode=%s\n", frames / dt, frames, dt, d.w, d.h,
           use_flip ? "pageflip" : "dirtyfb");
    return 0;
}

static void test_capsets(int fd) {
    int v3d = 0, fix = 0, ids = 0, blob = 0, hv = 0, ci = 0;
    if (getparam(fd, VIRTGPU_PARAM_3D_FEATURES, &v3d)) FAIL("3d", "GETPARAM: %s", strerror(errno));
    else if (v3d) PASS("3d", "3D_FEATURES=1");
    else FAIL("3d", "3D_FEATURES=0");
    getparam(fd, VIRTGPU_PARAM_CAPSET_QUERY_FIX, &fix);
    getparam(fd, VIRTGPU_PARAM_RESOURCE_BLOB, &blob);
    getparam(fd, VIRTGPU_PARAM_HOST_VISIBLE, &hv);
    getparam(fd, VIRTGPU_PARAM_CONTEXT_INIT, &ci);
    printf("INFO params capset_query_fix=%d resource_blob=%d host_visible=%d context_init=%d\n", fix, blob, hv, ci);
    if (getparam(fd, VIRTGPU_PARAM_SUPPORTED_CAPSET_IDS, &ids)) {
        FAIL("capsets", "SUPPORTED_CAPSET_IDs: %s", strerror(errno));
        return;
    }
    printf("CAPSETMASK 0x%x\n", ids);
    int n = 0;
    static uint8_t a[65536], b[65536];
    for (int id = 1; id < 32; id++) {
        if (!(ids & (1u << id))) continue;
        n++;
        /* GET_CAPS copies min(size, max_size) and reports no length: copy twice over different fillers;
         * the payload is where both copies agree */
        memset(a, 0x00, sizeof a);
        memset(b, 0xff, sizeof b);
        struct drm_virtgpu_get_caps gc = { .cap_set_id = id, .cap_set_ver = 0, .addr = (uintptr_t)a, .size = sizeof a };
        if (ioctl(fd, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc)) { FAIL("getcaps", "id=%d: %s", id, strerror(errno)); continue; }
        gc.addr = (uintptr_t)b;
        if (ioctl(fd, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc)) { FAIL("getcaps", "id=%d: %s", id, strerror(errno)); continue; }
        size_t size = 0;
        for (size_t i = sizeof a; i > 0; i--) if (a[i - 1] == b[i - 1]) { size = i; break; }
        printf("CAPSET id=%d size=%zu fnv1a=%08x\n", id, size, fnv1a(a, size));
        if (size > 0) PASS("getcaps", "id=%d size=%zu", id, size);
        else FAIL("getcaps", "id=%d returned no bytes", id);
    }
    if (n > 0) PASS("capsets", "count=%d", n);
    else FAIL("capsets", "no capset ids");
}

static void test_display(int fd) {
    struct display d;
    if (find_display(fd, &d)) { FAIL("display", "no connected connector"); return; }
    PASS("display", "crtc=%u connector=%u mode=%ux%u", d.crtc, d.connector, d.w, d.h);
    struct dumb b;
    if (dumb_create(fd, d.w, d.h, &b)) { FAIL("dumb", "%s", strerror(errno)); return; }
    fill(b.px, d.w, d.h, b.pitch, 1);
    if (set_crtc(fd, &d, b.fb)) { FAIL("setcrtc", "%s", strerror(errno)); return; }
    PASS("setcrtc", "fb=%u pattern=1", b.fb);
    hold("pattern=1", 1500);
    fill(b.px, d.w, d.h, b.pitch, 2);
    if (dirty(fd, b.fb, d.w, d.h)) { FAIL("dirtyfb", "%s", strerror(errno)); return; }
    PASS("dirtyfb", "pattern=2");
    hold("pattern=2", 1500);

    /* a virgl 3D resource as scanout, filled through its guest backing and TRANSFER_TO_HOST */
    struct drm_virtgpu_resource_create rc = {
        .target = PIPE_TEXTURE_2D, .format = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM,
        .bind = VIRGL_BIND_RENDER_TARGET | VIRGL_BIND_SAMPLER_VIEW | VIRGL_BIND_SCANOUT,
        .width = d.w, .height = d.h, .depth = 1, .array_size = 1, .nr_samples = 0,
        .size = d.w * d.h * 4, .stride = d.w * 4 };
    if (ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc)) { FAIL("resource_create", "%s", strerror(errno)); return; }
    PASS("resource_create", "res=%u bo=%u", rc.res_handle, rc.bo_handle);
    struct drm_virtgpu_map m = { .handle = rc.bo_handle };
    if (ioctl(fd, DRM_IOCTL_VIRTGPU_MAP, &m)) { FAIL("map", "%s", strerror(errno)); return; }
    uint32_t *px = mmap(NULL, rc.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
    if (px == MAP_FAILED) { FAIL("map", "mmap: %s", strerror(errno)); return; }
    fill(px, d.w, d.h, d.w * 4, 3);
    /* stride and layer_stride must be 0 for a non-blob resource: the host knows its layout (the kernel
     * returns EINVAL otherwise) */
    struct drm_virtgpu_3d_transfer_to_host t = { .bo_handle = rc.bo_handle, .box = { 0, 0, 0, d.w, d.h, 1 } };
    if (ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &t)) { FAIL("transfer_to_host", "%s", strerror(errno)); return; }
    struct drm_virtgpu_3d_wait w = { .handle = rc.bo_handle };
    if (ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &w)) { FAIL("transfer_to_host", "WAIT: %s", strerror(errno)); return; }
    struct drm_mode_fb_cmd f = { .width = d.w, .height = d.h, .pitch = d.w * 4, .bpp = 32, .depth = 24,
                                 .handle = rc.bo_handle };
    if (ioctl(fd, DRM_IOCTL_MODE_ADDFB, &f)) { FAIL("transfer_to_host", "ADDFB: %s", strerror(errno)); return; }
    if (set_crtc(fd, &d, f.fb_id)) { FAIL("transfer_to_host", "SETCRTC: %s", strerror(errno)); return; }
    dirty(fd, f.fb_id, d.w, d.h);
    PASS("transfer_to_host", "pattern=3");
    hold("pattern=3", 1500);
}

static void test_execbuffer(int fd) {
    /* one VIRGL_CCMD_NOP dword on the default context (created by the driver on first use) */
    uint32_t cmd[1] = { 0 };
    struct drm_virtgpu_execbuffer eb = { .flags = VIRTGPU_EXECBUF_FENCE_FD_OUT, .size = sizeof cmd,
                                         .command = (uintptr_t)cmd, .fence_fd = -1 };
    if (ioctl(fd, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb)) { FAIL("execbuffer", "%s", strerror(errno)); return; }
    if (eb.fence_fd < 0) { FAIL("execbuffer", "no out-fence fd"); return; }
    PASS("execbuffer", "fence_fd=%d", eb.fence_fd);
    struct pollfd p = { .fd = eb.fence_fd, .events = POLLIN };
    int r = poll(&p, 1, 10000);
    if (r == 1 && (p.revents & POLLIN)) PASS("fence", "signalled");
    else FAIL("fence", "not signalled in 10 s (poll=%d revents=0x%x)", r, p.revents);
    close(eb.fence_fd);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "test";
    int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
    if (fd < 0) { FAIL("open", "/dev/dri/card0: %s", strerror(errno)); return 1; }
    char name[64] = {0};
    struct drm_version v = { .name_len = sizeof name - 1, .name = name };
    if (ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 && strcmp(name, "virtio_gpu") == 0)
        PASS("driver", "name=%s version=%d.%d.%d", name, v.version_major, v.version_minor, v.version_patchlevel);
    else
        FAIL("driver", "name=%s", name);
    if (strcmp(mode, "bench") == 0) return bench(fd, argc > 2 ? atoi(argv[2]) : 100);
    struct drm_get_cap cap = { .capability = DRM_CAP_DUMB_BUFFER };
    if (ioctl(fd, DRM_IOCTL_GET_CAP, &cap) || !cap.value) FAIL("dumbcap", "no dumb buffers");
    int rfd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
    if (rfd < 0) FAIL("render", "renderD128: %s", strerror(errno));
    else PASS("render", "renderD128 open");
    test_capsets(rfd >= 0 ? rfd : fd);
    test_display(fd);
    test_execbuffer(rfd >= 0 ? rfd : fd);
    printf("DONE failures=%d\n", failures);
    return failures ? 1 : 0;
}
