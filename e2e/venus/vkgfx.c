/*
 * vkgfx: graphics, images, descriptors, sync and queries on whichever ICD the loader picks (VK_ICD_FILENAMES);
 * used to prove what works through virtgpu's Venus context against lavapipe direct. Every result is checked.
 *   render_pass      image + view + render pass + framebuffer + graphics pipeline (vertex buffer, dynamic
 *                    viewport/scissor, push-constant colour), layout transitions by pipeline barriers, copy to a
 *                    host-visible buffer, every pixel checked (inside = colour, outside = clear colour)
 *   occlusion_query  precise occlusion query around that draw = number of coloured pixels (also copied on the GPU)
 *   timestamp_query  two timestamps around the render pass (skipped if timestampValidBits is 0)
 *   secondary_draw   the draw recorded in a secondary command buffer inside the render pass
 *   dynamic_rendering the draw with vkCmdBeginRendering (core 1.3 or VK_KHR_dynamic_rendering; skipped without)
 *   depth_indexed_indirect, extended_dynamic_state, multiview, msaa_resolve, subpass_input, blit_clear_copy,
 *   linear_image_mapped, host_reset_statistics, compute_misc, pipeline_cache (see docs/venus.md, "Graphics coverage")
 *   sampled_texture  2x2 texture uploaded with vkCmdCopyBufferToImage, sampled by a compute shader through combined
 *                    image samplers (NEAREST, and an immutable LINEAR one) into a storage buffer
 *   push_descriptor  the same shader with its set pushed (vkCmdPushDescriptorSetKHR, then
 *                    vkCmdPushDescriptorSetWithTemplateKHR of the output binding alone), both dispatches checked
 *   secondary_transfer vkCmdFillBuffer + vkCmdUpdateBuffer in a secondary executed from a primary
 *   fence_reuse, binary_semaphore, timeline_semaphore, timeline_host_signal, events, synchronization2,
 *   command_pool_reset
 * Output: one "PASS <feature>", "FAIL <feature>: <why>" or "SKIP <feature>: <why>" line per feature, then
 * "result PASS" (exit 0) or "result FAIL" (exit 1).
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vulkan.h>

#include "sample_comp_spv.h"
#include "invert_frag_spv.h"
#include "misc_comp_spv.h"
#include "multiview_frag_spv.h"
#include "tri_frag_spv.h"
#include "feature_report.h"
#include "tri_vert_spv.h"
#include "vkutil.h"

#define W 64
#define H 64
#define FORMAT VK_FORMAT_R8G8B8A8_UNORM
#define TIMEOUT_NS 10000000000ull

#define T(call)                                                                                                    \
    do {                                                                                                           \
        VkResult r_ = (call);                                                                                      \
        if (r_ != VK_SUCCESS) {                                                                                    \
            snprintf(why, sizeof why, "%s returned %d", #call, (int)r_);                                           \
            return 0;                                                                                              \
        }                                                                                                          \
    } while (0)

static _Noreturn void fatal(const char *what, int r) {
    printf("FAIL setup: %s returned %d\nresult FAIL\n", what, r);
    exit(1);
}

#define SETUP(call)                                                                                                \
    do {                                                                                                           \
        VkResult r_ = (call);                                                                                      \
        if (r_ != VK_SUCCESS) fatal(#call, r_);                                                                    \
    } while (0)

static VkPhysicalDevice phys;
static VkPhysicalDeviceProperties props;
static VkDevice dev;
static VkQueue queue;
static uint32_t family;
static uint32_t timestampBits;
static VkBool32 precise;
static int dynamicRendering; /* 0 none, 1 core 1.3, 2 VK_KHR_dynamic_rendering */
static int sync2;            /* 0 none, 1 core 1.3, 2 VK_KHR_synchronization2 */
static VkBool32 statistics;  /* pipelineStatisticsQuery */
static VkBool32 multiview;   /* VkPhysicalDeviceMultiviewFeatures.multiview (core 1.1), enabled when offered */
static int pushDescriptor;   /* VK_KHR_push_descriptor enabled */
static VkCommandPool pool;
static VkCommandBuffer cmd;
static VkFence fence;

/* ------------------------------------------------------------------------------------------------ helpers */

/* T for a vkutil.h helper: the call names the failing Vulkan call in `failed`, declared here */
#define TU(call)                                                                                                   \
    do {                                                                                                           \
        const char *failed = NULL;                                                                                 \
        VkResult r_ = (call);                                                                                      \
        if (r_ != VK_SUCCESS) {                                                                                    \
            snprintf(why, sizeof why, "%s returned %d", failed, (int)r_);                                          \
            return 0;                                                                                              \
        }                                                                                                          \
    } while (0)

static uint32_t memory_type(uint32_t bits, VkMemoryPropertyFlags want) {
    return vku_memory_type(phys, bits, want);
}

static int host_buffer(HostBuffer *h, VkDeviceSize size, VkBufferUsageFlags usage) {
    const char *failed = NULL;
    uint32_t bits = 0;
    VkResult r = vku_host_buffer(phys, dev, size, usage, h, &bits, &failed);
    EXPECT(failed != VKU_NO_HOST_MEMORY, "no host-visible coherent memory type for bits 0x%x", bits);
    EXPECT(r == VK_SUCCESS, "%s returned %d", failed, (int)r);
    return 1;
}

static void free_host_buffer(HostBuffer *h) {
    vku_free_host_buffer(dev, h);
}

typedef struct {
    VkImage image;
    VkDeviceMemory mem;
    VkImageView view;
} Image;

/* an optimal-tiling 2D image of `layers` array layers with its memory and a view of them all (2D, or 2D_ARRAY) */
static int image_layers(Image *im, uint32_t w, uint32_t h, VkFormat format, VkImageUsageFlags usage,
                        VkSampleCountFlagBits samples, VkImageAspectFlags aspect, uint32_t layers) {
    VkImageCreateInfo ii = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .imageType = VK_IMAGE_TYPE_2D,
                            .format = format, .extent = {w, h, 1}, .mipLevels = 1, .arrayLayers = layers,
                            .samples = samples, .tiling = VK_IMAGE_TILING_OPTIMAL, .usage = usage,
                            .sharingMode = VK_SHARING_MODE_EXCLUSIVE, .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
    T(vkCreateImage(dev, &ii, NULL, &im->image));
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev, im->image, &req);
    uint32_t type = memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    if (type == UINT32_MAX) type = memory_type(req.memoryTypeBits, 0);
    EXPECT(type != UINT32_MAX, "no memory type for image bits 0x%x", req.memoryTypeBits);
    VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = req.size,
                               .memoryTypeIndex = type};
    T(vkAllocateMemory(dev, &ai, NULL, &im->mem));
    T(vkBindImageMemory(dev, im->image, im->mem, 0));
    VkImageViewCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = im->image,
                                .viewType = layers > 1 ? VK_IMAGE_VIEW_TYPE_2D_ARRAY : VK_IMAGE_VIEW_TYPE_2D,
                                .format = format, .subresourceRange = {aspect, 0, 1, 0, layers}};
    T(vkCreateImageView(dev, &vi, NULL, &im->view));
    return 1;
}

/* an optimal-tiling 2D image with its memory and a view */
static int image_ex(Image *im, uint32_t w, uint32_t h, VkFormat format, VkImageUsageFlags usage,
                    VkSampleCountFlagBits samples, VkImageAspectFlags aspect) {
    return image_layers(im, w, h, format, usage, samples, aspect, 1);
}

static int image(Image *im, uint32_t w, uint32_t h, VkImageUsageFlags usage) {
    return image_ex(im, w, h, FORMAT, usage, VK_SAMPLE_COUNT_1_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
}

static void free_image(Image *im) {
    vkDestroyImageView(dev, im->view, NULL);
    vkDestroyImage(dev, im->image, NULL);
    vkFreeMemory(dev, im->mem, NULL);
    memset(im, 0, sizeof *im);
}

static int shader(VkShaderModule *m, const uint32_t *code, size_t size) {
    VkShaderModuleCreateInfo si = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = size,
                                   .pCode = code};
    T(vkCreateShaderModule(dev, &si, NULL, m));
    return 1;
}

static int begin(void) {
    TU(vku_begin(cmd, &failed));
    return 1;
}

static int submit_wait(void) {
    TU(vku_submit_wait(dev, queue, cmd, fence, TIMEOUT_NS, &failed));
    return 1;
}

/* a descriptor set layout over binds and a pipeline layout of just that set and the push constant ranges */
static int set_layout(VkDescriptorSetLayout *dsl, VkPipelineLayout *layout, const VkDescriptorSetLayoutBinding *binds,
                      uint32_t n, const VkPushConstantRange *pcr, uint32_t npcr) {
    VkDescriptorSetLayoutCreateInfo dli = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                           .bindingCount = n, .pBindings = binds};
    T(vkCreateDescriptorSetLayout(dev, &dli, NULL, dsl));
    VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                      .pSetLayouts = dsl, .pushConstantRangeCount = npcr, .pPushConstantRanges = pcr};
    T(vkCreatePipelineLayout(dev, &pli, NULL, layout));
    return 1;
}

static int alloc_set(VkDescriptorSet *set, VkDescriptorPool dpool, VkDescriptorSetLayout dsl) {
    VkDescriptorSetAllocateInfo dsai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                        .descriptorPool = dpool, .descriptorSetCount = 1, .pSetLayouts = &dsl};
    T(vkAllocateDescriptorSets(dev, &dsai, set));
    return 1;
}

/* a pool for one set of the sizes, and that set */
static int one_set(VkDescriptorPool *dpool, VkDescriptorSet *set, VkDescriptorSetLayout dsl,
                   const VkDescriptorPoolSize *sizes, uint32_t n, VkDescriptorPoolCreateFlags flags) {
    VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .flags = flags,
                                      .maxSets = 1, .poolSizeCount = n, .pPoolSizes = sizes};
    T(vkCreateDescriptorPool(dev, &dpi, NULL, dpool));
    return alloc_set(set, *dpool, dsl);
}

static int compute_pipeline(VkPipeline *pipe, VkShaderModule module, VkPipelineLayout layout,
                            const VkSpecializationInfo *spec) {
    VkComputePipelineCreateInfo cpi = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = module, .pName = "main", .pSpecializationInfo = spec},
        .layout = layout};
    T(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, NULL, pipe));
    return 1;
}

/* destroys what set_layout, one_set, shader and a pipeline made */
static void free_program(VkDescriptorPool dpool, VkPipeline pipe, VkShaderModule module, VkPipelineLayout layout,
                         VkDescriptorSetLayout dsl) {
    vkDestroyDescriptorPool(dev, dpool, NULL);
    vkDestroyPipeline(dev, pipe, NULL);
    vkDestroyShaderModule(dev, module, NULL);
    vkDestroyPipelineLayout(dev, layout, NULL);
    vkDestroyDescriptorSetLayout(dev, dsl, NULL);
}

static void image_barrier(VkCommandBuffer cb, VkImage im, VkImageLayout from, VkImageLayout to,
                          VkPipelineStageFlags srcStage, VkAccessFlags srcAccess, VkPipelineStageFlags dstStage,
                          VkAccessFlags dstAccess) {
    VkImageMemoryBarrier b = {.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER, .srcAccessMask = srcAccess,
                              .dstAccessMask = dstAccess, .oldLayout = from, .newLayout = to,
                              .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                              .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED, .image = im,
                              .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, VK_REMAINING_ARRAY_LAYERS}};
    vkCmdPipelineBarrier(cb, srcStage, dstStage, 0, 0, NULL, 0, NULL, 1, &b);
}

static void to_host(VkCommandBuffer cb, VkBuffer buf, VkPipelineStageFlags srcStage, VkAccessFlags srcAccess) {
    VkBufferMemoryBarrier b = {.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER, .srcAccessMask = srcAccess,
                               .dstAccessMask = VK_ACCESS_HOST_READ_BIT, .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                               .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED, .buffer = buf, .size = VK_WHOLE_SIZE};
    vkCmdPipelineBarrier(cb, srcStage, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, NULL, 1, &b, 0, NULL);
}

/* ------------------------------------------------------------------------------------------------ rendering */

/* Triangle A covers the top-left half of the target (pixel x + y < 63), triangle B the bottom-right half
 * (x + y > 63); pixels on the diagonal x + y == 63 are cut through their centre, so the tie-break rule decides. */
static const float TRIANGLES[20] = {-1, -1, 1, -1, -1, 1, /* B: */ 1, 1, -1, 1, 1, -1,
                                   /* a full-target quad for indexed draws: */ -1, -1, 1, -1, 1, 1, -1, 1};
#define QUAD 6 /* first vertex of the quad */

typedef struct {
    Image target;
    HostBuffer readback;
    HostBuffer vertices;
    VkRenderPass renderPass;
    VkFramebuffer framebuffer;
    VkPipelineLayout layout;
    VkPipeline pipeline;        /* for the render pass */
    VkPipeline dynamicPipeline; /* for dynamic rendering */
    VkPipelineCache cache;      /* every graphics pipeline goes through it (pipeline_cache checks its data) */
    VkShaderModule vert, frag;
} Gfx;

static Gfx g;

typedef struct {
    VkRenderPass renderPass; /* VK_NULL_HANDLE: dynamic rendering */
    uint32_t subpass;
    VkSampleCountFlagBits samples;
    int depth; /* depth test LESS with writes, D32_SFLOAT attachment */
    int extended; /* Vulkan 1.3's dynamic state: viewport and scissor with count, cull mode, front face, topology,
                   * depth test, write and compare, vertex binding stride, rasterizer discard and depth bias enables */
    VkPipelineLayout layout;
    VkShaderModule frag;
} PipeDesc;

