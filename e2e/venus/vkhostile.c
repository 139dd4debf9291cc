/*
 * A hostile Venus client for images and queries: each mode records one command (or makes one call) whose regions,
 * subresources or query indices leave the objects it names, which valid usage forbids and which lavapipe trusts.
 * The server must refuse or drop it and stay up for the next client. Modes:
 *   none       nothing invalid: only the final check
 *   imagebind  a 1024x1024 RGBA8 image bound to a 4 KiB allocation, then cleared whole
 *   buftoimg   vkCmdCopyBufferToImage of a whole 256x256 image from a 1 KiB buffer
 *   imgtobuf   vkCmdCopyImageToBuffer of a whole 256x256 image into a 1 KiB buffer
 *   imgregion  vkCmdCopyBufferToImage of a 4096x4096 region into a 16x16 image
 *   copyimage [fmt]  vkCmdCopyImage of 4096x4096 texels between two 16x16 images (fmt: of a whole 256x256
 *              R32G32B32A32_SFLOAT image into an RGBA8 one; lavapipe survives it)
 *   blit       vkCmdBlitImage onto (0,0)-(4096,4096) of a 16x16 image
 *   resolve    vkCmdResolveImage of 4096x4096 texels between two 16x16 images (4 samples to 1)
 *   clearmip   vkCmdClearColorImage of mip level 5 and layer 3 of a one-level, one-layer image
 *   view       vkCreateImageView of mip level 7 and layers 9-10 of a one-level, one-layer image
 *   qfnull     a buffer and an image CONCURRENT between two queue families whose index array is NULL (lavapipe
 *              survives it; Mesa's Venus encoder dies on it in the client)
 *   framebuffer  a render pass that clears a 4096x4096 framebuffer whose attachment is a 16x16 image
 *   renderarea a render pass begun with a 4096x4096 render area on a 16x16 framebuffer (the submit may be refused)
 *   clearatt   vkCmdClearAttachments of a 4096x4096 rectangle in a 16x16 framebuffer
 *   dynoffset  a compute dispatch writing 4096 floats through a dynamic storage buffer bound 1 GiB past its buffer
 *   pushconst  vkCmdPushConstants of 4 KiB at offset 4 KiB into a layout of 4 bytes
 *   viewport   vkCmdSetViewport and vkCmdSetScissor of viewports 10-109
 *   vbuffers   vkCmdBindVertexBuffers of bindings 30-129
 *   sets       vkCmdBindDescriptorSets of set 30
 *   pipeline V a graphics pipeline (or its render pass or framebuffer) indexing past the driver's fixed state arrays,
 *              V one of: vbinding (vertex binding 100), vattr (attribute location 100), viewports (100),
 *              blend (100 color blend attachments), rendering (100 color formats for dynamic rendering),
 *              subpass (subpass 5 of 1), rpref (a subpass naming attachment 7 of 1), fbcount (a framebuffer of no
 *              attachments for a render pass of one)
 *   inherit    a secondary command buffer begun to continue subpass 5 of a one-subpass render pass
 *   spirv [S]  a compute pipeline from e2e/venus/add.comp with 1-4 words changed at random (glibc's rand() seeded
 *              with S, default 146: a module that spirv-val rejects and that killed lavapipe in vkCreateComputePipelines)
 *   setlayout [far]  a compute dispatch of e2e/venus/add.comp (three storage buffers) with a set of one buffer
 *              bound; far: its pipeline layout's binding 0 an array of 4096, so the shader's binding 2 lies 4097
 *              descriptors into the set (killed lavapipe)
 *   unbound    the same dispatch with no descriptor set bound (killed lavapipe)
 *   arrayindex [I]  a dispatch of e2e/venus/index.comp writing through element I (default 100000) of an array of
 *              four storage buffer descriptors, I pushed as a constant (64 and up killed lavapipe)
 *   spec [V [N]]  a compute pipeline of e2e/venus/spec.comp specialized past a limit, V one of: size (workgroup
 *              width N, default 2^20: 65536 killed lavapipe with SIGFPE), shared (a workgroup array of N words,
 *              default 2^26), local (a function-local array of N words, default 2^26: lavapipe allocated until
 *              the kernel killed it)
 *   desctype [usage]  add.comp with a layout whose binding 2 is a storage image; usage: no pipeline, only the
 *              write of a storage image descriptor of an image made without STORAGE usage (killed lavapipe)
 *   descwrite [type]  one descriptor write of 4096 storage buffers into a binding of one (killed lavapipe); type:
 *              a storage image write into it
 *   descview V  a descriptor write lavapipe died on, V one of: sampler (a combined image sampler with no sampler),
 *              texel (a storage texel buffer view of a buffer made for uniform texel use only)
 *   inline [count]  a 16-byte inline uniform block written with 1 MiB of data (count: and a descriptorCount of 1 MiB);
 *              both killed lavapipe
 *   viewtype   e2e/venus/view3d.comp (a 3D texture and a 3D storage image) with 2D views bound (lavapipe survives)
 *   pushbig    e2e/venus/push.comp reads words 1023 and 700 of a 4 KiB push constant block whose layout range is 4
 *              bytes, and prints them (lavapipe survives and reads zeros)
 *   draw [P]   a draw of 1M vertices from a 16-byte vertex buffer (drawidx: 1M indices from a 16-byte index buffer)
 *              with the pipeline variant P (default valid; fragout: e2e/venus/out7.frag writes colour location 7
 *              with one attachment; geom: e2e/venus/geom.geom with its OutputVertices raised to 2^24; geominv: its
 *              Invocations raised to 2^24; geomtopo: it takes triangles from a point list; lavapipe survives those
 *              four. tess: e2e/venus/tess.tesc and tess.tese, 64 patches of 3 points; tesslevel: their level
 *              specialized to 1e30 (lavapipe survives both); tessout: the control shader's OutputVertices raised to
 *              2^24 (SIGSEGV); tesspatch: 2^20 control points per patch (SIGFPE); tessdyn: the control point count
 *              left to a dynamic state and never set (SIGFPE); patchlist: a patch list without tessellation stages
 *              (SIGFPE); tessdynset, tessdynok: the count dynamic (extended dynamic state 2) and set to 2^10
 *              (SIGFPE) or 3; topodyn: a dynamic topology set to a patch list for a triangle list
 *              pipeline (SIGFPE); tesstopo: a triangle list for a tessellation pipeline (lavapipe survives);
 *              noassembly: no input assembly state (lavapipe survives); enumraster, enumblend, enumdyn: polygon
 *              mode, front face, blend factors and ops, dynamic depth compare op, stencil ops, front face and cull
 *              mode past their enums; enumtopo: a topology past its enum; novb: no vertex (or index) buffer bound;
 *              dynvp: viewport and scissor counts dynamic and never set (lavapipe survives all of these);
 *              novi, novp, nocb: no vertex input, viewport or colour blend state (lavapipe survives those); noms,
 *              nors: no multisample or rasterization state (each killed lavapipe); vpnull, scnull: a static
 *              viewport or scissor whose array is NULL (lavapipe survives); tessnull: tessellation stages without
 *              tessellation state (lavapipe survives the create); stagesnull, rendnull, fbnull: two stages, one
 *              dynamic rendering colour format, one framebuffer attachment, each without its array (each killed
 *              lavapipe; Mesa's Venus encoder dies on them before sending, so the server's checks are unit-tested);
 *              dsnull: a subpass with a depth attachment and a pipeline without depth/stencil state; blend0: no
 *              colour blend attachments for a subpass of one colour attachment (lavapipe survives both);
 *              colornull, inputnull: a subpass with one colour or input attachment and no reference array (each
 *              killed lavapipe; Mesa's encoder dies on colornull, the server's decoder refuses both); blendnull:
 *              one colour blend attachment and no array of them (killed lavapipe and the launcher); linemode: a
 *              line rasterization mode past its enum, stipple: stippled lines with a static factor of 0, rstream:
 *              rasterization stream 100 (lavapipe survives those three); enumdyn3: polygon, line rasterization and
 *              provoking vertex modes dynamic (extended dynamic state 3) and set past their enums; samples3:
 *              vkCmdSetRasterizationSamplesEXT of 1000 samples (its feature not enabled); geomstream:
 *              e2e/venus/stream.geom emitting to vertex stream 100 of 4, with geometryStreams; cwecount: 100
 *              colour write enables (VK_EXT_color_write_enable) for one blend attachment; cwenull: one enable without
 *              its array (killed lavapipe); cwedyn: the enables dynamic and the draw setting 100; cweunset: dynamic and
 *              never set; extended dynamic state 3's blend states and 2's logic op dynamic, the draw setting:
 *              blend3count: blend enables for 100 attachments of 8 (killed lavapipe), blend3first: attachments 7-8,
 *              mask3first: the write mask of attachment 1000, blend3enum: factors and ops of 1000, logicop3: logic
 *              op 1000 (lavapipe survives those four), blend3ok: valid values, blend3unset: none, blend3null: valid
 *              values with the pipeline's blend attachment array NULL; its sample states dynamic: ms3samples: 3
 *              rasterization samples, ms3mask: a sample mask for 3 samples, ms3mismatch: 4 samples for the one-sample
 *              attachment, ms3unsup: 64 samples, ms3ok: valid values, ms3unset: none, ms3null: valid values with no
 *              multisample state in the pipeline (lavapipe survives all of these); origin3: tessellation domain
 *              origin 1000 (lavapipe survives it); vin*: the vertex input dynamic (VK_EXT_vertex_input_dynamic_state)
 *              and set with one field past its limit or enum (see draw_dyn3: vinbinding, vinattrbinding killed lavapipe,
 *              vinloc aborted it) or valid (vinok, vinnull), or never set (vinunset); multiok, multiidxok: two draws
 *              through VK_EXT_multi_draw, their infos 16 bytes apart; multinull, multiidxnull: two draws without their
 *              array (each killed lavapipe))
 *   push [V]   VK_KHR_push_descriptor: sample.comp's set pushed, V one of ok, unset (its images never pushed),
 *              foreign (the same after a set of another layout was bound there), range, notpush, setpast, big,
 *              stale and staleend (the pushed view and sampler destroyed before the command buffer ends, or after;
 *              see the mode's code; docs/venus.md "Push descriptors")
 *   recdestroy [copy|desc|descfirst]  a copy recorded, then its source buffer and memory destroyed after the
 *              command buffer ended and before the submit; desc: add.comp's dispatch, its storage buffers (one buffer
 *              in a descriptor set) destroyed likewise; descfirst: destroyed after the set was written, before the
 *              recording
 *   sampler [V]  e2e/venus/sample.comp samples a 16x16 image through samplers or views past their enums, or with
 *              descriptors left unwritten: border, borderedge, customnone, swizzle and unset killed lavapipe; aniso,
 *              lod, filter, compare, reduction, custom, stale and unsetbuf it survives
 *   storefmt [X]  e2e/venus/store.comp stores to texel (X, 1) (default 4095) of a 4096x2 RGBA8 image through an
 *              R32G32B32A32_SFLOAT view, made without MUTABLE_FORMAT (killed lavapipe: 48 KiB past the image)
 *   ycbcr [V]  a sampler YCbCr conversion (V: format, model, swizzle) with values past their enums (survived)
 *   imgsamples [N [V]]  a 16x16 image of N samples (default 3) cleared as a render pass attachment; V passfmt: a
 *              4096x16 one in a pass whose attachment format is R32G32B32A32_SFLOAT (both survived); multiview: a
 *              256x256 one-layer view in the framebuffer of a pass rendering views 0-7; imageless: the same pass on
 *              an imageless framebuffer that claims 8 layers, begun with the one-layer view (both killed lavapipe)
 *   cache [S [hdr]]  pipeline cache data of add.comp's pipeline, mutated by seed S+round after its 64 header bytes
 *              (hdr: in the headers too), fed to vkCreatePipelineCache and used (lavapipe survives; through Venus
 *              a mutated header makes Mesa send a cache the server never made, and the ring dies, not the server)
 *   query      vkCmdResetQueryPool, vkCmdWriteTimestamp and vkCmdBeginQuery/EndQuery past a 4-query pool
 *   querycopy  vkCmdCopyQueryPoolResults of 4 queries at a 4 KiB stride into a 16-byte buffer
 *   queryget   vkGetQueryPoolResults of queries 1000-1003 of a 4-query pool
 *   xfb V      transform feedback or conditional rendering past their buffers or limits, V one of: counter (the
 *              counter buffer 1 GiB past a 64-byte buffer at the begin and end), bind (1 MiB bound from it),
 *              binding (binding 100), bytecount (vkCmdDrawIndirectByteCountEXT with a vertex stride of 0),
 *              bytecountoff (its counter 1 GiB past the buffer), stream (an indexed query of vertex stream 100),
 *              genstream (the same of a primitives generated query; lavapipe survives both), condrender (the
 *              predicate 1 GiB past the buffer), endonly (an end, with a counter buffer, of
 *              transform feedback never begun), beginonly (a begin never ended), capture (a valid capture by
 *              e2e/venus/xfb.vert into buffer 0), gap (that capture with only binding 1 bound), bindcap (1 MiB bound
 *              from the 64-byte buffer and 3M vertices captured into it), condnest (conditional rendering begun
 *              twice and ended twice, the second end outside the render pass)
 * usage: vkhostile MODE [ROUNDS [VARIANT]]
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
#include "index_comp_spv.h"
#include "spec_comp_spv.h"
#include "stream_geom_spv.h"
#include "view3d_comp_spv.h"
#include "sample_comp_spv.h"
#include "store_comp_spv.h"
#include "push_comp_spv.h"
#include "out7_frag_spv.h"
#include "geom_geom_spv.h"
#include "tess_tesc_spv.h"
#include "tess_tese_spv.h"
#include "tri_frag_spv.h"
#include "tri_vert_spv.h"
#include "vkutil.h"
#include "xfb_vert_spv.h"

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

/* usage bits image() adds to its own (the desctype mode's storage image), and its format when not 0 */
static VkImageUsageFlags extraUsage;
static VkFormat imageFormat;

/* A 2D RGBA8 image of w x h (samples 1 or 4) with memory of its own, or of memBytes bytes when memBytes != 0. */
static Image image(uint32_t w, uint32_t h, VkSampleCountFlagBits samples, VkDeviceSize memBytes) {
    VkImageCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .imageType = VK_IMAGE_TYPE_2D,
                            .format = imageFormat ? imageFormat : VK_FORMAT_R8G8B8A8_UNORM, .extent = {w, h, 1},
                            .mipLevels = 1,
                            .arrayLayers = 1, .samples = samples, .tiling = VK_IMAGE_TILING_OPTIMAL,
                            .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                                     VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | extraUsage,
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

/* the component swizzle of the views view2d() makes (vkhostile sampler swizzle), and their format when not 0 (sampler
 * viewfmt) */
static VkComponentSwizzle viewSwizzle;
static VkFormat viewFormat;

/* A 2D view of all of an RGBA8 image made by image(). */
static VkImageView view2d(VkImage image) {
    VkImageViewCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = image,
                                .components = {viewSwizzle, viewSwizzle, viewSwizzle, viewSwizzle},
                                .viewType = VK_IMAGE_VIEW_TYPE_2D,
                                .format = viewFormat ? viewFormat : VK_FORMAT_R8G8B8A8_UNORM,
                                .subresourceRange = WHOLE};
    VkImageView v;
    check(vkCreateImageView(dev, &vi, NULL, &v), "vkCreateImageView");
    return v;
}
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

