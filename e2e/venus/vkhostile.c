/*
 * A hostile Venus client for images and queries: each mode records one command (or makes one call) whose regions,
 * subresources or query indices leave the objects it names, which valid usage forbids and which lavapipe trusts.
 * The server must refuse or drop it and stay up for the next client. Modes (usage: vkhostile MODE [ROUNDS]):
 *   none       nothing invalid: only the final check
 *   imagebind  a 1024x1024 RGBA8 image bound to a 4 KiB allocation, then cleared whole
 *   buftoimg   vkCmdCopyBufferToImage of a whole 256x256 image from a 1 KiB buffer
 *   imgtobuf   vkCmdCopyImageToBuffer of a whole 256x256 image into a 1 KiB buffer
 *   imgregion  vkCmdCopyBufferToImage of a 4096x4096 region into a 16x16 image
 *   copyimage  vkCmdCopyImage of 4096x4096 texels between two 16x16 images
 *   blit       vkCmdBlitImage onto (0,0)-(4096,4096) of a 16x16 image
 *   resolve    vkCmdResolveImage of 4096x4096 texels between two 16x16 images (4 samples to 1)
 *   clearmip   vkCmdClearColorImage of mip level 5 and layer 3 of a one-level, one-layer image
 *   view       vkCreateImageView of mip level 7 and layers 9-10 of a one-level, one-layer image
 *   framebuffer  a render pass that clears a 4096x4096 framebuffer whose attachment is a 16x16 image
 *   renderarea a render pass begun with a 4096x4096 render area on a 16x16 framebuffer (the submit may be refused)
 *   clearatt   vkCmdClearAttachments of a 4096x4096 rectangle in a 16x16 framebuffer
 *   dynoffset  a compute dispatch writing 4096 floats through a dynamic storage buffer bound 1 GiB past its buffer
 *   query      vkCmdResetQueryPool, vkCmdWriteTimestamp and vkCmdBeginQuery/EndQuery past a 4-query pool
 *   querycopy  vkCmdCopyQueryPoolResults of 4 queries at a 4 KiB stride into a 16-byte buffer
 *   queryget   vkGetQueryPoolResults of queries 1000-1003 of a 4-query pool
 * Each round records and submits the mode's command and waits for the fence at most 2 s (VK_ERROR_DEVICE_LOST
 * and a fence that never signals are accepted: a server may refuse the submit of a broken command buffer, and Mesa's
 * Venus ICD submits asynchronously). A last step clears and reads back a valid 16x16
 * image, so the device must still work. Prints "result PASS" when that check holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vulkan.h>

#include "add_comp_spv.h"
#include "vkutil.h"

static VkPhysicalDevice phys;
static VkDevice dev;

static void check(VkResult r, const char *what) {
    if (r != VK_SUCCESS) {
        printf("%s failed: %d\nresult FAIL\n", what, r);
        exit(1);
    }
}

typedef struct {
    VkImage image;
    VkDeviceMemory mem;
} Image;

/* A 2D RGBA8 image of w x h (samples 1 or 4) with memory of its own, or of memBytes bytes when memBytes != 0. */
static Image image(uint32_t w, uint32_t h, VkSampleCountFlagBits samples, VkDeviceSize memBytes) {
    VkImageCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .imageType = VK_IMAGE_TYPE_2D,
                            .format = VK_FORMAT_R8G8B8A8_UNORM, .extent = {w, h, 1}, .mipLevels = 1,
                            .arrayLayers = 1, .samples = samples, .tiling = VK_IMAGE_TILING_OPTIMAL,
                            .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                                     VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT,
                            .sharingMode = VK_SHARING_MODE_EXCLUSIVE, .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
    Image im;
    check(vkCreateImage(dev, &ci, NULL, &im.image), "vkCreateImage");
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev, im.image, &req);
    uint32_t type = vku_memory_type(phys, req.memoryTypeBits, 0);
    VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                               .allocationSize = memBytes ? memBytes : req.size, .memoryTypeIndex = type};
    check(vkAllocateMemory(dev, &ai, NULL, &im.mem), "vkAllocateMemory (image)");
    /* Mesa's Venus ICD binds asynchronously: a server's refusal does not come back here */
    VkResult r = vkBindImageMemory(dev, im.image, im.mem, 0);
    if (r != VK_SUCCESS && !memBytes) check(r, "vkBindImageMemory");
    return im;
}

static void free_image(Image *im) {
    vkDestroyImage(dev, im->image, NULL);
    vkFreeMemory(dev, im->mem, NULL);
}

