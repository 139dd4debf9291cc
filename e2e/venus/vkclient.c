/*
 * vkclient: a small Vulkan workload used to check and time virtgpu's Venus path against lavapipe direct and
 * virglrenderer. Runs on whichever ICD the loader picks (VK_ICD_FILENAMES):
 *   instance and device creation, 2000 buffers created and destroyed, 64 MiB of host-visible coherent memory
 *   mapped and copied device-side, empty submit+wait round trips, and a compute shader adding two 4M-float
 *   arrays. Every result is checked.
 * Output, one line per step, machine-readable:  "step <name> <milliseconds>"
 * then "result PASS" (exit 0) or "result FAIL <why>" (exit 1).
 * VKCLIENT_BUFFERS=N (0..2000) changes the buffer count, e.g. 0 to time map_64mib without the ring backlog that the
 * buffer churn leaves (for investigations; the benchmark uses the default). VKCLIENT_HOSTILE_OFFSET: see the compute
 * step (robustness tests).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vulkan/vulkan.h>

#include "add_comp_spv.h"
#include "clock.h"
#include "vkutil.h"

#define COPY_BYTES (64u << 20)
#define FLOATS (4u << 20)
#define BUFFERS 2000
#define ROUND_TRIPS 200

static void step(const char *name, double ms) {
    printf("step %s %.3f\n", name, ms);
    fflush(stdout);
}

static _Noreturn void fail(const char *why, long detail) {
    printf("result FAIL %s (%ld)\n", why, detail);
    fflush(stdout);
    exit(1);
}

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        VkResult r_ = (call);                                                                                      \
        if (r_ != VK_SUCCESS) fail(#call, (long)r_);                                                               \
    } while (0)

static VkPhysicalDevice phys;
static VkDevice dev;
static VkQueue queue;
static uint32_t family;
static VkCommandPool pool;
static VkCommandBuffer cmd;
static VkFence fence;

/* Ends the program with "result FAIL <call> (<VkResult>)" when a vkutil.h helper failed. */
static void check(VkResult r, const char *failed) {
    if (r != VK_SUCCESS) fail(failed, (long)r);
}

static HostBuffer host_buffer(VkDeviceSize size, VkBufferUsageFlags usage) {
    HostBuffer h = {0};
    uint32_t bits = 0;
    const char *failed = NULL;
    VkResult r = vku_host_buffer(phys, dev, size, usage, &h, &bits, &failed);
    if (failed == VKU_NO_HOST_MEMORY) fail(failed, (long)bits);
    check(r, failed);
    return h;
}

static void begin(void) {
    const char *failed = NULL;
    check(vku_begin(cmd, &failed), failed);
}

static void submit_wait(void) {
    const char *failed = NULL;
    check(vku_submit_wait(dev, queue, cmd, fence, UINT64_MAX, &failed), failed);
}