/* A descriptor set layout of the n bindings and a pipeline layout of it with 4 bytes of compute push constants. */
static void compute_layout(const VkDescriptorSetLayoutBinding *binds, uint32_t n, VkDescriptorSetLayout *dsl,
                           VkPipelineLayout *layout) {
    VkDescriptorSetLayoutCreateInfo dli = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                           .bindingCount = n, .pBindings = binds};
    check(vkCreateDescriptorSetLayout(dev, &dli, NULL, dsl), "vkCreateDescriptorSetLayout");
    VkPushConstantRange pcr = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = 4};
    VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                      .pSetLayouts = dsl, .pushConstantRangeCount = 1, .pPushConstantRanges = &pcr};
    check(vkCreatePipelineLayout(dev, &pli, NULL, layout), "vkCreatePipelineLayout");
}

/* A compute pipeline of the SPIR-V code (size bytes) with a one-set layout of the n bindings. */
static void compute_pipeline(const uint32_t *code, size_t size, const VkDescriptorSetLayoutBinding *binds,
                             uint32_t n, VkShaderModule *module, VkDescriptorSetLayout *dsl, VkPipelineLayout *layout,
                             VkPipeline *pipeline) {
    VkShaderModuleCreateInfo smi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = size,
                                    .pCode = code};
    check(vkCreateShaderModule(dev, &smi, NULL, module), "vkCreateShaderModule");
    compute_layout(binds, n, dsl, layout);
    VkComputePipelineCreateInfo cpi = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = *module, .pName = "main"},
        .layout = *layout};
    check(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, NULL, pipeline), "vkCreateComputePipelines");
}

/* A compute pipeline of code whose bindings 0..n-1 are of the given descriptor types, binding 0 count0 of them and the
 * others one each. */
static void typed_pipeline(const uint32_t *code, size_t size, const VkDescriptorType *types, uint32_t n,
                           uint32_t count0, VkShaderModule *module, VkDescriptorSetLayout *dsl,
                           VkPipelineLayout *layout, VkPipeline *pipeline) {
    VkDescriptorSetLayoutBinding binds[4];
    for (uint32_t i = 0; i < n && i < 4; i++) {
        binds[i] = (VkDescriptorSetLayoutBinding){.binding = i, .descriptorCount = i == 0 ? count0 : 1,
                                                  .descriptorType = types[i],
                                                  .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
    }
    compute_pipeline(code, size, binds, n, module, dsl, layout, pipeline);
}

/* e2e/venus/add.comp's pipeline with its three buffers of the given descriptor types, binding 0 count0 of them. */
static void add_pipeline(const VkDescriptorType types[3], uint32_t count0, VkShaderModule *module,
                         VkDescriptorSetLayout *dsl, VkPipelineLayout *layout, VkPipeline *pipeline) {
    typed_pipeline(add_comp_spv, sizeof(add_comp_spv), types, 3, count0, module, dsl, layout, pipeline);
}

/* add.comp's dispatch over 4096 floats with pipeline bound and *set (NULL: none) bound with its dynamic offsets. */
static void add_dispatch(VkCommandBuffer cmd, VkPipeline pipeline, VkPipelineLayout layout, const VkDescriptorSet *set,
                         uint32_t dynamicCount, const uint32_t *dynamic) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    if (set) vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, set, dynamicCount, dynamic);
    uint32_t n = 4096;
    vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &n);
    vkCmdDispatch(cmd, n / 256, 1, 1);
}

/* add.comp's three buffers written into set, binding i of types[i] with dbi[i]. */
static void write_three(VkDescriptorSet set, const VkDescriptorType types[3], const VkDescriptorBufferInfo dbi[3]) {
    VkWriteDescriptorSet w[3];
    for (uint32_t i = 0; i < 3; i++) {
        w[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = i,
                                      .descriptorCount = 1, .descriptorType = types[i], .pBufferInfo = &dbi[i]};
    }
    vkUpdateDescriptorSets(dev, 3, w, 0, NULL);
}

/* A pool of the n sizes (for one set) and one set of layout dsl from it. */
static VkDescriptorSet one_set(const VkDescriptorPoolSize *sizes, uint32_t n, VkDescriptorSetLayout dsl,
                               VkDescriptorPool *pool) {
    VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 1,
                                      .poolSizeCount = n, .pPoolSizes = sizes};
    check(vkCreateDescriptorPool(dev, &dpi, NULL, pool), "vkCreateDescriptorPool");
    VkDescriptorSetAllocateInfo dsai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                        .descriptorPool = *pool, .descriptorSetCount = 1, .pSetLayouts = &dsl};
    VkDescriptorSet set;
    check(vkAllocateDescriptorSets(dev, &dsai, &set), "vkAllocateDescriptorSets");
    return set;
}

/* A set of layout dsl whose binding 0 holds count storage buffers, each bytes of one host buffer *hb after the
 * other (from a pool of its own in *pool). */
static VkDescriptorSet storage_set(uint32_t count, VkDeviceSize bytes, VkDescriptorSetLayout dsl, VkDescriptorPool *pool,
                                   HostBuffer *hb, uint32_t *hostBits) {
    const char *failed = NULL;
    VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, count};
    VkDescriptorSet set = one_set(&ps, 1, dsl, pool);
    check(vku_host_buffer(phys, dev, count * bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, hb, hostBits, &failed),
          failed);
    VkDescriptorBufferInfo dbi[4];
    for (uint32_t i = 0; i < count && i < 4; i++) dbi[i] = (VkDescriptorBufferInfo){hb->buf, bytes * i, bytes};
    VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0,
                              .descriptorCount = count < 4 ? count : 4,
                              .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = dbi};
    vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);
    return set;
}

/* the attachment format color_pass() gives when not 0 (vkhostile imgsamples N passfmt), and its subpass's view mask
 * (vkhostile imgsamples N multiview) */
static VkFormat passFormat;
static uint32_t passViewMask;

/* A render pass of one RGBA8 colour attachment of the sample count, cleared and stored, ending in GENERAL. */
static VkRenderPass color_pass(VkSampleCountFlagBits samples) {
    VkAttachmentDescription at = {.format = passFormat ? passFormat : VK_FORMAT_R8G8B8A8_UNORM, .samples = samples,
                                  .loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR, .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
                                  .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                  .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
                                  .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED, .finalLayout = VK_IMAGE_LAYOUT_GENERAL};
    VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription sp = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS, .colorAttachmentCount = 1,
                               .pColorAttachments = &ref};
    VkRenderPassMultiviewCreateInfo mv = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO,
                                          .subpassCount = 1, .pViewMasks = &passViewMask};
    VkRenderPassCreateInfo rpi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
                                  .pNext = passViewMask ? &mv : NULL, .attachmentCount = 1,
                                  .pAttachments = &at, .subpassCount = 1, .pSubpasses = &sp};
    VkRenderPass pass;
    check(vkCreateRenderPass(dev, &rpi, NULL, &pass), "vkCreateRenderPass");
    return pass;
}

/* Sets the literal of every OpExecutionMode <mode> in the words of a SPIR-V module to value. */
static void raise_mode(uint32_t *code, size_t words, uint32_t mode, uint32_t value) {
    for (size_t w = 5; w < words && (code[w] >> 16) > 0; w += code[w] >> 16) {
        if ((code[w] & 0xffff) == 16 && code[w + 2] == mode) code[w + 3] = value;
    }
}

/* Moves vertex stream 1 of a SPIR-V module to stream: the constant operands of OpEmitStreamVertex and
 * OpEndStreamPrimitive that are 1, and every Stream decoration. */
static void move_stream(uint32_t *code, size_t words, uint32_t stream) {
    for (size_t w = 5; w < words && (code[w] >> 16) > 0; w += code[w] >> 16) {
        uint32_t op = code[w] & 0xffff;
        if (op == 220 || op == 221) { /* OpEmitStreamVertex, OpEndStreamPrimitive <stream id> */
            for (size_t c = 5; c < words && (code[c] >> 16) > 0; c += code[c] >> 16) {
                if ((code[c] & 0xffff) == 43 && code[c + 2] == code[w + 1] && code[c + 3] == 1) code[c + 3] = stream;
            }
        } else if (op == 71 && code[w + 2] == 29) { /* OpDecorate <target> Stream <n> */
            code[w + 3] = stream;
        }
    }
}

static VkShaderModule module(const uint32_t *code, size_t bytes) {
    VkShaderModuleCreateInfo si = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = bytes,
                                   .pCode = code};
    VkShaderModule m;
    check(vkCreateShaderModule(dev, &si, NULL, &m), "vkCreateShaderModule");
    return m;
}

/* The pipeline mode's variant: creates what it names (a pipeline, render pass or framebuffer), leaving handles to
 * destroy in *pass, *fb, *layout, *pipeline, *modules. */