static int pipeline(VkPipeline *out, const PipeDesc *d) {
    VkPipelineShaderStageCreateInfo stages[2] = {
        {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_VERTEX_BIT,
         .module = g.vert, .pName = "main"},
        {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_FRAGMENT_BIT,
         .module = d->frag ? d->frag : g.frag, .pName = "main"}};
    VkVertexInputBindingDescription vb = {.binding = 0, .stride = 8, .inputRate = VK_VERTEX_INPUT_RATE_VERTEX};
    VkVertexInputAttributeDescription va = {.location = 0, .binding = 0, .format = VK_FORMAT_R32G32_SFLOAT};
    VkPipelineVertexInputStateCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
                                               .vertexBindingDescriptionCount = 1, .pVertexBindingDescriptions = &vb,
                                               .vertexAttributeDescriptionCount = 1,
                                               .pVertexAttributeDescriptions = &va};
    VkPipelineInputAssemblyStateCreateInfo ia = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
        .topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST};
    VkPipelineViewportStateCreateInfo vp = {.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
                                            .viewportCount = 1, .scissorCount = 1};
    VkPipelineRasterizationStateCreateInfo rs = {.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
                                                 .polygonMode = VK_POLYGON_MODE_FILL, .cullMode = VK_CULL_MODE_NONE,
                                                 .frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE, .lineWidth = 1.0f};
    VkPipelineMultisampleStateCreateInfo ms = {.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
                                               .rasterizationSamples = d->samples ? d->samples
                                                                                  : VK_SAMPLE_COUNT_1_BIT};
    VkPipelineDepthStencilStateCreateInfo dss = {.sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO,
                                                 .depthTestEnable = VK_TRUE, .depthWriteEnable = VK_TRUE,
                                                 .depthCompareOp = VK_COMPARE_OP_LESS, .maxDepthBounds = 1.0f};
    VkPipelineColorBlendAttachmentState ba = {.colorWriteMask = 0xf};
    VkPipelineColorBlendStateCreateInfo cb = {.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
                                              .attachmentCount = 1, .pAttachments = &ba};
    VkDynamicState dyn[2] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkDynamicState ext[11] = {VK_DYNAMIC_STATE_VIEWPORT_WITH_COUNT, VK_DYNAMIC_STATE_SCISSOR_WITH_COUNT,
                              VK_DYNAMIC_STATE_CULL_MODE, VK_DYNAMIC_STATE_FRONT_FACE,
                              VK_DYNAMIC_STATE_PRIMITIVE_TOPOLOGY, VK_DYNAMIC_STATE_DEPTH_TEST_ENABLE,
                              VK_DYNAMIC_STATE_DEPTH_WRITE_ENABLE, VK_DYNAMIC_STATE_DEPTH_COMPARE_OP,
                              VK_DYNAMIC_STATE_VERTEX_INPUT_BINDING_STRIDE,
                              VK_DYNAMIC_STATE_RASTERIZER_DISCARD_ENABLE, VK_DYNAMIC_STATE_DEPTH_BIAS_ENABLE};
    VkPipelineDynamicStateCreateInfo ds = {.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO,
                                           .dynamicStateCount = d->extended ? 11 : 2,
                                           .pDynamicStates = d->extended ? ext : dyn};
    if (d->extended) {
        vp.viewportCount = vp.scissorCount = 0; /* given by the *WithCount commands */
        rs.depthBiasConstantFactor = -1000.0f;  /* pulls a primitive at z 0.5 about 6e-5 nearer when enabled */
    }
    VkFormat format = FORMAT;
    VkPipelineRenderingCreateInfo ri = {.sType = VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO,
                                        .colorAttachmentCount = 1, .pColorAttachmentFormats = &format};
    VkGraphicsPipelineCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
                                       .pNext = d->renderPass == VK_NULL_HANDLE ? &ri : NULL, .stageCount = 2,
                                       .pStages = stages, .pVertexInputState = &vi, .pInputAssemblyState = &ia,
                                       .pViewportState = &vp, .pRasterizationState = &rs, .pMultisampleState = &ms,
                                       .pDepthStencilState = d->depth ? &dss : NULL, .pColorBlendState = &cb,
                                       .pDynamicState = &ds, .layout = d->layout ? d->layout : g.layout,
                                       .renderPass = d->renderPass, .subpass = d->subpass};
    T(vkCreateGraphicsPipelines(dev, g.cache, 1, &pi, NULL, out));
    return 1;
}

/* one attachment description; stencil unused */
static VkAttachmentDescription attachment(VkFormat format, VkSampleCountFlagBits samples, VkAttachmentLoadOp load,
                                          VkAttachmentStoreOp store, VkImageLayout from, VkImageLayout to) {
    return (VkAttachmentDescription){.format = format, .samples = samples, .loadOp = load, .storeOp = store,
                                     .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                     .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE, .initialLayout = from,
                                     .finalLayout = to};
}

/* a render pass of one subpass and one FORMAT colour attachment (cleared, kept, left in `final`); next: its pNext */
static int colour_pass(VkRenderPass *rp, VkImageLayout final, const void *next) {
    VkAttachmentDescription att = attachment(FORMAT, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR,
                                             VK_ATTACHMENT_STORE_OP_STORE, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                                             final);
    VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription sub = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS, .colorAttachmentCount = 1,
                                .pColorAttachments = &ref};
    VkRenderPassCreateInfo rpi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO, .pNext = next,
                                  .attachmentCount = 1, .pAttachments = &att, .subpassCount = 1, .pSubpasses = &sub};
    T(vkCreateRenderPass(dev, &rpi, NULL, rp));
    return 1;
}

static int framebuffer(VkFramebuffer *fb, VkRenderPass rp, const VkImageView *views, uint32_t n) {
    VkFramebufferCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO, .renderPass = rp,
                                  .attachmentCount = n, .pAttachments = views, .width = W, .height = H, .layers = 1};
    T(vkCreateFramebuffer(dev, &fi, NULL, fb));
    return 1;
}

static int gfx_setup(void) {
    if (!image(&g.target, W, H, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT)) return 0;
    if (!host_buffer(&g.readback, W * H * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT)) return 0;
    if (!host_buffer(&g.vertices, sizeof TRIANGLES, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT)) return 0;
    memcpy(g.vertices.map, TRIANGLES, sizeof TRIANGLES);
    if (!colour_pass(&g.renderPass, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, NULL)) return 0;
    VkPipelineCacheCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    T(vkCreatePipelineCache(dev, &pci, NULL, &g.cache));
    if (!framebuffer(&g.framebuffer, g.renderPass, &g.target.view, 1)) return 0;
    if (!shader(&g.vert, tri_vert_spv, sizeof tri_vert_spv)) return 0;
    if (!shader(&g.frag, tri_frag_spv, sizeof tri_frag_spv)) return 0;
    VkPushConstantRange pcr[2] = {{.stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT, .size = 16},
                                  {.stageFlags = VK_SHADER_STAGE_VERTEX_BIT, .offset = 16, .size = 4}};
    VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                      .pushConstantRangeCount = 2, .pPushConstantRanges = pcr};
    T(vkCreatePipelineLayout(dev, &pli, NULL, &g.layout));
    if (!pipeline(&g.pipeline, &(PipeDesc){.renderPass = g.renderPass})) return 0;
    if (dynamicRendering && !pipeline(&g.dynamicPipeline, &(PipeDesc){0})) return 0;
    return 1;
}

static void gfx_teardown(void) {
    vkDestroyPipeline(dev, g.pipeline, NULL);
    vkDestroyPipeline(dev, g.dynamicPipeline, NULL);
    vkDestroyPipelineLayout(dev, g.layout, NULL);
    vkDestroyPipelineCache(dev, g.cache, NULL);
    vkDestroyShaderModule(dev, g.vert, NULL);
    vkDestroyShaderModule(dev, g.frag, NULL);
    vkDestroyFramebuffer(dev, g.framebuffer, NULL);
    vkDestroyRenderPass(dev, g.renderPass, NULL);
    free_host_buffer(&g.vertices);
    free_host_buffer(&g.readback);
    free_image(&g.target);
}

/* binds p, sets viewport and scissor, the colour and depth push constants and the vertex buffer at `first` */
static void bind_state(VkCommandBuffer cb, VkPipeline p, uint32_t first, const float rgba[4], float z) {
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, p);
    VkViewport vp = {0, 0, W, H, 0, 1};
    VkRect2D sc = {{0, 0}, {W, H}};
    vkCmdSetViewport(cb, 0, 1, &vp);
    vkCmdSetScissor(cb, 0, 1, &sc);
    VkDeviceSize offset = (VkDeviceSize)first * 2 * sizeof(float);
    vkCmdBindVertexBuffers(cb, 0, 1, &g.vertices.buf, &offset);
    vkCmdPushConstants(cb, g.layout, VK_SHADER_STAGE_FRAGMENT_BIT, 0, 16, rgba);
    vkCmdPushConstants(cb, g.layout, VK_SHADER_STAGE_VERTEX_BIT, 16, 4, &z);
}

/* records the draw of triangle 0 (A) or 1 (B) in colour rgba at depth 0.5 */
static void draw(VkCommandBuffer cb, VkPipeline p, int triangle, const float rgba[4]) {
    bind_state(cb, p, (uint32_t)triangle * 3, rgba, 0.5f);
    vkCmdDraw(cb, 3, 1, 0, 0);
}

/* before: the target to COLOR_ATTACHMENT_OPTIMAL (contents discarded: every pass clears) */
static void target_to_attachment(void) {
    image_barrier(cmd, g.target.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, 0, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT);
}

/* after: the target to TRANSFER_SRC_OPTIMAL, copied into the readback buffer, made visible to the host */
static void target_to_readback(void) {
    image_barrier(cmd, g.target.image, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferImageCopy region = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1}, .imageExtent = {W, H, 1}};
    vkCmdCopyImageToBuffer(cmd, g.target.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, g.readback.buf, 1, &region);
    to_host(cmd, g.readback.buf, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
}

static uint32_t rgba8(const float c[4]) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)(c[i] * 255.0f + 0.5f) << (8 * i);
    return v;
}

/* checks every pixel of the readback; returns the number of pixels in the draw colour, or -1 (why set) */
/* checks every pixel of the readback: pixels further than `edge` from the diagonal x + y == 63 must be exactly the
 * draw colour (inside) or the clear colour (outside); on the diagonal either; within `edge` of it anything (MSAA
 * resolves mix them), counted in *blended when neither. Returns the number of pixels in the draw colour, or -1
 * (why set). */
static long check_pixels_ex(int triangle, const float colour[4], const float clear[4], int edge, long *blended) {
    const uint32_t *px = g.readback.map;
    uint32_t in = rgba8(colour), out = rgba8(clear);
    long coloured = 0;
    *blended = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            uint32_t p = px[y * W + x];
            int s = x + y;
            int inside = triangle == 0 ? s < 63 : s > 63;
            int near = s >= 63 - edge && s <= 63 + edge;
            if (p == in) coloured++;
            if (p != in && p != out) ++*blended;
            if (near ? (edge == 0 && p != in && p != out) : inside ? p != in : p != out) {
                snprintf(why, sizeof why, "pixel (%d,%d) = 0x%08x, want 0x%08x", x, y, p, inside ? in : out);
                return -1;
            }
        }
    }
    return coloured;
}

static long check_pixels(int triangle, const float colour[4], const float clear[4]) {
    long blended;
    return check_pixels_ex(triangle, colour, clear, 0, &blended);
}

static const float CLEAR1[4] = {0, 0, 1, 1}, RED[4] = {1, 0.2f, 0, 1};
static const float CLEAR2[4] = {0, 1, 0, 1}, BLUE[4] = {0.4f, 0, 1, 1};
static const float CLEAR3[4] = {1, 1, 1, 1}, GREY[4] = {0.6f, 0.6f, 0.2f, 1};

/* the query results and their reasons (the render pass itself reports through why) */
static char occWhy[256] = "render pass failed", tsWhy[256] = "timestampValidBits is 0";

