/*
 * vkutil.h: setup helpers shared by the Vulkan e2e clients (e2e/venus/vkclient.c, e2e/venus/vkgfx.c,
 * e2e/venus/vkrt.c, e2e/venus/vkchurn.c, e2e/launcher/vkloop.c). Static functions, so each program compiles its own
 * copy and no library is needed.
 * They do not print or exit: each returns the failing VkResult and names the failing call in *failed, so every
 * program keeps its own way of reporting (exit with "result FAIL", a per-feature FAIL line, or "result LOST").
 */
#ifndef VIRTGPU_VKUTIL_H
#define VIRTGPU_VKUTIL_H

#include <stdint.h>
#include <string.h>
#include <vulkan/vulkan.h>

#define VKU_TRY(call)                                                                                              \
    do {                                                                                                           \
        VkResult r_ = (call);                                                                                      \
        if (r_ != VK_SUCCESS) {                                                                                    \
            *failed = #call;                                                                                       \
            return r_;                                                                                             \
        }                                                                                                          \
    } while (0)

/* What vku_host_buffer names in *failed when no memory type of the buffer is host-visible and coherent. */
static const char VKU_NO_HOST_MEMORY[] = "no host-visible coherent memory type";

static inline VkResult vku_instance(const char *name, uint32_t apiVersion, VkInstance *inst) {
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .pApplicationName = name,
                             .apiVersion = apiVersion};
    VkInstanceCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app};
    return vkCreateInstance(&ici, NULL, inst);
}

/* The first physical device the loader lists; 0 (with the enumeration's result in *er) when there is none. */
static inline int vku_first_device(VkInstance inst, VkPhysicalDevice *phys, VkResult *er) {
    uint32_t n = 1;
    *er = vkEnumeratePhysicalDevices(inst, &n, phys);
    return (*er == VK_SUCCESS || *er == VK_INCOMPLETE) && n > 0;
}

/* The first queue family with all (all != 0) or any (all == 0) of the flags in want, its properties in *chosen;
 * UINT32_MAX when none has them. Only the first 16 families are looked at. */
static inline uint32_t vku_queue_family(VkPhysicalDevice phys, VkQueueFlags want, int all, VkQueueFamilyProperties *chosen) {
    uint32_t nf = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(phys, &nf, NULL);
    VkQueueFamilyProperties qf[16];
    if (nf > 16) nf = 16;
    vkGetPhysicalDeviceQueueFamilyProperties(phys, &nf, qf);
    for (uint32_t i = 0; i < nf; i++) {
        VkQueueFlags have = qf[i].queueFlags & want;
        if (all ? have == want : have != 0) {
            if (chosen) *chosen = qf[i];
            return i;
        }
    }
    return UINT32_MAX;
}

/* A device with one queue of the family; pNext, extensions and features are passed through (NULL / 0 for none). */
static inline VkResult vku_device(VkPhysicalDevice phys, uint32_t family, const void *pNext, uint32_t extCount,
                           const char *const *exts, const VkPhysicalDeviceFeatures *features, VkDevice *dev) {
    float prio = 1.0f;
    VkDeviceQueueCreateInfo qci = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO, .queueFamilyIndex = family,
                                   .queueCount = 1, .pQueuePriorities = &prio};
    VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = pNext,
                              .queueCreateInfoCount = 1, .pQueueCreateInfos = &qci,
                              .enabledExtensionCount = extCount, .ppEnabledExtensionNames = exts,
                              .pEnabledFeatures = features};
    return vkCreateDevice(phys, &dci, NULL, dev);
}

/* What vku_compute_device makes. */
typedef struct {
    VkInstance inst;
    VkPhysicalDevice phys;
    uint32_t family;
    VkDevice dev;
} VkuComputeDevice;

/* An instance (named name, Vulkan 1.1), its first physical device and a device with one queue of the first family
 * that can compute, as the benchmark clients (vkrt, vkchurn) start. */
static inline VkResult vku_compute_device(const char *name, VkuComputeDevice *d, const char **failed) {
    VKU_TRY(vku_instance(name, VK_API_VERSION_1_1, &d->inst));
    VkResult r;
    if (!vku_first_device(d->inst, &d->phys, &r)) {
        *failed = "no physical device";
        return r == VK_SUCCESS ? VK_ERROR_INITIALIZATION_FAILED : r;
    }
    d->family = vku_queue_family(d->phys, VK_QUEUE_COMPUTE_BIT, 1, NULL);
    if (d->family == UINT32_MAX) {
        *failed = "no compute queue";
        return VK_ERROR_FEATURE_NOT_PRESENT;
    }
    VKU_TRY(vku_device(d->phys, d->family, NULL, 0, NULL, NULL, &d->dev));
    return VK_SUCCESS;
}