static const VkImageSubresourceRange WHOLE = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
static const VkImageSubresourceLayers LAYER0 = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};

/* Moves the images to GENERAL layout (one barrier each). */
static void general(VkCommandBuffer cmd, const Image *a, const Image *b) {
    VkImageMemoryBarrier bar[2];
    uint32_t n = 0;
    const Image *ims[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (!ims[i]) continue;
        bar[n++] = (VkImageMemoryBarrier){.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
                                          .dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT,
                                          .oldLayout = VK_IMAGE_LAYOUT_UNDEFINED, .newLayout = VK_IMAGE_LAYOUT_GENERAL,
                                          .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                                          .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED, .image = ims[i]->image,
                                          .subresourceRange = WHOLE};
    }
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0, NULL,
                         n, bar);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    const char *failed = "?";
    VkInstance inst;
    check(vku_instance("vkhostile", VK_API_VERSION_1_2, &inst), "vkCreateInstance");
    VkResult er;
    if (!vku_first_device(inst, &phys, &er)) check(er == VK_SUCCESS ? VK_ERROR_INITIALIZATION_FAILED : er, "no device");
    VkQueueFamilyProperties qf;
    uint32_t family = vku_queue_family(phys, VK_QUEUE_GRAPHICS_BIT, 0, &qf);
    VkPhysicalDeviceHostQueryResetFeatures hqr = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_HOST_QUERY_RESET_FEATURES,
                                                  .hostQueryReset = VK_TRUE};
    VkPhysicalDeviceFeatures feats = {.pipelineStatisticsQuery = VK_FALSE};
    check(vku_device(phys, family, &hqr, 0, NULL, &feats, &dev), "vkCreateDevice");
    VkQueue queue;
    vkGetDeviceQueue(dev, family, 0, &queue);
    VkCommandPool pool;
    VkCommandBuffer cmd;
    VkFence fence;
    check(vku_commands(dev, family, &pool, &cmd, &fence, &failed), failed);
    uint32_t hostBits = 0;
    int known = 0, lost = 0, refusedSubmits = 0;
    for (int round = 0; round < rounds; round++) {
        check(vku_begin(cmd, &failed), failed);
        Image a = {0}, b = {0};
        HostBuffer hb = {0};
        VkQueryPool qp = VK_NULL_HANDLE;
        struct {
            VkShaderModule module;
            VkDescriptorSetLayout dsl;
            VkPipelineLayout layout;
            VkPipeline pipeline;
            VkDescriptorPool pool;
        } cs = {0};
        struct {
            VkImageView view;
            VkRenderPass pass;
            VkFramebuffer fb;
        } rt = {0};
        if (strcmp(mode, "none") == 0) {
            known = 1; /* the valid check alone */
        } else if (strcmp(mode, "imagebind") == 0) {
            known = 1;
            a = image(1024, 1024, VK_SAMPLE_COUNT_1_BIT, 4096);
            general(cmd, &a, NULL);
            VkClearColorValue c = {.uint32 = {1, 2, 3, 4}};
            vkCmdClearColorImage(cmd, a.image, VK_IMAGE_LAYOUT_GENERAL, &c, 1, &WHOLE);
        } else if (strcmp(mode, "buftoimg") == 0 || strcmp(mode, "imgtobuf") == 0) {
            known = 1;
            a = image(256, 256, VK_SAMPLE_COUNT_1_BIT, 0);
            check(vku_host_buffer(phys, dev, 1024, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                  &hb, &hostBits, &failed), failed);
            general(cmd, &a, NULL);
            VkBufferImageCopy r = {.imageSubresource = LAYER0, .imageExtent = {256, 256, 1}};
            if (mode[0] == 'b') vkCmdCopyBufferToImage(cmd, hb.buf, a.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r);
            else vkCmdCopyImageToBuffer(cmd, a.image, VK_IMAGE_LAYOUT_GENERAL, hb.buf, 1, &r);
        } else if (strcmp(mode, "imgregion") == 0) {
            known = 1;
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            check(vku_host_buffer(phys, dev, 64u << 20, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, &hb, &hostBits, &failed),
                  failed);
            general(cmd, &a, NULL);
            VkBufferImageCopy r = {.imageSubresource = LAYER0, .imageExtent = {4096, 4096, 1}};
            vkCmdCopyBufferToImage(cmd, hb.buf, a.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r);
        } else if (strcmp(mode, "copyimage") == 0 || strcmp(mode, "resolve") == 0) {
            known = 1;
            int resolve = mode[0] == 'r';
            a = image(16, 16, resolve ? VK_SAMPLE_COUNT_4_BIT : VK_SAMPLE_COUNT_1_BIT, 0);
            b = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            general(cmd, &a, &b);
            if (resolve) {
                VkImageResolve r = {.srcSubresource = LAYER0, .dstSubresource = LAYER0, .extent = {4096, 4096, 1}};
                vkCmdResolveImage(cmd, a.image, VK_IMAGE_LAYOUT_GENERAL, b.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r);
            } else {
                VkImageCopy r = {.srcSubresource = LAYER0, .dstSubresource = LAYER0, .extent = {4096, 4096, 1}};
                vkCmdCopyImage(cmd, a.image, VK_IMAGE_LAYOUT_GENERAL, b.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r);
            }
        } else if (strcmp(mode, "blit") == 0) {
            known = 1;
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            b = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            general(cmd, &a, &b);
            VkImageBlit r = {.srcSubresource = LAYER0, .srcOffsets = {{0, 0, 0}, {16, 16, 1}},
                             .dstSubresource = LAYER0, .dstOffsets = {{0, 0, 0}, {4096, 4096, 1}}};
            vkCmdBlitImage(cmd, a.image, VK_IMAGE_LAYOUT_GENERAL, b.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r,
                           VK_FILTER_NEAREST);
        } else if (strcmp(mode, "clearmip") == 0) {
            known = 1;
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            general(cmd, &a, NULL);
            VkClearColorValue c = {.uint32 = {1, 2, 3, 4}};
            VkImageSubresourceRange sr = {VK_IMAGE_ASPECT_COLOR_BIT, 5, 1, 3, 1};
            vkCmdClearColorImage(cmd, a.image, VK_IMAGE_LAYOUT_GENERAL, &c, 1, &sr);
        } else if (strcmp(mode, "view") == 0) {
            known = 1;
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            VkImageViewCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = a.image,
                                        .viewType = VK_IMAGE_VIEW_TYPE_2D_ARRAY, .format = VK_FORMAT_R8G8B8A8_UNORM,
                                        .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 7, 1, 9, 2}};
            VkImageView view = VK_NULL_HANDLE;
            VkResult r = vkCreateImageView(dev, &vi, NULL, &view);
            if (r == VK_SUCCESS) vkDestroyImageView(dev, view, NULL);
        } else if (strcmp(mode, "framebuffer") == 0 || strcmp(mode, "clearatt") == 0 || strcmp(mode, "renderarea") == 0) {
            known = 1;
            int fbSize = mode[0] == 'f' ? 4096 : 16;
            uint32_t area = mode[0] == 'c' ? 16 : 4096;
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            VkImageViewCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = a.image,
                                        .viewType = VK_IMAGE_VIEW_TYPE_2D, .format = VK_FORMAT_R8G8B8A8_UNORM,
                                        .subresourceRange = WHOLE};
            check(vkCreateImageView(dev, &vi, NULL, &rt.view), "vkCreateImageView");
            VkAttachmentDescription at = {.format = VK_FORMAT_R8G8B8A8_UNORM, .samples = VK_SAMPLE_COUNT_1_BIT,
                                          .loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR, .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
                                          .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                          .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
                                          .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
                                          .finalLayout = VK_IMAGE_LAYOUT_GENERAL};
            VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
            VkSubpassDescription sp = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
                                       .colorAttachmentCount = 1, .pColorAttachments = &ref};
            VkRenderPassCreateInfo rpi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO, .attachmentCount = 1,
                                          .pAttachments = &at, .subpassCount = 1, .pSubpasses = &sp};
            check(vkCreateRenderPass(dev, &rpi, NULL, &rt.pass), "vkCreateRenderPass");
            VkFramebufferCreateInfo fbi = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO, .renderPass = rt.pass,
                                           .attachmentCount = 1, .pAttachments = &rt.view, .width = fbSize,
                                           .height = fbSize, .layers = 1};
            VkResult fr = vkCreateFramebuffer(dev, &fbi, NULL, &rt.fb);
            if (fr == VK_SUCCESS) {
                VkClearValue cv = {.color = {.float32 = {1, 0, 0, 1}}};
                VkRenderPassBeginInfo rbi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, .renderPass = rt.pass,
                                             .framebuffer = rt.fb, .renderArea = {{0, 0}, {area, area}},
                                             .clearValueCount = 1, .pClearValues = &cv};
                vkCmdBeginRenderPass(cmd, &rbi, VK_SUBPASS_CONTENTS_INLINE);
                if (mode[0] == 'c') {
                    VkClearAttachment ca = {.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT, .colorAttachment = 0,
                                            .clearValue = cv};
                    VkClearRect cr = {.rect = {{0, 0}, {4096, 4096}}, .baseArrayLayer = 0, .layerCount = 8};
                    vkCmdClearAttachments(cmd, 1, &ca, 1, &cr);
                }
                vkCmdEndRenderPass(cmd);
            }
        } else if (strcmp(mode, "dynoffset") == 0) {
            known = 1;
            /* e2e/venus/add.comp: c = a + b, with c (binding 2) a dynamic storage buffer */
            HostBuffer ab;
            check(vku_host_buffer(phys, dev, 3 * 16384, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &ab, &hostBits, &failed),
                  failed);
            hb = ab;
            VkShaderModuleCreateInfo smi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                            .codeSize = sizeof(add_comp_spv), .pCode = add_comp_spv};
            check(vkCreateShaderModule(dev, &smi, NULL, &cs.module), "vkCreateShaderModule");
            VkDescriptorSetLayoutBinding binds[3];
            for (uint32_t i = 0; i < 3; i++) {
                binds[i] = (VkDescriptorSetLayoutBinding){
                    .binding = i, .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
                    .descriptorType = i == 2 ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
            }
            VkDescriptorSetLayoutCreateInfo dli = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                                   .bindingCount = 3, .pBindings = binds};
            check(vkCreateDescriptorSetLayout(dev, &dli, NULL, &cs.dsl), "vkCreateDescriptorSetLayout");
            VkPushConstantRange pcr = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = 4};
            VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                              .setLayoutCount = 1, .pSetLayouts = &cs.dsl,
                                              .pushConstantRangeCount = 1, .pPushConstantRanges = &pcr};
            check(vkCreatePipelineLayout(dev, &pli, NULL, &cs.layout), "vkCreatePipelineLayout");
            VkComputePipelineCreateInfo cpi = {
                .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
                .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                          .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = cs.module, .pName = "main"},
                .layout = cs.layout};
            check(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, NULL, &cs.pipeline), "vkCreateComputePipelines");
            VkDescriptorPoolSize ps[2] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2},
                                          {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1}};
            VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 1,
                                              .poolSizeCount = 2, .pPoolSizes = ps};
            check(vkCreateDescriptorPool(dev, &dpi, NULL, &cs.pool), "vkCreateDescriptorPool");
            VkDescriptorSetAllocateInfo dsai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                                .descriptorPool = cs.pool, .descriptorSetCount = 1,
                                                .pSetLayouts = &cs.dsl};
            VkDescriptorSet set;
            check(vkAllocateDescriptorSets(dev, &dsai, &set), "vkAllocateDescriptorSets");
            VkDescriptorBufferInfo dbi[3] = {{ab.buf, 0, 16384}, {ab.buf, 16384, 16384}, {ab.buf, 32768, 16384}};
            VkWriteDescriptorSet w[3];
            for (uint32_t i = 0; i < 3; i++) {
                w[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set,
                                              .dstBinding = i, .descriptorCount = 1, .descriptorType = binds[i].descriptorType,
                                              .pBufferInfo = &dbi[i]};
            }
            vkUpdateDescriptorSets(dev, 3, w, 0, NULL);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.pipeline);
            uint32_t dynamic = 1u << 30;
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 1, &set, 1, &dynamic);
            uint32_t n = 4096;
            vkCmdPushConstants(cmd, cs.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &n);
            vkCmdDispatch(cmd, n / 256, 1, 1);
        } else if (strncmp(mode, "query", 5) == 0) {
            known = 1;
            VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                        .queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = 4};
            if (strcmp(mode, "query") == 0) qi.queryType = VK_QUERY_TYPE_OCCLUSION;
            check(vkCreateQueryPool(dev, &qi, NULL, &qp), "vkCreateQueryPool");
            if (strcmp(mode, "query") == 0) {
                vkCmdResetQueryPool(cmd, qp, 0, 1000000);
                vkCmdBeginQuery(cmd, qp, 100000, 0);
                vkCmdEndQuery(cmd, qp, 100000);
            } else if (strcmp(mode, "querycopy") == 0) {
                check(vku_host_buffer(phys, dev, 16, VK_BUFFER_USAGE_TRANSFER_DST_BIT, &hb, &hostBits, &failed), failed);
                vkCmdResetQueryPool(cmd, qp, 0, 4);
                for (uint32_t q = 0; q < 4; q++) vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, qp, q);
                vkCmdCopyQueryPoolResults(cmd, qp, 0, 4, hb.buf, 0, 4096,
                                          VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
            } else if (strcmp(mode, "queryget") == 0) {
                vkCmdResetQueryPool(cmd, qp, 0, 4);
                for (uint32_t q = 0; q < 4; q++) vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, qp, q);
            } else {
                known = 0;
            }
        }
        if (!known) {
            printf("unknown mode '%s'\nresult FAIL\n", mode);
            return 2;
        }
        check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
        VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};
        check(vkResetFences(dev, 1, &fence), "vkResetFences");
        VkResult r = vkQueueSubmit(queue, 1, &si, fence);
        if (r == VK_SUCCESS) r = vkWaitForFences(dev, 1, &fence, VK_TRUE, 2ull * 1000 * 1000 * 1000);
        if (r == VK_ERROR_DEVICE_LOST) {
            lost++;
            printf("round %d: VK_ERROR_DEVICE_LOST\n", round);
            break; /* the device is gone for this client; the server must still be up for the next */
        }
        if (r == VK_TIMEOUT) {
            /* Mesa submits asynchronously: a submit the server refused never signals its fence */
            refusedSubmits++;
            printf("round %d: the fence did not signal within 2 s (a refused submit)\n", round);
        } else {
            check(r, "vkQueueSubmit / vkWaitForFences");
        }
        if (strcmp(mode, "queryget") == 0) {
            uint64_t res[4];
            r = vkGetQueryPoolResults(dev, qp, 1000, 4, sizeof res, res, 8, VK_QUERY_RESULT_64_BIT);
            printf("round %d: vkGetQueryPoolResults past the pool: %d\n", round, r);
        }
        if (qp) vkDestroyQueryPool(dev, qp, NULL);
        if (cs.pool) vkDestroyDescriptorPool(dev, cs.pool, NULL);
        if (cs.pipeline) vkDestroyPipeline(dev, cs.pipeline, NULL);
        if (cs.layout) vkDestroyPipelineLayout(dev, cs.layout, NULL);
        if (cs.dsl) vkDestroyDescriptorSetLayout(dev, cs.dsl, NULL);
        if (cs.module) vkDestroyShaderModule(dev, cs.module, NULL);
        if (rt.fb) vkDestroyFramebuffer(dev, rt.fb, NULL);
        if (rt.pass) vkDestroyRenderPass(dev, rt.pass, NULL);
        if (rt.view) vkDestroyImageView(dev, rt.view, NULL);
        if (hb.buf) vku_free_host_buffer(dev, &hb);
        if (a.image) free_image(&a);
        if (b.image) free_image(&b);
    }
    if (lost) {
        printf("result PASS (device lost after a refused command)\n");
        return 0;
    }
    /* still working: clear a valid image, copy it into a buffer, check the bytes */
    Image v = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
    HostBuffer out;
    check(vku_host_buffer(phys, dev, 16 * 16 * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, &out, &hostBits, &failed), failed);
    check(vku_begin(cmd, &failed), failed);
    general(cmd, &v, NULL);
    VkClearColorValue c = {.float32 = {0x11 / 255.0f, 0x22 / 255.0f, 0x33 / 255.0f, 0x44 / 255.0f}};
    vkCmdClearColorImage(cmd, v.image, VK_IMAGE_LAYOUT_GENERAL, &c, 1, &WHOLE);
    VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &mb, 0, NULL, 0,
                         NULL);
    VkBufferImageCopy r = {.imageSubresource = LAYER0, .imageExtent = {16, 16, 1}};
    vkCmdCopyImageToBuffer(cmd, v.image, VK_IMAGE_LAYOUT_GENERAL, out.buf, 1, &r);
    check(vku_submit_wait(dev, queue, cmd, fence, 10ull * 1000 * 1000 * 1000, &failed), failed);
    const uint8_t *px = out.map;
    for (int i = 0; i < 16 * 16; i++) {
        if (px[4 * i] != 0x11 || px[4 * i + 1] != 0x22 || px[4 * i + 2] != 0x33 || px[4 * i + 3] != 0x44) {
            printf("pixel %d is %02x%02x%02x%02x\nresult FAIL\n", i, px[4 * i], px[4 * i + 1], px[4 * i + 2],
                   px[4 * i + 3]);
            return 1;
        }
    }
    vku_free_host_buffer(dev, &out);
    free_image(&v);
    vkDestroyFence(dev, fence, NULL);
    vkDestroyCommandPool(dev, pool, NULL);
    vkDestroyDevice(dev, NULL);
    vkDestroyInstance(inst, NULL);
    printf("result PASS (%s, %d rounds, %d submits refused)\n", mode, rounds, refusedSubmits);
    return 0;
}