static int render_pass_and_queries(int *occlusion, int *timestamps) {
    *occlusion = 0;
    *timestamps = timestampBits > 0 ? 0 : -1;
    if (timestampBits > 0) snprintf(tsWhy, sizeof tsWhy, "render pass failed");
    VkQueryPool occ, ts = VK_NULL_HANDLE;
    VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                .queryType = VK_QUERY_TYPE_OCCLUSION, .queryCount = 1};
    T(vkCreateQueryPool(dev, &qi, NULL, &occ));
    if (timestampBits > 0) {
        VkQueryPoolCreateInfo ti = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                    .queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = 2};
        T(vkCreateQueryPool(dev, &ti, NULL, &ts));
    }
    HostBuffer copied = {0};
    if (!host_buffer(&copied, 16, VK_BUFFER_USAGE_TRANSFER_DST_BIT)) return 0;
    memset(g.readback.map, 0, W * H * 4);
    if (!begin()) return 0;
    vkCmdResetQueryPool(cmd, occ, 0, 1);
    if (ts) {
        vkCmdResetQueryPool(cmd, ts, 0, 2);
        vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, ts, 0);
    }
    target_to_attachment();
    VkClearValue cv;
    memcpy(cv.color.float32, CLEAR1, sizeof CLEAR1);
    VkRenderPassBeginInfo rb = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, .renderPass = g.renderPass,
                                .framebuffer = g.framebuffer, .renderArea = {{0, 0}, {W, H}}, .clearValueCount = 1,
                                .pClearValues = &cv};
    vkCmdBeginRenderPass(cmd, &rb, VK_SUBPASS_CONTENTS_INLINE);
    vkCmdBeginQuery(cmd, occ, 0, precise ? VK_QUERY_CONTROL_PRECISE_BIT : 0);
    draw(cmd, g.pipeline, 0, RED);
    vkCmdEndQuery(cmd, occ, 0);
    vkCmdEndRenderPass(cmd);
    if (ts) vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, ts, 1);
    target_to_readback();
    vkCmdCopyQueryPoolResults(cmd, occ, 0, 1, copied.buf, 0, 8, VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
    to_host(cmd, copied.buf, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    if (!submit_wait()) return 0;
    long coloured = check_pixels(0, RED, CLEAR1);
    if (coloured < 0) return 0;
    EXPECT(coloured >= 2016 && coloured <= 2080, "%ld pixels coloured, want 2016..2080", coloured);

    /* occlusion: from the host and as copied on the GPU */
    uint64_t samples[2] = {0, 0};
    VkResult r = vkGetQueryPoolResults(dev, occ, 0, 1, sizeof samples, samples, sizeof samples,
                                       VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT |
                                           VK_QUERY_RESULT_WITH_AVAILABILITY_BIT);
    uint64_t gpuCopied = *(uint64_t *)copied.map;
    if (r != VK_SUCCESS) {
        snprintf(occWhy, sizeof occWhy, "vkGetQueryPoolResults(occlusion) returned %d", (int)r);
    } else if (samples[1] == 0) {
        snprintf(occWhy, sizeof occWhy, "occlusion result not available");
    } else if (precise ? samples[0] != (uint64_t)coloured : samples[0] == 0) {
        snprintf(occWhy, sizeof occWhy, "occlusion query counted %llu samples, %ld pixels coloured (precise %u)",
                 (unsigned long long)samples[0], coloured, precise);
    } else if (gpuCopied != samples[0]) {
        snprintf(occWhy, sizeof occWhy, "vkCmdCopyQueryPoolResults wrote %llu, host read %llu",
                 (unsigned long long)gpuCopied, (unsigned long long)samples[0]);
    } else {
        *occlusion = 1;
    }

    if (ts) {
        uint64_t t[4] = {0};
        r = vkGetQueryPoolResults(dev, ts, 0, 2, sizeof t, t, 2 * sizeof(uint64_t),
                                  VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT |
                                      VK_QUERY_RESULT_WITH_AVAILABILITY_BIT);
        uint64_t mask = timestampBits >= 64 ? UINT64_MAX : (1ull << timestampBits) - 1;
        *timestamps = 0;
        if (r != VK_SUCCESS) {
            snprintf(tsWhy, sizeof tsWhy, "vkGetQueryPoolResults(timestamp) returned %d", (int)r);
        } else if (t[1] == 0 || t[3] == 0) {
            snprintf(tsWhy, sizeof tsWhy, "timestamps not available");
        } else if ((t[2] & mask) < (t[0] & mask) || t[2] == 0) {
            snprintf(tsWhy, sizeof tsWhy, "timestamps %llu then %llu", (unsigned long long)t[0],
                     (unsigned long long)t[2]);
        } else {
            *timestamps = 1;
        }
        vkDestroyQueryPool(dev, ts, NULL);
    }
    vkDestroyQueryPool(dev, occ, NULL);
    free_host_buffer(&copied);
    return 1;
}

static int secondary_draw(void) {
    VkCommandBuffer sec;
    VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = pool,
                                      .level = VK_COMMAND_BUFFER_LEVEL_SECONDARY, .commandBufferCount = 1};
    T(vkAllocateCommandBuffers(dev, &ai, &sec));
    VkCommandBufferInheritanceInfo inh = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO,
                                          .renderPass = g.renderPass, .subpass = 0, .framebuffer = g.framebuffer};
    VkCommandBufferBeginInfo sbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                    .flags = VK_COMMAND_BUFFER_USAGE_RENDER_PASS_CONTINUE_BIT,
                                    .pInheritanceInfo = &inh};
    T(vkBeginCommandBuffer(sec, &sbi));
    draw(sec, g.pipeline, 1, BLUE);
    T(vkEndCommandBuffer(sec));

    memset(g.readback.map, 0, W * H * 4);
    if (!begin()) return 0;
    target_to_attachment();
    VkClearValue cv;
    memcpy(cv.color.float32, CLEAR2, sizeof CLEAR2);
    VkRenderPassBeginInfo rb = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, .renderPass = g.renderPass,
                                .framebuffer = g.framebuffer, .renderArea = {{0, 0}, {W, H}}, .clearValueCount = 1,
                                .pClearValues = &cv};
    vkCmdBeginRenderPass(cmd, &rb, VK_SUBPASS_CONTENTS_SECONDARY_COMMAND_BUFFERS);
    vkCmdExecuteCommands(cmd, 1, &sec);
    vkCmdEndRenderPass(cmd);
    target_to_readback();
    if (!submit_wait()) return 0;
    vkFreeCommandBuffers(dev, pool, 1, &sec);
    long coloured = check_pixels(1, BLUE, CLEAR2);
    if (coloured < 0) return 0;
    EXPECT(coloured >= 2016 && coloured <= 2080, "%ld pixels coloured, want 2016..2080", coloured);
    return 1;
}

static int dynamic_rendering(void) {
    if (!dynamicRendering) {
        snprintf(why, sizeof why, "neither Vulkan 1.3 nor VK_KHR_dynamic_rendering (apiVersion %u.%u)",
                 VK_API_VERSION_MAJOR(props.apiVersion), VK_API_VERSION_MINOR(props.apiVersion));
        return -1;
    }
    PFN_vkCmdBeginRendering beginRendering = (PFN_vkCmdBeginRendering)vkGetDeviceProcAddr(
        dev, dynamicRendering == 1 ? "vkCmdBeginRendering" : "vkCmdBeginRenderingKHR");
    PFN_vkCmdEndRendering endRendering = (PFN_vkCmdEndRendering)vkGetDeviceProcAddr(
        dev, dynamicRendering == 1 ? "vkCmdEndRendering" : "vkCmdEndRenderingKHR");
    EXPECT(beginRendering && endRendering, "vkGetDeviceProcAddr has no vkCmdBeginRendering/vkCmdEndRendering");
    memset(g.readback.map, 0, W * H * 4);
    if (!begin()) return 0;
    target_to_attachment();
    VkRenderingAttachmentInfo ca = {.sType = VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO,
                                    .imageView = g.target.view,
                                    .imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                                    .loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR, .storeOp = VK_ATTACHMENT_STORE_OP_STORE};
    memcpy(ca.clearValue.color.float32, CLEAR3, sizeof CLEAR3);
    VkRenderingInfo ri = {.sType = VK_STRUCTURE_TYPE_RENDERING_INFO, .renderArea = {{0, 0}, {W, H}},
                          .layerCount = 1, .colorAttachmentCount = 1, .pColorAttachments = &ca};
    beginRendering(cmd, &ri);
    draw(cmd, g.dynamicPipeline, 0, GREY);
    endRendering(cmd);
    target_to_readback();
    if (!submit_wait()) return 0;
    long coloured = check_pixels(0, GREY, CLEAR3);
    if (coloured < 0) return 0;
    EXPECT(coloured >= 2016 && coloured <= 2080, "%ld pixels coloured, want 2016..2080", coloured);
    return 1;
}

static int format_supports(VkFormat f, VkFormatFeatureFlags want) {
    VkFormatProperties fp;
    vkGetPhysicalDeviceFormatProperties(phys, f, &fp);
    return (fp.optimalTilingFeatures & want) == want;
}

static int begin_pass(VkRenderPass rp, VkFramebuffer fb, const VkClearValue *cv, uint32_t n, VkSubpassContents c) {
    VkRenderPassBeginInfo rb = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, .renderPass = rp,
                                .framebuffer = fb, .renderArea = {{0, 0}, {W, H}}, .clearValueCount = n,
                                .pClearValues = cv};
    vkCmdBeginRenderPass(cmd, &rb, c);
    return 1;
}

static VkClearValue colour_clear(const float c[4]) {
    VkClearValue v;
    memcpy(v.color.float32, c, 4 * sizeof(float));
    return v;
}

/* a W x H D32_SFLOAT depth attachment: 1, 0 (fail, why set) or -1 (skip: no such depth format here) */
static int depth_image(Image *z) {
    if (!format_supports(VK_FORMAT_D32_SFLOAT, VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT)) {
        snprintf(why, sizeof why, "D32_SFLOAT is no depth attachment format here");
        return -1;
    }
    return image_ex(z, W, H, VK_FORMAT_D32_SFLOAT, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, VK_SAMPLE_COUNT_1_BIT,
                    VK_IMAGE_ASPECT_DEPTH_BIT);
}

/* a render pass and framebuffer with the target as colour (cleared, kept) and z (D32_SFLOAT, cleared) as depth */
static int depth_pass(VkRenderPass *rp, VkFramebuffer *fb, Image *z) {
    const VkFormat depth = VK_FORMAT_D32_SFLOAT;
    VkAttachmentDescription att[2] = {
        attachment(FORMAT, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_ATTACHMENT_STORE_OP_STORE,
                   VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL),
        attachment(depth, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_ATTACHMENT_STORE_OP_DONT_CARE,
                   VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL)};
    VkAttachmentReference cref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkAttachmentReference dref = {1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
    VkSubpassDescription sub = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS, .colorAttachmentCount = 1,
                                .pColorAttachments = &cref, .pDepthStencilAttachment = &dref};
    VkSubpassDependency dep = {.srcSubpass = VK_SUBPASS_EXTERNAL, .dstSubpass = 0,
                               .srcStageMask = VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT,
                               .dstStageMask = VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT,
                               .dstAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT};
    VkRenderPassCreateInfo rpi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO, .attachmentCount = 2,
                                  .pAttachments = att, .subpassCount = 1, .pSubpasses = &sub,
                                  .dependencyCount = 1, .pDependencies = &dep};
    T(vkCreateRenderPass(dev, &rpi, NULL, rp));
    VkImageView views[2] = {g.target.view, z->view};
    return framebuffer(fb, *rp, views, 2);
}

/* Ends a pass of depth_pass, copies the target into the readback buffer and waits; then frees the pass's
 * pipeline, framebuffer, render pass and depth image. */
static int end_depth_pass(VkPipeline p, VkRenderPass rp, VkFramebuffer fb, Image *z) {
    vkCmdEndRenderPass(cmd);
    target_to_readback();
    if (!submit_wait()) return 0;
    vkDestroyPipeline(dev, p, NULL);
    vkDestroyFramebuffer(dev, fb, NULL);
    vkDestroyRenderPass(dev, rp, NULL);
    free_image(z);
    return 1;
}

/* A depth-tested pass: a full-target quad at z 0.5 drawn indexed and indirect, triangle A behind it (z 0.7,
 * hidden), triangle B in front (z 0.2, drawn indirect). Only B and the quad may show. */
static int depth_indexed_indirect(void) {
    Image z = {0};
    HostBuffer idx = {0}, ind = {0};
    int zr = depth_image(&z);
    if (zr <= 0) return zr;
    if (!host_buffer(&idx, 12, VK_BUFFER_USAGE_INDEX_BUFFER_BIT)) return 0;
    if (!host_buffer(&ind, 64, VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT)) return 0;
    const uint16_t indices[6] = {0, 1, 2, 0, 2, 3};
    memcpy(idx.map, indices, sizeof indices);
    VkDrawIndexedIndirectCommand quad = {.indexCount = 6, .instanceCount = 1};
    VkDrawIndirectCommand tri = {.vertexCount = 3, .instanceCount = 1};
    memcpy(ind.map, &quad, sizeof quad);
    memcpy((char *)ind.map + 32, &tri, sizeof tri);

    VkRenderPass rp;
    VkFramebuffer fb;
    if (!depth_pass(&rp, &fb, &z)) return 0;
    VkPipeline p;
    if (!pipeline(&p, &(PipeDesc){.renderPass = rp, .depth = 1})) return 0;

    memset(g.readback.map, 0, W * H * 4);
    if (!begin()) return 0;
    target_to_attachment();
    VkClearValue cv[2] = {colour_clear(CLEAR1), {.depthStencil = {1.0f, 0}}};
    begin_pass(rp, fb, cv, 2, VK_SUBPASS_CONTENTS_INLINE);
    bind_state(cmd, p, QUAD, GREY, 0.5f);
    vkCmdBindIndexBuffer(cmd, idx.buf, 0, VK_INDEX_TYPE_UINT16);
    vkCmdDrawIndexedIndirect(cmd, ind.buf, 0, 1, sizeof quad);
    bind_state(cmd, p, 0, RED, 0.7f);
    vkCmdDraw(cmd, 3, 1, 0, 0);
    bind_state(cmd, p, 3, BLUE, 0.2f);
    vkCmdDrawIndirect(cmd, ind.buf, 32, 1, sizeof tri);
    int ok = end_depth_pass(p, rp, fb, &z);
    free_host_buffer(&idx);
    free_host_buffer(&ind);
    if (!ok) return 0;
    long coloured = check_pixels(1, BLUE, GREY);
    if (coloured < 0) return 0;
    EXPECT(coloured >= 2016 && coloured <= 2080, "%ld pixels coloured, want 2016..2080", coloured);
    return 1;
}

static const float GREEN[4] = {0.2f, 0.8f, 0.2f, 1};