static void pipeline(const char *variant, VkRenderPass *pass, VkFramebuffer *fb, VkPipelineLayout *layout,
                     VkPipeline *pipe, VkShaderModule modules[2]) {
    int v = !strcmp(variant, "vbinding") ? 1 : !strcmp(variant, "vattr") ? 2 : !strcmp(variant, "viewports") ? 3
          : !strcmp(variant, "blend") ? 4 : !strcmp(variant, "rendering") ? 5 : !strcmp(variant, "subpass") ? 6
          : !strcmp(variant, "rpref") ? 7 : !strcmp(variant, "fbcount") ? 8 : !strcmp(variant, "valid") ? 9
          : !strcmp(variant, "fragout") ? 10 : !strcmp(variant, "geom") ? 11 : !strcmp(variant, "tess") ? 12
          : !strcmp(variant, "tessout") ? 13 : !strcmp(variant, "tesspatch") ? 14 : !strcmp(variant, "tesslevel") ? 15
          : !strcmp(variant, "geominv") ? 16 : !strcmp(variant, "tessdyn") ? 17 : !strcmp(variant, "patchlist") ? 18
          : !strcmp(variant, "topodyn") ? 19 : !strcmp(variant, "tesstopo") ? 20 : !strcmp(variant, "geomtopo") ? 21
          : !strcmp(variant, "noassembly") ? 22 : !strcmp(variant, "enumraster") ? 23 : !strcmp(variant, "enumblend") ? 24
          : !strcmp(variant, "enumdyn") ? 25 : !strcmp(variant, "enumtopo") ? 26 : !strcmp(variant, "novb") ? 27
          : !strcmp(variant, "dynvp") ? 28 : !strcmp(variant, "novi") ? 29 : !strcmp(variant, "novp") ? 30
          : !strcmp(variant, "noms") ? 31 : !strcmp(variant, "nocb") ? 32 : !strcmp(variant, "nors") ? 33
          : !strcmp(variant, "vpnull") ? 34 : !strcmp(variant, "scnull") ? 35 : !strcmp(variant, "stagesnull") ? 36
          : !strcmp(variant, "tessnull") ? 37 : !strcmp(variant, "rendnull") ? 38 : !strcmp(variant, "fbnull") ? 39
          : !strcmp(variant, "dsnull") ? 40 : !strcmp(variant, "blend0") ? 41 : !strcmp(variant, "colornull") ? 42
          : !strcmp(variant, "inputnull") ? 43 : !strcmp(variant, "blendnull") ? 44 : !strcmp(variant, "linemode") ? 45
          : !strcmp(variant, "stipple") ? 46 : !strcmp(variant, "rstream") ? 47 : !strcmp(variant, "enumdyn3") ? 48
          : !strcmp(variant, "samples3") ? 49 : !strcmp(variant, "xfbvert") ? 50 : !strcmp(variant, "geomstream") ? 51
          : !strcmp(variant, "cwecount") ? 52 : !strcmp(variant, "cwenull") ? 53 : !strcmp(variant, "cwedyn") ? 54
          : !strcmp(variant, "cweunset") ? 55 : !strcmp(variant, "tessdynset") ? 56 : !strcmp(variant, "tessdynok") ? 57
          : !strcmp(variant, "blend3ok") ? 58 : !strcmp(variant, "blend3count") ? 59 : !strcmp(variant, "blend3first") ? 60
          : !strcmp(variant, "blend3enum") ? 61 : !strcmp(variant, "mask3first") ? 62 : !strcmp(variant, "logicop3") ? 63
          : !strcmp(variant, "ms3ok") ? 64 : !strcmp(variant, "ms3samples") ? 65 : !strcmp(variant, "ms3mask") ? 66
          : !strcmp(variant, "ms3mismatch") ? 67 : !strcmp(variant, "ms3unsup") ? 68 : !strcmp(variant, "origin3") ? 69
          : !strcmp(variant, "blend3unset") ? 70 : !strcmp(variant, "ms3unset") ? 71 : !strcmp(variant, "blend3null") ? 72
          : !strcmp(variant, "ms3null") ? 73 : !strncmp(variant, "vin", 3) ? 74 : !strncmp(variant, "multi", 5) ? 9
          : 0;
    if (!v) {
        printf("unknown pipeline variant '%s'\nresult FAIL\n", variant);
        exit(2);
    }
    VkAttachmentDescription at = {.format = VK_FORMAT_R8G8B8A8_UNORM, .samples = VK_SAMPLE_COUNT_1_BIT,
                                  .loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR, .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
                                  .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                  .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
                                  .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED, .finalLayout = VK_IMAGE_LAYOUT_GENERAL};
    VkAttachmentReference ref = {v == 7 ? 7 : 0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    /* dsnull: the subpass has a D32_SFLOAT depth attachment and the pipeline no depth/stencil state */
    VkAttachmentDescription ats[2] = {at, at};
    ats[1].format = VK_FORMAT_D32_SFLOAT;
    VkAttachmentReference dref = {1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
    /* colornull, inputnull: a subpass with one colour (input) attachment whose reference array is NULL */
    VkSubpassDescription sp = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS, .colorAttachmentCount = 1,
                               .pColorAttachments = v == 42 ? NULL : &ref,
                               .inputAttachmentCount = v == 43 ? 1 : 0,
                               .pDepthStencilAttachment = v == 40 ? &dref : NULL};
    VkRenderPassCreateInfo rpi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
                                  .attachmentCount = v == 40 ? 2 : 1, .pAttachments = v == 40 ? ats : &at,
                                  .subpassCount = 1, .pSubpasses = &sp};
    if (vkCreateRenderPass(dev, &rpi, NULL, pass) != VK_SUCCESS || v == 7) return;
    if (v == 8 || v == 39) { /* fbnull: one attachment, its array NULL */
        VkFramebufferCreateInfo fbi = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO, .renderPass = *pass,
                                       .attachmentCount = v == 39 ? 1 : 0, .width = 16, .height = 16, .layers = 1};
        vkCreateFramebuffer(dev, &fbi, NULL, fb);
        return;
    }
    /* xfbvert: e2e/venus/xfb.vert, which captures its position into transform feedback buffer 0 */
    VkShaderModuleCreateInfo vsi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                    .codeSize = v == 50 ? sizeof(xfb_vert_spv) : sizeof(tri_vert_spv),
                                    .pCode = v == 50 ? xfb_vert_spv : tri_vert_spv};
    /* fragout: e2e/venus/out7.frag, whose colour output is at location 7 */
    VkShaderModuleCreateInfo fsi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                    .codeSize = v == 10 ? sizeof(out7_frag_spv) : sizeof(tri_frag_spv),
                                    .pCode = v == 10 ? out7_frag_spv : tri_frag_spv};
    check(vkCreateShaderModule(dev, &vsi, NULL, &modules[0]), "vkCreateShaderModule");
    check(vkCreateShaderModule(dev, &fsi, NULL, &modules[1]), "vkCreateShaderModule");
    VkPushConstantRange pcr = {.stageFlags = VK_SHADER_STAGE_ALL_GRAPHICS, .size = 32};
    VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                      .pushConstantRangeCount = 1, .pPushConstantRanges = &pcr};
    check(vkCreatePipelineLayout(dev, &pli, NULL, layout), "vkCreatePipelineLayout");
    /* geom, geominv: e2e/venus/geom.geom between them, its OutputVertices (geom) or Invocations (geominv) raised
     * to 2^24 (the limits are 256 or so and 32); tess*: e2e/venus/tess.tesc and tess.tese between them */
    static uint32_t geomCode[sizeof(geom_geom_spv) / 4];
    static uint32_t streamCode[sizeof(stream_geom_spv) / 4];
    static uint32_t tescCode[sizeof(tess_tesc_spv) / 4];
    VkShaderModule extra[2] = {VK_NULL_HANDLE, VK_NULL_HANDLE};
    VkPipelineShaderStageCreateInfo stages[4] = {
        {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_VERTEX_BIT,
         .module = modules[0], .pName = "main"},
        {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_FRAGMENT_BIT,
         .module = modules[1], .pName = "main"}};
    uint32_t stageCount = 2;
    /* tessdynset, tessdynok: tessdyn's pipeline, the draw setting 2^10 or 3 control points */
    int patchDyn = v == 17 || v == 56 || v == 57;
    int tess = (v >= 12 && v <= 15) || patchDyn || v == 20 || v == 37;
    /* tesslevel: the control shader's level specialized to 1e30 (the limit is 64) */
    float level = 1e30f;
    VkSpecializationMapEntry levelEntry = {0, 0, sizeof level};
    VkSpecializationInfo levelInfo = {1, &levelEntry, sizeof level, &level};
    if (v == 11 || v == 16 || v == 21) {
        memcpy(geomCode, geom_geom_spv, sizeof geomCode);
        /* OutputVertices (geom), Invocations (geominv) */
        if (v != 21) raise_mode(geomCode, sizeof geomCode / 4, v == 11 ? 26 : 0, 1u << 24);
        extra[0] = module(geomCode, sizeof geomCode);
        stages[stageCount++] = (VkPipelineShaderStageCreateInfo){
            .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_GEOMETRY_BIT,
            .module = extra[0], .pName = "main"};
    } else if (v == 51) {
        /* geomstream: e2e/venus/stream.geom with its stream 1 moved to stream 100 */
        memcpy(streamCode, stream_geom_spv, sizeof streamCode);
        move_stream(streamCode, sizeof streamCode / 4, 100);
        extra[0] = module(streamCode, sizeof streamCode);
        stages[stageCount++] = (VkPipelineShaderStageCreateInfo){
            .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_GEOMETRY_BIT,
            .module = extra[0], .pName = "main"};
    } else if (tess) {
        memcpy(tescCode, tess_tesc_spv, sizeof tescCode);
        /* tessout: the control shader's OutputVertices raised to 2^24 (the limit is 32) */
        if (v == 13) raise_mode(tescCode, sizeof tescCode / 4, 26, 1u << 24);
        extra[0] = module(tescCode, sizeof tescCode);
        extra[1] = module(tess_tese_spv, sizeof tess_tese_spv);
        stages[stageCount++] = (VkPipelineShaderStageCreateInfo){
            .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
            .stage = VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT, .module = extra[0], .pName = "main",
            .pSpecializationInfo = v == 15 ? &levelInfo : NULL};
        stages[stageCount++] = (VkPipelineShaderStageCreateInfo){
            .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
            .stage = VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT, .module = extra[1], .pName = "main"};
    }
    /* tessdyn: patch control points left to a dynamic state the device does not offer (and never set); patchlist: a
     * patch list topology without tessellation stages */
    /* topodyn, tesstopo: the topology dynamic (the draw sets a patch list for a pipeline without tessellation
     * stages, a triangle list for one with them) */
    VkDynamicState patchDynamic[5] = {patchDyn ? VK_DYNAMIC_STATE_PATCH_CONTROL_POINTS_EXT
                                              : VK_DYNAMIC_STATE_PRIMITIVE_TOPOLOGY_EXT};
    /* enumdyn: depth compare op, stencil op, front face and cull mode dynamic (the draw sets values past their enums) */
    /* dynvp: viewports and scissors with their counts dynamic, never set */
    if (v == 28) {
        patchDynamic[0] = VK_DYNAMIC_STATE_VIEWPORT_WITH_COUNT_EXT;
        patchDynamic[1] = VK_DYNAMIC_STATE_SCISSOR_WITH_COUNT_EXT;
    }
    if (v == 25) {
        patchDynamic[0] = VK_DYNAMIC_STATE_DEPTH_COMPARE_OP_EXT;
        patchDynamic[1] = VK_DYNAMIC_STATE_STENCIL_OP_EXT;
        patchDynamic[2] = VK_DYNAMIC_STATE_FRONT_FACE_EXT;
        patchDynamic[3] = VK_DYNAMIC_STATE_CULL_MODE_EXT;
    }
    /* enumdyn3: polygon mode, line rasterization mode and provoking vertex mode dynamic (extended dynamic state 3;
     * the draw sets values past their enums) */
    if (v == 48) {
        patchDynamic[0] = VK_DYNAMIC_STATE_POLYGON_MODE_EXT;
        patchDynamic[1] = VK_DYNAMIC_STATE_LINE_RASTERIZATION_MODE_EXT;
        patchDynamic[2] = VK_DYNAMIC_STATE_PROVOKING_VERTEX_MODE_EXT;
    }
    /* blend3*, mask3first, logicop3: colour blend enables, equations, write masks, the logic op and its enable
     * dynamic (extended dynamic state 3 and 2; the draw sets them past the attachments or their enums, or, for
     * blend3ok, in range; blend3unset never sets them) */
    int blend3 = (v >= 58 && v <= 63) || v == 70 || v == 72;
    if (blend3) {
        patchDynamic[0] = VK_DYNAMIC_STATE_COLOR_BLEND_ENABLE_EXT;
        patchDynamic[1] = VK_DYNAMIC_STATE_COLOR_BLEND_EQUATION_EXT;
        patchDynamic[2] = VK_DYNAMIC_STATE_COLOR_WRITE_MASK_EXT;
        patchDynamic[3] = VK_DYNAMIC_STATE_LOGIC_OP_EXT;
        patchDynamic[4] = VK_DYNAMIC_STATE_LOGIC_OP_ENABLE_EXT;
    }
    /* ms3*: rasterization samples, sample mask, alpha to coverage and alpha to one dynamic (the draw sets a sample
     * count that is no count, one the attachment does not have, one the device does not support, a sample mask of
     * no count, or valid ones; ms3unset never sets them) */
    int ms3 = (v >= 64 && v <= 68) || v == 71 || v == 73;
    if (ms3) {
        patchDynamic[0] = VK_DYNAMIC_STATE_RASTERIZATION_SAMPLES_EXT;
        patchDynamic[1] = VK_DYNAMIC_STATE_SAMPLE_MASK_EXT;
        patchDynamic[2] = VK_DYNAMIC_STATE_ALPHA_TO_COVERAGE_ENABLE_EXT;
        patchDynamic[3] = VK_DYNAMIC_STATE_ALPHA_TO_ONE_ENABLE_EXT;
    }
    /* origin3: the tessellation domain origin dynamic (the draw sets it past its enum) */
    if (v == 69) patchDynamic[0] = VK_DYNAMIC_STATE_TESSELLATION_DOMAIN_ORIGIN_EXT;
    /* vin*: the vertex input dynamic (VK_EXT_vertex_input_dynamic_state; the draw sets it, see draw_dyn3); vinnull:
     * and the pipeline's vertex input state NULL */
    if (v == 74) patchDynamic[0] = VK_DYNAMIC_STATE_VERTEX_INPUT_EXT;
    VkPipelineDynamicStateCreateInfo dyn = {.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO,
                                            .dynamicStateCount = v == 25 || ms3 ? 4 : v == 28 ? 2 : v == 48 ? 3
                                                                 : blend3 ? 5 : 1,
                                            .pDynamicStates = patchDynamic};
    /* tesspatch: 2^20 control points per patch (the limit is 32) */
    VkPipelineTessellationStateCreateInfo ts = {.sType = VK_STRUCTURE_TYPE_PIPELINE_TESSELLATION_STATE_CREATE_INFO,
                                                .patchControlPoints = v == 14 ? 1u << 20 : 3};
    VkVertexInputBindingDescription vb = {.binding = v == 1 ? 100 : 0, .stride = 8};
    VkVertexInputAttributeDescription va = {.location = v == 2 ? 100 : 0, .binding = 0,
                                            .format = VK_FORMAT_R32G32_SFLOAT};
    VkPipelineVertexInputStateCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
                                               .vertexBindingDescriptionCount = 1, .pVertexBindingDescriptions = &vb,
                                               .vertexAttributeDescriptionCount = 1,
                                               .pVertexAttributeDescriptions = &va};
    VkPipelineInputAssemblyStateCreateInfo ia = {.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
                                                 .topology = tess || v == 18 ? VK_PRIMITIVE_TOPOLOGY_PATCH_LIST
                                                             : v == 21 ? VK_PRIMITIVE_TOPOLOGY_POINT_LIST
                                                                       : VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST};
    static VkViewport vps[100];
    static VkRect2D scissors[100];
    for (int i = 0; i < 100; i++) {
        vps[i] = (VkViewport){0, 0, 16, 16, 0, 1};
        scissors[i] = (VkRect2D){{0, 0}, {16, 16}};
    }
    /* vpnull, scnull: a static viewport or scissor whose array is NULL */
    VkPipelineViewportStateCreateInfo vp = {.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
                                            .viewportCount = v == 3 ? 100 : 1, .pViewports = v == 34 ? NULL : vps,
                                            .scissorCount = v == 3 ? 100 : 1, .pScissors = v == 35 ? NULL : scissors};
    /* linemode: a line rasterization mode past its enum; stipple: a static stipple factor of 0; rstream: rasterization
     * stream 100 */
    VkPipelineRasterizationLineStateCreateInfoEXT ls = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_LINE_STATE_CREATE_INFO_EXT,
        .lineRasterizationMode = v == 45 ? (VkLineRasterizationModeEXT)1000 : VK_LINE_RASTERIZATION_MODE_DEFAULT_EXT,
        .stippledLineEnable = v == 46, .lineStippleFactor = 0, .lineStipplePattern = 0xffff};
    VkPipelineRasterizationStateStreamCreateInfoEXT rss = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_STREAM_CREATE_INFO_EXT, .rasterizationStream = 100};
    VkPipelineRasterizationStateCreateInfo rs = {.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
                                                 .pNext = v == 45 || v == 46 ? (void *)&ls : v == 47 ? (void *)&rss
                                                                                                     : NULL,
                                                 .polygonMode = VK_POLYGON_MODE_FILL, .lineWidth = 1.0f};
    VkPipelineMultisampleStateCreateInfo ms = {.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
                                               .rasterizationSamples = VK_SAMPLE_COUNT_1_BIT};
    static VkPipelineColorBlendAttachmentState ba[100];
    for (int i = 0; i < 100; i++) ba[i] = (VkPipelineColorBlendAttachmentState){.colorWriteMask = 0xf};
    /* enumraster: polygon mode and front face past their enums; enumblend: blend factors and op past theirs;
     * enumtopo: a topology past its enum */
    if (v == 23) {
        rs.polygonMode = (VkPolygonMode)1000;
        rs.frontFace = (VkFrontFace)7;
    } else if (v == 24) {
        ba[0].blendEnable = VK_TRUE;
        ba[0].srcColorBlendFactor = ba[0].dstAlphaBlendFactor = (VkBlendFactor)1000;
        ba[0].colorBlendOp = ba[0].alphaBlendOp = (VkBlendOp)1000;
    } else if (v == 26) {
        ia.topology = (VkPrimitiveTopology)1000;
    }
    /* cwecount: VK_EXT_color_write_enable's per-attachment enables for 100 attachments where the blend state has
     * one; cwenull: one enable and no array of them; cwedyn: the enables dynamic (the draw sets 100); cweunset: dynamic
     * and never set */
    static VkBool32 writes[100];
    for (int i = 0; i < 100; i++) writes[i] = VK_TRUE;
    VkPipelineColorWriteCreateInfoEXT cwe = {.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_WRITE_CREATE_INFO_EXT,
                                             .attachmentCount = v == 52 ? 100 : 1,
                                             .pColorWriteEnables = v == 53 ? NULL : writes};
    if (v == 54 || v == 55) {
        patchDynamic[0] = VK_DYNAMIC_STATE_COLOR_WRITE_ENABLE_EXT;
    }
    VkPipelineColorBlendStateCreateInfo cb = {.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
                                              .pNext = v == 52 || v == 53 ? &cwe : NULL,
                                              .attachmentCount = v == 4 || v == 5 ? 100 : v == 41 ? 0 : 1,
                                              .pAttachments = v == 44 || v == 72 ? NULL : ba}; /* blendnull */
    static VkFormat formats[100];
    for (int i = 0; i < 100; i++) formats[i] = VK_FORMAT_R8G8B8A8_UNORM;
    /* rendnull: dynamic rendering with one colour attachment whose format array is NULL */
    VkPipelineRenderingCreateInfo ri = {.sType = VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO,
                                        .colorAttachmentCount = v == 38 ? 1 : 100,
                                        .pColorAttachmentFormats = v == 38 ? NULL : formats};
    VkGraphicsPipelineCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
                                       .pNext = v == 5 || v == 38 ? &ri : NULL, .stageCount = stageCount,
                                       .pStages = v == 36 ? NULL : stages, /* stagesnull */
                                       .pVertexInputState = v == 29 || !strcmp(variant, "vinnull") ? NULL : &vi,
                                       .pInputAssemblyState = v == 22 ? NULL : &ia,
                                       .pTessellationState = tess && v != 37 ? &ts : NULL, /* tessnull */
                                       .pViewportState = v == 30 ? NULL : &vp,
                                       .pDynamicState = patchDyn || v == 19 || v == 20 || v == 25 || v == 28 ||
                                                                v == 48 || v == 54 || v == 55 || blend3 || ms3 ||
                                                                v == 69 || v == 74 ? &dyn : NULL,
                                       .pRasterizationState = v == 33 ? NULL : &rs,
                                       .pMultisampleState = v == 31 || v == 73 ? NULL : &ms, .pColorBlendState = v == 32 ? NULL : &cb,
                                       .layout = *layout, .renderPass = v == 5 || v == 38 ? VK_NULL_HANDLE : *pass,
                                       .subpass = v == 6 ? 5 : 0};
    VkResult r = vkCreateGraphicsPipelines(dev, VK_NULL_HANDLE, 1, &pi, NULL, pipe);
    printf("vkCreateGraphicsPipelines (%s): %d\n", variant, r);
    for (int i = 0; i < 2; i++) {
        if (extra[i]) vkDestroyShaderModule(dev, extra[i], NULL);
    }
}

