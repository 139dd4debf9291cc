/*
 * A hostile Venus client: frees host-visible memory while a submitted copy still reads and writes it (invalid
 * usage: vkFreeMemory requires the GPU to be done with the memory). The server must survive it: the shared
 * memory behind the allocation may only go once the queue has passed the copy.
 *
 * Each of ROUNDS rounds allocates two 64 MiB host-visible buffers, submits a copy between them, frees both
 * memories right away (the buffers stay, as Vulkan allows), waits for the fence and destroys the buffers. With
 * "destroy", each round also destroys both buffers and resets the command buffer before waiting (invalid as well:
 * the copy still uses them). A last round checks a small copy end to end. Prints "result PASS" when every call
 * returned VK_SUCCESS.
 * usage: vkfreerace [ROUNDS [free|destroy]]   (default 10 rounds, free)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vulkan.h>

#include "vkutil.h"

#define BYTES (64u << 20)

static void check(VkResult r, const char *what) {
    if (r != VK_SUCCESS) {
        printf("%s failed: %d\nresult FAIL\n", what, r);
        exit(1);
    }
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    int destroy = argc > 2 && strcmp(argv[2], "destroy") == 0;
    const char *failed = "?";
    VkInstance inst;
    check(vku_instance("vkfreerace", VK_API_VERSION_1_1, &inst), "vkCreateInstance");
    VkPhysicalDevice phys;
    VkResult er;
    if (!vku_first_device(inst, &phys, &er)) check(er == VK_SUCCESS ? VK_ERROR_INITIALIZATION_FAILED : er, "no device");
    uint32_t family = vku_queue_family(phys, VK_QUEUE_TRANSFER_BIT | VK_QUEUE_COMPUTE_BIT | VK_QUEUE_GRAPHICS_BIT, 0, NULL);
    VkDevice dev;
    check(vku_device(phys, family, NULL, 0, NULL, NULL, &dev), "vkCreateDevice");
    VkQueue queue;
    vkGetDeviceQueue(dev, family, 0, &queue);
    VkCommandPool pool;
    VkCommandBuffer cmd;
    VkFence fence;
    check(vku_commands(dev, family, &pool, &cmd, &fence, &failed), failed);

    for (int round = 0; round <= rounds; round++) {
        int last = round == rounds;
        VkDeviceSize size = last ? 4096 : BYTES;
        HostBuffer src = {0}, dst = {0};
        uint32_t bits = 0;
        check(vku_host_buffer(phys, dev, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, &src, &bits, &failed), failed);
        check(vku_host_buffer(phys, dev, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, &dst, &bits, &failed), failed);
        memset(src.map, 0x5a, size);
        check(vku_begin(cmd, &failed), failed);
        VkBufferCopy region = {.size = size};
        vkCmdCopyBuffer(cmd, src.buf, dst.buf, 1, &region);
        check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
        VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};
        check(vkResetFences(dev, 1, &fence), "vkResetFences");
        check(vkQueueSubmit(queue, 1, &si, fence), "vkQueueSubmit");
        if (last) {
            check(vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences (last round)");
            const unsigned char *d = dst.map;
            for (VkDeviceSize i = 0; i < size; i++) {
                if (d[i] != 0x5a) {
                    printf("copy mismatch at byte %lu\nresult FAIL\n", (unsigned long)i);
                    return 1;
                }
            }
        }
        /* the invalid part: the memory goes while the copy may still run */
        vkUnmapMemory(dev, src.mem);
        vkUnmapMemory(dev, dst.mem);
        vkFreeMemory(dev, src.mem, NULL);
        vkFreeMemory(dev, dst.mem, NULL);
        if (destroy && !last) {
            vkDestroyBuffer(dev, src.buf, NULL);
            vkDestroyBuffer(dev, dst.buf, NULL);
            check(vkResetCommandBuffer(cmd, 0), "vkResetCommandBuffer under the copy");
        }
        check(vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
        if (!destroy || last) {
            vkDestroyBuffer(dev, src.buf, NULL);
            vkDestroyBuffer(dev, dst.buf, NULL);
        }
    }
    vkDestroyFence(dev, fence, NULL);
    vkDestroyCommandPool(dev, pool, NULL);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(inst, NULL);
    printf("rounds %d%s\nresult PASS\n", rounds, destroy ? " (destroying under the copy)" : "");
    return 0;
}