/* Vulkan 1.3's dynamic state (promoted from VK_EXT_extended_dynamic_state and, for the rasterizer discard and depth
 * bias enables, VK_EXT_extended_dynamic_state2; core 1.3 needs no feature for either), one pipeline with all of it
 * dynamic: the viewport with count, and per draw the scissor with count (one of eight regions of the target, four
 * columns by two rows, so that each region checks one thing on its own), the vertex binding stride
 * (vkCmdBindVertexBuffers2), the topology (the full-target quad as a triangle fan of vertices QUAD..QUAD+3, or a
 * strip of vertices 0..3), the cull mode, front face, depth test, write and compare, rasterizer discard and depth
 * bias (the pipeline's constant factor is -1000). The quad winds clockwise in framebuffer coordinates. Every region
 * starts GREY at depth 0.5; then region 0: RED at 0.2 culled as back-facing (counter-clockwise front), GREEN at 0.3
 * drawn as front-facing (clockwise front; it would be hidden had the RED one been drawn); 1: BLUE at 0.9 with
 * compare ALWAYS and writes off, then RED at 0.6 with LESS, hidden only because no depth was written; 2: RED at 0.95
 * drawn with the depth test off; 3: BLUE at 0.7 drawn as a strip with compare GREATER; 4: RED with the rasterizer
 * discarding it; 5: GREEN at 0.5 with LESS, drawn only because the depth bias is on; 6 and 7: nothing more. */
static int extended_dynamic_state(void) {
    if (!(VK_API_VERSION_MINOR(props.apiVersion) >= 3 || VK_API_VERSION_MAJOR(props.apiVersion) > 1)) {
        snprintf(why, sizeof why, "not Vulkan 1.3 (apiVersion %u.%u)", VK_API_VERSION_MAJOR(props.apiVersion),
                 VK_API_VERSION_MINOR(props.apiVersion));
        return -1;
    }
    Image z = {0};
    int zr = depth_image(&z);
    if (zr <= 0) return zr;
    VkRenderPass rp;
    VkFramebuffer fb;
    if (!depth_pass(&rp, &fb, &z)) return 0;
    VkPipeline p;
    if (!pipeline(&p, &(PipeDesc){.renderPass = rp, .depth = 1, .extended = 1})) return 0;

    memset(g.readback.map, 0, W * H * 4);
    if (!begin()) return 0;
    target_to_attachment();
    VkClearValue cv[2] = {colour_clear(CLEAR1), {.depthStencil = {1.0f, 0}}};
    begin_pass(rp, fb, cv, 2, VK_SUBPASS_CONTENTS_INLINE);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, p);
    VkViewport vp = {0, 0, W, H, 0, 1};
    vkCmdSetViewportWithCount(cmd, 1, &vp);
    const VkPrimitiveTopology fan = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_FAN, strip = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP;
    const VkCullModeFlags none = VK_CULL_MODE_NONE, back = VK_CULL_MODE_BACK_BIT;
    const VkFrontFace ccw = VK_FRONT_FACE_COUNTER_CLOCKWISE, cw = VK_FRONT_FACE_CLOCKWISE;
    static const struct {
        int region; /* -1: the whole target; else column region % 4, row region / 4 */
        int strip, back, cw, test, write, discard, bias;
        VkCompareOp compare;
        const float *rgba;
        float z;
    } steps[9] = {
        {-1, 0, 0, 0, 1, 1, 0, 0, VK_COMPARE_OP_LESS, GREY, 0.5f},
        {0, 0, 1, 0, 1, 1, 0, 0, VK_COMPARE_OP_LESS, RED, 0.2f},
        {0, 0, 1, 1, 1, 1, 0, 0, VK_COMPARE_OP_LESS, GREEN, 0.3f},
        {1, 0, 0, 0, 1, 0, 0, 0, VK_COMPARE_OP_ALWAYS, BLUE, 0.9f},
        {1, 0, 0, 0, 1, 1, 0, 0, VK_COMPARE_OP_LESS, RED, 0.6f},
        {2, 0, 0, 0, 0, 1, 0, 0, VK_COMPARE_OP_LESS, RED, 0.95f},
        {3, 1, 0, 0, 1, 1, 0, 0, VK_COMPARE_OP_GREATER, BLUE, 0.7f},
        {4, 0, 0, 0, 1, 1, 1, 0, VK_COMPARE_OP_LESS, RED, 0.1f},
        {5, 0, 0, 0, 1, 1, 0, 1, VK_COMPARE_OP_LESS, GREEN, 0.5f},
    };
    for (int i = 0; i < 9; i++) {
        int q = steps[i].region;
        VkRect2D sc = q < 0 ? (VkRect2D){{0, 0}, {W, H}}
                            : (VkRect2D){{(q % 4) * (W / 4), (q / 4) * (H / 2)}, {W / 4, H / 2}};
        vkCmdSetScissorWithCount(cmd, 1, &sc);
        vkCmdSetRasterizerDiscardEnable(cmd, (VkBool32)steps[i].discard);
        vkCmdSetDepthBiasEnable(cmd, (VkBool32)steps[i].bias);
        vkCmdSetPrimitiveTopology(cmd, steps[i].strip ? strip : fan);
        vkCmdSetCullMode(cmd, steps[i].back ? back : none);
        vkCmdSetFrontFace(cmd, steps[i].cw ? cw : ccw);
        vkCmdSetDepthTestEnable(cmd, (VkBool32)steps[i].test);
        vkCmdSetDepthWriteEnable(cmd, (VkBool32)steps[i].write);
        vkCmdSetDepthCompareOp(cmd, steps[i].compare);
        VkDeviceSize offset = (VkDeviceSize)(steps[i].strip ? 0 : QUAD) * 2 * sizeof(float);
        VkDeviceSize stride = 2 * sizeof(float);
        vkCmdBindVertexBuffers2(cmd, 0, 1, &g.vertices.buf, &offset, NULL, &stride);
        vkCmdPushConstants(cmd, g.layout, VK_SHADER_STAGE_FRAGMENT_BIT, 0, 16, steps[i].rgba);
        vkCmdPushConstants(cmd, g.layout, VK_SHADER_STAGE_VERTEX_BIT, 16, 4, &steps[i].z);
        vkCmdDraw(cmd, 4, 1, 0, 0);
    }
    if (!end_depth_pass(p, rp, fb, &z)) return 0;
    const float *want[8] = {GREEN, BLUE, RED, BLUE, GREY, GREEN, GREY, GREY};
    const uint32_t *px = g.readback.map;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            uint32_t w = rgba8(want[(y / (H / 2)) * 4 + x / (W / 4)]);
            EXPECT(px[y * W + x] == w, "pixel (%d,%d) = 0x%08x, want 0x%08x", x, y, px[y * W + x], w);
        }
    }
    return 1;
}

/* A multiview render pass (VkRenderPassMultiviewCreateInfo, view mask 0b11) on a two-layer colour attachment: one
 * draw of triangle A renders both views, the fragment shader writing the colour in view 0 and its inverse in view 1
 * (gl_ViewIndex); both layers are copied out by one vkCmdCopyImageToBuffer and checked pixel by pixel. */
static int multiview_pass(void) {
    if (!multiview) {
        snprintf(why, sizeof why, "the device offers no multiview");
        return -1;
    }
    Image layered = {0};
    HostBuffer out = {0};
    VkShaderModule frag;
    if (!image_layers(&layered, W, H, FORMAT, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                      VK_SAMPLE_COUNT_1_BIT, VK_IMAGE_ASPECT_COLOR_BIT, 2))
        return 0;
    if (!host_buffer(&out, 2 * W * H * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT)) return 0;
    if (!shader(&frag, multiview_frag_spv, sizeof multiview_frag_spv)) return 0;
    uint32_t viewMask = 0x3;
    VkRenderPassMultiviewCreateInfo mv = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO,
                                          .subpassCount = 1, .pViewMasks = &viewMask};
    VkRenderPass rp;
    if (!colour_pass(&rp, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, &mv)) return 0;
    VkFramebuffer fb;
    if (!framebuffer(&fb, rp, &layered.view, 1)) return 0; /* one layer: the view mask picks the layers */
    VkPipeline p;
    if (!pipeline(&p, &(PipeDesc){.renderPass = rp, .frag = frag})) return 0;

    if (!begin()) return 0;
    image_barrier(cmd, layered.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, 0, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT);
    VkClearValue cv = colour_clear(CLEAR1);
    begin_pass(rp, fb, &cv, 1, VK_SUBPASS_CONTENTS_INLINE);
    draw(cmd, p, 0, RED);
    vkCmdEndRenderPass(cmd);
    image_barrier(cmd, layered.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferImageCopy region = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 2}, .imageExtent = {W, H, 1}};
    vkCmdCopyImageToBuffer(cmd, layered.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, out.buf, 1, &region);
    to_host(cmd, out.buf, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    if (!submit_wait()) return 0;
    const float inverse[4] = {1 - RED[0], 1 - RED[1], 1 - RED[2], RED[3]};
    for (int layer = 0; layer < 2; layer++) {
        memcpy(g.readback.map, (const char *)out.map + (size_t)layer * W * H * 4, (size_t)W * H * 4);
        long coloured = check_pixels(0, layer == 0 ? RED : inverse, CLEAR1);
        if (coloured < 0) {
            snprintf(why + strlen(why), sizeof why - strlen(why), " (layer %d)", layer);
            return 0;
        }
        EXPECT(coloured >= 2016 && coloured <= 2080, "layer %d: %ld pixels coloured, want 2016..2080", layer,
               coloured);
    }
    vkDestroyPipeline(dev, p, NULL);
    vkDestroyFramebuffer(dev, fb, NULL);
    vkDestroyRenderPass(dev, rp, NULL);
    vkDestroyShaderModule(dev, frag, NULL);
    free_host_buffer(&out);
    free_image(&layered);
    return 1;
}

/* 4x multisampled colour resolved into the target by the render pass; the diagonal must come out blended */
static int msaa_resolve(void) {
    VkSampleCountFlags counts = props.limits.framebufferColorSampleCounts;
    if (!(counts & VK_SAMPLE_COUNT_4_BIT)) {
        snprintf(why, sizeof why, "no 4x colour sample count (0x%x)", counts);
        return -1;
    }
    Image ms = {0};
    if (!image_ex(&ms, W, H, FORMAT, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, VK_SAMPLE_COUNT_4_BIT,
                  VK_IMAGE_ASPECT_COLOR_BIT))
        return 0;
    VkAttachmentDescription att[2] = {
        attachment(FORMAT, VK_SAMPLE_COUNT_4_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_ATTACHMENT_STORE_OP_DONT_CARE,
                   VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL),
        attachment(FORMAT, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_DONT_CARE, VK_ATTACHMENT_STORE_OP_STORE,
                   VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)};
    VkAttachmentReference cref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkAttachmentReference rref = {1, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription sub = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS, .colorAttachmentCount = 1,
                                .pColorAttachments = &cref, .pResolveAttachments = &rref};
    VkRenderPassCreateInfo rpi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO, .attachmentCount = 2,
                                  .pAttachments = att, .subpassCount = 1, .pSubpasses = &sub};
    VkRenderPass rp;
    T(vkCreateRenderPass(dev, &rpi, NULL, &rp));
    VkImageView views[2] = {ms.view, g.target.view};
    VkFramebuffer fb;
    if (!framebuffer(&fb, rp, views, 2)) return 0;
    VkPipeline p;
    if (!pipeline(&p, &(PipeDesc){.renderPass = rp, .samples = VK_SAMPLE_COUNT_4_BIT})) return 0;
    memset(g.readback.map, 0, W * H * 4);
    if (!begin()) return 0;
    target_to_attachment();
    VkClearValue cv[2] = {colour_clear(CLEAR1), colour_clear(CLEAR1)};
    begin_pass(rp, fb, cv, 2, VK_SUBPASS_CONTENTS_INLINE);
    draw(cmd, p, 0, RED);
    vkCmdEndRenderPass(cmd);
    target_to_readback();
    if (!submit_wait()) return 0;
    long blended;
    long coloured = check_pixels_ex(0, RED, CLEAR1, 1, &blended);
    if (coloured < 0) return 0;
    EXPECT(blended > 0, "no pixel along the edge is blended: not resolved from 4 samples");
    EXPECT(coloured >= 1953 && coloured <= 2080, "%ld pixels coloured, want 1953..2080", coloured);
    vkDestroyPipeline(dev, p, NULL);
    vkDestroyFramebuffer(dev, fb, NULL);
    vkDestroyRenderPass(dev, rp, NULL);
    free_image(&ms);
    return 1;
}

/* Two subpasses (vkCreateRenderPass2 / vkCmdBeginRenderPass2 / vkCmdNextSubpass2 / vkCmdEndRenderPass2): the first
 * draws triangle A into an intermediate attachment, the second reads it as an input attachment and writes its
 * inverse into the target. */
