/*
 * vkrt: the distribution of empty submit + fence wait round trips, the step of vkclient (submit_wait, a mean of 200)
 * that depends most on scheduling: Mesa's Venus ICD polls the fence with 15 sched_yield()s and then 160 us sleeps,
 * so a round trip either completes within the yields (tens of microseconds) or costs a whole sleep (about 240 us),
 * and the mean hides which. Runs on whichever ICD the loader picks (VK_ICD_FILENAMES).
 * usage: vkrt [N] [venus-wait]   (N round trips, default 2000)
 * venus-wait: what Mesa 25.0's Venus ICD does around a submit, done by this program on the ICD it runs on (meant for
 * lavapipe direct: a Venus server that costs nothing): each submit also carries a second command buffer like the
 * ICD's fence feedback one (a barrier, a 4-byte vkCmdFillBuffer of host-visible coherent memory, a barrier to the
 * host), and the wait polls those 4 bytes with 15 sched_yield()s, then sleeps of 160 us, as the ICD's wait does; the
 * round trip ends when the bytes are seen (vkWaitForFences follows, untimed, before the fence is reset).
 * Output: "rt n=N p10 .. p50 .. p90 .. p99 .. mean .. us", with venus-wait then "venus-wait slept in S of N round
 * trips", then "result PASS" (exit 0) or "result FAIL <why>".
 */
#define _POSIX_C_SOURCE 200809L
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vulkan/vulkan.h>

#include "vkutil.h"

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Mesa 25.0's Venus ICD, waiting for a fence whose feedback it polls: yields first, then sleeps */
enum { VENUS_YIELDS = 15, VENUS_SLEEP_US = 160, FEEDBACK_SIGNALED = 1 };

static _Noreturn void fail(const char *why, long detail) {
    printf("result FAIL %s (%ld)\n", why, detail);
    exit(1);
}

/* The ICD's fence feedback command buffer, recorded once: make earlier writes available, write the slot, make the
 * write visible to the host (Mesa's vn_feedback_cmd_record for a fence). */
static VkResult feedback_commands(const VkuComputeDevice *d, VkCommandPool pool, VkCommandBuffer *cmd, HostBuffer *slot,
                                  const char **failed) {
    uint32_t bits;
    VkResult r = vku_host_buffer(d->phys, d->dev, 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, slot, &bits, failed);
    if (r != VK_SUCCESS) return r;
    VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = pool,
                                      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1};
    VKU_TRY(vkAllocateCommandBuffers(d->dev, &ai, cmd));
    VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    VKU_TRY(vkBeginCommandBuffer(*cmd, &bi));
    VkMemoryBarrier before = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT};
    VkBufferMemoryBarrier slot_before = {.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
                                         .dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                                         .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                                         .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED, .buffer = slot->buf, .size = 4};
    vkCmdPipelineBarrier(*cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 1,
                         &slot_before, 0, NULL);
    vkCmdFillBuffer(*cmd, slot->buf, 0, 4, FEEDBACK_SIGNALED);
    VkBufferMemoryBarrier slot_after = slot_before;
    slot_after.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    slot_after.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT;
    vkCmdPipelineBarrier(*cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, NULL, 1, &slot_after, 0,
                         NULL);
    VKU_TRY(vkEndCommandBuffer(*cmd));
    return VK_SUCCESS;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n < 10 || n > 1000000) fail("round trips out of range (10..1000000)", n);
    int venus_wait = argc > 2 && strcmp(argv[2], "venus-wait") == 0;
    if (argc > 2 && !venus_wait) fail("the second argument can only be venus-wait", argc);
    VkuComputeDevice d;
    const char *failed = NULL;
    VkResult r = vku_compute_device("vkrt", &d, &failed);
    if (r != VK_SUCCESS) fail(failed, r);
    VkDevice dev = d.dev;
    VkQueue queue;
    vkGetDeviceQueue(dev, d.family, 0, &queue);
    VkCommandPool pool;
    VkCommandBuffer cmds[2];
    VkFence fence;
    if ((r = vku_commands(dev, d.family, &pool, &cmds[0], &fence, &failed)) != VK_SUCCESS) fail(failed, r);
    HostBuffer slot = {0};
    if (venus_wait && (r = feedback_commands(&d, pool, &cmds[1], &slot, &failed)) != VK_SUCCESS) fail(failed, r);
    volatile uint32_t *status = slot.map;
    double *us = malloc(sizeof(double) * (size_t)n);
    if (!us) fail("out of memory", n);
    double sum = 0;
    int slept = 0; /* round trips that outlasted the yields */
    for (int i = 0; i < n; i++) {
        double t = now_us();
        if ((r = vku_begin(cmds[0], &failed)) != VK_SUCCESS) fail(failed, r);
        if (!venus_wait) {
            if ((r = vku_submit_wait(dev, queue, cmds[0], fence, UINT64_MAX, &failed)) != VK_SUCCESS) fail(failed, r);
        } else {
            if ((r = vkEndCommandBuffer(cmds[0])) != VK_SUCCESS) fail("vkEndCommandBuffer", r);
            if ((r = vkResetFences(dev, 1, &fence)) != VK_SUCCESS) fail("vkResetFences", r);
            *status = 0;
            VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 2, .pCommandBuffers = cmds};
            if ((r = vkQueueSubmit(queue, 1, &si, fence)) != VK_SUCCESS) fail("vkQueueSubmit", r);
            for (int k = 0; *status != FEEDBACK_SIGNALED; k++) {
                if (k < VENUS_YIELDS) {
                    sched_yield();
                } else {
                    struct timespec nap = {0, VENUS_SLEEP_US * 1000L};
                    nanosleep(&nap, NULL);
                    slept += k == VENUS_YIELDS;
                }
            }
        }
        us[i] = now_us() - t;
        sum += us[i];
        if (venus_wait && (r = vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX)) != VK_SUCCESS) {
            fail("vkWaitForFences", r);
        }
    }
    qsort(us, (size_t)n, sizeof(double), vku_by_value);
    printf("rt n=%d p10 %.1f p50 %.1f p90 %.1f p99 %.1f mean %.1f us\n", n, us[n / 10], us[n / 2], us[n * 9 / 10],
           us[n * 99 / 100], sum / n);
    if (venus_wait) printf("venus-wait slept in %d of %d round trips\n", slept, n);
    free(us);
    if (venus_wait) vku_free_host_buffer(dev, &slot);
    vkDestroyFence(dev, fence, NULL);
    vkDestroyCommandPool(dev, pool, NULL);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(d.inst, NULL);
    printf("result PASS\n");
    return 0;
}