int main(void) {
    double t = now_ms();
    VkInstance inst;
    CHECK(vku_instance("vkclient", VK_API_VERSION_1_1, &inst));
    step("instance_create", now_ms() - t);

    t = now_ms();
    VkResult er;
    if (!vku_first_device(inst, &phys, &er)) fail("no physical device", (long)er);
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(phys, &props);
    printf("device %s\n", props.deviceName);
    family = vku_queue_family(phys, VK_QUEUE_COMPUTE_BIT, 1, NULL);
    if (family == UINT32_MAX) fail("no compute queue", 0);
    CHECK(vku_device(phys, family, NULL, 0, NULL, NULL, &dev));
    vkGetDeviceQueue(dev, family, 0, &queue);
    const char *failed = NULL;
    check(vku_commands(dev, family, &pool, &cmd, &fence, &failed), failed);
    step("device_create", now_ms() - t);

    /* 2000 buffers: created, then destroyed (object-id traffic without memory) */
    t = now_ms();
    static VkBuffer many[BUFFERS];
    VkBufferCreateInfo sbi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = 65536,
                              .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    const char *nb_env = getenv("VKCLIENT_BUFFERS");
    int nb = nb_env ? atoi(nb_env) : BUFFERS;
    if (nb < 0 || nb > BUFFERS) fail("VKCLIENT_BUFFERS out of range", nb);
    for (int i = 0; i < nb; i++) CHECK(vkCreateBuffer(dev, &sbi, NULL, &many[i]));
    for (int i = 0; i < nb; i++) vkDestroyBuffer(dev, many[i], NULL);
    step("buffers_2000", now_ms() - t);

    /* 64 MiB host-visible coherent source and destination, mapped */
    t = now_ms();
    HostBuffer src = host_buffer(COPY_BYTES, VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
    HostBuffer dst = host_buffer(COPY_BYTES, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    step("map_64mib", now_ms() - t);

    t = now_ms();
    uint32_t *s32 = src.map;
    for (uint32_t i = 0; i < COPY_BYTES / 4; i++) s32[i] = i * 2654435761u;
    memset(dst.map, 0, COPY_BYTES);
    step("fill_64mib", now_ms() - t);

    t = now_ms();
    begin();
    VkBufferCopy region = {.size = COPY_BYTES};
    vkCmdCopyBuffer(cmd, src.buf, dst.buf, 1, &region);
    VkMemoryBarrier toHost = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                              .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &toHost, 0, NULL, 0,
                         NULL);
    submit_wait();
    step("copy_64mib", now_ms() - t);

    t = now_ms();
    const uint32_t *d32 = dst.map;
    for (uint32_t i = 0; i < COPY_BYTES / 4; i++) {
        if (d32[i] != i * 2654435761u) fail("copy mismatch at word", (long)i);
    }
    step("verify_copy", now_ms() - t);
    vku_free_host_buffer(dev, &src);
    vku_free_host_buffer(dev, &dst);

    /* empty submissions: the submit + fence wait round trip */
    t = now_ms();
    for (int i = 0; i < ROUND_TRIPS; i++) {
        begin();
        submit_wait();
    }
    step("submit_wait", (now_ms() - t) / ROUND_TRIPS);

    /* compute: c = a + b over 4M floats */
    t = now_ms();
    const VkDeviceSize fbytes = (VkDeviceSize)FLOATS * sizeof(float);
    HostBuffer a = host_buffer(fbytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    HostBuffer b = host_buffer(fbytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    HostBuffer c = host_buffer(fbytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    VkShaderModuleCreateInfo smi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                    .codeSize = sizeof(add_comp_spv), .pCode = add_comp_spv};
    VkShaderModule module;
    CHECK(vkCreateShaderModule(dev, &smi, NULL, &module));
    VkDescriptorSetLayoutBinding binds[3];
    for (uint32_t i = 0; i < 3; i++) {
        binds[i] = (VkDescriptorSetLayoutBinding){.binding = i, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                  .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
    }
    VkDescriptorSetLayoutCreateInfo dli = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                           .bindingCount = 3, .pBindings = binds};
    VkDescriptorSetLayout dsl;
    CHECK(vkCreateDescriptorSetLayout(dev, &dli, NULL, &dsl));
    VkPushConstantRange pcr = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = 4};
    VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                      .pSetLayouts = &dsl, .pushConstantRangeCount = 1, .pPushConstantRanges = &pcr};
    VkPipelineLayout layout;
    CHECK(vkCreatePipelineLayout(dev, &pli, NULL, &layout));
    VkComputePipelineCreateInfo cpi = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = module, .pName = "main"},
        .layout = layout};
    VkPipeline pipeline;
    CHECK(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, NULL, &pipeline));
    VkDescriptorPoolSize ps = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = 3};
    VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 1,
                                      .poolSizeCount = 1, .pPoolSizes = &ps};
    VkDescriptorPool dpool;
    CHECK(vkCreateDescriptorPool(dev, &dpi, NULL, &dpool));
    VkDescriptorSetAllocateInfo dsai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                        .descriptorPool = dpool, .descriptorSetCount = 1, .pSetLayouts = &dsl};
    VkDescriptorSet set;
    CHECK(vkAllocateDescriptorSets(dev, &dsai, &set));
    /* VKCLIENT_HOSTILE_OFFSET=N (tests only): the output descriptor starts N bytes into c, past its end for large N
     * (invalid usage a server must refuse; the compute result is then wrong and the client reports FAIL) */
    const char *hostile = getenv("VKCLIENT_HOSTILE_OFFSET");
    VkDeviceSize coff = hostile ? strtoull(hostile, NULL, 0) : 0;
    VkDescriptorBufferInfo dbi[3] = {{a.buf, 0, VK_WHOLE_SIZE}, {b.buf, 0, VK_WHOLE_SIZE},
                                     {c.buf, coff, hostile ? fbytes : VK_WHOLE_SIZE}};
    VkWriteDescriptorSet w[3];
    for (uint32_t i = 0; i < 3; i++) {
        w[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = i,
                                      .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                      .pBufferInfo = &dbi[i]};
    }
    vkUpdateDescriptorSets(dev, 3, w, 0, NULL);
    float *fa = a.map, *fb = b.map, *fc = c.map;
    for (uint32_t i = 0; i < FLOATS; i++) {
        fa[i] = (float)i;
        fb[i] = (float)(FLOATS - i) * 0.5f;
        fc[i] = -1.0f;
    }
    step("compute_setup", now_ms() - t);

    t = now_ms();
    begin();
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
    uint32_t count = FLOATS;
    vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &count);
    vkCmdDispatch(cmd, FLOATS / 256, 1, 1);
    VkMemoryBarrier csToHost = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                                .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &csToHost, 0,
                         NULL, 0, NULL);
    submit_wait();
    step("compute_4m", now_ms() - t);

    t = now_ms();
    for (uint32_t i = 0; i < FLOATS; i++) {
        float want = (float)i + (float)(FLOATS - i) * 0.5f;
        if (fc[i] != want) fail("compute mismatch at element", (long)i);
    }
    step("verify_compute", now_ms() - t);

    t = now_ms();
    vkDestroyPipeline(dev, pipeline, NULL);
    vkDestroyDescriptorPool(dev, dpool, NULL);
    vkDestroyPipelineLayout(dev, layout, NULL);
    vkDestroyDescriptorSetLayout(dev, dsl, NULL);
    vkDestroyShaderModule(dev, module, NULL);
    vku_free_host_buffer(dev, &a);
    vku_free_host_buffer(dev, &b);
    vku_free_host_buffer(dev, &c);
    vkDestroyFence(dev, fence, NULL);
    vkDestroyCommandPool(dev, pool, NULL);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(inst, NULL);
    step("teardown", now_ms() - t);
    printf("result PASS\n");
    return 0;
}