static int subpass_input(void) {
    Image mid = {0};
    if (!image(&mid, W, H, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT)) return 0;
    VkAttachmentDescription2 att[2] = {
        {.sType = VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2, .format = FORMAT, .samples = VK_SAMPLE_COUNT_1_BIT,
         .loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR, .storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
         .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE, .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
         .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED, .finalLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL},
        {.sType = VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2, .format = FORMAT, .samples = VK_SAMPLE_COUNT_1_BIT,
         .loadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE, .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
         .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE, .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
         .initialLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
         .finalLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL}};
    VkAttachmentReference2 write0 = {.sType = VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2, .attachment = 0,
                                     .layout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                                     .aspectMask = VK_IMAGE_ASPECT_COLOR_BIT};
    VkAttachmentReference2 read0 = {.sType = VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2, .attachment = 0,
                                    .layout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                                    .aspectMask = VK_IMAGE_ASPECT_COLOR_BIT};
    VkAttachmentReference2 write1 = {.sType = VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2, .attachment = 1,
                                     .layout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                                     .aspectMask = VK_IMAGE_ASPECT_COLOR_BIT};
    VkSubpassDescription2 subs[2] = {
        {.sType = VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2, .pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
         .colorAttachmentCount = 1, .pColorAttachments = &write0},
        {.sType = VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2, .pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
         .inputAttachmentCount = 1, .pInputAttachments = &read0, .colorAttachmentCount = 1,
         .pColorAttachments = &write1}};
    VkSubpassDependency2 dep = {.sType = VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2, .srcSubpass = 0, .dstSubpass = 1,
                                .srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                                .dstStageMask = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                                .srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                                .dstAccessMask = VK_ACCESS_INPUT_ATTACHMENT_READ_BIT,
                                .dependencyFlags = VK_DEPENDENCY_BY_REGION_BIT};
    VkRenderPassCreateInfo2 rpi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2, .attachmentCount = 2,
                                   .pAttachments = att, .subpassCount = 2, .pSubpasses = subs,
                                   .dependencyCount = 1, .pDependencies = &dep};
    VkRenderPass rp;
    T(vkCreateRenderPass2(dev, &rpi, NULL, &rp));
    VkImageView views[2] = {mid.view, g.target.view};
    VkFramebuffer fb;
    if (!framebuffer(&fb, rp, views, 2)) return 0;

    VkDescriptorSetLayoutBinding bind = {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT,
                                         .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT};
    /* the same push constant ranges as g.layout, so bind_state's pushes stay valid ("compatible for push constants") */
    VkPushConstantRange pcr[2] = {{.stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT, .size = 16},
                                  {.stageFlags = VK_SHADER_STAGE_VERTEX_BIT, .offset = 16, .size = 4}};
    VkDescriptorSetLayout dsl;
    VkPipelineLayout layout;
    if (!set_layout(&dsl, &layout, &bind, 1, pcr, 2)) return 0;
    VkShaderModule invert;
    if (!shader(&invert, invert_frag_spv, sizeof invert_frag_spv)) return 0;
    VkPipeline first, second;
    if (!pipeline(&first, &(PipeDesc){.renderPass = rp, .subpass = 0})) return 0;
    if (!pipeline(&second, &(PipeDesc){.renderPass = rp, .subpass = 1, .layout = layout, .frag = invert})) return 0;
    VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT, 1};
    VkDescriptorPool dpool;
    VkDescriptorSet set;
    if (!one_set(&dpool, &set, dsl, &ps, 1, 0)) return 0;
    VkDescriptorImageInfo ii = {VK_NULL_HANDLE, mid.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0,
                              .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT,
                              .pImageInfo = &ii};
    vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);

    memset(g.readback.map, 0, W * H * 4);
    if (!begin()) return 0;
    target_to_attachment();
    VkClearValue cv[2] = {colour_clear(CLEAR1), colour_clear(CLEAR1)};
    VkRenderPassBeginInfo rb = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, .renderPass = rp,
                                .framebuffer = fb, .renderArea = {{0, 0}, {W, H}}, .clearValueCount = 2,
                                .pClearValues = cv};
    VkSubpassBeginInfo sbi = {.sType = VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO, .contents = VK_SUBPASS_CONTENTS_INLINE};
    VkSubpassEndInfo sei = {.sType = VK_STRUCTURE_TYPE_SUBPASS_END_INFO};
    vkCmdBeginRenderPass2(cmd, &rb, &sbi);
    draw(cmd, first, 0, RED);
    vkCmdNextSubpass2(cmd, &sbi, &sei);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 1, &set, 0, NULL);
    bind_state(cmd, second, 0, RED, 0.5f);
    vkCmdDraw(cmd, 6, 1, 0, 0); /* triangles A and B: the whole target, their shared edge drawn once */
    vkCmdEndRenderPass2(cmd, &sei);
    target_to_readback();
    if (!submit_wait()) return 0;
    const float invRed[4] = {1 - RED[0], 1 - RED[1], 1 - RED[2], 1 - RED[3]};
    const float invClear[4] = {1 - CLEAR1[0], 1 - CLEAR1[1], 1 - CLEAR1[2], 1 - CLEAR1[3]};
    long coloured = check_pixels(0, invRed, invClear);
    if (coloured < 0) return 0;
    EXPECT(coloured >= 2016 && coloured <= 2080, "%ld pixels coloured, want 2016..2080", coloured);
    vkDestroyPipeline(dev, second, NULL);
    free_program(dpool, first, invert, layout, dsl);
    vkDestroyFramebuffer(dev, fb, NULL);
    vkDestroyRenderPass(dev, rp, NULL);
    free_image(&mid);
    return 1;
}

/* vkCmdClearColorImage, vkCmdBlitImage (4x4 stretched to 8x4) and vkCmdCopyImage, read back with a padded
 * bufferRowLength: rows 0-3 come from the blit, the bottom-right 4x4 from the copy, the rest keeps its clear. */
static int blit_clear_copy(void) {
    Image src = {0}, dst = {0};
    const VkImageUsageFlags both = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    if (!image(&src, 4, 4, both) || !image(&dst, 8, 8, both)) return 0;
    if (!format_supports(FORMAT, VK_FORMAT_FEATURE_BLIT_SRC_BIT | VK_FORMAT_FEATURE_BLIT_DST_BIT)) {
        snprintf(why, sizeof why, "R8G8B8A8_UNORM cannot be blitted");
        return -1;
    }
    memset(g.readback.map, 0, W * H * 4);
    if (!begin()) return 0;
    VkImageSubresourceRange range = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkImageSubresourceLayers layers = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    image_barrier(cmd, src.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                  VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    image_barrier(cmd, dst.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                  VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    VkClearColorValue a = {.float32 = {1, 0.2f, 0, 1}}, b = {.float32 = {0, 0, 1, 1}};
    vkCmdClearColorImage(cmd, src.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &a, 1, &range);
    vkCmdClearColorImage(cmd, dst.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &b, 1, &range);
    image_barrier(cmd, src.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_TRANSFER_READ_BIT);
    image_barrier(cmd, dst.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_TRANSFER_WRITE_BIT);
    VkImageBlit blit = {.srcSubresource = layers, .srcOffsets = {{0, 0, 0}, {4, 4, 1}}, .dstSubresource = layers,
                        .dstOffsets = {{0, 0, 0}, {8, 4, 1}}};
    vkCmdBlitImage(cmd, src.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst.image,
                   VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &blit, VK_FILTER_NEAREST);
    VkImageCopy copy = {.srcSubresource = layers, .dstSubresource = layers, .dstOffset = {4, 4, 0},
                        .extent = {4, 4, 1}};
    vkCmdCopyImage(cmd, src.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst.image,
                   VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &copy);
    image_barrier(cmd, dst.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferImageCopy out = {.bufferOffset = 256, .bufferRowLength = 16, .imageSubresource = layers,
                             .imageExtent = {8, 8, 1}};
    vkCmdCopyImageToBuffer(cmd, dst.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, g.readback.buf, 1, &out);
    to_host(cmd, g.readback.buf, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    if (!submit_wait()) return 0;
    const uint32_t *px = (const uint32_t *)((const char *)g.readback.map + 256);
    uint32_t ca = rgba8(a.float32), cb = rgba8(b.float32);
    for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 16; x++) {
            uint32_t want = x >= 8 ? 0 : y < 4 || x >= 4 ? ca : cb;
            EXPECT(px[y * 16 + x] == want, "texel (%d,%d) = 0x%08x, want 0x%08x", x, y, px[y * 16 + x], want);
        }
    }
    free_image(&src);
    free_image(&dst);
    return 1;
}

/* a LINEAR-tiled image in host-visible memory that the client maps: texels written through the mapping at the
 * offsets vkGetImageSubresourceLayout gives are copied out by the GPU; then a GPU clear of its top half is read
 * back through the same mapping */
static int linear_image_mapped(void) {
    const uint32_t w = 8, h = 4;
    VkImageFormatProperties ifp;
    VkResult q = vkGetPhysicalDeviceImageFormatProperties(
        phys, FORMAT, VK_IMAGE_TYPE_2D, VK_IMAGE_TILING_LINEAR,
        VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT, 0, &ifp);
    if (q != VK_SUCCESS) {
        snprintf(why, sizeof why, "no LINEAR R8G8B8A8_UNORM transfer image (%d)", (int)q);
        return -1;
    }
    VkImageCreateInfo ii = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .imageType = VK_IMAGE_TYPE_2D,
                            .format = FORMAT, .extent = {w, h, 1}, .mipLevels = 1, .arrayLayers = 1,
                            .samples = VK_SAMPLE_COUNT_1_BIT, .tiling = VK_IMAGE_TILING_LINEAR,
                            .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                            .sharingMode = VK_SHARING_MODE_EXCLUSIVE, .initialLayout = VK_IMAGE_LAYOUT_PREINITIALIZED};
    VkImage im;
    T(vkCreateImage(dev, &ii, NULL, &im));
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev, im, &req);
    uint32_t type = memory_type(req.memoryTypeBits,
                                VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    EXPECT(type != UINT32_MAX, "no host-visible memory type for a linear image (bits 0x%x)", req.memoryTypeBits);
    VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = req.size,
                               .memoryTypeIndex = type};
    VkDeviceMemory mem;
    T(vkAllocateMemory(dev, &ai, NULL, &mem));
    T(vkBindImageMemory(dev, im, mem, 0));
    VkImageSubresource sub = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
    VkSubresourceLayout lay;
    vkGetImageSubresourceLayout(dev, im, &sub, &lay);
    EXPECT(lay.rowPitch >= w * 4 && lay.offset + lay.rowPitch * (h - 1) + w * 4 <= req.size,
           "subresource layout offset %llu rowPitch %llu does not fit %llu bytes", (unsigned long long)lay.offset,
           (unsigned long long)lay.rowPitch, (unsigned long long)req.size);
    uint8_t *map;
    T(vkMapMemory(dev, mem, 0, VK_WHOLE_SIZE, 0, (void **)&map));
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint32_t v = 0x01000000u * (y + 1) + 0x010101u * x + 0x40u;
            memcpy(map + lay.offset + y * lay.rowPitch + x * 4, &v, 4);
        }
    }
    memset(g.readback.map, 0, w * h * 4);
    if (!begin()) return 0;
    image_barrier(cmd, im, VK_IMAGE_LAYOUT_PREINITIALIZED, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferImageCopy region = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1}, .imageExtent = {w, h, 1}};
    vkCmdCopyImageToBuffer(cmd, im, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, g.readback.buf, 1, &region);
    image_barrier(cmd, im, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    VkClearColorValue c = {.float32 = {1, 0.2f, 0, 1}};
    VkImageSubresourceRange range = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdClearColorImage(cmd, im, VK_IMAGE_LAYOUT_GENERAL, &c, 1, &range);
    VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0,
                         NULL);
    if (!submit_wait()) return 0;
    const uint32_t *px = g.readback.map;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint32_t want = 0x01000000u * (y + 1) + 0x010101u * x + 0x40u, got = px[y * w + x];
            EXPECT(got == want, "copied texel (%u,%u) = 0x%08x, written 0x%08x", x, y, got, want);
            memcpy(&got, map + lay.offset + y * lay.rowPitch + x * 4, 4);
            EXPECT(got == rgba8(c.float32), "mapped texel (%u,%u) after the clear = 0x%08x, want 0x%08x", x, y, got,
                   rgba8(c.float32));
        }
    }
    vkUnmapMemory(dev, mem);
    vkDestroyImage(dev, im, NULL);
    vkFreeMemory(dev, mem, NULL);
    return 1;
}

/* every graphics pipeline so far went through one pipeline cache: its data starts with a header naming this
 * device, seeds a second cache, and merges back */
static int pipeline_cache(void) {
    size_t size = 0;
    T(vkGetPipelineCacheData(dev, g.cache, &size, NULL));
    EXPECT(size >= 32, "pipeline cache data is %zu bytes, want a header of at least 32", size);
    uint8_t *data = malloc(size);
    EXPECT(data != NULL, "out of memory");
    T(vkGetPipelineCacheData(dev, g.cache, &size, data));
    uint32_t hdr[4];
    memcpy(hdr, data, sizeof hdr);
    EXPECT(hdr[0] >= 32 && hdr[1] == VK_PIPELINE_CACHE_HEADER_VERSION_ONE, "header length %u version %u", hdr[0],
           hdr[1]);
    EXPECT(hdr[2] == props.vendorID && hdr[3] == props.deviceID, "header vendor 0x%x device 0x%x, want 0x%x 0x%x",
           hdr[2], hdr[3], props.vendorID, props.deviceID);
    EXPECT(memcmp(data + 16, props.pipelineCacheUUID, VK_UUID_SIZE) == 0, "header UUID differs from the device's");
    VkPipelineCacheCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO, .initialDataSize = size,
                                    .pInitialData = data};
    VkPipelineCache seeded;
    T(vkCreatePipelineCache(dev, &ci, NULL, &seeded));
    free(data);
    T(vkMergePipelineCaches(dev, g.cache, 1, &seeded));
    vkDestroyPipelineCache(dev, seeded, NULL);
    return 1;
}

/* ------------------------------------------------------------------------------------------------ sampling */

static const uint8_t TEXELS[16] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 200, 210, 220, 230};

/* the NEAREST and LINEAR clamp-to-edge samplers sample.comp's bindings 0 and 1 use */
static int texture_samplers(VkSampler *nearest, VkSampler *linear) {
    VkSamplerCreateInfo si = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO, .magFilter = VK_FILTER_NEAREST,
                              .minFilter = VK_FILTER_NEAREST, .mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
                              .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                              .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                              .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE, .maxLod = 0.25f,
                              .borderColor = VK_BORDER_COLOR_FLOAT_TRANSPARENT_BLACK};
    T(vkCreateSampler(dev, &si, NULL, nearest));
    si.magFilter = si.minFilter = VK_FILTER_LINEAR;
    T(vkCreateSampler(dev, &si, NULL, linear));
    return 1;
}