/* The draw variants of extended dynamic state 3's blend, sample and domain origin states, extended dynamic state 2's
 * logic op and VK_EXT_vertex_input_dynamic_state (see pipeline()): each sets what its name says before the draw. */
static void draw_dyn3(VkCommandBuffer cmd, const char *v) {
#define DYN3(name) ((PFN_##name)vkGetDeviceProcAddr(dev, #name))
    static VkBool32 enables[100];
    static VkColorComponentFlags masks[100];
    static VkColorBlendEquationEXT eqs[100];
    for (int i = 0; i < 100; i++) {
        enables[i] = VK_FALSE;
        masks[i] = 0xf;
        eqs[i] = (VkColorBlendEquationEXT){VK_BLEND_FACTOR_ONE, VK_BLEND_FACTOR_ZERO, VK_BLEND_OP_ADD,
                                           VK_BLEND_FACTOR_ONE, VK_BLEND_FACTOR_ZERO, VK_BLEND_OP_ADD};
    }
    int blend = (strncmp(v, "blend3", 6) == 0 && strcmp(v, "blend3unset") != 0) || strcmp(v, "mask3first") == 0 ||
                strcmp(v, "logicop3") == 0;
    if (blend) {
        /* blend3count: 100 attachments of 8; blend3first: attachments 7 and 8 of 8; blend3enum: factors and ops past
         * their enums; mask3first: write mask of attachment 1000; logicop3: a logic op past its enum */
        int count = strcmp(v, "blend3count") == 0 ? 100 : 1;
        uint32_t first = strcmp(v, "blend3first") == 0 ? 7 : 0;
        if (strcmp(v, "blend3first") == 0) count = 2;
        if (strcmp(v, "blend3enum") == 0) {
            eqs[0].srcColorBlendFactor = eqs[0].dstAlphaBlendFactor = (VkBlendFactor)1000;
            eqs[0].colorBlendOp = eqs[0].alphaBlendOp = (VkBlendOp)1000;
        }
        DYN3(vkCmdSetColorBlendEnableEXT)(cmd, first, count, enables);
        DYN3(vkCmdSetColorBlendEquationEXT)(cmd, first, count, eqs);
        DYN3(vkCmdSetColorWriteMaskEXT)(cmd, strcmp(v, "mask3first") == 0 ? 1000 : first, count, masks);
        DYN3(vkCmdSetLogicOpEnableEXT)(cmd, VK_TRUE);
        DYN3(vkCmdSetLogicOpEXT)(cmd, strcmp(v, "logicop3") == 0 ? (VkLogicOp)1000 : VK_LOGIC_OP_COPY);
    }
    if (strncmp(v, "ms3", 3) == 0 && strcmp(v, "ms3unset") != 0) {
        /* ms3samples: 3 samples; ms3mismatch: 4 for the one-sample attachment; ms3unsup: 64; ms3mask: a sample mask
         * for 3 samples */
        VkSampleCountFlagBits samples = strcmp(v, "ms3samples") == 0    ? (VkSampleCountFlagBits)3
                                        : strcmp(v, "ms3mismatch") == 0 ? VK_SAMPLE_COUNT_4_BIT
                                        : strcmp(v, "ms3unsup") == 0    ? VK_SAMPLE_COUNT_64_BIT
                                                                        : VK_SAMPLE_COUNT_1_BIT;
        VkSampleMask mask[2] = {0xffffffffu, 0xffffffffu};
        DYN3(vkCmdSetRasterizationSamplesEXT)(cmd, samples);
        DYN3(vkCmdSetSampleMaskEXT)(cmd, strcmp(v, "ms3mask") == 0 ? (VkSampleCountFlagBits)3 : VK_SAMPLE_COUNT_1_BIT,
                                    mask);
        DYN3(vkCmdSetAlphaToCoverageEnableEXT)(cmd, VK_FALSE);
        DYN3(vkCmdSetAlphaToOneEnableEXT)(cmd, VK_FALSE);
    }
    if (strcmp(v, "origin3") == 0) {
        DYN3(vkCmdSetTessellationDomainOriginEXT)(cmd, (VkTessellationDomainOrigin)1000);
    }
    if (strncmp(v, "vin", 3) == 0 && strcmp(v, "vinunset") != 0) {
        /* the vertex input set by the draw: vinok and vinnull one valid binding and attribute (the pipeline's own);
         * the others one field past its limit or enum: binding, attribute location, attribute binding, stride,
         * offset, input rate, an instance divisor of 0 or 2^30, a format that is none (1000) or has no vertex
         * buffer support (BC1), and 100 bindings */
        static VkVertexInputBindingDescription2EXT b[100];
        for (int i = 0; i < 100; i++) {
            b[i] = (VkVertexInputBindingDescription2EXT){.sType = VK_STRUCTURE_TYPE_VERTEX_INPUT_BINDING_DESCRIPTION_2_EXT,
                                                         .binding = i, .stride = 8, .divisor = 1};
        }
        VkVertexInputAttributeDescription2EXT a = {.sType = VK_STRUCTURE_TYPE_VERTEX_INPUT_ATTRIBUTE_DESCRIPTION_2_EXT,
                                                   .format = VK_FORMAT_R32G32_SFLOAT};
        if (!strcmp(v, "vinbinding")) b[0].binding = 100;
        if (!strcmp(v, "vinloc")) a.location = 100;
        if (!strcmp(v, "vinattrbinding")) a.binding = 100;
        if (!strcmp(v, "vinstride")) b[0].stride = 1u << 30;
        if (!strcmp(v, "vinoffset")) a.offset = 1u << 30;
        if (!strcmp(v, "vinrate")) b[0].inputRate = (VkVertexInputRate)1000;
        if (!strncmp(v, "vindiv", 6)) {
            b[0].inputRate = VK_VERTEX_INPUT_RATE_INSTANCE;
            b[0].divisor = !strcmp(v, "vindiv0") ? 0 : 1u << 30;
        }
        if (!strcmp(v, "vinformat")) a.format = (VkFormat)1000;
        if (!strcmp(v, "vinbc1")) a.format = VK_FORMAT_BC1_RGB_UNORM_BLOCK;
        DYN3(vkCmdSetVertexInputEXT)(cmd, !strcmp(v, "vincount") ? 100 : 1, b, 1, &a);
    }
#undef DYN3
}

/* the draw modes' target: the pipeline variant's pipeline and render pass, a 16x16 image, its view and a framebuffer */
static Image draw_target(const char *variant, VkRenderPass *pass, VkFramebuffer *fb, VkImageView *view,
                         VkPipelineLayout *layout, VkPipeline *pipe, VkShaderModule *gm) {
    pipeline(variant, pass, fb, layout, pipe, gm);
    Image a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
    *view = view2d(a.image);
    VkFramebufferCreateInfo fbi = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO, .renderPass = *pass,
                                   .attachmentCount = 1, .pAttachments = view, .width = 16, .height = 16, .layers = 1};
    check(vkCreateFramebuffer(dev, &fbi, NULL, fb), "vkCreateFramebuffer");
    return a;
}

