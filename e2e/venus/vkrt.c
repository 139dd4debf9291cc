/*
 * vkrt: the distribution of empty submit + fence wait round trips, the step of vkclient (submit_wait, a mean of 200)
 * that depends most on scheduling: Mesa's Venus ICD polls the fence with 15 sched_yield()s and then 160 us sleeps,
 * so a round trip either completes within the yields (tens of microseconds) or costs a whole sleep (about 240 us),
 * and the mean hides which. Runs on whichever ICD the loader picks (VK_ICD_FILENAMES).
 * usage: vkrt [N]   (N round trips, default 2000)
 * Output: "rt n=N p10 .. p50 .. p90 .. p99 .. mean .. us", then "result PASS" (exit 0) or "result FAIL <why>".
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <vulkan/vulkan.h>

#include "vkutil.h"

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static _Noreturn void fail(const char *why, long detail) {
    printf("result FAIL %s (%ld)\n", why, detail);
    exit(1);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n < 10 || n > 1000000) fail("round trips out of range (10..1000000)", n);
    VkuComputeDevice d;
    const char *failed = NULL;
    VkResult r = vku_compute_device("vkrt", &d, &failed);
    if (r != VK_SUCCESS) fail(failed, r);
    VkDevice dev = d.dev;
    VkQueue queue;
    vkGetDeviceQueue(dev, d.family, 0, &queue);
    VkCommandPool pool;
    VkCommandBuffer cmd;
    VkFence fence;
    if ((r = vku_commands(dev, d.family, &pool, &cmd, &fence, &failed)) != VK_SUCCESS) fail(failed, r);
    double *us = malloc(sizeof(double) * (size_t)n);
    if (!us) fail("out of memory", n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double t = now_us();
        if ((r = vku_begin(cmd, &failed)) != VK_SUCCESS) fail(failed, r);
        if ((r = vku_submit_wait(dev, queue, cmd, fence, UINT64_MAX, &failed)) != VK_SUCCESS) fail(failed, r);
        us[i] = now_us() - t;
        sum += us[i];
    }
    qsort(us, (size_t)n, sizeof(double), vku_by_value);
    printf("rt n=%d p10 %.1f p50 %.1f p90 %.1f p99 %.1f mean %.1f us\n", n, us[n / 10], us[n / 2], us[n * 9 / 10],
           us[n * 99 / 100], sum / n);
    free(us);
    vkDestroyFence(dev, fence, NULL);
    vkDestroyCommandPool(dev, pool, NULL);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(d.inst, NULL);
    printf("result PASS\n");
    return 0;
}