/* records the 2x2 texture's upload from staging, leaving it SHADER_READ_ONLY for compute */
static void upload_texture(const Image *tex, VkBuffer staging) {
    image_barrier(cmd, tex->image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                  VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    VkBufferImageCopy region = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1}, .imageExtent = {2, 2, 1}};
    vkCmdCopyBufferToImage(cmd, staging, tex->image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
    image_barrier(cmd, tex->image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                  VK_ACCESS_SHADER_READ_BIT);
}

/* sample.comp's output: the four texels through NEAREST, their average at the centre through LINEAR */
static int check_sampled(const float *v, const char *label) {
    for (int i = 0; i < 4; i++) {
        for (int c = 0; c < 4; c++) {
            float want = TEXELS[i * 4 + c] / 255.0f;
            EXPECT(v[i * 4 + c] > want - 1e-3f && v[i * 4 + c] < want + 1e-3f,
                   "%snearest texel %d channel %d = %f, want %f", label, i, c, v[i * 4 + c], want);
        }
    }
    for (int c = 0; c < 4; c++) {
        float want = (TEXELS[c] + TEXELS[4 + c] + TEXELS[8 + c] + TEXELS[12 + c]) / 4.0f / 255.0f;
        EXPECT(v[16 + c] > want - 2.5f / 255 && v[16 + c] < want + 2.5f / 255,
               "%slinear centre channel %d = %f, want %f", label, c, v[16 + c], want);
    }
    return 1;
}

static int sampled_texture(void) {
    Image tex = {0};
    HostBuffer staging = {0}, out = {0};
    if (!image(&tex, 2, 2, VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT)) return 0;
    if (!host_buffer(&staging, sizeof TEXELS, VK_BUFFER_USAGE_TRANSFER_SRC_BIT)) return 0;
    if (!host_buffer(&out, 5 * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT)) return 0;
    memcpy(staging.map, TEXELS, sizeof TEXELS);
    memset(out.map, 0xff, 5 * 16);

    VkSampler nearest, linear;
    if (!texture_samplers(&nearest, &linear)) return 0;
    VkDescriptorSetLayoutBinding binds[3] = {
        {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
        {.binding = 1, .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .pImmutableSamplers = &linear},
        {.binding = 2, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT}};
    VkDescriptorSetLayout dsl;
    VkPipelineLayout layout;
    if (!set_layout(&dsl, &layout, binds, 3, NULL, 0)) return 0;
    VkShaderModule module;
    if (!shader(&module, sample_comp_spv, sizeof sample_comp_spv)) return 0;
    VkPipeline pipe;
    if (!compute_pipeline(&pipe, module, layout, NULL)) return 0;
    VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 2},
                                     {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}};
    VkDescriptorPool dpool;
    VkDescriptorSet set;
    if (!one_set(&dpool, &set, dsl, sizes, 2, VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT)) return 0;
    VkDescriptorImageInfo ii[2] = {{nearest, tex.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL},
                                   {VK_NULL_HANDLE, tex.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL}};
    VkDescriptorBufferInfo bi = {out.buf, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet w[3] = {
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &ii[0]},
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 1, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &ii[1]},
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 2, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &bi}};
    vkUpdateDescriptorSets(dev, 3, w, 0, NULL);

    if (!begin()) return 0;
    upload_texture(&tex, staging.buf);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
    vkCmdDispatch(cmd, 1, 1, 1);
    to_host(cmd, out.buf, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
    if (!submit_wait()) return 0;

    if (!check_sampled(out.map, "")) return 0;
    T(vkFreeDescriptorSets(dev, dpool, 1, &set));
    free_program(dpool, pipe, module, layout, dsl);
    vkDestroySampler(dev, nearest, NULL);
    vkDestroySampler(dev, linear, NULL);
    free_host_buffer(&staging);
    free_host_buffer(&out);
    free_image(&tex);
    return 1;
}

/* sample.comp again, its set pushed instead of allocated (VK_KHR_push_descriptor; both samplers in the writes): a
 * dispatch after vkCmdPushDescriptorSetKHR of all three bindings into one buffer, then one after
 * vkCmdPushDescriptorSetWithTemplateKHR of the output binding alone into a second buffer (the two textures kept from
 * the first push), both checked. */
static int push_descriptor(void) {
    EXPECT(pushDescriptor, "no VK_KHR_push_descriptor");
    PFN_vkCmdPushDescriptorSetKHR push =
        (PFN_vkCmdPushDescriptorSetKHR)vkGetDeviceProcAddr(dev, "vkCmdPushDescriptorSetKHR");
    PFN_vkCmdPushDescriptorSetWithTemplateKHR pushTemplate =
        (PFN_vkCmdPushDescriptorSetWithTemplateKHR)vkGetDeviceProcAddr(dev, "vkCmdPushDescriptorSetWithTemplateKHR");
    EXPECT(push && pushTemplate, "vkGetDeviceProcAddr has no vkCmdPushDescriptorSet(WithTemplate)KHR");
    Image tex = {0};
    HostBuffer staging = {0}, out[2] = {{0}, {0}};
    if (!image(&tex, 2, 2, VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT)) return 0;
    if (!host_buffer(&staging, sizeof TEXELS, VK_BUFFER_USAGE_TRANSFER_SRC_BIT)) return 0;
    for (int i = 0; i < 2; i++) {
        if (!host_buffer(&out[i], 5 * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT)) return 0;
        memset(out[i].map, 0xff, 5 * 16);
    }
    memcpy(staging.map, TEXELS, sizeof TEXELS);
    VkSampler nearest, linear;
    if (!texture_samplers(&nearest, &linear)) return 0;
    VkDescriptorSetLayoutBinding binds[3] = {
        {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
        {.binding = 1, .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
        {.binding = 2, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT}};
    VkDescriptorSetLayoutCreateInfo dli = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                           .flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR,
                                           .bindingCount = 3, .pBindings = binds};
    VkDescriptorSetLayout dsl;
    T(vkCreateDescriptorSetLayout(dev, &dli, NULL, &dsl));
    VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                      .pSetLayouts = &dsl};
    VkPipelineLayout layout;
    T(vkCreatePipelineLayout(dev, &pli, NULL, &layout));
    VkShaderModule module;
    if (!shader(&module, sample_comp_spv, sizeof sample_comp_spv)) return 0;
    VkPipeline pipe;
    if (!compute_pipeline(&pipe, module, layout, NULL)) return 0;
    VkDescriptorUpdateTemplateEntry entry = {.dstBinding = 2, .descriptorCount = 1,
                                             .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                             .stride = sizeof(VkDescriptorBufferInfo)};
    VkDescriptorUpdateTemplateCreateInfo ti = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO, .descriptorUpdateEntryCount = 1,
        .pDescriptorUpdateEntries = &entry, .templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_PUSH_DESCRIPTORS_KHR,
        .pipelineBindPoint = VK_PIPELINE_BIND_POINT_COMPUTE, .pipelineLayout = layout, .set = 0};
    VkDescriptorUpdateTemplate templ;
    T(vkCreateDescriptorUpdateTemplate(dev, &ti, NULL, &templ));

    VkDescriptorImageInfo ii[2] = {{nearest, tex.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL},
                                   {linear, tex.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL}};
    VkDescriptorBufferInfo bi[2] = {{out[0].buf, 0, VK_WHOLE_SIZE}, {out[1].buf, 0, VK_WHOLE_SIZE}};
    VkWriteDescriptorSet w[3] = {
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &ii[0]},
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 1, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &ii[1]},
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 2, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &bi[0]}};

    if (!begin()) return 0;
    upload_texture(&tex, staging.buf);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
    push(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 3, w);
    vkCmdDispatch(cmd, 1, 1, 1);
    pushTemplate(cmd, templ, layout, 0, &bi[1]);
    vkCmdDispatch(cmd, 1, 1, 1);
    to_host(cmd, out[0].buf, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
    to_host(cmd, out[1].buf, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
    if (!submit_wait()) return 0;

    if (!check_sampled(out[0].map, "push: ") || !check_sampled(out[1].map, "template push: ")) return 0;
    vkDestroyDescriptorUpdateTemplate(dev, templ, NULL);
    free_program(VK_NULL_HANDLE, pipe, module, layout, dsl);
    vkDestroySampler(dev, nearest, NULL);
    vkDestroySampler(dev, linear, NULL);
    free_host_buffer(&staging);
    free_host_buffer(&out[0]);
    free_host_buffer(&out[1]);
    free_image(&tex);
    return 1;
}

/* misc.comp dispatched indirectly (4 groups): a specialization constant (K = 1000), a uniform buffer read at a
 * dynamic offset (u = 20000 at offset 256), an R32_UINT uniform texel buffer (buffer view), and an R32_UINT storage
 * image; the set is written with a descriptor update template. */
static int compute_misc(void) {
    const uint32_t N = 4;
    uint32_t align = (uint32_t)props.limits.minUniformBufferOffsetAlignment;
    uint32_t dynOffset = align > 256 ? align : 256;
    HostBuffer ubo = {0}, out = {0}, texels = {0}, ind = {0};
    Image img = {0};
    if (!host_buffer(&ubo, dynOffset + 16, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT)) return 0;
    if (!host_buffer(&out, N * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT)) return 0;
    if (!host_buffer(&texels, N * 4, VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT)) return 0;
    if (!host_buffer(&ind, sizeof(VkDispatchIndirectCommand), VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT)) return 0;
    memset(ubo.map, 0, dynOffset + 16);
    ((uint32_t *)ubo.map)[0] = 7; /* what a missing dynamic offset would read */
    ((uint32_t *)ubo.map)[dynOffset / 4] = 20000;
    for (uint32_t i = 0; i < N; i++) ((uint32_t *)texels.map)[i] = 300 + i * i;
    memset(out.map, 0, N * 4);
    VkDispatchIndirectCommand groups = {N, 1, 1};
    memcpy(ind.map, &groups, sizeof groups);
    if (!image_ex(&img, N, 1, VK_FORMAT_R32_UINT, VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                  VK_SAMPLE_COUNT_1_BIT, VK_IMAGE_ASPECT_COLOR_BIT))
        return 0;
    VkBufferViewCreateInfo bvi = {.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO, .buffer = texels.buf,
                                  .format = VK_FORMAT_R32_UINT, .range = VK_WHOLE_SIZE};
    VkBufferView view;
    T(vkCreateBufferView(dev, &bvi, NULL, &view));

    VkDescriptorSetLayoutBinding binds[4] = {
        {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
        {.binding = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
        {.binding = 2, .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT},
        {.binding = 3, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT}};
    VkDescriptorSetLayout dsl;
    VkPipelineLayout layout;
    if (!set_layout(&dsl, &layout, binds, 4, NULL, 0)) return 0;
    VkShaderModule module;
    if (!shader(&module, misc_comp_spv, sizeof misc_comp_spv)) return 0;
    const uint32_t k = 1000;
    VkSpecializationMapEntry entry = {.constantID = 0, .offset = 0, .size = 4};
    VkSpecializationInfo spec = {.mapEntryCount = 1, .pMapEntries = &entry, .dataSize = 4, .pData = &k};
    VkPipeline pipe;
    if (!compute_pipeline(&pipe, module, layout, &spec)) return 0;
    VkDescriptorPoolSize sizes[4] = {{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 1},
                                     {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1},
                                     {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1},
                                     {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1}};
    VkDescriptorPool dpool;
    VkDescriptorSet set;
    /* allocated, dropped by a pool reset, allocated again */
    if (!one_set(&dpool, &set, dsl, sizes, 4, 0)) return 0;
    T(vkResetDescriptorPool(dev, dpool, 0));
    if (!alloc_set(&set, dpool, dsl)) return 0;

    struct {
        VkDescriptorBufferInfo ubo, out;
        VkBufferView texels;
        VkDescriptorImageInfo img;
    } data = {{ubo.buf, 0, 16}, {out.buf, 0, VK_WHOLE_SIZE}, view, {VK_NULL_HANDLE, img.view, VK_IMAGE_LAYOUT_GENERAL}};
    VkDescriptorUpdateTemplateEntry entries[4] = {
        {0, 0, 1, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, offsetof(__typeof__(data), ubo), 0},
        {1, 0, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, offsetof(__typeof__(data), out), 0},
        {2, 0, 1, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, offsetof(__typeof__(data), texels), 0},
        {3, 0, 1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, offsetof(__typeof__(data), img), 0}};
    VkDescriptorUpdateTemplateCreateInfo tci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
                                                .descriptorUpdateEntryCount = 4, .pDescriptorUpdateEntries = entries,
                                                .templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET,
                                                .descriptorSetLayout = dsl};
    VkDescriptorUpdateTemplate tmpl;
    T(vkCreateDescriptorUpdateTemplate(dev, &tci, NULL, &tmpl));
    vkUpdateDescriptorSetWithTemplate(dev, set, tmpl, &data);

    if (!begin()) return 0;
    image_barrier(cmd, img.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                  0, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 1, &dynOffset);
    vkCmdDispatchIndirect(cmd, ind.buf, 0);
    image_barrier(cmd, img.image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferImageCopy region = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1}, .imageExtent = {N, 1, 1}};
    vkCmdCopyImageToBuffer(cmd, img.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, g.readback.buf, 1, &region);
    VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                          .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
    if (!submit_wait()) return 0;
    const uint32_t *v = out.map, *im = g.readback.map;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t want = 1000 + 20000 + 300 + i * i;
        EXPECT(v[i] == want, "out[%u] = %u, want %u (K + u + texel)", i, v[i], want);
        EXPECT(im[i] == i * 7, "storage image texel %u = %u, want %u", i, im[i], i * 7);
    }
    vkDestroyDescriptorUpdateTemplate(dev, tmpl, NULL);
    free_program(dpool, pipe, module, layout, dsl);
    vkDestroyBufferView(dev, view, NULL);
    free_image(&img);
    free_host_buffer(&ubo);
    free_host_buffer(&out);
    free_host_buffer(&texels);
    free_host_buffer(&ind);
    return 1;
}