/* push staleend: the sampler (and the round's view) to destroy once the command buffer has ended */
static VkSampler *staleAfterEnd;
/* recdestroy: the buffer to destroy (with its memory) once the command buffer has ended */
static HostBuffer *destroyAfterEnd;

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
    /* inline: the inline uniform block extension and feature too */
    VkPhysicalDeviceInlineUniformBlockFeatures iub = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_INLINE_UNIFORM_BLOCK_FEATURES, .inlineUniformBlock = VK_TRUE};
    const char *iubExt = "VK_EXT_inline_uniform_block";
    int inl = strcmp(mode, "inline") == 0;
    if (inl) hqr.pNext = &iub;
    /* the pipeline and draw modes' geometry and tessellation stages need their features, a dynamic topology its
     * extension */
    VkPhysicalDeviceFeatures stagesFeatures = {.geometryShader = VK_TRUE, .tessellationShader = VK_TRUE};
    /* and the draw modes' enumdyn3 and samples3 extended dynamic state 3 (samples3: a state whose feature is not
     * enabled) */
    VkPhysicalDeviceExtendedDynamicState3FeaturesEXT eds3 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_3_FEATURES_EXT,
        .extendedDynamicState3PolygonMode = VK_TRUE, .extendedDynamicState3LineRasterizationMode = VK_TRUE,
        .extendedDynamicState3ProvokingVertexMode = VK_TRUE};
    VkPhysicalDeviceExtendedDynamicStateFeaturesEXT eds = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_FEATURES_EXT, .extendedDynamicState = VK_TRUE};
    const char *edsExts[] = {"VK_EXT_extended_dynamic_state", "VK_EXT_extended_dynamic_state3",
                             "VK_EXT_line_rasterization", "VK_EXT_provoking_vertex", "VK_EXT_color_write_enable",
                             "VK_EXT_extended_dynamic_state2", "VK_EXT_vertex_input_dynamic_state"};
    /* the draw modes' tessdynset and tessdynok: extended dynamic state 2's patch control points */
    VkPhysicalDeviceExtendedDynamicState2FeaturesEXT eds2 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_2_FEATURES_EXT,
        .extendedDynamicState2 = VK_TRUE, .extendedDynamicState2PatchControlPoints = VK_TRUE};
    int eds2Used = argc > 3 && strncmp(mode, "draw", 4) == 0 &&
                   (strcmp(argv[3], "tessdynset") == 0 || strcmp(argv[3], "tessdynok") == 0);
    /* and the colour write enable variants' extension and feature */
    VkPhysicalDeviceColorWriteEnableFeaturesEXT cwef = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COLOR_WRITE_ENABLE_FEATURES_EXT, .colorWriteEnable = VK_TRUE};
    int eds3Used = argc > 3 && (strncmp(mode, "draw", 4) == 0 || strcmp(mode, "pipeline") == 0) &&
                   (strcmp(argv[3], "enumdyn3") == 0 || strcmp(argv[3], "samples3") == 0 ||
                    strncmp(argv[3], "cwe", 3) == 0);
    if (eds3Used) eds.pNext = &eds3;
    if (eds3Used && strncmp(argv[3], "cwe", 3) == 0) eds3.pNext = &cwef;
    if (eds2Used) eds.pNext = &eds2;
    /* the blend3, mask3, logicop3, ms3 and origin3 draws: extended dynamic state 3's blend, sample and tessellation
     * domain origin states, extended dynamic state 2's logic op, and the logic op and alpha to one features */
    int dyn3Used = argc > 3 && strncmp(mode, "draw", 4) == 0 &&
                   (strncmp(argv[3], "blend3", 6) == 0 || strcmp(argv[3], "mask3first") == 0 ||
                    strcmp(argv[3], "logicop3") == 0 || strncmp(argv[3], "ms3", 3) == 0 ||
                    strcmp(argv[3], "origin3") == 0 || strncmp(argv[3], "vin", 3) == 0);
    /* the multi draws: VK_EXT_multi_draw and its feature */
    VkPhysicalDeviceMultiDrawFeaturesEXT mdf = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTI_DRAW_FEATURES_EXT,
                                                .multiDraw = VK_TRUE};
    int multiUsed = argc > 3 && strncmp(mode, "draw", 4) == 0 && strncmp(argv[3], "multi", 5) == 0;
    /* the vin draws: VK_EXT_vertex_input_dynamic_state and its feature */
    VkPhysicalDeviceVertexInputDynamicStateFeaturesEXT vinf = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VERTEX_INPUT_DYNAMIC_STATE_FEATURES_EXT,
        .vertexInputDynamicState = VK_TRUE};
    int vinUsed = dyn3Used && strncmp(argv[3], "vin", 3) == 0;
    if (dyn3Used) {
        eds3.extendedDynamicState3TessellationDomainOrigin = eds3.extendedDynamicState3RasterizationSamples =
            eds3.extendedDynamicState3SampleMask = eds3.extendedDynamicState3AlphaToCoverageEnable =
                eds3.extendedDynamicState3AlphaToOneEnable = eds3.extendedDynamicState3LogicOpEnable =
                    eds3.extendedDynamicState3ColorBlendEnable = eds3.extendedDynamicState3ColorBlendEquation =
                        eds3.extendedDynamicState3ColorWriteMask = VK_TRUE;
        eds2.extendedDynamicState2LogicOp = VK_TRUE;
        eds.pNext = &eds3;
        eds3.pNext = &eds2;
        stagesFeatures.logicOp = stagesFeatures.alphaToOne = VK_TRUE;
        eds2Used = 1;
        if (vinUsed) eds2.pNext = &vinf;
    }
    int stagesUsed = strcmp(mode, "pipeline") == 0 || strncmp(mode, "draw", 4) == 0;
    if (stagesUsed) hqr.pNext = &eds;
    /* xfb: transform feedback and conditional rendering, their extensions and features */
    VkPhysicalDeviceTransformFeedbackFeaturesEXT xfbf = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TRANSFORM_FEEDBACK_FEATURES_EXT, .transformFeedback = VK_TRUE,
        .geometryStreams = VK_TRUE};
    VkPhysicalDeviceConditionalRenderingFeaturesEXT crf = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_CONDITIONAL_RENDERING_FEATURES_EXT, .pNext = &xfbf,
        .conditionalRendering = VK_TRUE};
    /* and the primitives generated query (xfb genstream) */
    VkPhysicalDevicePrimitivesGeneratedQueryFeaturesEXT pgq = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRIMITIVES_GENERATED_QUERY_FEATURES_EXT,
        .primitivesGeneratedQuery = VK_TRUE, .primitivesGeneratedQueryWithNonZeroStreams = VK_TRUE};
    xfbf.pNext = &pgq;
    const char *xfbExts[] = {"VK_EXT_transform_feedback", "VK_EXT_conditional_rendering",
                             "VK_EXT_primitives_generated_query"};
    int xfbUsed = strcmp(mode, "xfb") == 0 || (argc > 3 && strcmp(mode, "draw") == 0 && strcmp(argv[3], "geomstream") == 0);
    if (xfbUsed) hqr.pNext = &crf;
    const char *multiExts[] = {"VK_EXT_extended_dynamic_state", "VK_EXT_multi_draw"};
    if (multiUsed) eds.pNext = &mdf;
    /* push: VK_KHR_push_descriptor */
    const char *pushExt = "VK_KHR_push_descriptor";
    int pushUsed = strcmp(mode, "push") == 0;
    check(vku_device(phys, family, &hqr,
                     xfbUsed ? 3 : multiUsed ? 2 : eds2Used ? 6 + vinUsed : eds3Used ? 5 : inl || stagesUsed || pushUsed ? 1 : 0,
                     xfbUsed ? xfbExts : multiUsed ? multiExts : inl ? &iubExt : pushUsed ? &pushExt : stagesUsed ? edsExts : NULL,
                     stagesUsed || xfbUsed ? &stagesFeatures : NULL, &dev),
          "vkCreateDevice");
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
            VkDescriptorSetLayout other;
            VkPipelineLayout otherLayout;
        } cs = {0};
        VkShaderModule gm[2] = {0};
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
            /* fmt: a 256x256 R32G32B32A32_SFLOAT image copied (or resolved) whole into a 256x256 RGBA8 one */
            int fmt = argc > 3 && strcmp(argv[3], "fmt") == 0;
            uint32_t side = fmt ? 256 : 16, extent = fmt ? 256 : 4096;
            imageFormat = fmt ? VK_FORMAT_R32G32B32A32_SFLOAT : 0;
            a = image(side, side, resolve ? VK_SAMPLE_COUNT_4_BIT : VK_SAMPLE_COUNT_1_BIT, 0);
            imageFormat = 0;
            b = image(side, side, VK_SAMPLE_COUNT_1_BIT, 0);
            general(cmd, &a, &b);
            if (resolve) {
                VkImageResolve r = {.srcSubresource = LAYER0, .dstSubresource = LAYER0, .extent = {extent, extent, 1}};
                vkCmdResolveImage(cmd, a.image, VK_IMAGE_LAYOUT_GENERAL, b.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r);
            } else {
                VkImageCopy r = {.srcSubresource = LAYER0, .dstSubresource = LAYER0, .extent = {extent, extent, 1}};
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
        } else if (strcmp(mode, "qfnull") == 0) {
            known = 1;
            /* a buffer and an image shared CONCURRENT between two queue families whose index array is NULL */
            VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = 4096,
                                     .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                     .sharingMode = VK_SHARING_MODE_CONCURRENT, .queueFamilyIndexCount = 2};
            VkBuffer buf = VK_NULL_HANDLE;
            printf("vkCreateBuffer (qfnull): %d\n", vkCreateBuffer(dev, &bi, NULL, &buf));
            if (buf) vkDestroyBuffer(dev, buf, NULL);
            VkImageCreateInfo ii = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .imageType = VK_IMAGE_TYPE_2D,
                                    .format = VK_FORMAT_R8G8B8A8_UNORM, .extent = {16, 16, 1}, .mipLevels = 1,
                                    .arrayLayers = 1, .samples = VK_SAMPLE_COUNT_1_BIT,
                                    .tiling = VK_IMAGE_TILING_OPTIMAL, .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
                                    .sharingMode = VK_SHARING_MODE_CONCURRENT, .queueFamilyIndexCount = 2};
            VkImage img = VK_NULL_HANDLE;
            printf("vkCreateImage (qfnull): %d\n", vkCreateImage(dev, &ii, NULL, &img));
            if (img) vkDestroyImage(dev, img, NULL);
        } else if (strcmp(mode, "framebuffer") == 0 || strcmp(mode, "clearatt") == 0 || strcmp(mode, "renderarea") == 0) {
            known = 1;
            int fbSize = mode[0] == 'f' ? 4096 : 16;
            uint32_t area = mode[0] == 'c' ? 16 : 4096;
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            rt.view = view2d(a.image);
            rt.pass = color_pass(VK_SAMPLE_COUNT_1_BIT);
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
            VkDescriptorType types[3] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                         VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC};
            add_pipeline(types, 1, &cs.module, &cs.dsl, &cs.layout, &cs.pipeline);
            VkDescriptorPoolSize ps[2] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2},
                                          {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1}};
            VkDescriptorSet set = one_set(ps, 2, cs.dsl, &cs.pool);
            VkDescriptorBufferInfo dbi[3] = {{ab.buf, 0, 16384}, {ab.buf, 16384, 16384}, {ab.buf, 32768, 16384}};
            write_three(set, types, dbi);
            uint32_t dynamic = 1u << 30;
            add_dispatch(cmd, cs.pipeline, cs.layout, &set, 1, &dynamic);
        } else if (strcmp(mode, "pushconst") == 0 || strcmp(mode, "sets") == 0) {
            known = 1;
            VkDescriptorSetLayoutBinding bind = {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                 .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
            compute_layout(&bind, 1, &cs.dsl, &cs.layout);
            if (mode[0] == 'p') {
                static uint8_t junk[4096];
                vkCmdPushConstants(cmd, cs.layout, VK_SHADER_STAGE_COMPUTE_BIT, 4096, sizeof junk, junk);
            } else {
                VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
                VkDescriptorSet set = one_set(&ps, 1, cs.dsl, &cs.pool);
                vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 30, 1, &set, 0, NULL);
            }
        } else if (strcmp(mode, "viewport") == 0) {
            known = 1;
            static VkViewport vps[100];
            static VkRect2D scissors[100];
            for (int i = 0; i < 100; i++) {
                vps[i] = (VkViewport){0, 0, 16, 16, 0, 1};
                scissors[i] = (VkRect2D){{0, 0}, {16, 16}};
            }
            vkCmdSetViewport(cmd, 10, 100, vps);
            vkCmdSetScissor(cmd, 10, 100, scissors);
        } else if (strcmp(mode, "vbuffers") == 0) {
            known = 1;
            check(vku_host_buffer(phys, dev, 4096, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, &hb, &hostBits, &failed), failed);
            static VkBuffer bufs[100];
            static VkDeviceSize offs[100];
            for (int i = 0; i < 100; i++) bufs[i] = hb.buf;
            vkCmdBindVertexBuffers(cmd, 30, 100, bufs, offs);
        } else if (strcmp(mode, "inherit") == 0) {
            known = 1;
            pipeline("valid", &rt.pass, &rt.fb, &cs.layout, &cs.pipeline, gm); /* a one-subpass render pass */
            VkCommandBufferAllocateInfo cai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                               .commandPool = pool, .level = VK_COMMAND_BUFFER_LEVEL_SECONDARY,
                                               .commandBufferCount = 1};
            VkCommandBuffer sec;
            check(vkAllocateCommandBuffers(dev, &cai, &sec), "vkAllocateCommandBuffers");
            VkCommandBufferInheritanceInfo inh = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO,
                                                  .renderPass = rt.pass, .subpass = 5};
            VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                           .flags = VK_COMMAND_BUFFER_USAGE_RENDER_PASS_CONTINUE_BIT,
                                           .pInheritanceInfo = &inh};
            VkResult br = vkBeginCommandBuffer(sec, &bi);
            VkClearAttachment ca = {.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT};
            VkClearRect cr = {.rect = {{0, 0}, {16, 16}}, .layerCount = 1};
            vkCmdClearAttachments(sec, 1, &ca, 1, &cr);
            vkEndCommandBuffer(sec);
            vkFreeCommandBuffers(dev, pool, 1, &sec);
            printf("round %d: vkBeginCommandBuffer of subpass 5 of 1: %d\n", round, br);
        } else if (strcmp(mode, "spirv") == 0) {
            known = 1;
            static uint32_t code[sizeof(add_comp_spv) / 4];
            memcpy(code, add_comp_spv, sizeof code);
            srand(argc > 3 ? (unsigned)atoi(argv[3]) : 146u);
            int changes = 1 + rand() % 4;
            for (int i = 0; i < changes; i++) {
                int w = 5 + rand() % (int)(sizeof code / 4 - 5);
                switch (rand() % 3) {
                case 0: code[w] ^= 1u << (rand() % 32); break;
                case 1: code[w] = (uint32_t)(rand() % 64); break;
                default: code[w] = (code[w] & 0xffff) | ((uint32_t)(rand() % 8) << 16); break;
                }
            }
            VkShaderModuleCreateInfo smi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = sizeof code,
                                            .pCode = code};
            if (vkCreateShaderModule(dev, &smi, NULL, &cs.module) == VK_SUCCESS) {
                VkDescriptorSetLayoutBinding binds[3];
                for (uint32_t i = 0; i < 3; i++) {
                    binds[i] = (VkDescriptorSetLayoutBinding){.binding = i, .descriptorCount = 1,
                                                              .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
                                                              .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
                }
                compute_layout(binds, 3, &cs.dsl, &cs.layout);
                VkComputePipelineCreateInfo cpi = {
                    .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
                    .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                              .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = cs.module, .pName = "main"},
                    .layout = cs.layout};
                VkResult pr = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, NULL, &cs.pipeline);
                printf("round %d: vkCreateComputePipelines of a changed module: %d\n", round, pr);
            }
        } else if (strcmp(mode, "setlayout") == 0 || strcmp(mode, "unbound") == 0) {
            known = 1;
            VkDescriptorType types[3] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                         VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
            /* far: binding 0 an array of 4096, so the shader's binding 2 lies 4097 descriptors into the set */
            add_pipeline(types, argc > 3 && strcmp(argv[3], "far") == 0 ? 4096 : 1, &cs.module, &cs.dsl, &cs.layout,
                         &cs.pipeline);
            VkDescriptorSetLayoutBinding binds[1] = {{.binding = 0, .descriptorCount = 1,
                                                      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
                                                      .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER}};
            VkDescriptorSetLayoutCreateInfo small = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                                     .bindingCount = 1, .pBindings = binds};
            check(vkCreateDescriptorSetLayout(dev, &small, NULL, &cs.other), "vkCreateDescriptorSetLayout");
            VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
            VkDescriptorSet set = one_set(&ps, 1, cs.other, &cs.pool);
            check(vku_host_buffer(phys, dev, 16384, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &hb, &hostBits, &failed), failed);
            VkDescriptorBufferInfo dbi = {hb.buf, 0, 16384};
            VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0,
                                      .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                      .pBufferInfo = &dbi};
            vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);
            add_dispatch(cmd, cs.pipeline, cs.layout, mode[0] == 's' ? &set : NULL, 0, NULL); /* unbound: no set */
        } else if (strcmp(mode, "arrayindex") == 0 || strcmp(mode, "pushbig") == 0) {
            known = 1;
            int push = mode[0] == 'p';
            uint32_t count = push ? 1 : 4;
            VkDescriptorSetLayoutBinding b = {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                              .descriptorCount = count, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
            compute_pipeline(push ? push_comp_spv : index_comp_spv, push ? sizeof push_comp_spv : sizeof index_comp_spv,
                             &b, 1, &cs.module, &cs.dsl, &cs.layout, &cs.pipeline);
            VkDescriptorSet set = storage_set(count, push ? 64 : 256, cs.dsl, &cs.pool, &hb, &hostBits);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.pipeline);
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 1, &set, 0, NULL);
            /* arrayindex: the index into the four descriptors; pushbig: the only push constant word in range */
            uint32_t value = push ? 7 : argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 100000u;
            vkCmdPushConstants(cmd, cs.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &value);
            vkCmdDispatch(cmd, 1, 1, 1);
        } else if (strcmp(mode, "spec") == 0) {
            known = 1;
            /* e2e/venus/spec.comp: constant 0 the workgroup width, 1 a workgroup array's length, 2 a local one's */
            const char *v = argc > 3 ? argv[3] : "shared";
            uint32_t values[3] = {1, 4, 4};
            values[!strcmp(v, "size") ? 0 : !strcmp(v, "local") ? 2 : 1] =
                argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 0) : !strcmp(v, "size") ? 1u << 20 : 1u << 26;
            VkSpecializationMapEntry entries[3] = {{0, 0, 4}, {1, 4, 4}, {2, 8, 4}};
            VkSpecializationInfo spec = {.mapEntryCount = 3, .pMapEntries = entries, .dataSize = sizeof values,
                                         .pData = values};
            VkShaderModuleCreateInfo smi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                            .codeSize = sizeof(spec_comp_spv), .pCode = spec_comp_spv};
            check(vkCreateShaderModule(dev, &smi, NULL, &cs.module), "vkCreateShaderModule");
            VkDescriptorSetLayoutBinding one = {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
            compute_layout(&one, 1, &cs.dsl, &cs.layout);
            VkComputePipelineCreateInfo cpi = {
                .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
                .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                          .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = cs.module, .pName = "main",
                          .pSpecializationInfo = &spec},
                .layout = cs.layout};
            VkResult pr = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, NULL, &cs.pipeline);
            printf("round %d: vkCreateComputePipelines (spec %s): %d\n", round, v, pr);
            if (pr == VK_SUCCESS) {
                VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
                VkDescriptorSet set = one_set(&ps, 1, cs.dsl, &cs.pool);
                check(vku_host_buffer(phys, dev, 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &hb, &hostBits, &failed),
                      failed);
                VkDescriptorBufferInfo dbi = {hb.buf, 0, 16};
                VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set,
                                          .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                          .pBufferInfo = &dbi};
                vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);
                vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.pipeline);
                vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 1, &set, 0, NULL);
                vkCmdDispatch(cmd, 1, 1, 1);
            }
        } else if (strcmp(mode, "descwrite") == 0) {
            known = 1;
            /* one write of 4096 storage buffer descriptors into a binding of one (type: of storage images into it) */
            VkDescriptorSetLayoutBinding one = {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
            compute_layout(&one, 1, &cs.dsl, &cs.layout);
            VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
            VkDescriptorSet set = one_set(&ps, 1, cs.dsl, &cs.pool);
            check(vku_host_buffer(phys, dev, 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &hb, &hostBits, &failed), failed);
            static VkDescriptorBufferInfo many[4096];
            for (uint32_t i = 0; i < 4096; i++) many[i] = (VkDescriptorBufferInfo){hb.buf, 0, 16};
            int typed = argc > 3 && strcmp(argv[3], "type") == 0;
            VkDescriptorImageInfo dii[4] = {{0}};
            VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0,
                                      .descriptorCount = typed ? 1 : 4096,
                                      .descriptorType = typed ? VK_DESCRIPTOR_TYPE_STORAGE_IMAGE
                                                              : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                      .pImageInfo = dii, .pBufferInfo = many};
            vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);
        } else if (strcmp(mode, "inline") == 0) {
            known = 1;
            /* a 16-byte inline uniform block written with 1 MiB of data (count: 1 MiB of descriptorCount too) */
            VkDescriptorSetLayoutBinding block = {.binding = 0, .descriptorType = VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK,
                                                  .descriptorCount = 16, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
            compute_layout(&block, 1, &cs.dsl, &cs.layout);
            VkDescriptorPoolInlineUniformBlockCreateInfo pib = {
                .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_INLINE_UNIFORM_BLOCK_CREATE_INFO,
                .maxInlineUniformBlockBindings = 1};
            VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, 16};
            VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .pNext = &pib,
                                              .maxSets = 1, .poolSizeCount = 1, .pPoolSizes = &ps};
            check(vkCreateDescriptorPool(dev, &dpi, NULL, &cs.pool), "vkCreateDescriptorPool");
            VkDescriptorSetAllocateInfo dsai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                                .descriptorPool = cs.pool, .descriptorSetCount = 1,
                                                .pSetLayouts = &cs.dsl};
            VkDescriptorSet set;
            check(vkAllocateDescriptorSets(dev, &dsai, &set), "vkAllocateDescriptorSets");
            static uint8_t big[1 << 20];
            memset(big, 0x5a, sizeof big);
            int count = argc > 3 && strcmp(argv[3], "count") == 0;
            VkWriteDescriptorSetInlineUniformBlock wib = {
                .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_INLINE_UNIFORM_BLOCK, .dataSize = sizeof big,
                .pData = big};
            VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .pNext = &wib, .dstSet = set,
                                      .dstBinding = 0, .descriptorCount = count ? sizeof big : 16,
                                      .descriptorType = VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK};
            vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);
        } else if (strcmp(mode, "descview") == 0) {
            known = 1;
            /* sampler: a combined image sampler written with no sampler; texel: a storage texel buffer view of a
             * buffer made without STORAGE_TEXEL_BUFFER usage */
            int texel = argc > 3 && strcmp(argv[3], "texel") == 0;
            VkDescriptorType type = texel ? VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER
                                          : VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
            VkDescriptorSetLayoutBinding one = {.binding = 0, .descriptorType = type, .descriptorCount = 1,
                                                .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
            compute_layout(&one, 1, &cs.dsl, &cs.layout);
            VkDescriptorPoolSize ps = {type, 1};
            VkDescriptorSet set = one_set(&ps, 1, cs.dsl, &cs.pool);
            VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0,
                                      .descriptorCount = 1, .descriptorType = type};
            VkDescriptorImageInfo dii = {0};
            VkBufferView bv = VK_NULL_HANDLE;
            if (texel) {
                check(vku_host_buffer(phys, dev, 4096, VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT, &hb, &hostBits,
                                      &failed), failed);
                VkBufferViewCreateInfo bvi = {.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO, .buffer = hb.buf,
                                              .format = VK_FORMAT_R32_UINT, .range = VK_WHOLE_SIZE};
                check(vkCreateBufferView(dev, &bvi, NULL, &bv), "vkCreateBufferView");
                w.pTexelBufferView = &bv;
            } else {
                a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
                general(cmd, &a, NULL);
                rt.view = view2d(a.image);
                dii = (VkDescriptorImageInfo){.imageView = rt.view, .imageLayout = VK_IMAGE_LAYOUT_GENERAL};
                w.pImageInfo = &dii;
            }
            vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);
            if (bv) vkDestroyBufferView(dev, bv, NULL);
        } else if (strcmp(mode, "sampler") == 0) {
            known = 1;
            /* e2e/venus/sample.comp samples a 16x16 image through two samplers made with values past their enums
             * or ranges (V: border, borderedge, aniso, lod, filter, compare, reduction, custom, customnone, swizzle),
             * or with descriptors left unwritten (unset, unsetbuf) or stale (stale) */
            const char *v = argc > 3 ? argv[3] : "filter";
            VkDescriptorType types[3] = {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
                                         VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
            typed_pipeline(sample_comp_spv, sizeof(sample_comp_spv), types, 3, 1, &cs.module, &cs.dsl, &cs.layout,
                           &cs.pipeline);
            VkDescriptorPoolSize ps[2] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 2},
                                          {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}};
            VkDescriptorSet set = one_set(ps, 2, cs.dsl, &cs.pool);
            check(vku_host_buffer(phys, dev, 128, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &hb, &hostBits, &failed), failed);
            /* viewfmt: a 4096x2 RGBA8 image sampled through an R32G32B32A32_SFLOAT view (four times its texel size,
             * made without VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT) */
            int viewfmt = !strcmp(v, "viewfmt");
            a = image(viewfmt ? 4096 : 16, viewfmt ? 2 : 16, VK_SAMPLE_COUNT_1_BIT, 0);
            general(cmd, &a, NULL);
            /* swizzle: the sampled view's components past VkComponentSwizzle */
            if (!strcmp(v, "swizzle")) viewSwizzle = (VkComponentSwizzle)1000;
            if (viewfmt) viewFormat = VK_FORMAT_R32G32B32A32_SFLOAT;
            rt.view = view2d(a.image);
            viewSwizzle = VK_COMPONENT_SWIZZLE_IDENTITY;
            viewFormat = 0;
            VkSamplerReductionModeCreateInfo red = {.sType = VK_STRUCTURE_TYPE_SAMPLER_REDUCTION_MODE_CREATE_INFO,
                                                    .reductionMode = (VkSamplerReductionMode)1000};
            VkSamplerCustomBorderColorCreateInfoEXT cbc = {
                .sType = VK_STRUCTURE_TYPE_SAMPLER_CUSTOM_BORDER_COLOR_CREATE_INFO_EXT, .format = (VkFormat)1000};
            VkSamplerCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO, .magFilter = VK_FILTER_LINEAR,
                                       .minFilter = VK_FILTER_LINEAR,
                                       .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
                                       .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
                                       .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER, .maxLod = 1};
            if (!strcmp(v, "border")) {
                sci.borderColor = (VkBorderColor)1000;
            } else if (!strcmp(v, "aniso")) {
                sci.anisotropyEnable = VK_TRUE;
                sci.maxAnisotropy = 1e30f;
            } else if (!strcmp(v, "lod")) {
                sci.mipLodBias = 1e30f;
                sci.minLod = 1e30f;
                sci.maxLod = -1e30f;
            } else if (!strcmp(v, "filter")) {
                sci.magFilter = sci.minFilter = (VkFilter)1000;
                sci.mipmapMode = (VkSamplerMipmapMode)1000;
                sci.addressModeU = sci.addressModeV = (VkSamplerAddressMode)1000;
            } else if (!strcmp(v, "compare")) {
                sci.compareEnable = VK_TRUE;
                sci.compareOp = (VkCompareOp)1000;
            } else if (!strcmp(v, "reduction")) {
                sci.pNext = &red;
            } else if (!strcmp(v, "custom")) {
                sci.borderColor = VK_BORDER_COLOR_FLOAT_CUSTOM_EXT;
                sci.pNext = &cbc;
            } else if (!strcmp(v, "customnone")) {
                sci.borderColor = VK_BORDER_COLOR_INT_CUSTOM_EXT; /* without its VkSamplerCustomBorderColorCreateInfoEXT */
            } else if (!strcmp(v, "borderedge")) {
                sci.borderColor = (VkBorderColor)1000; /* and no address mode uses the border */
                sci.addressModeU = sci.addressModeV = sci.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
            }
            static VkSampler sampler;
            if (!sampler) check(vkCreateSampler(dev, &sci, NULL, &sampler), "vkCreateSampler");
            VkDescriptorImageInfo dii = {sampler, rt.view, VK_IMAGE_LAYOUT_GENERAL};
            VkDescriptorBufferInfo dbi = {hb.buf, 0, 128};
            /* unset: the image descriptors never written; stale: their view (and sampler) destroyed after the write */
            int unset = !strcmp(v, "unset"), stale = !strcmp(v, "stale");
            VkWriteDescriptorSet w[2] = {
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0, .descriptorCount = 2,
                 .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = (VkDescriptorImageInfo[]){dii, dii}},
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 2, .descriptorCount = 1,
                 .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &dbi}};
            /* unsetbuf: the storage buffer descriptor never written */
            vkUpdateDescriptorSets(dev, unset || !strcmp(v, "unsetbuf") ? 1 : 2, unset ? &w[1] : w, 0, NULL);
            if (stale) {
                vkDestroyImageView(dev, rt.view, NULL);
                rt.view = VK_NULL_HANDLE;
                vkDestroySampler(dev, sampler, NULL);
                sampler = VK_NULL_HANDLE;
            }
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.pipeline);
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 1, &set, 0, NULL);
            vkCmdDispatch(cmd, 1, 1, 1);
        } else if (strcmp(mode, "recdestroy") == 0 && argc > 3 && strncmp(argv[3], "desc", 4) == 0) {
            known = 1;
            /* desc: add.comp's dispatch recorded with its three storage buffers in one host-visible buffer, written
             * into a set, then (once the command buffer has ended) that buffer and its memory destroyed before the
             * submit; descfirst: destroyed before the recording, so only the set the dispatch binds names it */
            static HostBuffer bufs;
            /* 3 x 4 MiB: Mesa's Venus driver suballocates small host-visible allocations from memory it keeps, so a
             * free of those never reaches the server */
            const VkDeviceSize part = 4u << 20;
            check(vku_host_buffer(phys, dev, 3 * part, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &bufs, &hostBits, &failed),
                  failed);
            VkDescriptorType types[3] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                         VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
            add_pipeline(types, 1, &cs.module, &cs.dsl, &cs.layout, &cs.pipeline);
            VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
            VkDescriptorSet set = one_set(&ps, 1, cs.dsl, &cs.pool);
            VkDescriptorBufferInfo dbi[3] = {{bufs.buf, 0, 16384}, {bufs.buf, part, 16384}, {bufs.buf, 2 * part, 16384}};
            write_three(set, types, dbi);
            if (strcmp(argv[3], "descfirst") == 0) vku_free_host_buffer(dev, &bufs);
            else destroyAfterEnd = &bufs;
            add_dispatch(cmd, cs.pipeline, cs.layout, &set, 0, NULL);
        } else if (strcmp(mode, "recdestroy") == 0) {
            known = 1;
            /* a copy between two buffers recorded, then (once the command buffer has ended) its source buffer
             * destroyed before the submit */
            check(vku_host_buffer(phys, dev, 4096, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                  &hb, &hostBits, &failed), failed);
            static HostBuffer src;
            check(vku_host_buffer(phys, dev, 4096, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, &src, &hostBits, &failed), failed);
            VkBufferCopy bc = {0, 0, 4096};
            vkCmdCopyBuffer(cmd, src.buf, hb.buf, 1, &bc);
            destroyAfterEnd = &src;
        } else if (strcmp(mode, "push") == 0) {
            known = 1;
            /* VK_KHR_push_descriptor: e2e/venus/sample.comp with its set pushed, V one of: ok (all three bindings),
             * unset (only the storage buffer: the two combined image samplers never pushed), foreign (the same
             * after a set of add.comp's three storage buffers was bound at set 0: lavapipe starts the pushed set as
             * a copy of it), range (4 descriptors from binding 0 element 1, past the set's three), notpush (into
             * add.comp's layout, not a push descriptor layout), setpast (set 5 of a layout of one), big (a push
             * descriptor layout of 64 storage buffers, past lavapipe's maxPushDescriptors of 32) */
            const char *v = argc > 3 ? argv[3] : "ok";
            PFN_vkCmdPushDescriptorSetKHR push =
                (PFN_vkCmdPushDescriptorSetKHR)vkGetDeviceProcAddr(dev, "vkCmdPushDescriptorSetKHR");
            if (!push) check(VK_ERROR_EXTENSION_NOT_PRESENT, "vkGetDeviceProcAddr(vkCmdPushDescriptorSetKHR)");
            VkDescriptorSetLayoutBinding binds[64];
            int big = !strcmp(v, "big");
            for (uint32_t i = 0; i < 64; i++) {
                binds[i] = (VkDescriptorSetLayoutBinding){
                    .binding = i, .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
                    .descriptorType = i < 2 && !big ? VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER
                                                    : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
            }
            VkDescriptorSetLayoutCreateInfo dli = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                                   .flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR,
                                                   .bindingCount = big ? 64 : 3, .pBindings = binds};
            check(vkCreateDescriptorSetLayout(dev, &dli, NULL, &cs.dsl), "vkCreateDescriptorSetLayout (push)");
            VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                              .setLayoutCount = 1, .pSetLayouts = &cs.dsl};
            check(vkCreatePipelineLayout(dev, &pli, NULL, &cs.layout), "vkCreatePipelineLayout (push)");
            VkShaderModuleCreateInfo smi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                            .codeSize = sizeof(sample_comp_spv), .pCode = sample_comp_spv};
            check(vkCreateShaderModule(dev, &smi, NULL, &cs.module), "vkCreateShaderModule");
            VkComputePipelineCreateInfo cpi = {
                .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
                .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                          .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = cs.module, .pName = "main"},
                .layout = cs.layout};
            if (!big) {
                check(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, NULL, &cs.pipeline),
                      "vkCreateComputePipelines (push)");
            }
            check(vku_host_buffer(phys, dev, 128, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &hb, &hostBits, &failed), failed);
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            general(cmd, &a, NULL);
            rt.view = view2d(a.image);
            static VkSampler psampler;
            VkSamplerCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
            if (!psampler) check(vkCreateSampler(dev, &sci, NULL, &psampler), "vkCreateSampler");
            VkDescriptorImageInfo dii[2] = {{psampler, rt.view, VK_IMAGE_LAYOUT_GENERAL},
                                            {psampler, rt.view, VK_IMAGE_LAYOUT_GENERAL}};
            VkDescriptorBufferInfo dbi[4] = {{hb.buf, 0, 128}, {hb.buf, 0, 128}, {hb.buf, 0, 128}, {hb.buf, 0, 128}};
            VkWriteDescriptorSet w[2] = {
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0, .descriptorCount = 2,
                 .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = dii},
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 2, .descriptorCount = 1,
                 .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = dbi}};
            if (!strcmp(v, "foreign") || !strcmp(v, "notpush")) {
                /* add.comp's layout (three storage buffers) and a set of it, written, bound at set 0 */
                VkDescriptorSetLayoutBinding ab[3];
                for (uint32_t i = 0; i < 3; i++) {
                    ab[i] = (VkDescriptorSetLayoutBinding){.binding = i, .descriptorCount = 1,
                                                           .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                           .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
                }
                compute_layout(ab, 3, &cs.other, &cs.otherLayout);
                VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
                VkDescriptorSet set = one_set(&ps, 1, cs.other, &cs.pool);
                VkWriteDescriptorSet aw = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set,
                                           .dstBinding = 0, .descriptorCount = 3,
                                           .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = dbi};
                vkUpdateDescriptorSets(dev, 1, &aw, 0, NULL);
                vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.otherLayout, 0, 1, &set, 0, NULL);
            }
            if (cs.pipeline) vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.pipeline);
            if (!strcmp(v, "ok") || !strcmp(v, "stale") || !strcmp(v, "staleend")) {
                push(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 2, w);
                /* staleend: the same once the command buffer has ended (Mesa has sent the recording by then) */
                staleAfterEnd = !strcmp(v, "staleend") ? &psampler : NULL;
                if (!strcmp(v, "stale")) {
                    /* the view and sampler destroyed after the push was recorded, before the submit */
                    vkDestroyImageView(dev, rt.view, NULL);
                    rt.view = VK_NULL_HANDLE;
                    vkDestroySampler(dev, psampler, NULL);
                    psampler = VK_NULL_HANDLE;
                }
            } else if (!strcmp(v, "unset") || !strcmp(v, "foreign")) {
                push(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 1, &w[1]);
            } else if (!strcmp(v, "range")) {
                VkWriteDescriptorSet r4 = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = 0,
                                           .dstArrayElement = 1, .descriptorCount = 4,
                                           .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
                                           .pImageInfo = (VkDescriptorImageInfo[]){dii[0], dii[0], dii[0], dii[0]}};
                push(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 1, &r4);
            } else if (!strcmp(v, "notpush")) {
                push(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.otherLayout, 0, 1, &w[1]);
            } else if (!strcmp(v, "setpast")) {
                push(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 5, 1, &w[1]);
            } else if (!big) {
                known = 0;
            }
            if (cs.pipeline) vkCmdDispatch(cmd, 1, 1, 1);
        } else if (strcmp(mode, "cache") == 0) {
            known = 1;
            /* pipeline cache data the driver made for add.comp's pipeline, mutated after its first 64 bytes (the
             * headers) by seed S (argument; each round its own), fed back to vkCreatePipelineCache and used */
            static uint8_t *good, *bad;
            static size_t goodSize;
            static uint32_t seed;
            VkPipelineCacheCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
            VkPipelineCache pc;
            VkDescriptorType types[3] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                         VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
            add_pipeline(types, 1, &cs.module, &cs.dsl, &cs.layout, &cs.pipeline);
            VkComputePipelineCreateInfo cpi = {
                .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
                .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                          .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = cs.module, .pName = "main"},
                .layout = cs.layout};
            if (!good) {
                seed = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 1;
                check(vkCreatePipelineCache(dev, &pci, NULL, &pc), "vkCreatePipelineCache");
                VkPipeline p;
                check(vkCreateComputePipelines(dev, pc, 1, &cpi, NULL, &p), "vkCreateComputePipelines (cache)");
                vkDestroyPipeline(dev, p, NULL);
                check(vkGetPipelineCacheData(dev, pc, &goodSize, NULL), "vkGetPipelineCacheData");
                good = malloc(goodSize);
                bad = malloc(goodSize + 4096);
                check(vkGetPipelineCacheData(dev, pc, &goodSize, good), "vkGetPipelineCacheData");
                vkDestroyPipelineCache(dev, pc, NULL);
                printf("pipeline cache data: %zu bytes\n", goodSize);
            }
            uint32_t x = seed++ * 2654435761u | 1;
