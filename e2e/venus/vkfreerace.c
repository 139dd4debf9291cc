/*
 * A hostile Venus client: frees host-visible memory while a submitted copy still reads and writes it (invalid
 * usage: vkFreeMemory requires the GPU to be done with the memory). The server must survive it: the shared
 * memory behind the allocation may only go once the queue has passed the copy.
 *
 * Each of ROUNDS rounds allocates two 64 MiB host-visible buffers, submits a copy between them, frees both
 * memories right away (the buffers stay, as Vulkan allows), waits for the fence and destroys the buffers. With
 * "destroy", each round also destroys both buffers and resets the command buffer before waiting (invalid as well:
 * the copy still uses them). With "query", the command buffer also writes 64 timestamps after the copy, and the
 * client resets that query pool from the host (vkResetQueryPool, Vulkan 1.2 hostQueryReset) right after the
 * submit, under the pending writes, instead of freeing the memory. With "secondary", the copy is recorded in a
 * secondary command buffer that the submitted primary executes, and the client resets and re-records that secondary
 * right after the submit. With "oob", the copy's size is four times its buffers'. With "bindoob", a 64 MiB
 * buffer is bound to a 4 KiB allocation (a server that accepts that bind then copies 64 MiB into it). A last round
 * checks a small copy end to end. Prints "result PASS" when every call returned VK_SUCCESS (a refused "bindoob" bind
 * is counted and passes; Mesa's Venus ICD binds asynchronously and reports VK_SUCCESS whatever the server answers).
 * usage: vkfreerace [ROUNDS [free|destroy|query|secondary|oob|bindoob]]   (default 10 rounds, free)
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
    int query = argc > 2 && strcmp(argv[2], "query") == 0; /* vkResetQueryPool is core Vulkan 1.2 */
    int secondary = argc > 2 && strcmp(argv[2], "secondary") == 0;
    int oob = argc > 2 && strcmp(argv[2], "oob") == 0;
    int bindoob = argc > 2 && strcmp(argv[2], "bindoob") == 0;
    int refusedBinds = 0;
    const char *failed = "?";
    VkInstance inst;
    check(vku_instance("vkfreerace", query ? VK_API_VERSION_1_2 : VK_API_VERSION_1_1, &inst), "vkCreateInstance");
    VkPhysicalDevice phys;
    VkResult er;
    if (!vku_first_device(inst, &phys, &er)) check(er == VK_SUCCESS ? VK_ERROR_INITIALIZATION_FAILED : er, "no device");
    uint32_t family = vku_queue_family(phys, VK_QUEUE_TRANSFER_BIT | VK_QUEUE_COMPUTE_BIT | VK_QUEUE_GRAPHICS_BIT, 0, NULL);
    VkDevice dev;
    VkPhysicalDeviceHostQueryResetFeatures hqr = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_HOST_QUERY_RESET_FEATURES,
                                                  .hostQueryReset = VK_TRUE};
    check(vku_device(phys, family, query ? &hqr : NULL, 0, NULL, NULL, &dev), "vkCreateDevice");
    VkQueue queue;
    vkGetDeviceQueue(dev, family, 0, &queue);
    VkCommandPool pool;
    VkCommandBuffer cmd;
    VkFence fence;
    check(vku_commands(dev, family, &pool, &cmd, &fence, &failed), failed);
    VkCommandBuffer sec = VK_NULL_HANDLE;
    if (secondary) {
        VkCommandBufferAllocateInfo cai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = pool,
                                           .level = VK_COMMAND_BUFFER_LEVEL_SECONDARY, .commandBufferCount = 1};
        check(vkAllocateCommandBuffers(dev, &cai, &sec), "vkAllocateCommandBuffers (secondary)");
    }
    VkCommandBufferInheritanceInfo inh = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO};
    VkCommandBufferBeginInfo sbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, .pInheritanceInfo = &inh};
    VkQueryPool queries = VK_NULL_HANDLE;
    if (query) {
        VkQueryPoolCreateInfo qpi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                     .queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = 64};
        check(vkCreateQueryPool(dev, &qpi, NULL, &queries), "vkCreateQueryPool");
    }

    for (int round = 0; round <= rounds; round++) {
        int last = round == rounds;
        VkDeviceSize size = last ? 4096 : BYTES;
        HostBuffer src = {0}, dst = {0};
        uint32_t bits = 0;
        check(vku_host_buffer(phys, dev, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, &src, &bits, &failed), failed);
        check(vku_host_buffer(phys, dev, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, &dst, &bits, &failed), failed);
        memset(src.map, 0x5a, size);
        check(vku_begin(cmd, &failed), failed);
        VkBufferCopy region = {.size = oob && !last ? 4 * size : size};
        VkBuffer target = dst.buf;
        VkBuffer big = VK_NULL_HANDLE;
        VkDeviceMemory small = VK_NULL_HANDLE;
        if (bindoob && !last) {
            VkBufferCreateInfo bci = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
                                      .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
            check(vkCreateBuffer(dev, &bci, NULL, &big), "vkCreateBuffer (bindoob)");
            VkMemoryRequirements req;
            vkGetBufferMemoryRequirements(dev, big, &req);
            VkMemoryAllocateInfo mai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = 4096,
                                        .memoryTypeIndex = vku_memory_type(phys, req.memoryTypeBits,
                                                                           VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)};
            check(vkAllocateMemory(dev, &mai, NULL, &small), "vkAllocateMemory (bindoob)");
            /* the invalid part: 64 MiB of buffer on 4 KiB of memory */
            if (vkBindBufferMemory(dev, big, small, 0) == VK_SUCCESS) {
                target = big;
            } else {
                refusedBinds++;
            }
        }
        if (query) vkCmdResetQueryPool(cmd, queries, 0, 64);
        if (secondary) {
            check(vkBeginCommandBuffer(sec, &sbi), "vkBeginCommandBuffer (secondary)");
            vkCmdCopyBuffer(sec, src.buf, dst.buf, 1, &region);
            check(vkEndCommandBuffer(sec), "vkEndCommandBuffer (secondary)");
            vkCmdExecuteCommands(cmd, 1, &sec);
        } else {
            vkCmdCopyBuffer(cmd, src.buf, target, 1, &region);
        }
        for (uint32_t q = 0; query && q < 64; q++) vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, queries, q);
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
        if (secondary && !last) {
            /* the invalid part: the secondary the pending primary executes is reset and recorded anew */
            check(vkResetCommandBuffer(sec, 0), "vkResetCommandBuffer (secondary under the copy)");
            check(vkBeginCommandBuffer(sec, &sbi), "vkBeginCommandBuffer (secondary under the copy)");
            vkCmdFillBuffer(sec, dst.buf, 0, 4096, 0);
            check(vkEndCommandBuffer(sec), "vkEndCommandBuffer (secondary under the copy)");
            check(vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences (secondary)");
        }
        if (query && !last) {
            /* the invalid part: the host resets queries the pending submit is about to write */
            vkResetQueryPool(dev, queries, 0, 64);
            check(vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences (query)");
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
        if (big != VK_NULL_HANDLE) vkDestroyBuffer(dev, big, NULL);
        if (small != VK_NULL_HANDLE) vkFreeMemory(dev, small, NULL);
        if (!destroy || last) {
            vkDestroyBuffer(dev, src.buf, NULL);
            vkDestroyBuffer(dev, dst.buf, NULL);
        }
    }
    if (query) vkDestroyQueryPool(dev, queries, NULL);
    vkDestroyFence(dev, fence, NULL);
    vkDestroyCommandPool(dev, pool, NULL);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(inst, NULL);
    if (bindoob) printf("binds refused %d of %d\n", refusedBinds, rounds);
    printf("rounds %d%s\nresult PASS\n", rounds, destroy ? " (destroying under the copy)"
                                                : query ? " (resetting queries under the copy)"
                                                : secondary ? " (re-recording the secondary under the copy)"
                                                : oob ? " (copying past the buffers)"
                                                : bindoob ? " (binding past the memory)" : "");
    return 0;
}