/* ------------------------------------------------------------------------------------------------ transfer */

static int secondary_transfer(void) {
    HostBuffer b = {0};
    if (!host_buffer(&b, 256, VK_BUFFER_USAGE_TRANSFER_DST_BIT)) return 0;
    memset(b.map, 0, 256);
    VkCommandBuffer sec;
    VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = pool,
                                      .level = VK_COMMAND_BUFFER_LEVEL_SECONDARY, .commandBufferCount = 1};
    T(vkAllocateCommandBuffers(dev, &ai, &sec));
    VkCommandBufferInheritanceInfo inh = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO};
    VkCommandBufferBeginInfo sbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, .pInheritanceInfo = &inh};
    T(vkBeginCommandBuffer(sec, &sbi));
    vkCmdFillBuffer(sec, b.buf, 0, 256, 0xdeadbeefu);
    VkMemoryBarrier ww = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT};
    vkCmdPipelineBarrier(sec, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &ww, 0, NULL, 0,
                         NULL);
    const uint32_t words[5] = {1, 2, 3, 0x12345678u, 0xcafef00du};
    vkCmdUpdateBuffer(sec, b.buf, 64, sizeof words, words);
    T(vkEndCommandBuffer(sec));
    if (!begin()) return 0;
    vkCmdExecuteCommands(cmd, 1, &sec);
    to_host(cmd, b.buf, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    if (!submit_wait()) return 0;
    const uint32_t *w = b.map;
    for (int i = 0; i < 64; i++) {
        uint32_t want = i >= 16 && i < 21 ? words[i - 16] : 0xdeadbeefu;
        EXPECT(w[i] == want, "word %d = 0x%08x, want 0x%08x", i, w[i], want);
    }
    vkFreeCommandBuffers(dev, pool, 1, &sec);
    free_host_buffer(&b);
    return 1;
}

/* ------------------------------------------------------------------------------------------------ sync */

static int fence_reuse(void) {
    VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, .flags = VK_FENCE_CREATE_SIGNALED_BIT};
    VkFence f;
    T(vkCreateFence(dev, &fi, NULL, &f));
    T(vkGetFenceStatus(dev, f));
    T(vkWaitForFences(dev, 1, &f, VK_TRUE, 0));
    for (int round = 0; round < 3; round++) {
        T(vkResetFences(dev, 1, &f));
        VkResult s = vkGetFenceStatus(dev, f);
        EXPECT(s == VK_NOT_READY, "round %d: status after reset %d, want VK_NOT_READY", round, (int)s);
        if (!begin()) return 0;
        T(vkEndCommandBuffer(cmd));
        VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};
        T(vkQueueSubmit(queue, 1, &si, f));
        T(vkWaitForFences(dev, 1, &f, VK_TRUE, TIMEOUT_NS));
        T(vkGetFenceStatus(dev, f));
    }
    /* a submit with no command buffers signals the fence too */
    T(vkResetFences(dev, 1, &f));
    T(vkQueueSubmit(queue, 0, NULL, f));
    T(vkWaitForFences(dev, 1, &f, VK_TRUE, TIMEOUT_NS));
    vkDestroyFence(dev, f, NULL);
    return 1;
}

typedef struct {
    VkCommandBuffer a, b;
    HostBuffer x, y;
} TwoSubmits;

/* a fills x with `value`; b copies x to y; the caller chains them */
static int two_submits(TwoSubmits *t, uint32_t value) {
    if (!host_buffer(&t->x, 1024, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT)) return 0;
    if (!host_buffer(&t->y, 1024, VK_BUFFER_USAGE_TRANSFER_DST_BIT)) return 0;
    memset(t->x.map, 0, 1024);
    memset(t->y.map, 0, 1024);
    VkCommandBuffer cbs[2];
    VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = pool,
                                      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 2};
    T(vkAllocateCommandBuffers(dev, &ai, cbs));
    t->a = cbs[0];
    t->b = cbs[1];
    VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    T(vkBeginCommandBuffer(t->a, &bi));
    vkCmdFillBuffer(t->a, t->x.buf, 0, 1024, value);
    T(vkEndCommandBuffer(t->a));
    T(vkBeginCommandBuffer(t->b, &bi));
    VkBufferCopy region = {.size = 1024};
    vkCmdCopyBuffer(t->b, t->x.buf, t->y.buf, 1, &region);
    to_host(t->b, t->y.buf, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    T(vkEndCommandBuffer(t->b));
    return 1;
}

static int check_words(const HostBuffer *h, uint32_t value) {
    const uint32_t *w = h->map;
    for (int i = 0; i < 256; i++) EXPECT(w[i] == value, "word %d = 0x%08x, want 0x%08x", i, w[i], value);
    return 1;
}

static void free_two_submits(TwoSubmits *t) {
    VkCommandBuffer cbs[2] = {t->a, t->b};
    vkFreeCommandBuffers(dev, pool, 2, cbs);
    free_host_buffer(&t->x);
    free_host_buffer(&t->y);
}

static int binary_semaphore(void) {
    TwoSubmits t = {0};
    if (!two_submits(&t, 0x5eaf00du)) return 0;
    VkSemaphoreCreateInfo si = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    VkSemaphore s;
    T(vkCreateSemaphore(dev, &si, NULL, &s));
    VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
    VkSubmitInfo first = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &t.a,
                          .signalSemaphoreCount = 1, .pSignalSemaphores = &s};
    VkSubmitInfo second = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .waitSemaphoreCount = 1, .pWaitSemaphores = &s,
                           .pWaitDstStageMask = &stage, .commandBufferCount = 1, .pCommandBuffers = &t.b};
    T(vkResetFences(dev, 1, &fence));
    T(vkQueueSubmit(queue, 1, &first, VK_NULL_HANDLE));
    T(vkQueueSubmit(queue, 1, &second, fence));
    T(vkWaitForFences(dev, 1, &fence, VK_TRUE, TIMEOUT_NS));
    if (!check_words(&t.y, 0x5eaf00du)) return 0;
    vkDestroySemaphore(dev, s, NULL);
    free_two_submits(&t);
    return 1;
}

static int timeline(VkSemaphore *s, uint64_t initial) {
    VkSemaphoreTypeCreateInfo ti = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
                                    .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE, .initialValue = initial};
    VkSemaphoreCreateInfo si = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, .pNext = &ti};
    T(vkCreateSemaphore(dev, &si, NULL, s));
    return 1;
}

static int timeline_semaphore(void) {
    TwoSubmits t = {0};
    if (!two_submits(&t, 0x71e11eu)) return 0;
    VkSemaphore s;
    if (!timeline(&s, 5)) return 0;
    uint64_t v = 0;
    T(vkGetSemaphoreCounterValue(dev, s, &v));
    EXPECT(v == 5, "initial counter %llu, want 5", (unsigned long long)v);
    uint64_t one = 6, two = 7;
    VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
    VkTimelineSemaphoreSubmitInfo t1 = {.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
                                        .signalSemaphoreValueCount = 1, .pSignalSemaphoreValues = &one};
    VkTimelineSemaphoreSubmitInfo t2 = {.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
                                        .waitSemaphoreValueCount = 1, .pWaitSemaphoreValues = &one,
                                        .signalSemaphoreValueCount = 1, .pSignalSemaphoreValues = &two};
    VkSubmitInfo first = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .pNext = &t1, .commandBufferCount = 1,
                          .pCommandBuffers = &t.a, .signalSemaphoreCount = 1, .pSignalSemaphores = &s};
    VkSubmitInfo second = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .pNext = &t2, .waitSemaphoreCount = 1,
                           .pWaitSemaphores = &s, .pWaitDstStageMask = &stage, .commandBufferCount = 1,
                           .pCommandBuffers = &t.b, .signalSemaphoreCount = 1, .pSignalSemaphores = &s};
    T(vkQueueSubmit(queue, 1, &first, VK_NULL_HANDLE));
    T(vkQueueSubmit(queue, 1, &second, VK_NULL_HANDLE));
    VkSemaphoreWaitInfo wi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, .semaphoreCount = 1,
                              .pSemaphores = &s, .pValues = &two};
    T(vkWaitSemaphores(dev, &wi, TIMEOUT_NS));
    T(vkGetSemaphoreCounterValue(dev, s, &v));
    EXPECT(v == 7, "counter after both submits %llu, want 7", (unsigned long long)v);
    if (!check_words(&t.y, 0x71e11eu)) return 0;
    /* a host signal moves the counter too */
    VkSemaphoreSignalInfo sig = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, .semaphore = s, .value = 9};
    T(vkSignalSemaphore(dev, &sig));
    T(vkGetSemaphoreCounterValue(dev, s, &v));
    EXPECT(v == 9, "counter after vkSignalSemaphore %llu, want 9", (unsigned long long)v);
    vkDestroySemaphore(dev, s, NULL);
    free_two_submits(&t);
    return 1;
}

/* the GPU waits for a value the host signals only after the submit (wait-before-signal) */
static int timeline_host_signal(void) {
    TwoSubmits t = {0};
    if (!two_submits(&t, 0xb0a710adu)) return 0;
    VkSemaphore s;
    if (!timeline(&s, 0)) return 0;
    uint64_t wait = 3, done = 4;
    VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
    VkTimelineSemaphoreSubmitInfo ti = {.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
                                        .waitSemaphoreValueCount = 1, .pWaitSemaphoreValues = &wait,
                                        .signalSemaphoreValueCount = 1, .pSignalSemaphoreValues = &done};
    VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .pNext = &ti, .waitSemaphoreCount = 1,
                       .pWaitSemaphores = &s, .pWaitDstStageMask = &stage, .commandBufferCount = 1,
                       .pCommandBuffers = &t.a, .signalSemaphoreCount = 1, .pSignalSemaphores = &s};
    T(vkQueueSubmit(queue, 1, &si, VK_NULL_HANDLE));
    uint64_t v = 0;
    T(vkGetSemaphoreCounterValue(dev, s, &v));
    EXPECT(v == 0, "counter %llu before the host signal, want 0", (unsigned long long)v);
    VkSemaphoreSignalInfo sig = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, .semaphore = s, .value = 3};
    T(vkSignalSemaphore(dev, &sig));
    VkSemaphoreWaitInfo wi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, .semaphoreCount = 1,
                              .pSemaphores = &s, .pValues = &done};
    T(vkWaitSemaphores(dev, &wi, TIMEOUT_NS));
    if (!check_words(&t.x, 0xb0a710adu)) return 0;
    T(vkQueueWaitIdle(queue));
    vkDestroySemaphore(dev, s, NULL);
    free_two_submits(&t);
    return 1;
}

static int events(void) {
    VkEventCreateInfo ei = {.sType = VK_STRUCTURE_TYPE_EVENT_CREATE_INFO};
    VkEvent e;
    T(vkCreateEvent(dev, &ei, NULL, &e));
    VkResult s = vkGetEventStatus(dev, e);
    EXPECT(s == VK_EVENT_RESET, "new event status %d, want VK_EVENT_RESET", (int)s);
    T(vkSetEvent(dev, e));
    s = vkGetEventStatus(dev, e);
    EXPECT(s == VK_EVENT_SET, "status after vkSetEvent %d, want VK_EVENT_SET", (int)s);
    T(vkResetEvent(dev, e));
    s = vkGetEventStatus(dev, e);
    EXPECT(s == VK_EVENT_RESET, "status after vkResetEvent %d, want VK_EVENT_RESET", (int)s);

    /* set by the GPU after a fill, waited for by the GPU before a copy, then seen set by the host */
    TwoSubmits t = {0};
    if (!two_submits(&t, 0xe7e47u)) return 0;
    if (!begin()) return 0;
    vkCmdFillBuffer(cmd, t.x.buf, 0, 1024, 0xe7e47u);
    vkCmdSetEvent(cmd, e, VK_PIPELINE_STAGE_TRANSFER_BIT);
    VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT};
    vkCmdWaitEvents(cmd, 1, &e, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 1, &mb, 0, NULL, 0,
                    NULL);
    VkBufferCopy region = {.size = 1024};
    vkCmdCopyBuffer(cmd, t.x.buf, t.y.buf, 1, &region);
    to_host(cmd, t.y.buf, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    if (!submit_wait()) return 0;
    if (!check_words(&t.y, 0xe7e47u)) return 0;
    s = vkGetEventStatus(dev, e);
    EXPECT(s == VK_EVENT_SET, "status after vkCmdSetEvent %d, want VK_EVENT_SET", (int)s);
    /* and reset by the GPU */
    if (!begin()) return 0;
    vkCmdResetEvent(cmd, e, VK_PIPELINE_STAGE_TRANSFER_BIT);
    if (!submit_wait()) return 0;
    s = vkGetEventStatus(dev, e);
    EXPECT(s == VK_EVENT_RESET, "status after vkCmdResetEvent %d, want VK_EVENT_RESET", (int)s);
    vkDestroyEvent(dev, e, NULL);
    free_two_submits(&t);
    return 1;
}

