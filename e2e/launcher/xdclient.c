/*
 * xdclient: a vtest client on the cross-domain context type (capset 5), written from the vtest and cross-domain
 * wire descriptions (shared/research/vtest-venus.md, context-types.md section 3). It keeps a cross-domain context
 * busy while something else happens to the device (launcher VenusLauncherIT swaps the venus bundle meanwhile) and
 * checks that it is never disturbed.
 *   usage: xdclient SOCKET SECONDS      (SIGTERM or SIGINT end the loop early, as a clean finish)
 * Setup: CONTEXT_INIT(5); a 4 KiB GUEST blob as the query ring; cross-domain INIT naming it;
 * GET_IMAGE_REQUIREMENTS for a 256x256 ARGB8888 image; a HOST3D blob with the blob_id it returned, mapped and
 * filled with a pattern. Then, until SECONDS pass: GET_IMAGE_REQUIREMENTS (cycling through 8 widths) followed by a
 * PING round trip (the server handles a client's commands in order, so the reply means the submit ran), the
 * requirements checked in the query ring; every 64th iteration a fresh HOST3D blob is created, written and unref'd,
 * and the long-lived blob's pattern checked.
 * Output, one line each, flushed:
 *   "xd resources <query ring res> <host3d res>"  after setup
 *   "xd slow <start ns> <ms>"  an iteration over 20 ms: its CLOCK_MONOTONIC start (comparable with Java's
 *                              System.nanoTime() on Linux) and duration; the first 200 such
 *   "xd PASS iterations <n> max_ms <slowest iteration> over_100ms <count>"   (exit 0)
 *   "xd FAIL <why> <detail>"  anything unexpected, including the server closing the connection (exit 1)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* vtest command ids (virglrenderer vtest_protocol.h) */
enum {
    VCMD_RESOURCE_UNREF = 3,
    VCMD_CREATE_RENDERER = 8,
    VCMD_PING_PROTOCOL_VERSION = 10,
    VCMD_PROTOCOL_VERSION = 11,
    VCMD_CONTEXT_INIT = 17,
    VCMD_RESOURCE_CREATE_BLOB = 18,
    VCMD_SUBMIT_CMD2 = 24,
};
enum { BLOB_TYPE_GUEST = 1, BLOB_TYPE_HOST3D = 2, BLOB_FLAG_MAPPABLE = 1 };
enum { CAPSET_CROSS_DOMAIN = 5 };
/* cross-domain (rutabaga cross_domain_protocol.rs) */
enum { XD_CMD_INIT = 1, XD_CMD_GET_IMAGE_REQUIREMENTS = 2, XD_INIT_V1_SIZE = 20, XD_GIR_SIZE = 24 };
#define DRM_FORMAT_ARGB8888 0x34325241u /* fourcc "AR24" */
#define PATTERN(i) ((uint32_t)(i) * 2246822519u + 0x9e3779b9u)

static int sock;
static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static double now_ms(void) {
    return now_ns() / 1e6;
}

static _Noreturn void fail(const char *why, long detail) {
    printf("xd FAIL %s %ld\n", why, detail);
    fflush(stdout);
    exit(1);
}

static void send_all(const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(sock, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("send: server gone, errno", errno);
        c += w;
        n -= (size_t)w;
    }
}

/* Reads exactly n bytes; collects one fd if SCM_RIGHTS comes with them. */
static void recv_all(void *p, size_t n, int *fd) {
    char *c = p;
    while (n > 0) {
        char ctl[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = c, .iov_len = n};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
        ssize_t r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) fail("recv: server closed the connection, errno", r == 0 ? 0 : errno);
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h != NULL; h = CMSG_NXTHDR(&m, h)) {
            if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
                if (fd == NULL) fail("unexpected fd", 0);
                memcpy(fd, CMSG_DATA(h), sizeof(int));
            }
        }
        c += r;
        n -= (size_t)r;
    }
}

static void cmd(uint32_t id, const uint32_t *payload, uint32_t dwords) {
    uint32_t hdr[2] = {dwords, id};
    send_all(hdr, sizeof hdr);
    if (dwords > 0) send_all(payload, dwords * 4u);
}

/* A reply header with the expected id, then its payload (at most max dwords). */
static void reply(uint32_t id, uint32_t *out, uint32_t max) {
    uint32_t hdr[2];
    recv_all(hdr, sizeof hdr, NULL);
    if (hdr[1] != id) fail("reply id", (long)hdr[1]);
    if (hdr[0] > max) fail("reply length", (long)hdr[0]);
    if (hdr[0] > 0) recv_all(out, hdr[0] * 4u, NULL);
}

static void ping(void) {
    cmd(VCMD_PING_PROTOCOL_VERSION, NULL, 0);
    reply(VCMD_PING_PROTOCOL_VERSION, NULL, 0);
}

typedef struct {
    uint32_t res;
    int fd;
    uint32_t *map;
    size_t size;
} Blob;