/* qsort's comparison of doubles, ascending (for the clients' percentiles). */
static inline int vku_by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A resettable command pool on the family, one primary command buffer from it and an unsignalled fence. */
static inline VkResult vku_commands(VkDevice dev, uint32_t family, VkCommandPool *pool, VkCommandBuffer *cmd,
                             VkFence *fence, const char **failed) {
    VkCommandPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                   .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                   .queueFamilyIndex = family};
    VKU_TRY(vkCreateCommandPool(dev, &pci, NULL, pool));
    VkCommandBufferAllocateInfo cai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = *pool,
                                       .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1};
    VKU_TRY(vkAllocateCommandBuffers(dev, &cai, cmd));
    VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VKU_TRY(vkCreateFence(dev, &fci, NULL, fence));
    return VK_SUCCESS;
}

/* The index of a memory type allowed by bits that has every flag in want; UINT32_MAX when there is none. */
static inline uint32_t vku_memory_type(VkPhysicalDevice phys, uint32_t bits, VkMemoryPropertyFlags want) {
    VkPhysicalDeviceMemoryProperties mp;
    vkGetPhysicalDeviceMemoryProperties(phys, &mp);
    for (uint32_t i = 0; i < mp.memoryTypeCount; i++) {
        if ((bits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want) return i;
    }
    return UINT32_MAX;
}

typedef struct {
    VkBuffer buf;
    VkDeviceMemory mem;
    void *map;
} HostBuffer;

/* An exclusive buffer bound to host-visible coherent memory of its own, mapped whole. Without such a memory type
 * it answers VK_ERROR_FEATURE_NOT_PRESENT, *failed = VKU_NO_HOST_MEMORY and the buffer's type bits in *bits. */
static inline VkResult vku_host_buffer(VkPhysicalDevice phys, VkDevice dev, VkDeviceSize size, VkBufferUsageFlags usage,
                                HostBuffer *h, uint32_t *bits, const char **failed) {
    VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size, .usage = usage,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    VKU_TRY(vkCreateBuffer(dev, &bi, NULL, &h->buf));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, h->buf, &req);
    uint32_t type = vku_memory_type(phys, req.memoryTypeBits,
                                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    if (type == UINT32_MAX) {
        *bits = req.memoryTypeBits;
        *failed = VKU_NO_HOST_MEMORY;
        return VK_ERROR_FEATURE_NOT_PRESENT;
    }
    VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = req.size,
                               .memoryTypeIndex = type};
    VKU_TRY(vkAllocateMemory(dev, &ai, NULL, &h->mem));
    VKU_TRY(vkBindBufferMemory(dev, h->buf, h->mem, 0));
    VKU_TRY(vkMapMemory(dev, h->mem, 0, VK_WHOLE_SIZE, 0, &h->map));
    return VK_SUCCESS;
}

static inline void vku_free_host_buffer(VkDevice dev, HostBuffer *h) {
    if (h->map) vkUnmapMemory(dev, h->mem);
    vkDestroyBuffer(dev, h->buf, NULL);
    vkFreeMemory(dev, h->mem, NULL);
    memset(h, 0, sizeof *h);
}

/* Resets cmd and begins a one-time-submit recording. */
static inline VkResult vku_begin(VkCommandBuffer cmd, const char **failed) {
    VKU_TRY(vkResetCommandBuffer(cmd, 0));
    VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                   .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
    VKU_TRY(vkBeginCommandBuffer(cmd, &bi));
    return VK_SUCCESS;
}

/* Ends cmd, submits it alone with the (reset) fence and waits for the fence at most timeoutNs (VK_TIMEOUT after). */
static inline VkResult vku_submit_wait(VkDevice dev, VkQueue queue, VkCommandBuffer cmd, VkFence fence, uint64_t timeoutNs,
                                const char **failed) {
    VKU_TRY(vkEndCommandBuffer(cmd));
    VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};
    VKU_TRY(vkResetFences(dev, 1, &fence));
    VKU_TRY(vkQueueSubmit(queue, 1, &si, fence));
    VKU_TRY(vkWaitForFences(dev, 1, &fence, VK_TRUE, timeoutNs));
    return VK_SUCCESS;
}

#endif