/* vkQueueSubmit2 with vkCmdPipelineBarrier2 between a fill and a copy, signalling a timeline semaphore through
 * VkSemaphoreSubmitInfo and a fence */
static int synchronization2(void) {
    if (!sync2) {
        snprintf(why, sizeof why, "neither Vulkan 1.3 nor VK_KHR_synchronization2");
        return -1;
    }
    PFN_vkQueueSubmit2 submit2 =
        (PFN_vkQueueSubmit2)vkGetDeviceProcAddr(dev, sync2 == 1 ? "vkQueueSubmit2" : "vkQueueSubmit2KHR");
    PFN_vkCmdPipelineBarrier2 barrier2 = (PFN_vkCmdPipelineBarrier2)vkGetDeviceProcAddr(
        dev, sync2 == 1 ? "vkCmdPipelineBarrier2" : "vkCmdPipelineBarrier2KHR");
    EXPECT(submit2 && barrier2, "vkGetDeviceProcAddr has no vkQueueSubmit2/vkCmdPipelineBarrier2");
    TwoSubmits t = {0};
    if (!two_submits(&t, 0x5c2u)) return 0;
    VkSemaphore s;
    if (!timeline(&s, 0)) return 0;
    if (!begin()) return 0;
    vkCmdFillBuffer(cmd, t.x.buf, 0, 1024, 0x5c2u);
    VkMemoryBarrier2 mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2,
                           .srcStageMask = VK_PIPELINE_STAGE_2_CLEAR_BIT,
                           .srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT,
                           .dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT,
                           .dstAccessMask = VK_ACCESS_2_TRANSFER_READ_BIT};
    VkBufferMemoryBarrier2 bb = {.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2,
                                 .srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT,
                                 .srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT,
                                 .dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT,
                                 .dstAccessMask = VK_ACCESS_2_HOST_READ_BIT,
                                 .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                                 .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED, .buffer = t.y.buf,
                                 .size = VK_WHOLE_SIZE};
    VkDependencyInfo d1 = {.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO, .memoryBarrierCount = 1,
                           .pMemoryBarriers = &mb};
    VkDependencyInfo d2 = {.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO, .bufferMemoryBarrierCount = 1,
                           .pBufferMemoryBarriers = &bb};
    barrier2(cmd, &d1);
    VkBufferCopy region = {.size = 1024};
    vkCmdCopyBuffer(cmd, t.x.buf, t.y.buf, 1, &region);
    barrier2(cmd, &d2);
    T(vkEndCommandBuffer(cmd));
    VkCommandBufferSubmitInfo cbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO, .commandBuffer = cmd};
    VkSemaphoreSubmitInfo ssi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, .semaphore = s, .value = 42,
                                 .stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT};
    VkSubmitInfo2 si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2, .commandBufferInfoCount = 1,
                        .pCommandBufferInfos = &cbi, .signalSemaphoreInfoCount = 1, .pSignalSemaphoreInfos = &ssi};
    T(vkResetFences(dev, 1, &fence));
    T(submit2(queue, 1, &si, fence));
    T(vkWaitForFences(dev, 1, &fence, VK_TRUE, TIMEOUT_NS));
    uint64_t v = 0;
    uint64_t want = 42;
    VkSemaphoreWaitInfo wi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, .semaphoreCount = 1,
                              .pSemaphores = &s, .pValues = &want};
    T(vkWaitSemaphores(dev, &wi, TIMEOUT_NS));
    T(vkGetSemaphoreCounterValue(dev, s, &v));
    EXPECT(v == 42, "counter %llu after vkQueueSubmit2, want 42", (unsigned long long)v);
    if (!check_words(&t.y, 0x5c2u)) return 0;
    vkDestroySemaphore(dev, s, NULL);
    free_two_submits(&t);
    return 1;
}

/* vkResetQueryPool from the host (hostQueryReset), an unwritten query reads VK_NOT_READY, then a pipeline
 * statistics query counts the 3 vertices and 1 primitive of one triangle */
static int host_reset_statistics(void) {
    if (!statistics) {
        snprintf(why, sizeof why, "pipelineStatisticsQuery not supported");
        return -1;
    }
    VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                .queryType = VK_QUERY_TYPE_PIPELINE_STATISTICS, .queryCount = 1,
                                .pipelineStatistics = VK_QUERY_PIPELINE_STATISTIC_INPUT_ASSEMBLY_VERTICES_BIT |
                                                      VK_QUERY_PIPELINE_STATISTIC_INPUT_ASSEMBLY_PRIMITIVES_BIT};
    VkQueryPool q;
    T(vkCreateQueryPool(dev, &qi, NULL, &q));
    vkResetQueryPool(dev, q, 0, 1);
    uint64_t r[3] = {0};
    VkResult nr = vkGetQueryPoolResults(dev, q, 0, 1, sizeof r, r, sizeof r, VK_QUERY_RESULT_64_BIT);
    EXPECT(nr == VK_NOT_READY, "an unwritten query read %d, want VK_NOT_READY", (int)nr);
    if (!begin()) return 0;
    target_to_attachment();
    VkClearValue cv = colour_clear(CLEAR1);
    begin_pass(g.renderPass, g.framebuffer, &cv, 1, VK_SUBPASS_CONTENTS_INLINE);
    vkCmdBeginQuery(cmd, q, 0, 0);
    draw(cmd, g.pipeline, 0, RED);
    vkCmdEndQuery(cmd, q, 0);
    vkCmdEndRenderPass(cmd);
    if (!submit_wait()) return 0;
    T(vkGetQueryPoolResults(dev, q, 0, 1, sizeof r, r, sizeof r,
                            VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT));
    EXPECT(r[0] == 3 && r[1] == 1 && r[2] != 0, "statistics vertices %llu primitives %llu available %llu, want 3 1 1",
           (unsigned long long)r[0], (unsigned long long)r[1], (unsigned long long)r[2]);
    vkDestroyQueryPool(dev, q, NULL);
    return 1;
}

/* a second command pool: record, submit, vkResetCommandPool, record again into the same buffer, vkTrimCommandPool */
static int command_pool_reset(void) {
    HostBuffer b = {0};
    if (!host_buffer(&b, 64, VK_BUFFER_USAGE_TRANSFER_DST_BIT)) return 0;
    VkCommandPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, .queueFamilyIndex = family};
    VkCommandPool p;
    T(vkCreateCommandPool(dev, &pci, NULL, &p));
    VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = p,
                                      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1};
    VkCommandBuffer cb;
    T(vkAllocateCommandBuffers(dev, &ai, &cb));
    for (uint32_t round = 1; round <= 2; round++) {
        VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        T(vkBeginCommandBuffer(cb, &bi));
        vkCmdFillBuffer(cb, b.buf, 0, 64, round * 0x1111u);
        to_host(cb, b.buf, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
        T(vkEndCommandBuffer(cb));
        VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb};
        T(vkResetFences(dev, 1, &fence));
        T(vkQueueSubmit(queue, 1, &si, fence));
        T(vkWaitForFences(dev, 1, &fence, VK_TRUE, TIMEOUT_NS));
        for (int i = 0; i < 16; i++) {
            uint32_t w = ((uint32_t *)b.map)[i];
            EXPECT(w == round * 0x1111u, "round %u word %d = 0x%x", round, i, w);
        }
        T(vkResetCommandPool(dev, p, VK_COMMAND_POOL_RESET_RELEASE_RESOURCES_BIT));
    }
    vkTrimCommandPool(dev, p, 0);
    vkDestroyCommandPool(dev, p, NULL);
    free_host_buffer(&b);
    return 1;
}

/* ------------------------------------------------------------------------------------------------ main */

static int has_extension(const char *name) {
    uint32_t n = 0;
    if (vkEnumerateDeviceExtensionProperties(phys, NULL, &n, NULL) != VK_SUCCESS) return 0;
    VkExtensionProperties *e = calloc(n ? n : 1, sizeof *e);
    int found = 0;
    if (e && vkEnumerateDeviceExtensionProperties(phys, NULL, &n, e) == VK_SUCCESS) {
        for (uint32_t i = 0; i < n; i++) found |= strcmp(e[i].extensionName, name) == 0;
    }
    free(e);
    return found;
}

int main(void) {
    VkInstance inst;
    SETUP(vku_instance("vkgfx", VK_API_VERSION_1_3, &inst));
    VkResult er;
    if (!vku_first_device(inst, &phys, &er)) fatal("vkEnumeratePhysicalDevices", er);
    vkGetPhysicalDeviceProperties(phys, &props);
    printf("device %s api %u.%u\n", props.deviceName, VK_API_VERSION_MAJOR(props.apiVersion),
           VK_API_VERSION_MINOR(props.apiVersion));
    VkQueueFamilyProperties qf;
    family = vku_queue_family(phys, VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT, 1, &qf);
    if (family == UINT32_MAX) fatal("no graphics+compute queue family", 0);
    timestampBits = qf.timestampValidBits;

    VkPhysicalDeviceFeatures have;
    vkGetPhysicalDeviceFeatures(phys, &have);
    precise = have.occlusionQueryPrecise;
    statistics = have.pipelineStatisticsQuery;
    VkPhysicalDeviceMultiviewFeatures mvHave = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_FEATURES};
    VkPhysicalDeviceFeatures2 have2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &mvHave};
    vkGetPhysicalDeviceFeatures2(phys, &have2);
    multiview = mvHave.multiview;
    const char *exts[3];
    uint32_t next = 0;
    if (has_extension(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME)) {
        pushDescriptor = 1;
        exts[next++] = VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME;
    }
    int core13 = VK_API_VERSION_MINOR(props.apiVersion) >= 3 || VK_API_VERSION_MAJOR(props.apiVersion) > 1;
    if (core13) {
        dynamicRendering = sync2 = 1;
    } else {
        if (has_extension(VK_KHR_DYNAMIC_RENDERING_EXTENSION_NAME)) {
            dynamicRendering = 2;
            exts[next++] = VK_KHR_DYNAMIC_RENDERING_EXTENSION_NAME;
        }
        if (has_extension(VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME)) {
            sync2 = 2;
            exts[next++] = VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME;
        }
    }
    /* the feature chain: timeline semaphores and host query reset (core 1.2), then what 1.3 or its extensions add */
    VkPhysicalDeviceSynchronization2Features s2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES,
                                                   .synchronization2 = VK_TRUE};
    VkPhysicalDeviceDynamicRenderingFeatures dr = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DYNAMIC_RENDERING_FEATURES,
                                                   .pNext = sync2 ? &s2 : NULL, .dynamicRendering = VK_TRUE};
    VkPhysicalDeviceHostQueryResetFeatures hq = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_HOST_QUERY_RESET_FEATURES,
                                                 .pNext = dynamicRendering ? (void *)&dr : sync2 ? (void *)&s2 : NULL,
                                                 .hostQueryReset = VK_TRUE};
    VkPhysicalDeviceMultiviewFeatures mv = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_FEATURES,
                                            .pNext = &hq, .multiview = multiview};
    VkPhysicalDeviceTimelineSemaphoreFeatures tl = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, .pNext = &mv,
        .timelineSemaphore = VK_TRUE};
    VkPhysicalDeviceFeatures enable = {.occlusionQueryPrecise = precise, .pipelineStatisticsQuery = statistics};
    SETUP(vku_device(phys, family, &tl, next, exts, &enable, &dev));
    static const char *how[3] = {"none", "core", "KHR"};
    printf("features timestampValidBits %u occlusionQueryPrecise %u pipelineStatisticsQuery %u multiview %u "
           "dynamicRendering %s synchronization2 %s\n",
           timestampBits, precise, statistics, multiview, how[dynamicRendering], how[sync2]);
    vkGetDeviceQueue(dev, family, 0, &queue);
    const char *failed = NULL;
    VkResult cr = vku_commands(dev, family, &pool, &cmd, &fence, &failed);
    if (cr != VK_SUCCESS) fatal(failed, cr);
    fflush(stdout);

    int ok = gfx_setup();
    report("graphics_setup", ok);
    if (ok) {
        int occlusion, timestamps;
        report("render_pass", render_pass_and_queries(&occlusion, &timestamps));
        memcpy(why, occWhy, sizeof occWhy);
        report("occlusion_query", occlusion);
        memcpy(why, tsWhy, sizeof tsWhy);
        report("timestamp_query", timestamps);
        report("secondary_draw", secondary_draw());
        report("dynamic_rendering", dynamic_rendering());
        report("depth_indexed_indirect", depth_indexed_indirect());
        report("extended_dynamic_state", extended_dynamic_state());
        report("multiview", multiview_pass());
        report("msaa_resolve", msaa_resolve());
        report("subpass_input", subpass_input());
        report("blit_clear_copy", blit_clear_copy());
        report("linear_image_mapped", linear_image_mapped());
        report("host_reset_statistics", host_reset_statistics());
        report("compute_misc", compute_misc());
        report("pipeline_cache", pipeline_cache());
    }
    report("sampled_texture", sampled_texture());
    report("push_descriptor", push_descriptor());
    report("secondary_transfer", secondary_transfer());
    report("fence_reuse", fence_reuse());
    report("binary_semaphore", binary_semaphore());
    report("timeline_semaphore", timeline_semaphore());
    report("timeline_host_signal", timeline_host_signal());
    report("events", events());
    report("synchronization2", synchronization2());
    report("command_pool_reset", command_pool_reset());

    vkDeviceWaitIdle(dev);
    if (ok) gfx_teardown();
    vkDestroyFence(dev, fence, NULL);
    vkDestroyCommandPool(dev, pool, NULL);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(inst, NULL);
    printf(failures ? "result FAIL\n" : "result PASS\n");
    return failures ? 1 : 0;
}