static Blob create_blob(uint32_t type, uint64_t size, uint64_t blob_id) {
    uint32_t p[6] = {type, BLOB_FLAG_MAPPABLE, (uint32_t)size, (uint32_t)(size >> 32), (uint32_t)blob_id,
                     (uint32_t)(blob_id >> 32)};
    cmd(VCMD_RESOURCE_CREATE_BLOB, p, 6);
    Blob b = {.fd = -1, .size = size};
    reply(VCMD_RESOURCE_CREATE_BLOB, &b.res, 1);
    char one;
    recv_all(&one, 1, &b.fd);
    if (b.fd < 0) fail("no fd with the blob", (long)b.res);
    b.map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, 0);
    if (b.map == MAP_FAILED) fail("mmap blob, errno", errno);
    return b;
}

static void unref_blob(Blob *b) {
    munmap(b->map, b->size);
    close(b->fd);
    cmd(VCMD_RESOURCE_UNREF, &b->res, 1);
}

/* One SUBMIT_CMD2 batch without syncs on ring 0: {flags, cmd_offset, cmd_size, sync_offset, sync_count, ring}. */
static void submit(const uint32_t *stream, uint32_t dwords) {
    uint32_t m[1 + 6 + 16];
    if (dwords > 16) fail("stream too long", (long)dwords);
    m[0] = 1;
    uint32_t batch[6] = {0, 7, dwords, 7 + dwords, 0, 0};
    memcpy(&m[1], batch, sizeof batch);
    memcpy(&m[7], stream, dwords * 4u);
    cmd(VCMD_SUBMIT_CMD2, m, 7 + dwords);
}

static uint32_t xd_header(uint32_t cmd_id, uint32_t size) {
    return cmd_id | (size << 16); /* cmd u8, ring_idx u8 = 0 (query ring), cmd_size u16 */
}

/* GET_IMAGE_REQUIREMENTS, then a round trip; returns {size, blob_id} from the query ring. */
static void requirements(volatile uint32_t *ring, uint32_t width, uint32_t height, uint64_t *size, uint32_t *blob_id) {
    ring[12] = 0; /* blob_id @48: cleared so a stale answer is noticed */
    uint32_t gir[6] = {xd_header(XD_CMD_GET_IMAGE_REQUIREMENTS, XD_GIR_SIZE), 0, width, height, DRM_FORMAT_ARGB8888, 0};
    submit(gir, 6);
    ping();
    *size = (uint64_t)ring[10] | (uint64_t)ring[11] << 32; /* size u64 @40 */
    *blob_id = ring[12];
    if (*blob_id == 0) fail("no blob_id in the query ring for width", (long)width);
    if (ring[0] < width * 4u || *size < (uint64_t)ring[0] * height) fail("stride/size too small, stride", (long)ring[0]);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: xdclient SOCKET SECONDS\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof addr.sun_path) fail("socket path too long", 0);
    strcpy(addr.sun_path, argv[1]);
    if (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) fail("connect, errno", errno);

    static const char name[] = "xdclient"; /* CREATE_RENDERER: length in bytes, the name with its NUL */
    uint32_t hdr[2] = {sizeof name, VCMD_CREATE_RENDERER};
    send_all(hdr, sizeof hdr);
    send_all(name, sizeof name);
    uint32_t version = 3, got;
    cmd(VCMD_PROTOCOL_VERSION, &version, 1);
    reply(VCMD_PROTOCOL_VERSION, &got, 1);
    if (got != 3) fail("protocol version", (long)got);
    uint32_t capset = CAPSET_CROSS_DOMAIN;
    cmd(VCMD_CONTEXT_INIT, &capset, 1);

    Blob query = create_blob(BLOB_TYPE_GUEST, 4096, 0);
    uint32_t init[5] = {xd_header(XD_CMD_INIT, XD_INIT_V1_SIZE), 0, query.res, 0, 0}; /* channel ring 0, type NONE */
    submit(init, 5);
    uint64_t size;
    uint32_t blob_id;
    requirements(query.map, 256, 256, &size, &blob_id);
    Blob image = create_blob(BLOB_TYPE_HOST3D, size, blob_id);
    for (size_t i = 0; i < size / 4; i++) image.map[i] = PATTERN(i);
    printf("xd resources %u %u\n", query.res, image.res);
    fflush(stdout);

    double end = now_ms() + seconds * 1e3, max_ms = 0;
    long n = 0, slow = 0, reported = 0;
    while (now_ms() < end && !stop) {
        int64_t t = now_ns();
        uint32_t width = 64 + 16 * (uint32_t)(n % 8);
        requirements(query.map, width, 64, &size, &blob_id);
        if (n % 64 == 63) {
            Blob fresh = create_blob(BLOB_TYPE_HOST3D, size, blob_id);
            fresh.map[0] = 0xfeedface;
            unref_blob(&fresh);
            for (size_t i = 0; i < image.size / 4; i++) {
                if (image.map[i] != PATTERN(i)) fail("long-lived blob changed at word", (long)i);
            }
        }
        double ms = (now_ns() - t) / 1e6;
        if (ms > max_ms) max_ms = ms;
        if (ms > 100) slow++;
        if (ms > 20 && reported < 200) {
            printf("xd slow %lld %.1f\n", (long long)t, ms);
            reported++;
        }
        n++;
    }
    for (size_t i = 0; i < image.size / 4; i++) {
        if (image.map[i] != PATTERN(i)) fail("long-lived blob changed at word", (long)i);
    }
    ping();
    printf("xd PASS iterations %ld max_ms %.1f over_100ms %ld\n", n, max_ms, slow);
    fflush(stdout);
    return 0;
}