#define NEXT (x ^= x << 13, x ^= x >> 17, x ^= x << 5)
            memcpy(bad, good, goodSize);
            size_t size = goodSize;
            /* hdr (a fourth argument): the headers' first 32 bytes mutated as well */
            size_t from = argc > 4 && strcmp(argv[4], "hdr") == 0 ? 0 : 64;
            for (size_t i = from; i < size; i++) {
                if (NEXT % (from ? 64 : 8) == 0) bad[i] = (uint8_t)NEXT;
            }
            if (size > 68 && NEXT % 4 == 0) {
                size_t at = 64 + NEXT % (size - 68);
                memset(bad + at, 0xff, 4);
            }
            if (NEXT % 4 == 0) size = 64 + NEXT % (goodSize + 4096 - 64);
#undef NEXT
            pci.initialDataSize = size;
            pci.pInitialData = bad;
            if (vkCreatePipelineCache(dev, &pci, NULL, &pc) == VK_SUCCESS) {
                VkPipeline p;
                if (vkCreateComputePipelines(dev, pc, 1, &cpi, NULL, &p) == VK_SUCCESS) vkDestroyPipeline(dev, p, NULL);
                size_t out = 0;
                vkGetPipelineCacheData(dev, pc, &out, NULL);
                vkDestroyPipelineCache(dev, pc, NULL);
            }
        } else if (strcmp(mode, "imgsamples") == 0) {
            known = 1;
            /* a 16x16 image of N samples (default 3, not a VkSampleCountFlagBits), viewed and cleared as a render
             * pass attachment */
            uint32_t n = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 3;
            /* passfmt (after N): a 4096x16 image in a pass whose attachment is R32G32B32A32_SFLOAT */
            int passfmt = argc > 4 && strcmp(argv[4], "passfmt") == 0;
            /* multiview (after N): a 256x256 one-layer image in a pass whose subpass renders views 0-7 */
            int multiview = argc > 4 && strcmp(argv[4], "multiview") == 0;
            int big = multiview || (argc > 4 && strcmp(argv[4], "imageless") == 0);
            uint32_t w = passfmt ? 4096 : big ? 256 : 16, h = big ? 256 : 16;
            a = image(w, h, (VkSampleCountFlagBits)n, 0);
            rt.view = view2d(a.image);
            passFormat = passfmt ? VK_FORMAT_R32G32B32A32_SFLOAT : 0;
            passViewMask = multiview ? 0xff : 0;
            rt.pass = color_pass((VkSampleCountFlagBits)n);
            passFormat = 0;
            passViewMask = 0;
            VkFramebufferCreateInfo fbi = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO, .renderPass = rt.pass,
                                           .attachmentCount = 1, .pAttachments = &rt.view, .width = w, .height = h,
                                           .layers = 1};
            /* imageless (after N): the multiview pass with an imageless framebuffer that claims 8 layers, begun with
             * the one-layer view */
            int imageless = argc > 4 && strcmp(argv[4], "imageless") == 0;
            VkFormat rgba8 = VK_FORMAT_R8G8B8A8_UNORM;
            VkFramebufferAttachmentImageInfo fai = {
                .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_ATTACHMENT_IMAGE_INFO,
                .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_SAMPLED_BIT |
                         VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT,
                .width = w, .height = h, .layerCount = 8, .viewFormatCount = 1, .pViewFormats = &rgba8};
            VkFramebufferAttachmentsCreateInfo fas = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_ATTACHMENTS_CREATE_INFO,
                                                      .attachmentImageInfoCount = 1, .pAttachmentImageInfos = &fai};
            VkRenderPassAttachmentBeginInfo abi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_ATTACHMENT_BEGIN_INFO,
                                                   .attachmentCount = 1, .pAttachments = &rt.view};
            if (imageless) {
                passViewMask = 0xff;
                vkDestroyRenderPass(dev, rt.pass, NULL);
                rt.pass = color_pass((VkSampleCountFlagBits)n);
                passViewMask = 0;
                fbi.renderPass = rt.pass;
                fbi.pNext = &fas;
                fbi.flags = VK_FRAMEBUFFER_CREATE_IMAGELESS_BIT;
                fbi.pAttachments = NULL;
            }
            check(vkCreateFramebuffer(dev, &fbi, NULL, &rt.fb), "vkCreateFramebuffer");
            VkClearValue cv = {.color = {.float32 = {1, 0, 0, 1}}};
            VkRenderPassBeginInfo rbi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, .renderPass = rt.pass,
                                         .pNext = imageless ? &abi : NULL,
                                         .framebuffer = rt.fb, .renderArea = {{0, 0}, {w, h}},
                                         .clearValueCount = 1, .pClearValues = &cv};
            vkCmdBeginRenderPass(cmd, &rbi, VK_SUBPASS_CONTENTS_INLINE);
            vkCmdEndRenderPass(cmd);
        } else if (strcmp(mode, "storefmt") == 0) {
            known = 1;
            /* e2e/venus/store.comp stores to texel (X, 1) (argument, default 4095) of a 4096x2 RGBA8 image through
             * an R32G32B32A32_SFLOAT view (four times the image's texel size) */
            VkDescriptorType storage = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE;
            typed_pipeline(store_comp_spv, sizeof(store_comp_spv), &storage, 1, 1, &cs.module, &cs.dsl, &cs.layout,
                           &cs.pipeline);
            VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1};
            VkDescriptorSet set = one_set(&ps, 1, cs.dsl, &cs.pool);
            extraUsage = VK_IMAGE_USAGE_STORAGE_BIT;
            a = image(4096, 2, VK_SAMPLE_COUNT_1_BIT, 0);
            extraUsage = 0;
            general(cmd, &a, NULL);
            viewFormat = VK_FORMAT_R32G32B32A32_SFLOAT;
            rt.view = view2d(a.image);
            viewFormat = 0;
            VkDescriptorImageInfo dii = {VK_NULL_HANDLE, rt.view, VK_IMAGE_LAYOUT_GENERAL};
            VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0,
                                      .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
                                      .pImageInfo = &dii};
            vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.pipeline);
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 1, &set, 0, NULL);
            int32_t x = argc > 3 ? atoi(argv[3]) : 4095;
            vkCmdPushConstants(cmd, cs.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &x);
            vkCmdDispatch(cmd, 1, 1, 1);
        } else if (strcmp(mode, "ycbcr") == 0) {
            known = 1;
            /* a sampler YCbCr conversion with values past their enums (V: format, model, swizzle), and a sampler
             * made with it */
            const char *v = argc > 3 ? argv[3] : "model";
            VkSamplerYcbcrConversionCreateInfo yci = {
                .sType = VK_STRUCTURE_TYPE_SAMPLER_YCBCR_CONVERSION_CREATE_INFO,
                .format = VK_FORMAT_G8_B8R8_2PLANE_420_UNORM, .chromaFilter = VK_FILTER_NEAREST};
            if (!strcmp(v, "format")) {
                yci.format = (VkFormat)1000;
            } else if (!strcmp(v, "model")) {
                yci.ycbcrModel = (VkSamplerYcbcrModelConversion)1000;
                yci.ycbcrRange = (VkSamplerYcbcrRange)1000;
                yci.xChromaOffset = yci.yChromaOffset = (VkChromaLocation)1000;
                yci.chromaFilter = (VkFilter)1000;
            } else if (!strcmp(v, "swizzle")) {
                yci.components = (VkComponentMapping){(VkComponentSwizzle)1000, (VkComponentSwizzle)1000,
                                                      (VkComponentSwizzle)1000, (VkComponentSwizzle)1000};
            }
            static VkSamplerYcbcrConversion conv;
            static VkSampler ysampler;
            if (!conv) check(vkCreateSamplerYcbcrConversion(dev, &yci, NULL, &conv), "vkCreateSamplerYcbcrConversion");
            VkSamplerYcbcrConversionInfo info = {.sType = VK_STRUCTURE_TYPE_SAMPLER_YCBCR_CONVERSION_INFO,
                                                 .conversion = conv};
            VkSamplerCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO, .pNext = &info,
                                       .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                                       .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                                       .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE};
            if (!ysampler) check(vkCreateSampler(dev, &sci, NULL, &ysampler), "vkCreateSampler");
        } else if (strcmp(mode, "viewtype") == 0) {
            known = 1;
            /* e2e/venus/view3d.comp reads a 3D texture and a 3D storage image; the set holds 2D views */
            VkDescriptorType types[3] = {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
                                         VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
            typed_pipeline(view3d_comp_spv, sizeof(view3d_comp_spv), types, 3, 1, &cs.module, &cs.dsl, &cs.layout,
                           &cs.pipeline);
            VkDescriptorPoolSize ps[3] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1},
                                          {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1}, {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}};
            VkDescriptorSet set = one_set(ps, 3, cs.dsl, &cs.pool);
            check(vku_host_buffer(phys, dev, 64, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &hb, &hostBits, &failed), failed);
            extraUsage = VK_IMAGE_USAGE_STORAGE_BIT;
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            extraUsage = 0;
            general(cmd, &a, NULL);
            rt.view = view2d(a.image);
            VkSamplerCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO, .magFilter = VK_FILTER_NEAREST,
                                       .minFilter = VK_FILTER_NEAREST};
            static VkSampler sampler;
            if (!sampler) check(vkCreateSampler(dev, &sci, NULL, &sampler), "vkCreateSampler");
            VkDescriptorImageInfo dii[2] = {{sampler, rt.view, VK_IMAGE_LAYOUT_GENERAL},
                                            {VK_NULL_HANDLE, rt.view, VK_IMAGE_LAYOUT_GENERAL}};
            VkDescriptorBufferInfo dbi = {hb.buf, 0, 64};
            VkWriteDescriptorSet w[3] = {
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0, .descriptorCount = 1,
                 .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &dii[0]},
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 1, .descriptorCount = 1,
                 .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, .pImageInfo = &dii[1]},
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 2, .descriptorCount = 1,
                 .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &dbi}};
            vkUpdateDescriptorSets(dev, 3, w, 0, NULL);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.pipeline);
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cs.layout, 0, 1, &set, 0, NULL);
            vkCmdDispatch(cmd, 1, 1, 1);
        } else if (strcmp(mode, "desctype") == 0) {
            known = 1;
            /* e2e/venus/add.comp, whose binding 2 is a storage buffer, with a layout that makes it a storage image */
            VkDescriptorType types[3] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                         VK_DESCRIPTOR_TYPE_STORAGE_IMAGE};
            /* usage: no pipeline, only the descriptor write of an image made without VK_IMAGE_USAGE_STORAGE_BIT */
            int usage = argc > 3 && strcmp(argv[3], "usage") == 0;
            if (usage) {
                VkDescriptorSetLayoutBinding binds[3];
                for (uint32_t i = 0; i < 3; i++) {
                    binds[i] = (VkDescriptorSetLayoutBinding){.binding = i, .descriptorCount = 1,
                                                              .descriptorType = types[i],
                                                              .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
                }
                compute_layout(binds, 3, &cs.dsl, &cs.layout);
            } else {
                add_pipeline(types, 1, &cs.module, &cs.dsl, &cs.layout, &cs.pipeline);
            }
            VkDescriptorPoolSize ps[2] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2}, {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1}};
            VkDescriptorSet set = one_set(ps, 2, cs.dsl, &cs.pool);
            check(vku_host_buffer(phys, dev, 2 * 16384, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &hb, &hostBits, &failed),
                  failed);
            extraUsage = usage ? 0 : VK_IMAGE_USAGE_STORAGE_BIT;
            a = image(16, 16, VK_SAMPLE_COUNT_1_BIT, 0);
            general(cmd, &a, NULL);
            rt.view = view2d(a.image);
            extraUsage = 0;
            VkDescriptorBufferInfo dbi[2] = {{hb.buf, 0, 16384}, {hb.buf, 16384, 16384}};
            VkDescriptorImageInfo dii = {.imageView = rt.view, .imageLayout = VK_IMAGE_LAYOUT_GENERAL};
            VkWriteDescriptorSet w[2] = {
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0, .descriptorCount = 2,
                 .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = dbi},
                {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 2, .descriptorCount = 1,
                 .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, .pImageInfo = &dii}};
            vkUpdateDescriptorSets(dev, 2, w, 0, NULL);
            if (!usage) add_dispatch(cmd, cs.pipeline, cs.layout, &set, 0, NULL);
        } else if (strcmp(mode, "draw") == 0 || strcmp(mode, "drawidx") == 0) {
            known = 1;
            a = draw_target(argc > 3 ? argv[3] : "valid", &rt.pass, &rt.fb, &rt.view, &cs.layout, &cs.pipeline, gm);
            check(vku_host_buffer(phys, dev, 16, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_INDEX_BUFFER_BIT,
                                  &hb, &hostBits, &failed), failed);
            memset(hb.map, 0, 16);
            VkClearValue cv = {.color = {.float32 = {0, 0, 0, 1}}};
            VkRenderPassBeginInfo rbi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, .renderPass = rt.pass,
                                         .framebuffer = rt.fb, .renderArea = {{0, 0}, {16, 16}},
                                         .clearValueCount = 1, .pClearValues = &cv};
            vkCmdBeginRenderPass(cmd, &rbi, VK_SUBPASS_CONTENTS_INLINE);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, cs.pipeline);
            if (argc > 3 && strcmp(argv[3], "enumdyn") == 0) {
                ((PFN_vkCmdSetDepthCompareOpEXT)vkGetDeviceProcAddr(dev, "vkCmdSetDepthCompareOpEXT"))(
                    cmd, (VkCompareOp)1000);
                ((PFN_vkCmdSetStencilOpEXT)vkGetDeviceProcAddr(dev, "vkCmdSetStencilOpEXT"))(
                    cmd, VK_STENCIL_FACE_FRONT_AND_BACK, (VkStencilOp)1000, (VkStencilOp)1000, (VkStencilOp)1000,
                    (VkCompareOp)1000);
                ((PFN_vkCmdSetFrontFaceEXT)vkGetDeviceProcAddr(dev, "vkCmdSetFrontFaceEXT"))(cmd, (VkFrontFace)7);
                ((PFN_vkCmdSetCullModeEXT)vkGetDeviceProcAddr(dev, "vkCmdSetCullModeEXT"))(cmd, 0xffff);
            }
            if (argc > 3 && strcmp(argv[3], "enumdyn3") == 0) {
                ((PFN_vkCmdSetPolygonModeEXT)vkGetDeviceProcAddr(dev, "vkCmdSetPolygonModeEXT"))(cmd,
                                                                                                (VkPolygonMode)1000);
                ((PFN_vkCmdSetLineRasterizationModeEXT)vkGetDeviceProcAddr(dev, "vkCmdSetLineRasterizationModeEXT"))(
                    cmd, (VkLineRasterizationModeEXT)1000);
                ((PFN_vkCmdSetProvokingVertexModeEXT)vkGetDeviceProcAddr(dev, "vkCmdSetProvokingVertexModeEXT"))(
                    cmd, (VkProvokingVertexModeEXT)1000);
            }
            if (argc > 3 && strncmp(argv[3], "tessdyn", 7) == 0 && argv[3][7] != 0) {
                ((PFN_vkCmdSetPatchControlPointsEXT)vkGetDeviceProcAddr(dev, "vkCmdSetPatchControlPointsEXT"))(
                    cmd, strcmp(argv[3], "tessdynok") == 0 ? 3 : 1u << 10);
            }
            if (argc > 3 && strcmp(argv[3], "cwedyn") == 0) {
                static VkBool32 writes[100];
                for (int i = 0; i < 100; i++) writes[i] = VK_TRUE;
                ((PFN_vkCmdSetColorWriteEnableEXT)vkGetDeviceProcAddr(dev, "vkCmdSetColorWriteEnableEXT"))(cmd, 100,
                                                                                                      writes);
            }
            if (argc > 3 && strcmp(argv[3], "samples3") == 0) {
                /* a state of extended dynamic state 3 whose feature is not enabled, past its enum */
                ((PFN_vkCmdSetRasterizationSamplesEXT)vkGetDeviceProcAddr(dev, "vkCmdSetRasterizationSamplesEXT"))(
                    cmd, (VkSampleCountFlagBits)1000);
            }
            if (argc > 3) draw_dyn3(cmd, argv[3]);
            if (argc > 3 && (strcmp(argv[3], "topodyn") == 0 || strcmp(argv[3], "tesstopo") == 0)) {
                PFN_vkCmdSetPrimitiveTopologyEXT setTopology =
                    (PFN_vkCmdSetPrimitiveTopologyEXT)vkGetDeviceProcAddr(dev, "vkCmdSetPrimitiveTopologyEXT");
                setTopology(cmd, argv[3][0] == 't' && argv[3][1] == 'o' ? VK_PRIMITIVE_TOPOLOGY_PATCH_LIST
                                                                        : VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST);
            }
            VkDeviceSize zero = 0;
            /* novb: no vertex buffer bound (drawidx novb: no index buffer either) */
            int novb = argc > 3 && strcmp(argv[3], "novb") == 0;
            if (!novb) vkCmdBindVertexBuffers(cmd, 0, 1, &hb.buf, &zero);
            float z[8] = {0};
            vkCmdPushConstants(cmd, cs.layout, VK_SHADER_STAGE_ALL_GRAPHICS, 0, 32, z);
            /* tessellated: 64 patches (each of up to 64 x 64 x 6 triangles at the highest level) */
            uint32_t verts = argc > 3 && strncmp(argv[3], "tess", 4) == 0 ? 3 * 64 : 3u << 20;
            if (argc > 3 && strncmp(argv[3], "multi", 5) == 0) {
                /* multiok: two draws of 3 vertices through VK_EXT_multi_draw, their infos 16 bytes apart; multinull:
                 * two draws and no infos (multiidx*: the same, indexed) */
                struct {
                    VkMultiDrawIndexedInfoEXT info;
                    uint32_t pad;
                } draws[2] = {{{0, 3, 0}, 0}, {{3, 3, 0}, 0}};
                int null = strstr(argv[3], "null") != NULL;
                if (strncmp(argv[3], "multiidx", 8) == 0) {
                    vkCmdBindIndexBuffer(cmd, hb.buf, 0, VK_INDEX_TYPE_UINT32);
                    ((PFN_vkCmdDrawMultiIndexedEXT)vkGetDeviceProcAddr(dev, "vkCmdDrawMultiIndexedEXT"))(
                        cmd, 2, null ? NULL : &draws[0].info, 1, 0, sizeof draws[0], NULL);
                } else {
                    ((PFN_vkCmdDrawMultiEXT)vkGetDeviceProcAddr(dev, "vkCmdDrawMultiEXT"))(
                        cmd, 2, null ? NULL : (const VkMultiDrawInfoEXT *)&draws[0].info, 1, 0, sizeof draws[0]);
                }
            } else if (mode[4] == 'i') {
                if (!novb) vkCmdBindIndexBuffer(cmd, hb.buf, 0, VK_INDEX_TYPE_UINT32);
                vkCmdDrawIndexed(cmd, verts, 1, 0, 0, 0);
            } else {
                vkCmdDraw(cmd, verts, 1, 0, 0);
            }
            vkCmdEndRenderPass(cmd);
        } else if (strcmp(mode, "xfb") == 0) {
            known = 1;
            const char *v = argc > 3 ? argv[3] : "counter";
            /* gap, capture: a pipeline whose vertex shader captures into transform feedback buffer 0 */
            int capture = strcmp(v, "gap") == 0 || strcmp(v, "capture") == 0 || strcmp(v, "bindcap") == 0;
            a = draw_target(capture ? "xfbvert" : "valid", &rt.pass, &rt.fb, &rt.view, &cs.layout, &cs.pipeline, gm);
            check(vku_host_buffer(phys, dev, 64, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT |
                                      VK_BUFFER_USAGE_TRANSFORM_FEEDBACK_BUFFER_BIT_EXT |
                                      VK_BUFFER_USAGE_TRANSFORM_FEEDBACK_COUNTER_BUFFER_BIT_EXT |
                                      VK_BUFFER_USAGE_CONDITIONAL_RENDERING_BIT_EXT,
                                  &hb, &hostBits, &failed), failed);
            memset(hb.map, 0, 64);
            if (strcmp(v, "stream") == 0 || strcmp(v, "genstream") == 0) {
                /* genstream: a primitives generated query (VK_EXT_primitives_generated_query) of vertex stream 100 */
                VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                            .queryType = v[0] == 'g' ? VK_QUERY_TYPE_PRIMITIVES_GENERATED_EXT
                                                                     : VK_QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM_EXT,
                                            .queryCount = 1};
                check(vkCreateQueryPool(dev, &qi, NULL, &qp), "vkCreateQueryPool");
                vkCmdResetQueryPool(cmd, qp, 0, 1);
            }
            PFN_vkCmdBindTransformFeedbackBuffersEXT bindXfb = (PFN_vkCmdBindTransformFeedbackBuffersEXT)
                vkGetDeviceProcAddr(dev, "vkCmdBindTransformFeedbackBuffersEXT");
            PFN_vkCmdBeginTransformFeedbackEXT beginXfb =
                (PFN_vkCmdBeginTransformFeedbackEXT)vkGetDeviceProcAddr(dev, "vkCmdBeginTransformFeedbackEXT");
            PFN_vkCmdEndTransformFeedbackEXT endXfb =
                (PFN_vkCmdEndTransformFeedbackEXT)vkGetDeviceProcAddr(dev, "vkCmdEndTransformFeedbackEXT");
            PFN_vkCmdDrawIndirectByteCountEXT drawByteCount =
                (PFN_vkCmdDrawIndirectByteCountEXT)vkGetDeviceProcAddr(dev, "vkCmdDrawIndirectByteCountEXT");
            PFN_vkCmdBeginQueryIndexedEXT beginIndexed =
                (PFN_vkCmdBeginQueryIndexedEXT)vkGetDeviceProcAddr(dev, "vkCmdBeginQueryIndexedEXT");
            PFN_vkCmdEndQueryIndexedEXT endIndexed =
                (PFN_vkCmdEndQueryIndexedEXT)vkGetDeviceProcAddr(dev, "vkCmdEndQueryIndexedEXT");
            PFN_vkCmdBeginConditionalRenderingEXT beginCond = (PFN_vkCmdBeginConditionalRenderingEXT)
                vkGetDeviceProcAddr(dev, "vkCmdBeginConditionalRenderingEXT");
            PFN_vkCmdEndConditionalRenderingEXT endCond =
                (PFN_vkCmdEndConditionalRenderingEXT)vkGetDeviceProcAddr(dev, "vkCmdEndConditionalRenderingEXT");
            if (!bindXfb || !beginXfb || !endXfb || !drawByteCount || !beginIndexed || !endIndexed || !beginCond ||
                !endCond) {
                printf("no transform feedback or conditional rendering entry points\nresult FAIL\n");
                return 1;
            }
            VkClearValue cv = {.color = {.float32 = {0, 0, 0, 1}}};
            VkRenderPassBeginInfo rbi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, .renderPass = rt.pass,
                                         .framebuffer = rt.fb, .renderArea = {{0, 0}, {16, 16}},
                                         .clearValueCount = 1, .pClearValues = &cv};
            VkDeviceSize zero = 0, far = 1ull << 30, big = 1ull << 20;
            if (strcmp(v, "condnest") == 0) {
                /* conditional rendering begun twice, ended once, then ended again outside (lavapipe survives it) */
                VkConditionalRenderingBeginInfoEXT ci = {
                    .sType = VK_STRUCTURE_TYPE_CONDITIONAL_RENDERING_BEGIN_INFO_EXT, .buffer = hb.buf};
                beginCond(cmd, &ci);
                beginCond(cmd, &ci);
                endCond(cmd);
            }
            if (strcmp(v, "condrender") == 0) {
                /* the predicate 1 GiB past a 64-byte buffer, read when the command buffer runs */
                VkConditionalRenderingBeginInfoEXT ci = {
                    .sType = VK_STRUCTURE_TYPE_CONDITIONAL_RENDERING_BEGIN_INFO_EXT, .buffer = hb.buf, .offset = far};
                beginCond(cmd, &ci);
            }
            vkCmdBeginRenderPass(cmd, &rbi, VK_SUBPASS_CONTENTS_INLINE);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, cs.pipeline);
            vkCmdBindVertexBuffers(cmd, 0, 1, &hb.buf, &zero);
            float z[8] = {0};
            vkCmdPushConstants(cmd, cs.layout, VK_SHADER_STAGE_ALL_GRAPHICS, 0, 32, z);
            if (strcmp(v, "bind") == 0 || strcmp(v, "binding") == 0) {
                /* bind: 1 MiB bound from a 64-byte buffer; binding: binding 100 */
                bindXfb(cmd, v[4] == 'i' ? 100 : 0, 1, &hb.buf, &zero, v[4] == 'i' ? NULL : &big);
                beginXfb(cmd, 0, 0, NULL, NULL);
                vkCmdDraw(cmd, 3, 1, 0, 0);
                endXfb(cmd, 0, 0, NULL, NULL);
            } else if (strcmp(v, "counter") == 0) {
                /* the counter read at the begin and written at the end 1 GiB past the buffer */
                bindXfb(cmd, 0, 1, &hb.buf, &zero, NULL);
                beginXfb(cmd, 0, 1, &hb.buf, &far);
                vkCmdDraw(cmd, 3, 1, 0, 0);
                endXfb(cmd, 0, 1, &hb.buf, &far);
            } else if (capture) {
                /* gap: only binding 1 bound, the shader capturing into buffer 0; capture: buffer 0 bound (valid);
                 * bindcap: 1 MiB bound from the 64-byte buffer, and 3M vertices captured into it */
                bindXfb(cmd, v[0] == 'g' ? 1 : 0, 1, &hb.buf, &zero, v[4] == 'c' ? &big : NULL);
                beginXfb(cmd, 0, 0, NULL, NULL);
                vkCmdDraw(cmd, v[4] == 'c' ? 3u << 20 : 3, 1, 0, 0);
                endXfb(cmd, 0, 0, NULL, NULL);
            } else if (strcmp(v, "endonly") == 0) {
                endXfb(cmd, 0, 1, &hb.buf, &zero); /* an end, with a counter buffer, of nothing begun or bound */
            } else if (strcmp(v, "beginonly") == 0) {
                beginXfb(cmd, 0, 1, &hb.buf, &zero); /* a begin with a counter buffer and nothing bound */
                vkCmdDraw(cmd, 3, 1, 0, 0);
            } else if (strcmp(v, "bytecount") == 0) {
                drawByteCount(cmd, 1, 0, hb.buf, 0, 0, 0); /* a vertex stride of 0 */
            } else if (strcmp(v, "bytecountoff") == 0) {
                drawByteCount(cmd, 1, 0, hb.buf, far, 0, 16); /* its counter 1 GiB past the buffer */
            } else if (strcmp(v, "stream") == 0 || strcmp(v, "genstream") == 0) {
                beginIndexed(cmd, qp, 0, 0, 100); /* vertex stream 100 */
                vkCmdDraw(cmd, 3, 1, 0, 0);
                endIndexed(cmd, qp, 0, 100);
            } else if (strcmp(v, "condrender") == 0 || strcmp(v, "condnest") == 0) {
                vkCmdDraw(cmd, 3, 1, 0, 0);
            } else {
                printf("unknown xfb variant %s\nresult FAIL\n", v);
                return 1;
            }
            vkCmdEndRenderPass(cmd);
            if (strcmp(v, "condrender") == 0 || strcmp(v, "condnest") == 0) endCond(cmd);
        } else if (strcmp(mode, "pipeline") == 0) {
            known = 1;
            pipeline(argc > 3 ? argv[3] : "", &rt.pass, &rt.fb, &cs.layout, &cs.pipeline, gm);
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
        if (destroyAfterEnd) {
            vku_free_host_buffer(dev, destroyAfterEnd);
            destroyAfterEnd = NULL;
        }
        if (staleAfterEnd) {
            vkDestroyImageView(dev, rt.view, NULL);
            rt.view = VK_NULL_HANDLE;
            vkDestroySampler(dev, *staleAfterEnd, NULL);
            *staleAfterEnd = VK_NULL_HANDLE;
            staleAfterEnd = NULL;
        }
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
        if (strcmp(mode, "pushbig") == 0 && hb.map) {
            const uint32_t *v = hb.map;
            printf("round %d: push constant words 1023 and 700 read %08x %08x\n", round, v[0], v[1]);
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
        if (cs.otherLayout) vkDestroyPipelineLayout(dev, cs.otherLayout, NULL);
        if (cs.other) vkDestroyDescriptorSetLayout(dev, cs.other, NULL);
        if (cs.module) vkDestroyShaderModule(dev, cs.module, NULL);
        for (int i = 0; i < 2; i++) {
            if (gm[i]) vkDestroyShaderModule(dev, gm[i], NULL);
        }
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
