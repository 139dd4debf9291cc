/*
 * vkchurn: the server's throughput for small commands. Each round creates 2000 buffers and destroys them (4000
 * commands Mesa's Venus ICD writes into the ring without waiting, vkclient's buffers_2000 step), then
 * vkDeviceWaitIdle, whose reply comes once the ring has run all of them; "drained" is the round from the first create
 * to that reply, so through Venus it is the server's time for 4000 commands. Runs on whichever ICD the loader picks
 * (VK_ICD_FILENAMES).
 * usage: vkchurn [ROUNDS]   (default 40)
 * Output: "round I client MS drained MS" per round, "churn rounds=N drained p50 .. min .. ms", then "result PASS"
 * (exit 0) or "result FAIL <why>" (exit 1).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <vulkan/vulkan.h>

#include "clock.h"
#include "vkutil.h"

#define BUFFERS 2000
#define MAX_ROUNDS 100000

static _Noreturn void fail(const char *why, long detail) {
    printf("result FAIL %s (%ld)\n", why, detail);
    exit(1);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 40;
    if (rounds < 1 || rounds > MAX_ROUNDS) fail("rounds out of range (1..100000)", rounds);
    VkuComputeDevice d;
    const char *failed = NULL;
    VkResult r = vku_compute_device("vkchurn", &d, &failed);
    if (r != VK_SUCCESS) fail(failed, r);
    VkDevice dev = d.dev;
    static VkBuffer many[BUFFERS];
    VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = 65536,
                             .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    double *drained = malloc(sizeof(double) * (size_t)rounds);
    if (drained == NULL) fail("out of memory", rounds);
    for (int i = 0; i < rounds; i++) {
        double t = now_ms();
        for (int b = 0; b < BUFFERS; b++) {
            r = vkCreateBuffer(dev, &bi, NULL, &many[b]);
            if (r != VK_SUCCESS) fail("vkCreateBuffer", r);
        }
        for (int b = 0; b < BUFFERS; b++) vkDestroyBuffer(dev, many[b], NULL);
        double sent = now_ms();
        r = vkDeviceWaitIdle(dev);
        if (r != VK_SUCCESS) fail("vkDeviceWaitIdle", r);
        drained[i] = now_ms() - t;
        printf("round %d client %.3f drained %.3f\n", i, sent - t, drained[i]);
    }
    qsort(drained, (size_t)rounds, sizeof(double), vku_by_value);
    printf("churn rounds=%d drained p50 %.3f min %.3f ms\n", rounds, drained[rounds / 2], drained[0]);
    free(drained);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(d.inst, NULL);
    printf("result PASS\n");
    return 0;
}
