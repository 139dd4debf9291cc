/*
 * vkloop: a Vulkan client that keeps the GPU busy until it is told to stop or its device goes away; used to check
 * what a running Venus client sees when the venus bundle is swapped under it (launcher VenusLauncherIT).
 *   usage: vkloop SECONDS
 * Creates an instance, a device and a 64 KiB host-visible coherent buffer, then loops: vkCmdFillBuffer with the
 * iteration number, submit, wait for the fence (5 s at most), check every word on the host.
 * Output, one line each, flushed:
 *   "device <name>"                the physical device
 *   "running"                      after the first checked iteration
 *   "result PASS <iterations>"     SECONDS elapsed without an error (exit 0)
 *   "result LOST <VkResult> <call> <iterations>"  a Vulkan call failed, e.g. VK_ERROR_DEVICE_LOST = -4 (exit 3)
 *   "result TIMEOUT <iterations>"  a fence did not signal within 5 s (exit 4)
 *   "result FAIL <why> <detail>"   wrong data or no usable device (exit 1)
 * (Mesa's Venus driver in vtest mode aborts the process instead when its server connection or ring dies; the
 * test accepts either ending, not a hang.)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <vulkan/vulkan.h>

#include "vkutil.h"

#define WORDS (16u << 10)
#define FENCE_TIMEOUT_NS 5000000000ull

static long iterations;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static _Noreturn void fail(const char *why, long detail) {
    printf("result FAIL %s %ld\n", why, detail);
    fflush(stdout);
    exit(1);
}

/* A failing call once the loop runs is what a lost device looks like to an application. */
static void check(VkResult r, const char *call) {
    if (r == VK_TIMEOUT) {
        printf("result TIMEOUT %ld\n", iterations);
        fflush(stdout);
        exit(4);
    }
    if (r != VK_SUCCESS) {
        printf("result LOST %d %s %ld\n", (int)r, call, iterations);
        fflush(stdout);
        exit(3);
    }
}

#define CHECK(call) check((call), #call)

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 10.0;
    VkInstance inst;
    CHECK(vku_instance("vkloop", VK_API_VERSION_1_1, &inst));
    VkPhysicalDevice phys;
    VkResult er;
    if (!vku_first_device(inst, &phys, &er)) fail("no physical device", (long)er);
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(phys, &props);
    printf("device %s\n", props.deviceName);

    uint32_t family = vku_queue_family(phys, VK_QUEUE_COMPUTE_BIT | VK_QUEUE_GRAPHICS_BIT, 0, NULL);
    if (family == UINT32_MAX) fail("no compute queue", 0);
    VkDevice dev;
    CHECK(vku_device(phys, family, NULL, 0, NULL, NULL, &dev));
    VkQueue queue;
    vkGetDeviceQueue(dev, family, 0, &queue);

    HostBuffer h = {0};
    uint32_t bits = 0;
    const char *failed = NULL;
    VkResult hr = vku_host_buffer(phys, dev, WORDS * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, &h, &bits, &failed);
    if (failed == VKU_NO_HOST_MEMORY) fail(failed, (long)bits);
    check(hr, failed);
    volatile uint32_t *words = h.map;

    VkCommandPool pool;
    VkCommandBuffer cmd;
    VkFence fence;
    check(vku_commands(dev, family, &pool, &cmd, &fence, &failed), failed);

    double end = now_s() + seconds;
    while (now_s() < end) {
        uint32_t value = (uint32_t)iterations * 2654435761u;
        check(vku_begin(cmd, &failed), failed);
        vkCmdFillBuffer(cmd, h.buf, 0, VK_WHOLE_SIZE, value);
        VkMemoryBarrier toHost = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                                  .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT, .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
        vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &toHost, 0, NULL,
                             0, NULL);
        check(vku_submit_wait(dev, queue, cmd, fence, FENCE_TIMEOUT_NS, &failed), failed);
        for (uint32_t i = 0; i < WORDS; i++) {
            if (words[i] != value) fail("fill mismatch at word", (long)i);
        }
        if (iterations++ == 0) {
            printf("running\n");
            fflush(stdout);
        }
    }
    vkDestroyFence(dev, fence, NULL);
    vkDestroyCommandPool(dev, pool, NULL);
    vku_free_host_buffer(dev, &h);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(inst, NULL);
    printf("result PASS %ld\n", iterations);
    return 0;
}
