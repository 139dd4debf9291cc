package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.PipelineStates.*;
import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.g64;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.virtgpu.context.venus.gen.VnCommands;
import org.virtgpu.context.venus.gen.VnHooks;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnCtx;
import org.virtgpu.context.venus.wire.VnMem;
import org.virtgpu.context.venus.wire.VnObjects;
import org.virtgpu.core.nativeio.Errno;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Sched;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;

/**
 * Executes decoded Venus commands on the host driver. Most commands go straight through (the generated
 * {@link VnHooks} defaults); this class adjusts the few where the renderer must differ from a pass-through:
 * versions capped to the protocol's vk.xml, extension lists filtered to what the decoder carries, and host-visible
 * memory allocated in core shared memory and imported with VK_EXT_external_memory_host so the client maps the same
 * pages (vtest-venus.md section 6).
 */
final class VenusExecutor implements VnHooks {
    static final int VK_SUCCESS = 0;
    static final int VK_TIMEOUT = 2;
    static final int VK_INCOMPLETE = 5;
    static final int VK_ERROR_DEVICE_LOST = -4;
    static final int VK_ERROR_OUT_OF_POOL_MEMORY = -1000069000;
    static final int VK_ERROR_OUT_OF_HOST_MEMORY = -1;
    static final int VK_ERROR_OUT_OF_DEVICE_MEMORY = -2;
    static final int VK_ERROR_FEATURE_NOT_PRESENT = -8;
    /**
     * {@code -Dvirtgpu.venus.bufferDeviceAddress=true} offers the host's bufferDeviceAddress. Off by default: with it
     * a shader dereferences raw 64-bit addresses, and on a driver that runs shaders on the CPU in this process
     * (lavapipe) those reach any memory of the server; Vulkan 1.2 does not require the feature. Off, the feature
     * reads false, a device that enables it (or its extension) is refused, and SPIR-V that declares
     * PhysicalStorageBufferAddresses is refused (see {@link #declaresPhysicalAddresses}).
     */
    static final boolean BUFFER_DEVICE_ADDRESS = Boolean.getBoolean("virtgpu.venus.bufferDeviceAddress");
    static final String BUFFER_DEVICE_ADDRESS_EXT = "VK_KHR_buffer_device_address";
    /**
     * Withheld without {@link SpirvValidator#BINDLESS_DESCRIPTORS}: VK_EXT_descriptor_indexing promises
     * runtimeDescriptorArray, and mutable descriptor types let a shader read a descriptor as another type than it
     * was written as.
     */
    static final java.util.Set<String> BINDLESS_EXTENSIONS = java.util.Set.of("VK_EXT_descriptor_indexing",
            "VK_EXT_mutable_descriptor_type", "VK_VALVE_mutable_descriptor_type");
    /**
     * {@code -Dvirtgpu.venus.pushDescriptors=false} withholds VK_KHR_push_descriptor: Zink then keeps its uniform
     * buffers in descriptor sets it reuses, which made its frames faster on lavapipe (lavapipe makes a descriptor set
     * per push; docs/venus.md "Push descriptors").
     */
    static final boolean PUSH_DESCRIPTORS = !"false".equals(System.getProperty("virtgpu.venus.pushDescriptors"));

    /** Whether a device extension the decoder carries is withheld by this server's settings (see above). */
    static boolean withheld(String extension) {
        return !BUFFER_DEVICE_ADDRESS && extension.equals(BUFFER_DEVICE_ADDRESS_EXT)
                || !SpirvValidator.BINDLESS_DESCRIPTORS && BINDLESS_EXTENSIONS.contains(extension)
                || !PUSH_DESCRIPTORS && extension.equals(PUSH_DESCRIPTOR_EXT);
    }
    static final int STYPE_DESCRIPTOR_INDEXING_FEATURES = 1000161001;
    static final int STYPE_MUTABLE_DESCRIPTOR_TYPE_FEATURES = 1000351000;
    static final int STYPE_VULKAN_1_2_FEATURES = 51;
    static final int STYPE_BUFFER_DEVICE_ADDRESS_FEATURES = 1000257000;
    /** VkDescriptorType: UNIFORM_BUFFER 6, STORAGE_BUFFER 7, UNIFORM_BUFFER_DYNAMIC 8, STORAGE_BUFFER_DYNAMIC 9 */
    static final int DESCRIPTOR_UNIFORM_BUFFER = 6;
    static final int DESCRIPTOR_STORAGE_BUFFER_DYNAMIC = 9;
    static final int VK_ERROR_INITIALIZATION_FAILED = -3;
    static final int VK_ERROR_LAYER_NOT_PRESENT = -6;
    static final int VK_ERROR_EXTENSION_NOT_PRESENT = -7;
    static final int VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT = 0x2;
    static final int STYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT = 1000178000;
    static final int STYPE_PHYSICAL_DEVICE_PROPERTIES_2 = 1000059001;
    static final int STYPE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT = 1000178002;
    static final int HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT = 0x80;
    static final String EXTERNAL_MEMORY_HOST = "VK_EXT_external_memory_host";
    /** {@link #EXTERNAL_MEMORY_HOST} as a C string, for the extension list vkCreateDevice adds it to */
    private static final MemorySegment EXTERNAL_MEMORY_HOST_C = Arena.global().allocateFrom(EXTERNAL_MEMORY_HOST,
            StandardCharsets.US_ASCII);
    static final int API_1_1 = (1 << 22) | (1 << 12);
    static final int API_1_3 = (1 << 22) | (3 << 12);

    private static final Set<String> CARRIED = Set.of(VnInfo.EXTENSION_NAMES);
    /**
     * {@code -Dvirtgpu.venus.prefault=false} turns off pre-faulting host-visible memory at allocation (see
     * {@link #prefault}; on by default, the switch is for measuring it).
     */
    private static final boolean PREFAULT = !"false".equals(System.getProperty("virtgpu.venus.prefault"));
    /**
     * One populating thread for all contexts, kept for two idle seconds: starting a platform thread per allocation
     * stalled the ring thread 2.5 ms in Thread.start on two busy CPUs (strace), and allocations populated one after
     * the other in allocation order do not compete for the process's mmap lock. The thread runs at SCHED_IDLE (see
     * {@link #prefault}); at normal priority it took a CPU from the client on a two-CPU host (map_64mib median 3.7 ms
     * against 2.5, fill_64mib 119 against 87).
     */
    private static final ThreadPoolExecutor PREFAULTER = background("venus-prefault", () -> {
        try {
            Sched.idleCurrentThread();
        } catch (NativeException e) {
            VenusContext.LOG.log(System.Logger.Level.DEBUG, "venus: pre-fault thread stays at normal priority: "
                    + e.getMessage());
        }
    });

    /** One daemon thread named name, set up by setup, that goes after two idle seconds. */
    static ThreadPoolExecutor background(String name, Runnable setup) {
        ThreadPoolExecutor e = new ThreadPoolExecutor(1, 1, 2, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon().name(name).unstarted(() -> {
                    setup.run();
                    r.run();
                }));
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    /** from this size on, memory is pre-faulted on its own thread (see {@link #prefault}) */
    private static final long PREFAULT_ASYNC_BYTES = 1L << 20;
    /**
     * the background populate works in steps of this many bytes: one madvise over 64 MiB holds the process's
     * mmap lock for tens of milliseconds, and every mmap/munmap meanwhile (the next allocation's memfd mapping, the
     * host driver's and the JVM's own) waited for it; map_64mib took 13-15 ms instead of about 2
     */
    private static final long PREFAULT_STEP_BYTES = 1L << 20;
    /** set once the kernel has answered EINVAL to MADV_POPULATE_WRITE (before Linux 5.14) */
    private static volatile boolean populateUnsupported;

    /**
     * Longest host wait a guest can cause in one host call: infinite and long vkWaitForFences / vkWaitSemaphores
     * timeouts are cut into slices this long, and between slices the wait ends when the context is being destroyed.
     */
    static final long WAIT_SLICE_NANOS = 10_000_000;
    /**
     * Longest wait on the context stream: the core holds the context's lock while a submit runs, and destroying the
     * context takes the same lock, so a context-stream wait a client never ends would make the context
     * indestructible. Past this the wait answers VK_TIMEOUT (Mesa waits by polling and never sends long waits here).
     */
    static final long CONTEXT_STREAM_WAIT_NANOS = 1_000_000_000L;
    /**
     * Device children destroy() frees, children before what they may point to: Vulkan requires a device's children
     * gone before vkDestroyDevice, and lavapipe does not free what a client leaves (measured: ~40 KiB a context with
     * 20 buffers, fences and pools each, see venus.md "Hostile clients"). Command buffers and descriptor sets go with
     * their pools; VkDeviceMemory is freed by {@link #freeDeviceMemory}.
     */
    private static final int[] CHILD_TYPES = {VnInfo.H_VkCommandPool, VnInfo.H_VkDescriptorPool, VnInfo.H_VkFramebuffer,
        VnInfo.H_VkPipeline, VnInfo.H_VkImageView, VnInfo.H_VkBufferView, VnInfo.H_VkSampler,
        VnInfo.H_VkDescriptorUpdateTemplate, VnInfo.H_VkPipelineLayout, VnInfo.H_VkDescriptorSetLayout,
        VnInfo.H_VkSamplerYcbcrConversion, VnInfo.H_VkRenderPass, VnInfo.H_VkShaderModule, VnInfo.H_VkPipelineCache,
        VnInfo.H_VkQueryPool, VnInfo.H_VkEvent, VnInfo.H_VkSemaphore, VnInfo.H_VkFence, VnInfo.H_VkPrivateDataSlot,
        VnInfo.H_VkBuffer, VnInfo.H_VkImage};
    private static final String[] CHILD_DESTROY = {"vkDestroyCommandPool", "vkDestroyDescriptorPool",
        "vkDestroyFramebuffer", "vkDestroyPipeline", "vkDestroyImageView", "vkDestroyBufferView", "vkDestroySampler",
        "vkDestroyDescriptorUpdateTemplate", "vkDestroyPipelineLayout", "vkDestroyDescriptorSetLayout",
        "vkDestroySamplerYcbcrConversion", "vkDestroyRenderPass", "vkDestroyShaderModule", "vkDestroyPipelineCache",
        "vkDestroyQueryPool", "vkDestroyEvent", "vkDestroySemaphore", "vkDestroyFence", "vkDestroyPrivateDataSlot",
        "vkDestroyBuffer", "vkDestroyImage"};
    /** void vkDestroyX(VkDevice, handle, const VkAllocationCallbacks*), vkFreeMemory has the same shape */
    private static final java.lang.invoke.MethodHandle DESTROY_CHILD = java.lang.foreign.Linker.nativeLinker()
            .downcallHandle(java.lang.foreign.FunctionDescriptor.ofVoid(java.lang.foreign.ValueLayout.JAVA_LONG,
                    java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG));

    private final VnObjects objects;
    /** set when the context is being destroyed: guest-caused host waits end at their next slice */
    private volatile boolean stopping;
    private VnCtx contextStream;
    private final AtomicLongArray functions = new AtomicLongArray(512);
    private final DeviceServices services;
    private volatile long instance;
    /** device host handle -> what its memory allocations need to know (see {@link DeviceInfo}) */
    private final Map<Long, DeviceInfo> devices = new ConcurrentHashMap<>();
    /** host physical device handle -> its device extensions (see {@link #hostExtensions}) */
    private final Map<Long, Map<String, Integer>> extensionCache = new ConcurrentHashMap<>();
    /**
     * Device extensions per host device identity ({@link #hostIdentity}), for every context of this bundle: the
     * loader's query costs about 0.6 ms per new client instance (it rescans layer manifests), and Mesa creates an
     * instance per client.
     */
    private static final Map<String, Map<String, Integer>> HOST_EXTENSIONS = new ConcurrentHashMap<>();
    /** host-visible VkDeviceMemory host handle -> the shared memory it was imported from */
    private final Map<Long, Imported> hostMemory = new ConcurrentHashMap<>();

    /**
     * A device this context created, fixed at vkCreateDevice.
     *
     * @param physical         its physical device's host handle
     * @param importAlignment  the alignment of host pointers it imports when created with VK_EXT_external_memory_host
     *                         (at least the host page size), 0 when not
     * @param hostVisibleTypes bit i set when memory type i is HOST_VISIBLE (known only when importAlignment is not 0)
     * @param limits           the host device's limits that commands are checked against (see {@link Limits})
     */
    private record DeviceInfo(long physical, long importAlignment, int hostVisibleTypes, Limits limits,
            AtomicLongArray functions) {
        DeviceInfo(long physical, long importAlignment, int hostVisibleTypes, Limits limits) {
            this(physical, importAlignment, hostVisibleTypes, limits, new AtomicLongArray(512));
        }
    }

    /**
     * Host-visible memory we allocated: the core's shared memory, mapped a second time at {@code address} by this
     * executor, and that mapping (not the core's) imported into the host driver as a host pointer; prefaulting null
     * when not pre-faulted. The second mapping is ours to retire (see {@link Placeholders#retire}).
     */
    record Imported(long device, SharedMemory shm, Prefault prefaulting, long address, long size) {
    }


    /** where this context's freed host-visible memory goes (see {@link Placeholders}) */
    private final Placeholders retired = new Placeholders();
    /** buffer and memory sizes for the range checks of binds and buffer commands */
    private final Bounds bounds;
    /** image shapes for the checks of image binds, views and image commands */
    private final Images images;
    /** view, framebuffer and render area sizes, and the render pass instance each command buffer records */
    private final RenderAreas areas;
    /** the dynamic buffer descriptors of descriptor sets, for the offsets vkCmdBindDescriptorSets adds */
    private final DynamicOffsets dynamicOffsets;
    /** the sets and bindings shader modules use, and what pipeline layouts hold */
    private final ShaderResources shaderResources;
    /** set layout shapes and each command buffer's bound pipelines and sets, checked at each draw and dispatch */
    private final DescriptorShapes descriptorShapes;
    /** writes a valid descriptor into each image, sampler and texel buffer descriptor a set is allocated with */
    private final DescriptorFiller filler = new DescriptorFiller();
    /** commands dropped for ranges outside their buffers, for rate limiting their log lines */
    private final AtomicInteger refusedRanges = new AtomicInteger();

    /** @param tableSizes where the object table starts, shared with the context type's other contexts */
    VenusExecutor(DeviceServices services, VnObjects.Sizes tableSizes) {
        this.services = services;
        this.objects = new VnObjects(VnInfo.HANDLE_TYPES, VnInfo.H_VkDevice, tableSizes);
        this.bounds = new Bounds(objects);
        this.images = new Images(objects, bounds);
        this.areas = new RenderAreas(objects);
        this.dynamicOffsets = new DynamicOffsets(objects, bounds);
        this.shaderResources = new ShaderResources(objects);
        this.descriptorShapes = new DescriptorShapes(objects, areas);
    }

    /**
     * Function pointer for a command type: for a command on a device this context created, the device's own entry
     * point, resolved once per device (0 for a command of an extension the device was not created with: a protocol
     * error in {@link VnCtx#fn}, where the loader's trampoline would have jumped to NULL); otherwise resolved once
     * per context through vkGetInstanceProcAddr.
     */
    long function(long device, int type) {
        if (type < 0 || type >= functions.length()) {
            return 0;
        }
        DeviceInfo d = device == 0 ? null : devices.get(device);
        if (d != null) {
            long f = d.functions().get(type);
            if (f == 0) {
                String name = VnCommands.name(type);
                if (name == null) {
                    return 0;
                }
                f = HostVulkan.deviceProc(device, name);
                d.functions().set(type, f);
            }
            return f;
        }
        long f = functions.get(type);
        if (f == 0) {
            String name = VnCommands.name(type);
            if (name == null) {
                return 0;
            }
            f = HostVulkan.proc(instance, name);
            if (f != 0 && (instance != 0 || type == 0 || type == 137 || type == 13 || type == 15)) {
                functions.set(type, f);
            }
        }
        return f;
    }

    VnCtx newStream() {
        VnCtx c = new VnCtx(objects, this::function);
        c.references(names, VnInfo.H_VkCommandBuffer);
        return c;
    }

    // ---------------------------------------------------------------- objects named by recorded commands

    /*
     * A command buffer that names an object destroyed since its commands were recorded is invalid (Vulkan spec,
     * "Command Buffer Lifecycle"), and lavapipe, which keeps the client's handles in its recorded commands and reads
     * the objects when the queue runs them, died executing one: a copy whose source buffer (with its memory) was
     * destroyed between vkEndCommandBuffer and vkQueueSubmit, and a push descriptor whose image view and sampler were
     * (SIGSEGV in the queue thread: e2e/venus/vkhostile.c recdestroy, push staleend). Destroys while submits run were
     * already put off (see "destroys and resets a pending submit may need"); these happen before the submit. So the
     * decoder tells the executor every object each recording command names (VnCtx.References: the lookups of its
     * handles, in structures too, such as a push descriptor's views), kept per command buffer from its begin, and a
     * submit of a command buffer that names an object the client has since destroyed (its id gone from the object
     * table; put-off host destroys included), or a buffer or image whose memory it has since freed, is refused,
     * like one with a refused recording command. The check is skipped while the object table has forgotten nothing
     * since the command buffer's names were last found alive.
     */

    /** host buffer or image (+ plane index 1-3 for a disjoint image's planes) -> the memory bound to it (guarded) */
    private final org.virtgpu.context.venus.wire.LongLongMap boundMemory = new org.virtgpu.context.venus.wire.LongLongMap();

    private void memoryBound(long object, long memory) {
        synchronized (boundMemory) {
            boundMemory.put(object, memory);
        }
    }

    private void memoryUnbound(long object, int planes) {
        synchronized (boundMemory) {
            for (int i = 0; i < planes; i++) {
                boundMemory.remove(object + i);
            }
        }
    }

    private final VnCtx.References names = new VnCtx.References() {
        @Override
        public Object recording(long commandBuffer) {
            return areas.recording(commandBuffer);
        }

        @Override
        public void named(Object recording, int type, long host) {
            if (type == VnInfo.H_VkDevice || type == VnInfo.H_VkQueue || type == VnInfo.H_VkInstance
                    || type == VnInfo.H_VkPhysicalDevice) {
                return;
            }
            RenderAreas.Recording r = (RenderAreas.Recording) recording;
            synchronized (r) {
                r.names.put(host, type);
            }
        }
    };

    /**
     * Whether the memory bound to a live buffer or image (each plane of a disjoint one) is still allocated: a bound
     * object's memory never changes, so it is looked up here, when a submit is checked, not as commands are recorded.
     */
    private boolean memoryAlive(int type, long host) {
        int planes = type == VnInfo.H_VkImage ? 4 : type == VnInfo.H_VkBuffer ? 1 : 0;
        for (int i = 0; i < planes; i++) {
            long memory;
            synchronized (boundMemory) {
                memory = boundMemory.get(host + i);
            }
            if (memory != 0 && objects.id(VnInfo.H_VkDeviceMemory, memory) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why commandBuffer may not run: it names an object its client destroyed since recording it (or, at depth 0, one
     * of the secondaries it executes does); null when all are alive.
     */
    private String staleName(long commandBuffer, int depth) {
        RenderAreas.Recording r = areas.recording(commandBuffer);
        long now = objects.forgotten();
        synchronized (r) {
            if (r.namesChecked == now) {
                return null;
            }
            long[] hosts = r.names.keys(), types = r.names.values();
            for (int i = 0; i < hosts.length; i++) {
                int type = (int) types[i];
                if (objects.id(type, hosts[i]) == 0) {
                    return "names an object of handle type " + type + " destroyed since it was recorded";
                }
                if (!memoryAlive(type, hosts[i])) {
                    return "names an object of handle type " + type + " whose memory was freed since it was recorded";
                }
                if (type == VnInfo.H_VkCommandBuffer && depth == 0) {
                    String why = staleName(hosts[i], 1);
                    if (why != null) {
                        return "executes a secondary that " + why;
                    }
                }
            }
            r.namesChecked = now;
            return null;
        }
    }

    /** The context stream: its waits are bounded by {@link #CONTEXT_STREAM_WAIT_NANOS}. */
    VnCtx newContextStream() {
        contextStream = newStream();
        return contextStream;
    }

    /** The context is going away: host waits a guest caused end (VK_ERROR_DEVICE_LOST) within one slice. */
    void stopping() {
        stopping = true;
    }

    // ---------------------------------------------------------------- guest-caused waits, bounded

    @Override
    public int vkWaitForFences(VnCtx c, long device, int fenceCount, long pFences, int waitAll, long timeout) throws Throwable {
        long start = System.nanoTime();
        long budget = waitBudget(c, timeout);
        int r = slicedWait(c, start, budget, true,
                slice -> VnHooks.super.vkWaitForFences(c, device, fenceCount, pFences, waitAll, slice));
        if (r == VK_SUCCESS && (waitAll != 0 || fenceCount == 1)) {
            for (int i = 0; i < fenceCount; i++) {
                completed(g64(pFences + 8L * i));
            }
            runPutOff(c);
        }
        return r;
    }

    @Override
    public int vkGetFenceStatus(VnCtx c, long device, long fence) throws Throwable {
        int r = VnHooks.super.vkGetFenceStatus(c, device, fence);
        if (r == VK_SUCCESS) {
            completed(fence);
            runPutOff(c);
        }
        return r;
    }

    @Override
    public int vkWaitSemaphores(VnCtx c, long device, long pWaitInfo, long timeout) throws Throwable {
        long start = System.nanoTime();
        long budget = waitBudget(c, timeout);
        return slicedWait(c, start, budget, true, slice -> VnHooks.super.vkWaitSemaphores(c, device, pWaitInfo, slice));
    }

    /** Nanoseconds a wait may take: the guest's timeout (unsigned; UINT64_MAX = forever), capped on the context stream. */
    private long waitBudget(VnCtx c, long timeout) {
        long t = timeout < 0 ? Long.MAX_VALUE : timeout;
        return c.root() == contextStream ? Math.min(t, CONTEXT_STREAM_WAIT_NANOS) : t;
    }

    /** One host wait of at most sliceNanos: its VkResult, VK_TIMEOUT when the slice passed. */
    @FunctionalInterface
    private interface WaitSlice {
        int await(long sliceNanos) throws Throwable;
    }

    /**
     * Waits in slices of {@link #WAIT_SLICE_NANOS}: the first result other than VK_TIMEOUT; VK_TIMEOUT once budget
     * passed since start; for a guest's wait VK_ERROR_DEVICE_LOST as soon as the context (or the stream's ring) is
     * being destroyed.
     */
    private int slicedWait(VnCtx c, long start, long budget, boolean guest, WaitSlice wait) throws Throwable {
        while (true) {
            long slice = Math.max(0, Math.min(WAIT_SLICE_NANOS, budget - (System.nanoTime() - start)));
            int r = wait.await(slice);
            if (r != VK_TIMEOUT) {
                return r;
            }
            if (guest && (stopping || c.cancelled())) {
                return VK_ERROR_DEVICE_LOST; // the context is being destroyed: what the guest waits for will never come
            }
            if (System.nanoTime() - start >= budget) {
                return VK_TIMEOUT;
            }
        }
    }

    // ---------------------------------------------------------------- queue idle waits, bounded

    /**
     * Fences of the executor's own for one queue the client submitted to, oldest first. A fence signal operation of
     * vkQueueSubmit / vkQueueBindSparse includes every command earlier in submission order in its first
     * synchronization scope (Vulkan spec 7.3 "Fences"), so an empty submit with one of these, made when an idle wait
     * starts, signals once the queue is idle: vkQueueWaitIdle, vkDeviceWaitIdle and destroy become sliced fence waits
     * that end on destroy. Made only then, not with every client submit: a fence query, a reset and an extra empty
     * submit per client submit held up the ring (median submit + wait round trip of Mesa's client 41-47 us with
     * them, 32-35 us without). Signalled fences are reset and reused.
     */
    private static final class QueueFences {
        final long queue;
        final long device;
        long[] pending = new long[8];
        int head, size;
        long[] free = new long[8];
        int nFree;
        /** per submit, under this queue's lock: binary semaphore -> signals minus waits of the batches checked so far */
        final java.util.HashMap<Long, Integer> claims = new java.util.HashMap<>();
        /** client submits accepted so far (under this queue's lock), see {@link Mark} */
        long submitted;
        /** the newest of them known complete (under this queue's lock) */
        long completed;
        /** a fence of ours behind an empty submit that completes the queue up to probeUpTo (see probe), or 0 */
        long probe;
        long probeUpTo;
        boolean probing;

        synchronized void complete(long seq) {
            if (seq > completed) {
                completed = seq;
            }
        }

        synchronized boolean done(long seq) {
            return completed >= seq;
        }

        /** Whether every submit accepted so far is known complete (one lock where done(submitted()) takes two). */
        synchronized boolean idle() {
            return completed >= submitted;
        }

        synchronized long submitted() {
            return submitted;
        }

        QueueFences(long queue, long device) {
            this.queue = queue;
            this.device = device;
        }

        void push(long fence) {
            if (size == pending.length) {
                long[] p = new long[size * 2];
                for (int i = 0; i < size; i++) {
                    p[i] = pending[(head + i) & (pending.length - 1)];
                }
                pending = p;
                head = 0;
            }
            pending[(head + size++) & (pending.length - 1)] = fence;
        }

        void recycle(long fence) {
            if (nFree == free.length) {
                free = java.util.Arrays.copyOf(free, nFree * 2);
            }
            free[nFree++] = fence;
        }
    }

    /**
     * The fences of every queue a client submitted to (a client has a few), copied on write under
     * {@link #queuesLock} and read without a lock: {@link #idle} walks it on every destroy of a buffer churn, where
     * walking a map of them cost about a tenth of the ring's time (docs/venus-performance.md "Session 18").
     */
    private volatile QueueFences[] queues = new QueueFences[0];
    private final Object queuesLock = new Object();
    /** host handles of the timeline semaphores the client created (destroy signals them, see {@link #unblock}) */
    private final Set<Long> timelines = ConcurrentHashMap.newKeySet();
    /**
     * host handles of the binary semaphores with a signal operation submitted and not yet consumed by a wait (see
     * {@link #binaryWaitsSignalled}). Only submits signal a binary semaphore here: the command set carries no
     * vkAcquireNextImageKHR or vkImportSemaphoreFdKHR, and vkImportSemaphoreResourceMESA is a submit too (see
     * {@link #importSemaphoreResource}).
     */
    private final Set<Long> binaryPending = ConcurrentHashMap.newKeySet();
    /** refused submits so far, for rate limiting their log lines */
    private final AtomicInteger refusedSubmits = new AtomicInteger();
    /** log lines for refused submits per context: a client can send one per command */
    static final int REFUSED_LOG_LIMIT = 20;
    /** a device was left alive because its queues did not drain: the instance must stay too */
    private volatile boolean leakedDevice;
    /** how long destroy waits for a device's queues after unblocking them before leaking the device */
    static final long DESTROY_DRAIN_NANOS = 2_000_000_000L;
    static final int STYPE_FENCE_CREATE_INFO = 8;
    static final int STYPE_SEMAPHORE_TYPE_CREATE_INFO = 1000207002;
    static final int STYPE_SEMAPHORE_SIGNAL_INFO = 1000207005;
    static final int VK_SEMAPHORE_TYPE_TIMELINE = 1;

    private static final int SUBMIT = 0, SUBMIT2 = 1, BIND_SPARSE = 2;

    @Override
    public int vkQueueSubmit(VnCtx c, long queue, int submitCount, long pSubmits, long fence) throws Throwable {
        return submitTracked(c, SUBMIT, queue, submitCount, pSubmits, fence);
    }

    @Override
    public int vkQueueSubmit2(VnCtx c, long queue, int submitCount, long pSubmits, long fence) throws Throwable {
        return submitTracked(c, SUBMIT2, queue, submitCount, pSubmits, fence);
    }

    @Override
    public int vkQueueBindSparse(VnCtx c, long queue, int bindInfoCount, long pBindInfo, long fence) throws Throwable {
        return submitTracked(c, BIND_SPARSE, queue, bindInfoCount, pBindInfo, fence);
    }

    /** The guest's submit of kind; its queue is remembered for idle waits (see {@link QueueFences}). */
    private int submitTracked(VnCtx c, int kind, long queue, int count, long infos, long fence) throws Throwable {
        runPutOff(c);
        QueueFences q = queueFences(queue);
        synchronized (q) { // one writer per queue in valid use; the lock orders submits and idle-wait fences
            if (!binaryWaitsSignalled(q, kind, count, infos)) {
                refused(kind);
                return VK_ERROR_DEVICE_LOST;
            }
            if (kind != BIND_SPARSE && submitsPoisoned(kind, count, infos)) {
                return VK_ERROR_DEVICE_LOST;
            }
            int r = switch (kind) {
                case SUBMIT -> VnHooks.super.vkQueueSubmit(c, queue, count, infos, fence);
                case SUBMIT2 -> VnHooks.super.vkQueueSubmit2(c, queue, count, infos, fence);
                default -> VnHooks.super.vkQueueBindSparse(c, queue, count, infos, fence);
            };
            if (r == VK_SUCCESS) {
                // a failed submit leaves its semaphores unaffected (Vulkan spec, vkQueueSubmit "Return codes")
                trackBinarySignals(kind, count, infos);
                mark(q, kind, count, infos, fence);
            }
            return r;
        }
    }

    // ---------------------------------------------------------------- destroys and resets a pending submit may need

    /*
     * Vulkan requires submitted work to be complete before the objects it uses are destroyed or reset
     * (VUID-vkDestroyBuffer-buffer-00922 and its siblings, VUID-vkBeginCommandBuffer-commandBuffer-00049, ...). A
     * client that does not wait makes lavapipe's queue thread use freed objects, which killed the whole server
     * (e2e/venus/vkfreerace.c with "destroy": SIGSEGV inside libvulkan_lvp.so). So the executor knows, per queue,
     * which of the client's submits are known complete: each accepted submit gets the next sequence number, and its
     * fence and command buffers remember it (a Mark); a fence seen signalled (vkWaitForFences of all its fences or
     * of one, vkGetFenceStatus, our own idle waits) completes its queue up to its submit. Mesa's client always sends
     * vkWaitForFences for a fence whose feedback it saw signalled, so a client that waits properly is known idle
     * without any extra host call.
     * - Destroys of objects that submitted work may use are put off, in order, while the device has submits not known
     *   complete, and run once their queues got there (checked on every destroy, submit and completed wait; all of
     *   them before the device is freed). The client's ids are gone at once either way.
     * - Resets of a command buffer (vkBeginCommandBuffer, vkResetCommandBuffer) whose latest submit is not known
     *   complete, and resets of a command pool or descriptor pool (and vkFreeDescriptorSets, whose pool must have the
     *   room back at once) whose own latest work is not, wait for that queue first (an empty submit with a fence of
     *   ours, waited for in slices like vkQueueWaitIdle). A pool's work is the submits of command buffers allocated
     *   from it or binding one of its sets, so resetting one frame's pools does not wait for another frame's work.
     * Not covered: objects the queue does not use (shader modules, pipeline caches, layouts), host query pool resets
     * (a waiting reset would stall applications that reset queries every frame), and a pool whose command buffers
     * went to two queues (only its latest submit's queue is waited for).
     */

    /** A client submit: its queue and sequence number there. */
    private record Mark(QueueFences q, long seq) {
    }

    /** A host call put off until each of queues has completed up to submitted[i]. */
    private record PutOff(long device, QueueFences[] queues, long[] submitted, Deferred call) {
        boolean ready() {
            for (int i = 0; i < queues.length; i++) {
                if (!queues[i].done(submitted[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    @FunctionalInterface
    private interface Deferred {
        void run(VnCtx c) throws Throwable;
    }

    /** host fence -> the submit that signals it */
    private final Map<Long, Mark> fenceMarks = new ConcurrentHashMap<>();
    /** host command buffer -> its latest submit */
    private final Map<Long, Mark> commandMarks = new ConcurrentHashMap<>();
    /**
     * host command pool, descriptor pool, query pool or secondary command buffer -> the latest submit of a command
     * buffer allocated from it, binding one of its sets, recording one of its queries or executing it (so a reset
     * waits for its own work, not the whole device's: an application with two frames in flight resets one frame's
     * pools while the other frame runs)
     */
    private final Map<Long, Mark> poolMarks = new ConcurrentHashMap<>();
    /**
     * host command buffer -> what its recorded work uses since it began recording (see {@link #uses}): descriptor
     * pools of the sets it bound, query pools, the secondary command buffers it executes and their pools
     */
    private final Map<Long, Set<Long>> boundPools = new ConcurrentHashMap<>();
    /** in the order the client destroyed (guarded by itself) */
    private final java.util.ArrayDeque<PutOff> putOff = new java.util.ArrayDeque<>();
    /** putOff's size, for the checks outside its lock */
    private volatile int putOffCount;
    /** put-off calls past which a destroy waits for its device (a client that never waits) */
    static final int PUT_OFF_LIMIT = 4096;
    /**
     * Longest wait of a reset (or of the put-off limit) for earlier submits, on a ring as on the context stream: the
     * wait covers the whole queue up to now, and a later submit on it may wait for a timeline value the client
     * signals from the host only after this command; waiting longer would deadlock that ring.
     */
    static final long RESET_WAIT_NANOS = 2_000_000_000L;

    /** After an accepted submit (under q's lock): the next sequence number for its fence and command buffers. */
    /**
     * Whether a batch submits a command buffer that had a command refused that shapes its recording (see
     * RenderAreas#poison).
     */
    private boolean submitsPoisoned(int kind, int count, long infos) {
        for (int b = 0; b < count; b++) {
            long info = batch(kind, infos, b);
            int n = g32(info + (kind == SUBMIT ? 40 : 32));
            long array = g64(info + (kind == SUBMIT ? 48 : 40));
            for (int i = 0; i < n && array != 0; i++) {
                long cb = kind == SUBMIT ? g64(array + 8L * i) : g64(array + 32L * i + 16);
                if (areas.poisoned(cb)) {
                    refusedRange(kind == SUBMIT ? "vkQueueSubmit" : "vkQueueSubmit2", "command buffer " + i + " of batch "
                            + b + " had a command refused that shapes its recording (VK_ERROR_DEVICE_LOST)");
                    return true;
                }
                String stale = staleName(cb, 0);
                if (stale != null) {
                    refusedRange(kind == SUBMIT ? "vkQueueSubmit" : "vkQueueSubmit2", "command buffer " + i + " of batch "
                            + b + " " + stale + " (VK_ERROR_DEVICE_LOST)");
                    return true;
                }
            }
        }
        return false;
    }

    private void mark(QueueFences q, int kind, int count, long infos, long fence) {
        Mark m = new Mark(q, ++q.submitted);
        if (fence != 0) {
            fenceMarks.put(fence, m);
        }
        if (kind == BIND_SPARSE) {
            return;
        }
        for (int b = 0; b < count; b++) {
            long info = batch(kind, infos, b);
            // VkSubmitInfo: commandBufferCount @40, pCommandBuffers @48; VkSubmitInfo2: commandBufferInfoCount @32,
            // pCommandBufferInfos @40, each VkCommandBufferSubmitInfo (32 bytes) with commandBuffer @16
            int n = g32(info + (kind == SUBMIT ? 40 : 32));
            long array = g64(info + (kind == SUBMIT ? 48 : 40));
            for (int i = 0; i < n && array != 0; i++) {
                long cb = kind == SUBMIT ? g64(array + 8L * i) : g64(array + 32L * i + 16);
                if (cb != 0) {
                    commandMarks.put(cb, m);
                    long pool = objects.parent(VnInfo.H_VkCommandBuffer, cb);
                    if (pool != 0) {
                        poolMarks.put(pool, m);
                    }
                    Set<Long> pools = boundPools.get(cb);
                    if (pools != null) {
                        for (long dp : pools) {
                            poolMarks.put(dp, m);
                        }
                    }
                }
            }
        }
    }

    private void completed(long fence) {
        Mark m = fenceMarks.get(fence);
        if (m != null) {
            m.q().complete(m.seq());
        }
    }

    /** true when every submit to a queue of device is known complete */
    private boolean idle(long device) {
        for (QueueFences q : queues) {
            if (q.device == device && !q.idle()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a destroy on device may run now: the device is idle and nothing of it is put off (no lock taken while
     * nothing is put off: every vkDestroyBuffer of a buffer churn comes here).
     */
    private boolean destroyNow(VnCtx c, long device) throws Throwable {
        if (putOffCount > 0) {
            runPutOff(c);
            synchronized (putOff) {
                for (PutOff p : putOff) {
                    if (p.device() == device) {
                        return false;
                    }
                }
            }
        }
        return idle(device);
    }

    /**
     * Destroys handle with the host function of the command being run, a vkDestroy* of a device child (each takes
     * device, handle and pAllocator, see {@link #DESTROY_CHILD}), now when {@link #destroyNow}, else puts it off. A
     * destroy that runs now allocates nothing (a capturing lambda per vkDestroyBuffer showed in a buffer churn's
     * profile); only a put-off one captures its handle.
     */
    private void destroyWhenIdle(VnCtx c, long device, long handle) throws Throwable {
        MemorySegment fn = c.fn(c.commandType());
        if (destroyNow(c, device)) {
            destroyChild(fn, device, handle);
        } else {
            putOff(c, device, d -> destroyChild(fn, device, handle));
        }
    }

    private static void destroyChild(MemorySegment fn, long device, long handle) throws Throwable {
        DESTROY_CHILD.invokeExact(fn, device, handle, 0L); // a statement: the call site's type returns void
    }

    /** Runs call now when {@link #destroyNow}, else puts it off. */
    private void destroyWhenIdle(VnCtx c, long device, Deferred call) throws Throwable {
        if (destroyNow(c, device)) {
            call.run(c);
        } else {
            putOff(c, device, call);
        }
    }

    /**
     * Puts call off behind what is put off already (see above). A client that piles up {@link #PUT_OFF_LIMIT}
     * calls without ever waiting waits for its device here.
     */
    private void putOff(VnCtx c, long device, Deferred call) throws Throwable {
        QueueFences[] qs = java.util.Arrays.stream(queues).filter(q -> q.device == device).toArray(QueueFences[]::new);
        synchronized (putOff) {
            long[] upTo = new long[qs.length];
            for (int i = 0; i < upTo.length; i++) {
                upTo[i] = qs[i].submitted();
            }
            putOff.add(new PutOff(device, qs, upTo, call));
            putOffCount = putOff.size();
        }
        for (QueueFences q : qs) {
            probe(c, q);
        }
        if (putOffCount > PUT_OFF_LIMIT) {
            waitDevice(c, device, System.nanoTime(), Math.min(waitBudget(c, -1L), RESET_WAIT_NANOS), true);
            runPutOff(c);
        }
    }

    /**
     * Makes sure the queue finds out when it has completed what was submitted so far even if the client never
     * waits on a fence of ours to see (timeline semaphores only, or no wait at all): an empty submit with a fence
     * of the executor's, one at a time per queue, checked in {@link #runPutOff}.
     */
    private void probe(VnCtx c, QueueFences q) throws Throwable {
        synchronized (q) {
            if (q.probing || q.completed >= q.submitted) {
                return;
            }
            if (q.probe == 0) {
                long info = c.alloc(1, 24); // VkFenceCreateInfo: sType, pNext, flags 0 (unsignalled)
                p32(info, STYPE_FENCE_CREATE_INFO);
                p64(info + 8, 0);
                p32(info + 16, 0);
                long out = c.alloc(1, 8);
                if (VnHooks.super.vkCreateFence(c, q.device, info, 0, out) != VK_SUCCESS) {
                    return;
                }
                q.probe = g64(out);
            }
            if (VnHooks.super.vkQueueSubmit(c, q.queue, 0, 0, q.probe) == VK_SUCCESS) {
                q.probing = true;
                q.probeUpTo = q.submitted;
            }
        }
    }

    /** A probe that signalled completes its queue; its fence is reset for the next one. */
    private void checkProbe(VnCtx c, QueueFences q) throws Throwable {
        synchronized (q) {
            if (!q.probing || VnHooks.super.vkGetFenceStatus(c, q.device, q.probe) != VK_SUCCESS) {
                return;
            }
            long p = c.alloc(1, 8);
            p64(p, q.probe);
            if (VnHooks.super.vkResetFences(c, q.device, 1, p) == VK_SUCCESS) {
                q.probing = false;
            }
            q.complete(q.probeUpTo);
        }
    }

    /** Calls put off now (tests). */
    int putOffCount() {
        return putOffCount;
    }

    /** Runs the put-off calls that are ready, each device's in order. */
    private void runPutOff(VnCtx c) throws Throwable {
        if (putOffCount == 0) {
            return;
        }
        for (QueueFences q : queues) {
            checkProbe(c, q);
        }
        java.util.Set<QueueFences> waiting = new java.util.HashSet<>();
        // run under the lock: two ring threads must not run one device's put-off calls out of order (freeing command
        // buffers after their pool is gone would free them twice)
        synchronized (putOff) {
            Set<Long> blocked = new java.util.HashSet<>();
            for (var it = putOff.iterator(); it.hasNext(); ) {
                PutOff p = it.next();
                if (blocked.contains(p.device())) {
                    continue;
                }
                if (p.ready()) {
                    it.remove();
                    putOffCount = putOff.size();
                    p.call().run(c);
                } else {
                    blocked.add(p.device());
                    waiting.addAll(java.util.List.of(p.queues()));
                }
            }
            putOffCount = putOff.size();
        }
        for (QueueFences q : waiting) {
            probe(c, q);
        }
    }

    /** Before device is freed (its queues drained, see {@link #quiesce}): runs all of its put-off calls. */
    private void runPutOff(VnCtx c, long device, boolean run) throws Throwable {
        synchronized (putOff) {
            for (var it = putOff.iterator(); it.hasNext(); ) {
                PutOff p = it.next();
                if (p.device() == device) {
                    it.remove();
                    if (run) {
                        p.call().run(c);
                    }
                }
            }
            putOffCount = putOff.size();
        }
        commandMarks.values().removeIf(m -> m.q().device == device);
        fenceMarks.values().removeIf(m -> m.q().device == device);
        poolMarks.values().removeIf(m -> m.q().device == device);
        boundPools.keySet().removeIf(cb -> {
            long d = objects.device(VnInfo.H_VkCommandBuffer, cb);
            return d == device || d == 0; // 0: freed with its pool
        });
    }

    /**
     * Waits until the submit m (a command buffer's or a pool's latest, null for none) is complete, for a reset of
     * what it uses; false when it did not complete in time.
     */
    private boolean completeFor(VnCtx c, Mark m) throws Throwable {
        if (m == null || m.q().done(m.seq())) {
            return true;
        }
        if (waitQueue(c, m.q(), System.nanoTime(), Math.min(waitBudget(c, -1L), RESET_WAIT_NANOS), true) == VK_SUCCESS) {
            return true;
        }
        int n = refusedResets.incrementAndGet();
        if (n <= REFUSED_LOG_LIMIT) {
            VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: a reset was refused (VK_ERROR_DEVICE_LOST; a"
                    + " host query reset is skipped): work"
                    + " submitted before it did not complete within " + RESET_WAIT_NANOS / 1_000_000 + " ms"
                    + (n == REFUSED_LOG_LIMIT ? " (no more such lines for this context)" : ""));
        }
        return false;
    }

    /** Whether a command buffer's own latest submit, and that of a primary executing it as a secondary, completed. */
    private boolean idleFor(VnCtx c, long commandBuffer) throws Throwable {
        return completeFor(c, commandMarks.get(commandBuffer)) && completeFor(c, poolMarks.get(commandBuffer));
    }

    /** resets refused so far, for rate limiting their log lines */
    private final AtomicInteger refusedResets = new AtomicInteger();

    @Override
    public int vkBeginCommandBuffer(VnCtx c, long commandBuffer, long pBeginInfo) throws Throwable {
        if (!idleFor(c, commandBuffer)) {
            return VK_ERROR_DEVICE_LOST;
        }
        boundPools.remove(commandBuffer); // recording starts over
        String why = areas.begin(commandBuffer, pBeginInfo);
        if (why != null) {
            refusedRecording("vkBeginCommandBuffer", commandBuffer, why);
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        return VnHooks.super.vkBeginCommandBuffer(c, commandBuffer, pBeginInfo);
    }

    @Override
    public int vkResetCommandBuffer(VnCtx c, long commandBuffer, int flags) throws Throwable {
        if (!idleFor(c, commandBuffer)) {
            return VK_ERROR_DEVICE_LOST;
        }
        boundPools.remove(commandBuffer);
        return VnHooks.super.vkResetCommandBuffer(c, commandBuffer, flags);
    }

    @Override
    public int vkResetCommandPool(VnCtx c, long device, long commandPool, int flags) throws Throwable {
        return completeFor(c, poolMarks.get(commandPool))
                ? VnHooks.super.vkResetCommandPool(c, device, commandPool, flags) : VK_ERROR_DEVICE_LOST;
    }

    @Override
    public int vkResetDescriptorPool(VnCtx c, long device, long descriptorPool, int flags) throws Throwable {
        return completeFor(c, poolMarks.get(descriptorPool))
                ? VnHooks.super.vkResetDescriptorPool(c, device, descriptorPool, flags) : VK_ERROR_DEVICE_LOST;
    }

    @Override
    public int vkFreeDescriptorSets(VnCtx c, long device, long descriptorPool, int descriptorSetCount,
            long pDescriptorSets) throws Throwable {
        if (pDescriptorSets == 0) {
            // vk.xml lets the decoder pass a NULL array (its elements may be NULL), and lavapipe would read the count's
            // worth of sets from address 0: the JVM died on vkFreeDescriptorSets(device, pool, 5, NULL)
            return VK_SUCCESS;
        }
        // waits rather than puts off: the pool must have the sets' room back when this returns
        return completeFor(c, poolMarks.get(descriptorPool))
                ? VnHooks.super.vkFreeDescriptorSets(c, device, descriptorPool, descriptorSetCount, pDescriptorSets)
                : VK_ERROR_DEVICE_LOST;
    }

    /**
     * Records that commandBuffer's work uses pool (a descriptor, query or command pool, or a secondary command
     * buffer): each submit of it then becomes that object's latest work in {@link #poolMarks}.
     */
    private void uses(long commandBuffer, long pool) {
        if (pool != 0) {
            boundPools.computeIfAbsent(commandBuffer, k -> ConcurrentHashMap.newKeySet()).add(pool);
        }
    }

    @Override
    public void vkCmdBindDescriptorSets(VnCtx c, long commandBuffer, int pipelineBindPoint, long layout, int firstSet,
            int descriptorSetCount, long pDescriptorSets, int dynamicOffsetCount, long pDynamicOffsets) throws Throwable {
        long[] shape = layoutShape(layout);
        String why = shape == null ? "unknown pipeline layout"
                : Integer.toUnsignedLong(firstSet) + Integer.toUnsignedLong(descriptorSetCount) > shape[0]
                        ? "sets " + Integer.toUnsignedString(firstSet) + "+"
                                + Integer.toUnsignedString(descriptorSetCount) + " past the layout's " + shape[0]
                        : descriptorShapes.bindSets(commandBuffer, pipelineBindPoint, layout, firstSet,
                                descriptorSetCount, pDescriptorSets);
        if (why == null) {
            why = dynamicOffsets.bind(descriptorSetCount, pDescriptorSets, dynamicOffsetCount, pDynamicOffsets);
        }
        if (why != null) {
            refusedRecording("vkCmdBindDescriptorSets", commandBuffer, why);
            return;
        }
        for (int i = 0; i < descriptorSetCount && pDescriptorSets != 0; i++) {
            uses(commandBuffer, objects.parent(VnInfo.H_VkDescriptorSet, g64(pDescriptorSets + 8L * i)));
        }
        VnHooks.super.vkCmdBindDescriptorSets(c, commandBuffer, pipelineBindPoint, layout, firstSet,
                descriptorSetCount, pDescriptorSets, dynamicOffsetCount, pDynamicOffsets);
    }

    @Override
    public void vkCmdBeginQuery(VnCtx c, long commandBuffer, long queryPool, int query, int flags) throws Throwable {
        if (!queriesIn("vkCmdBeginQuery", queryPool, query, areas.views(commandBuffer))) {
            return;
        }
        uses(commandBuffer, queryPool);
        VnHooks.super.vkCmdBeginQuery(c, commandBuffer, queryPool, query, flags);
    }

    @Override
    public void vkCmdEndQuery(VnCtx c, long commandBuffer, long queryPool, int query) throws Throwable {
        if (!queriesIn("vkCmdEndQuery", queryPool, query, areas.views(commandBuffer))) {
            return;
        }
        uses(commandBuffer, queryPool);
        VnHooks.super.vkCmdEndQuery(c, commandBuffer, queryPool, query);
    }

    @Override
    public void vkCmdResetQueryPool(VnCtx c, long commandBuffer, long queryPool, int firstQuery, int queryCount)
            throws Throwable {
        if (!queriesIn("vkCmdResetQueryPool", queryPool, firstQuery, queryCount)) {
            return;
        }
        uses(commandBuffer, queryPool);
        VnHooks.super.vkCmdResetQueryPool(c, commandBuffer, queryPool, firstQuery, queryCount);
    }

    @Override
    public void vkCmdWriteTimestamp(VnCtx c, long commandBuffer, int pipelineStage, long queryPool, int query)
            throws Throwable {
        if (!queriesIn("vkCmdWriteTimestamp", queryPool, query, areas.views(commandBuffer))) {
            return;
        }
        uses(commandBuffer, queryPool);
        VnHooks.super.vkCmdWriteTimestamp(c, commandBuffer, pipelineStage, queryPool, query);
    }

    @Override
    public void vkCmdWriteTimestamp2(VnCtx c, long commandBuffer, long stage, long queryPool, int query) throws Throwable {
        if (!queriesIn("vkCmdWriteTimestamp2", queryPool, query, areas.views(commandBuffer))) {
            return;
        }
        uses(commandBuffer, queryPool);
        VnHooks.super.vkCmdWriteTimestamp2(c, commandBuffer, stage, queryPool, query);
    }

    @Override
    public void vkCmdCopyQueryPoolResults(VnCtx c, long commandBuffer, long queryPool, int firstQuery, int queryCount,
            long dstBuffer, long dstOffset, long stride, int flags) throws Throwable {
        long bytes = bounds.resultBytes(queryPool, firstQuery, queryCount, stride, flags);
        if (bytes < 0 || !bounds.range(dstBuffer, dstOffset, bytes)) {
            refusedRange("vkCmdCopyQueryPoolResults", bytes < 0 ? "queries " + firstQuery + "+" + queryCount
                    + " are not in the pool" : "the results' " + bytes + " bytes leave the buffer from " + dstOffset);
            return;
        }
        uses(commandBuffer, queryPool);
        VnHooks.super.vkCmdCopyQueryPoolResults(c, commandBuffer, queryPool, firstQuery, queryCount, dstBuffer,
                dstOffset, stride, flags);
    }

    // ---------------------------------------------------------------- transform feedback, conditional rendering

    /**
     * vkCmdBindTransformFeedbackBuffersEXT: bindings within maxTransformFeedbackBuffers, each range (offset, and size
     * or VK_WHOLE_SIZE, pSizes optional) inside its bound buffer, offsets 4-byte aligned (VUID-vkCmdBindTransform
     * FeedbackBuffersEXT-firstBinding-02356, -pOffsets-02358, -pSizes-02362, -pOffsets-02359). lavapipe's draws
     * write captured vertices up to the bound size, so a range past the buffer is a write past its memory.
     */
    @Override
    public void vkCmdBindTransformFeedbackBuffersEXT(VnCtx c, long commandBuffer, int firstBinding, int bindingCount,
            long pBuffers, long pOffsets, long pSizes) throws Throwable {
        String why = indicesPast("bindings", commandBuffer, firstBinding, bindingCount, l -> l.xfb().buffers());
        if (why == null && bindingCount != 0 && (pBuffers == 0 || pOffsets == 0)) {
            why = bindingCount + " bindings without their buffers or offsets";
        }
        for (int i = 0; why == null && i < bindingCount; i++) {
            long buffer = g64(pBuffers + 8L * i), offset = g64(pOffsets + 8L * i);
            long size = pSizes == 0 ? Bounds.WHOLE_SIZE : g64(pSizes + 8L * i);
            if ((offset & 3) != 0 || !bounds.range(buffer, offset, size)) {
                why = "binding " + i + " (offset " + Long.toUnsignedString(offset) + ", size "
                        + (size == Bounds.WHOLE_SIZE ? "whole" : Long.toUnsignedString(size)) + ") leaves its buffer";
            }
        }
        if (why != null) {
            refusedRecording("vkCmdBindTransformFeedbackBuffersEXT", commandBuffer, why);
            return;
        }
        areas.feedbackBound(commandBuffer, firstBinding, bindingCount);
        VnHooks.super.vkCmdBindTransformFeedbackBuffersEXT(c, commandBuffer, firstBinding, bindingCount, pBuffers,
                pOffsets, pSizes);
    }

    /**
     * Whether the counter buffers of vkCmdBegin/EndTransformFeedbackEXT (pCounterBuffers optional, each element may be
     * VK_NULL_HANDLE): within maxTransformFeedbackBuffers, and the 4-byte counter at each offset inside its buffer
     * (VUID-vkCmdBeginTransformFeedbackEXT-firstCounterBuffer-02368, -pCounterBufferOffsets-02370); the driver
     * reads the counters at the begin and writes them at the end. state: why the begin or end is refused by the
     * command buffer's transform feedback state ({@link RenderAreas#feedbackBegin}, {@link RenderAreas#feedbackEnd}),
     * or null. When any of that fails, the command buffer is poisoned.
     */
    private boolean countersIn(String command, long commandBuffer, int first, int count, long pBuffers,
            long pOffsets, String state) {
        String why = state != null ? state
                : indicesPast("counter buffers", commandBuffer, first, count, l -> l.xfb().buffers());
        for (int i = 0; why == null && i < count && pBuffers != 0; i++) {
            long buffer = g64(pBuffers + 8L * i);
            long offset = pOffsets == 0 ? 0 : g64(pOffsets + 8L * i);
            if (buffer != 0 && ((offset & 3) != 0 || !bounds.range(buffer, offset, 4))) {
                why = "counter buffer " + i + "'s counter at " + Long.toUnsignedString(offset) + " leaves it";
            }
        }
        if (why != null) {
            refusedRecording(command, commandBuffer, why);
        }
        return why == null;
    }

    @Override
    public void vkCmdBeginTransformFeedbackEXT(VnCtx c, long commandBuffer, int firstCounterBuffer,
            int counterBufferCount, long pCounterBuffers, long pCounterBufferOffsets) throws Throwable {
        if (countersIn("vkCmdBeginTransformFeedbackEXT", commandBuffer, firstCounterBuffer, counterBufferCount,
                pCounterBuffers, pCounterBufferOffsets, areas.feedbackBegin(commandBuffer))) {
            VnHooks.super.vkCmdBeginTransformFeedbackEXT(c, commandBuffer, firstCounterBuffer, counterBufferCount,
                    pCounterBuffers, pCounterBufferOffsets);
        }
    }

    @Override
    public void vkCmdEndTransformFeedbackEXT(VnCtx c, long commandBuffer, int firstCounterBuffer,
            int counterBufferCount, long pCounterBuffers, long pCounterBufferOffsets) throws Throwable {
        if (countersIn("vkCmdEndTransformFeedbackEXT", commandBuffer, firstCounterBuffer, counterBufferCount,
                pCounterBuffers, pCounterBufferOffsets, areas.feedbackEnd(commandBuffer, firstCounterBuffer,
                        counterBufferCount, pCounterBuffers))) {
            VnHooks.super.vkCmdEndTransformFeedbackEXT(c, commandBuffer, firstCounterBuffer, counterBufferCount,
                    pCounterBuffers, pCounterBufferOffsets);
        }
    }

    /**
     * Whether an indexed query may run: its vertex stream below maxTransformFeedbackStreams for a transform feedback
     * stream or primitives generated query, 0 for any other type (VUID-vkCmdBeginQueryIndexedEXT-queryType-02339,
     * -02340, -06690; a stream past them poisons the command buffer), and the query in the pool as for
     * vkCmdBeginQuery. Records the pool's use.
     */
    private boolean indexedQueryIn(String command, long commandBuffer, long queryPool, int query, int index) {
        Limits l = limitsOf(VnInfo.H_VkCommandBuffer, commandBuffer);
        long streams = bounds.streamIndexed(queryPool) ? l == null ? 0 : l.xfb().streams() : 1;
        if (Integer.toUnsignedLong(index) >= streams) {
            refusedRecording(command, commandBuffer, "vertex stream " + Integer.toUnsignedString(index) + " of "
                    + streams);
            return false;
        }
        if (!queriesIn(command, queryPool, query, areas.views(commandBuffer))) {
            return false;
        }
        uses(commandBuffer, queryPool);
        return true;
    }

    @Override
    public void vkCmdBeginQueryIndexedEXT(VnCtx c, long commandBuffer, long queryPool, int query, int flags,
            int index) throws Throwable {
        if (indexedQueryIn("vkCmdBeginQueryIndexedEXT", commandBuffer, queryPool, query, index)) {
            VnHooks.super.vkCmdBeginQueryIndexedEXT(c, commandBuffer, queryPool, query, flags, index);
        }
    }

    @Override
    public void vkCmdEndQueryIndexedEXT(VnCtx c, long commandBuffer, long queryPool, int query, int index)
            throws Throwable {
        if (indexedQueryIn("vkCmdEndQueryIndexedEXT", commandBuffer, queryPool, query, index)) {
            VnHooks.super.vkCmdEndQueryIndexedEXT(c, commandBuffer, queryPool, query, index);
        }
    }

    /**
     * vkCmdDrawIndirectByteCountEXT draws (counter - counterOffset) / vertexStride vertices: the stride must be 1 to
     * maxTransformFeedbackBufferDataStride (VUID-vkCmdDrawIndirectByteCountEXT-vertexStride-02289; lavapipe divides
     * by it) and the 4-byte counter inside its buffer (-counterBufferOffset-04568).
     */
    @Override
    public void vkCmdDrawIndirectByteCountEXT(VnCtx c, long commandBuffer, int instanceCount, int firstInstance,
            long counterBuffer, long counterBufferOffset, int counterOffset, int vertexStride) throws Throwable {
        if (!ready("vkCmdDrawIndirectByteCountEXT", commandBuffer, DescriptorShapes.GRAPHICS)) {
            return;
        }
        Limits l = limitsOf(VnInfo.H_VkCommandBuffer, commandBuffer);
        long stride = Integer.toUnsignedLong(vertexStride);
        if (l == null || stride < 1 || stride > l.xfb().stride() || (counterBufferOffset & 3) != 0
                || !bounds.range(counterBuffer, counterBufferOffset, 4)) {
            refusedRange("vkCmdDrawIndirectByteCountEXT", "vertex stride " + stride + " (the device's at most "
                    + (l == null ? "(unknown)" : l.xfb().stride()) + ") or its counter at "
                    + Long.toUnsignedString(counterBufferOffset) + " outside its buffer");
            return;
        }
        VnHooks.super.vkCmdDrawIndirectByteCountEXT(c, commandBuffer, instanceCount, firstInstance, counterBuffer,
                counterBufferOffset, counterOffset, vertexStride);
    }

    /**
     * vkCmdBeginConditionalRenderingEXT reads a 32-bit predicate at the begin info's offset (VkConditionalRendering
     * BeginInfoEXT: buffer @16, offset @24): a multiple of 4 with its word inside the buffer (VUID-VkConditional
     * RenderingBeginInfoEXT-offset-01983, -01984). Refused, the command buffer is poisoned: its end would be
     * unbalanced.
     */
    @Override
    public void vkCmdBeginConditionalRenderingEXT(VnCtx c, long commandBuffer, long pConditionalRenderingBegin)
            throws Throwable {
        long offset = g64(pConditionalRenderingBegin + 24);
        if ((offset & 3) != 0 || !bounds.range(g64(pConditionalRenderingBegin + 16), offset, 4)) {
            refusedRecording("vkCmdBeginConditionalRenderingEXT", commandBuffer, "the predicate at "
                    + Long.toUnsignedString(offset) + " is not a word inside its buffer");
            return;
        }
        VnHooks.super.vkCmdBeginConditionalRenderingEXT(c, commandBuffer, pConditionalRenderingBegin);
    }

    /**
     * The enum-valued dynamic states of VK_EXT_extended_dynamic_state3 that are offered: a polygon mode of FILL, LINE or
     * POINT (VK_POLYGON_MODE_FILL_RECTANGLE_NV needs an extension not advertised), a provoking vertex mode of
     * VkProvokingVertexModeEXT, a line rasterization mode of VkLineRasterizationModeEXT; anything else poisons the
     * command buffer (VUID-vkCmdSetPolygonModeEXT-polygonMode-parameter and its siblings).
     */
    private boolean enumIn(String command, long commandBuffer, String what, int value, int last) {
        if (value >= 0 && value <= last) {
            return true;
        }
        refusedRecording(command, commandBuffer, what + " " + value);
        return false;
    }

    @Override
    public void vkCmdSetPolygonModeEXT(VnCtx c, long commandBuffer, int polygonMode) throws Throwable {
        if (enumIn("vkCmdSetPolygonModeEXT", commandBuffer, "polygon mode", polygonMode, 2)) {
            VnHooks.super.vkCmdSetPolygonModeEXT(c, commandBuffer, polygonMode);
        }
    }

    @Override
    public void vkCmdSetProvokingVertexModeEXT(VnCtx c, long commandBuffer, int provokingVertexMode)
            throws Throwable {
        if (enumIn("vkCmdSetProvokingVertexModeEXT", commandBuffer, "provoking vertex mode", provokingVertexMode, 1)) {
            VnHooks.super.vkCmdSetProvokingVertexModeEXT(c, commandBuffer, provokingVertexMode);
        }
    }

    @Override
    public void vkCmdSetLineRasterizationModeEXT(VnCtx c, long commandBuffer, int lineRasterizationMode)
            throws Throwable {
        if (enumIn("vkCmdSetLineRasterizationModeEXT", commandBuffer, "line rasterization mode",
                lineRasterizationMode, 3)) {
            VnHooks.super.vkCmdSetLineRasterizationModeEXT(c, commandBuffer, lineRasterizationMode);
        }
    }

    @Override
    public void vkCmdSetTessellationDomainOriginEXT(VnCtx c, long commandBuffer, int domainOrigin) throws Throwable {
        if (enumIn("vkCmdSetTessellationDomainOriginEXT", commandBuffer, "tessellation domain origin", domainOrigin,
                1)) {
            VnHooks.super.vkCmdSetTessellationDomainOriginEXT(c, commandBuffer, domainOrigin);
        }
    }

    /** vkCmdSetLogicOpEXT (extended dynamic state 2): a VkLogicOp, CLEAR (0) to SET (15). */
    @Override
    public void vkCmdSetLogicOpEXT(VnCtx c, long commandBuffer, int logicOp) throws Throwable {
        if (enumIn("vkCmdSetLogicOpEXT", commandBuffer, "logic op", logicOp, 15)) {
            VnHooks.super.vkCmdSetLogicOpEXT(c, commandBuffer, logicOp);
        }
    }

    /** Whether a sample count is one ({@link PipelineStates#sampleCountBit}); if not, the command buffer is poisoned. */
    private boolean sampleCountIn(String command, long commandBuffer, String what, int samples) {
        if (sampleCountBit(samples)) {
            return true;
        }
        refusedRecording(command, commandBuffer, what + " " + Integer.toUnsignedString(samples));
        return false;
    }

    @Override
    public void vkCmdSetRasterizationSamplesEXT(VnCtx c, long commandBuffer, int rasterizationSamples)
            throws Throwable {
        if (sampleCountIn("vkCmdSetRasterizationSamplesEXT", commandBuffer, "rasterization samples",
                rasterizationSamples)) {
            VnHooks.super.vkCmdSetRasterizationSamplesEXT(c, commandBuffer, rasterizationSamples);
        }
    }

    /** vkCmdSetSampleMaskEXT: a sample count (the decoder took ceil(samples / 32) words of mask for it). */
    @Override
    public void vkCmdSetSampleMaskEXT(VnCtx c, long commandBuffer, int samples, long pSampleMask) throws Throwable {
        if (sampleCountIn("vkCmdSetSampleMaskEXT", commandBuffer, "samples", samples)) {
            VnHooks.super.vkCmdSetSampleMaskEXT(c, commandBuffer, samples, pSampleMask);
        }
    }

    /**
     * vkCmdSetColorBlendEnableEXT, vkCmdSetColorBlendEquationEXT, vkCmdSetColorWriteMaskEXT: attachments [first,
     * first + count) within maxColorAttachments (VUID-vkCmdSetColorBlendEnableEXT-firstAttachment-... : lavapipe
     * stores each into a fixed array of 8; 100 enables killed it, {@code vkhostile draw 1 blend3count}, and
     * attachments 7-8 or a write mask for attachment 1000 wrote past it unseen, {@code blend3first}, {@code
     * mask3first}; vkCmdSetColorWriteEnableEXT's enables too); beyond that, why is a further check's refusal.
     * Otherwise the command buffer is poisoned.
     */
    private boolean attachmentsFit(String command, long commandBuffer, String what, int first, int count,
            String why) {
        String past = indicesPast(what, commandBuffer, first, count, Limits::colorAttachments);
        if (past != null || why != null) {
            refusedRecording(command, commandBuffer, past != null ? past : why);
        }
        return past == null && why == null;
    }

    @Override
    public void vkCmdSetColorBlendEnableEXT(VnCtx c, long commandBuffer, int firstAttachment, int attachmentCount,
            long pColorBlendEnables) throws Throwable {
        if (attachmentsFit("vkCmdSetColorBlendEnableEXT", commandBuffer, "attachments", firstAttachment,
                attachmentCount, null)) {
            VnHooks.super.vkCmdSetColorBlendEnableEXT(c, commandBuffer, firstAttachment, attachmentCount,
                    pColorBlendEnables);
        }
    }

    @Override
    public void vkCmdSetColorWriteMaskEXT(VnCtx c, long commandBuffer, int firstAttachment, int attachmentCount,
            long pColorWriteMasks) throws Throwable {
        if (attachmentsFit("vkCmdSetColorWriteMaskEXT", commandBuffer, "attachments", firstAttachment,
                attachmentCount, null)) {
            VnHooks.super.vkCmdSetColorWriteMaskEXT(c, commandBuffer, firstAttachment, attachmentCount,
                    pColorWriteMasks);
        }
    }

    /**
     * vkCmdSetColorBlendEquationEXT: the attachments' range, and each VkColorBlendEquationEXT (24 bytes: source and
     * destination colour factors @0, @4, colour op @8, alpha factors @12, @16, alpha op @20) of VkBlendFactor (0-18)
     * and VkBlendOp's ADD to MAX (0-4; the advanced ops need VK_EXT_blend_operation_advanced, not advertised):
     * VUID-VkColorBlendEquationEXT-*-parameter and -colorBlendOp-07361. lavapipe survives factors and ops of 1000
     * ({@code vkhostile draw 1 blend3enum}), as it does in a pipeline ({@code enumblend}).
     */
    @Override
    public void vkCmdSetColorBlendEquationEXT(VnCtx c, long commandBuffer, int firstAttachment, int attachmentCount,
            long pColorBlendEquations) throws Throwable {
        if (attachmentsFit("vkCmdSetColorBlendEquationEXT", commandBuffer, "attachments", firstAttachment,
                attachmentCount, blendEquationsRefused(pColorBlendEquations, attachmentCount))) {
            VnHooks.super.vkCmdSetColorBlendEquationEXT(c, commandBuffer, firstAttachment, attachmentCount,
                    pColorBlendEquations);
        }
    }

    /**
     * A recorded command whose feature is withheld ({@code command-types.txt} "withheld": extended dynamic state 3's
     * states not in {@link PipelineStates#EDS3_OFFERED}): decoded,
     * never run; the command buffer is poisoned, as a client that enabled no such feature cannot validly record it.
     */
    @Override
    public void withheldCommand(long commandBuffer, String command) {
        refusedRecording(command, commandBuffer, "its feature is not offered");
    }

    /**
     * vkCmdSetColorWriteEnableEXT: at most maxColorAttachments enables (VUID-vkCmdSetColorWriteEnableEXT-attachment
     * Count-06656; lavapipe keeps them as bits of a small mask).
     */
    @Override
    public void vkCmdSetColorWriteEnableEXT(VnCtx c, long commandBuffer, int attachmentCount, long pColorWriteEnables)
            throws Throwable {
        if (attachmentsFit("vkCmdSetColorWriteEnableEXT", commandBuffer, "colour write enables", 0, attachmentCount,
                null)) {
            VnHooks.super.vkCmdSetColorWriteEnableEXT(c, commandBuffer, attachmentCount, pColorWriteEnables);
        }
    }

    /**
     * vkCmdSetVertexInputEXT (VK_EXT_vertex_input_dynamic_state): at most maxVertexInputBindings bindings and
     * maxVertexInputAttributes attributes (VUID-vkCmdSetVertexInputEXT-vertexBindingDescriptionCount-04791, -04792),
     * each binding number below maxVertexInputBindings and its input rate a VkVertexInputRate (VkVertexInputBinding
     * Description2EXT-binding-04796, -inputRate-parameter), each attribute's location below maxVertexInputAttributes
     * and binding below maxVertexInputBindings (VkVertexInputAttributeDescription2EXT-location-06228, -binding-06229).
     * lavapipe keeps both in fixed arrays: binding 100 and an attribute of binding 100 killed it (SIGSEGV), location 100
     * aborted it ({@code vkhostile draw 1 vinbinding}, {@code vinattrbinding}, {@code vinloc}); 100 bindings wrote
     * past its array unseen ({@code vincount}). Strides and offsets are kept within maxVertexInputBindingStride and
     * maxVertexInputAttributeOffset too (VkVertexInputBindingDescription2EXT-stride-04797, VkVertexInputAttribute
     * Description2EXT-offset-06230), although lavapipe survives 2^30 of either ({@code vinstride}, {@code vinoffset}).
     * It survives a format that is none or has no vertex buffer support and instance divisors of 0 or 2^30 ({@code
     * vinformat}, {@code vinbc1}, {@code vindiv0}, {@code vindivbig}): not checked. Refused, the command buffer is
     * poisoned.
     */
    @Override
    public void vkCmdSetVertexInputEXT(VnCtx c, long commandBuffer, int vertexBindingDescriptionCount,
            long pVertexBindingDescriptions, int vertexAttributeDescriptionCount, long pVertexAttributeDescriptions)
            throws Throwable {
        Limits l = limitsOf(VnInfo.H_VkCommandBuffer, commandBuffer);
        String why = l == null ? "unknown device" : vertexInputRefused(l, vertexBindingDescriptionCount,
                pVertexBindingDescriptions, vertexAttributeDescriptionCount, pVertexAttributeDescriptions);
        if (why != null) {
            refusedRecording("vkCmdSetVertexInputEXT", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdSetVertexInputEXT(c, commandBuffer, vertexBindingDescriptionCount,
                pVertexBindingDescriptions, vertexAttributeDescriptionCount, pVertexAttributeDescriptions);
    }

    /** vkCmdSetPatchControlPointsEXT: 1 to maxTessellationPatchSize, kept for the draws (see {@link DescriptorShapes}). */
    @Override
    public void vkCmdSetPatchControlPointsEXT(VnCtx c, long commandBuffer, int patchControlPoints) throws Throwable {
        Limits l = limitsOf(VnInfo.H_VkCommandBuffer, commandBuffer);
        String why = descriptorShapes.setPatchPoints(commandBuffer, patchControlPoints,
                l == null ? 0 : l.shader()[ShaderSizes.PATCH]);
        if (why != null) {
            refusedRecording("vkCmdSetPatchControlPointsEXT", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdSetPatchControlPointsEXT(c, commandBuffer, patchControlPoints);
    }

    /** vkCmdSetLineStippleEXT: a factor of 1 to 256 (VUID-vkCmdSetLineStippleEXT-lineStippleFactor-02776). */
    @Override
    public void vkCmdSetLineStippleEXT(VnCtx c, long commandBuffer, int lineStippleFactor, int lineStipplePattern)
            throws Throwable {
        if (lineStippleFactor < 1 || lineStippleFactor > 256) {
            refusedRecording("vkCmdSetLineStippleEXT", commandBuffer, "stipple factor " + lineStippleFactor);
            return;
        }
        VnHooks.super.vkCmdSetLineStippleEXT(c, commandBuffer, lineStippleFactor, lineStipplePattern);
    }

    /**
     * A secondary command buffer runs as part of the primary's submits: its own reset or begin, its pool's reset and
     * the resets of what it uses wait for them (lavapipe executes a secondary's recorded commands in place).
     */
    @Override
    public void vkCmdExecuteCommands(VnCtx c, long commandBuffer, int commandBufferCount, long pCommandBuffers)
            throws Throwable {
        for (int i = 0; i < commandBufferCount && pCommandBuffers != 0; i++) {
            long secondary = g64(pCommandBuffers + 8L * i);
            String why = secondary == 0 ? null : areas.poisoned(secondary) ? "secondary " + i + " was refused a command"
                    : areas.execute(commandBuffer, secondary);
            if (why != null) {
                refusedRecording("vkCmdExecuteCommands", commandBuffer, why);
                return;
            }
            if (secondary != 0 && secondary != commandBuffer) {
                uses(commandBuffer, secondary);
                uses(commandBuffer, objects.parent(VnInfo.H_VkCommandBuffer, secondary));
                Set<Long> its = boundPools.get(secondary);
                if (its != null) {
                    for (long p : its) {
                        uses(commandBuffer, p);
                    }
                }
            }
        }
        VnHooks.super.vkCmdExecuteCommands(c, commandBuffer, commandBufferCount, pCommandBuffers);
        descriptorShapes.executed(commandBuffer);
    }

    /**
     * A host reset of queries waits for the work that may still write them, as the other resets do: lavapipe's reset
     * frees the query objects its queue thread writes, and a client resetting under a pending submit aborted the
     * whole server ("double free or corruption", {@code e2e/venus/vkfreerace.c} in its query mode). A valid client
     * has waited already, so this finds the submit complete. When the work does not complete within
     * {@link #RESET_WAIT_NANOS} the queries are left as they are (the command returns nothing to refuse with).
     */
    @Override
    public void vkResetQueryPool(VnCtx c, long device, long queryPool, int firstQuery, int queryCount) throws Throwable {
        if (queriesIn("vkResetQueryPool", queryPool, firstQuery, queryCount) && completeFor(c, poolMarks.get(queryPool))) {
            VnHooks.super.vkResetQueryPool(c, device, queryPool, firstQuery, queryCount);
        }
    }

    // ---------------------------------------------------------------- indices into the driver's fixed state arrays

    /**
     * The host device's limits on what commands index: lavapipe keeps vertex buffers, viewports, scissors, bound
     * sets and push constants in arrays of these sizes and writes past them for indices past them
     * (vkCmdBindVertexBuffers of bindings 30-129 killed it with SIGSEGV, {@code e2e/venus/vkhostile.c} vbuffers; a 4
     * KiB vkCmdPushConstants at offset 4 KiB and viewports 10-109 wrote past its state without crashing at once).
     * Valid usage keeps them in (VUID-vkCmdBindVertexBuffers-firstBinding-00624, VUID-vkCmdSetViewport-
     * firstViewport-01223, VUID-vkCmdPushConstants-offset-01796 through the layout's ranges, VUID-VkPipelineLayout
     * CreateInfo-setLayoutCount-00286 and VUID-VkPushConstantRange-size-00298 for the layouts).
     */
    /** shader: the stage limits {@link ShaderSizes#refused} takes, indexed by {@link ShaderSizes#SHARED} and the others */
    record Limits(long pushConstants, long boundSets, long vertexBindings, long viewports, long vertexAttributes,
            long colorAttachments, long[] shader, TransformFeedback xfb, long vertexStride, long vertexOffset,
            long pushDescriptors) {
    }

    /**
     * VkPhysicalDeviceTransformFeedbackPropertiesEXT's maxTransformFeedbackStreams @16, maxTransformFeedbackBuffers @20
     * and maxTransformFeedbackBufferDataStride @40; all 0 on a host without VK_EXT_transform_feedback (every
     * transform feedback command is then refused).
     */
    record TransformFeedback(long streams, long buffers, long stride) {
        static final TransformFeedback NONE = new TransformFeedback(0, 0, 0);
    }

    static final String TRANSFORM_FEEDBACK_EXT = "VK_EXT_transform_feedback";
    static final int STYPE_TRANSFORM_FEEDBACK_PROPERTIES = 1000028001;
    static final String PUSH_DESCRIPTOR_EXT = "VK_KHR_push_descriptor";
    static final int STYPE_PUSH_DESCRIPTOR_PROPERTIES = 1000080000;

    /**
     * VkPhysicalDeviceProperties.limits (at 296): maxPushConstantsSize @32, maxBoundDescriptorSets @64,
     * maxVertexInputAttributes @128, maxVertexInputBindings @132, maxVertexInputAttributeOffset @136,
     * maxVertexInputBindingStride @140, maxTessellationPatchSize @152,
     * maxGeometryShaderInvocations @180, maxGeometryOutputVertices @192, maxComputeSharedMemorySize @216,
     * maxComputeWorkGroupInvocations @232, maxComputeWorkGroupSize @236, maxViewports @276, maxColorAttachments @392;
     * shader is indexed by {@link ShaderSizes#SHARED} and the others, maxTransformFeedbackStreams last ({@link
     * ShaderSizes#STREAMS}). One vkGetPhysicalDeviceProperties2, with
     * VkPhysicalDeviceTransformFeedbackPropertiesEXT chained when the host has the extension (its
     * maxTransformFeedbackStreams @16, maxTransformFeedbackBuffers @20, maxTransformFeedbackBufferDataStride @40) and
     * VkPhysicalDevicePushDescriptorPropertiesKHR when it has VK_KHR_push_descriptor (maxPushDescriptors @16; 0
     * without it or with it withheld, so that every push descriptor layout is refused).
     */
    private Limits limits(VnCtx c, long physicalDevice) throws Throwable {
        long props2 = c.alloc(1, 840); // VkPhysicalDeviceProperties2: pNext @8, properties @16
        p32(props2, STYPE_PHYSICAL_DEVICE_PROPERTIES_2);
        long xfb = 0, push = 0;
        Map<String, Integer> host = hostExtensions(c, physicalDevice);
        if (host.containsKey(TRANSFORM_FEEDBACK_EXT)) {
            xfb = c.alloc(1, 64);
            p32(xfb, STYPE_TRANSFORM_FEEDBACK_PROPERTIES);
            p64(props2 + 8, xfb);
        }
        if (host.containsKey(PUSH_DESCRIPTOR_EXT) && !withheld(PUSH_DESCRIPTOR_EXT)) {
            push = c.alloc(1, 24);
            p32(push, STYPE_PUSH_DESCRIPTOR_PROPERTIES);
            p64(push + 8, g64(props2 + 8));
            p64(props2 + 8, push);
        }
        VnHooks.super.vkGetPhysicalDeviceProperties2(c, physicalDevice, props2);
        long l = props2 + 16 + 296;
        TransformFeedback feedback = xfb == 0 ? TransformFeedback.NONE
                : new TransformFeedback(Integer.toUnsignedLong(g32(xfb + 16)), Integer.toUnsignedLong(g32(xfb + 20)),
                        Integer.toUnsignedLong(g32(xfb + 40)));
        return new Limits(Integer.toUnsignedLong(g32(l + 32)), Integer.toUnsignedLong(g32(l + 64)),
                Integer.toUnsignedLong(g32(l + 132)), Integer.toUnsignedLong(g32(l + 276)),
                Integer.toUnsignedLong(g32(l + 128)), Integer.toUnsignedLong(g32(l + 392)), new long[] {
                    Integer.toUnsignedLong(g32(l + 216)), Integer.toUnsignedLong(g32(l + 232)),
                    Integer.toUnsignedLong(g32(l + 236)), Integer.toUnsignedLong(g32(l + 240)),
                    Integer.toUnsignedLong(g32(l + 244)), Integer.toUnsignedLong(g32(l + 152)),
                    Integer.toUnsignedLong(g32(l + 180)), Integer.toUnsignedLong(g32(l + 192)), feedback.streams()},
                feedback, Integer.toUnsignedLong(g32(l + 140)), Integer.toUnsignedLong(g32(l + 136)),
                push == 0 ? 0 : Integer.toUnsignedLong(g32(push + 16)));
    }

    /** The limits of the device a command buffer (or other child object of type) belongs to, null when unknown. */
    private Limits limitsOf(int type, long host) {
        DeviceInfo d = devices.get(objects.device(type, host));
        return d == null ? null : d.limits;
    }

    /** first + count <= limit, unsigned; an unknown device (null) has no room. */
    private static boolean fitsLimit(long first, long count, Limits l, long limit) {
        return l != null && first >= 0 && count >= 0 && count <= limit && first <= limit - count;
    }

    /**
     * A pipeline layout keeps its set count and the end of its push constant ranges (extra: sets | end << 32);
     * layouts past the device's limits are refused.
     */
    @Override
    public int vkCreatePipelineLayout(VnCtx c, long device, long pCreateInfo, long pAllocator, long pPipelineLayout)
            throws Throwable {
        // VkPipelineLayoutCreateInfo: setLayoutCount @20, pushConstantRangeCount @32, pPushConstantRanges @40
        // (VkPushConstantRange: stageFlags @0, offset @4, size @8)
        DeviceInfo d = devices.get(device);
        long sets = Integer.toUnsignedLong(g32(pCreateInfo + 20));
        long end = 0;
        long ranges = g64(pCreateInfo + 40);
        for (int i = 0; i < g32(pCreateInfo + 32) && ranges != 0; i++) {
            end = Math.max(end, Integer.toUnsignedLong(g32(ranges + 12L * i + 4))
                    + Integer.toUnsignedLong(g32(ranges + 12L * i + 8)));
        }
        if (d == null || sets > d.limits.boundSets || end > d.limits.pushConstants) {
            refusedRange("vkCreatePipelineLayout", sets + " sets and push constants to byte " + end
                    + (d == null ? " on an unknown device" : " past the device's " + d.limits.boundSets + " and "
                    + d.limits.pushConstants));
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        int r = VnHooks.super.vkCreatePipelineLayout(c, device, pCreateInfo, pAllocator, pPipelineLayout);
        if (r == VK_SUCCESS) {
            objects.extra(VnInfo.H_VkPipelineLayout, g64(pPipelineLayout), sets | end << 32 | 1L << 62);
            descriptorShapes.pipelineLayoutCreated(g64(pPipelineLayout), pCreateInfo);
        }
        return r;
    }

    /** A pipeline layout's set count and push constant end, {sets, end}, or null when unknown. */
    private long[] layoutShape(long layout) {
        long e = objects.extra(VnInfo.H_VkPipelineLayout, layout);
        return e == 0 ? null : new long[] {e & 0xFFFF_FFFFL, (e >>> 32) & 0x3FFF_FFFFL};
    }

    @Override
    public void vkCmdPushConstants(VnCtx c, long commandBuffer, long layout, int stageFlags, int offset, int size,
            long pValues) throws Throwable {
        long[] shape = layoutShape(layout);
        long o = Integer.toUnsignedLong(offset), n = Integer.toUnsignedLong(size);
        if (shape == null || o + n > shape[1]) {
            refusedRange("vkCmdPushConstants", "bytes " + o + "+" + n + " past the layout's push constants ("
                    + (shape == null ? "unknown layout" : shape[1] + " bytes") + ")");
            return;
        }
        VnHooks.super.vkCmdPushConstants(c, commandBuffer, layout, stageFlags, offset, size, pValues);
    }

    @Override
    public void vkCmdSetViewport(VnCtx c, long commandBuffer, int firstViewport, int viewportCount, long pViewports)
            throws Throwable {
        if (viewportsFit("vkCmdSetViewport", commandBuffer, firstViewport, viewportCount)) {
            VnHooks.super.vkCmdSetViewport(c, commandBuffer, firstViewport, viewportCount, pViewports);
        }
    }

    @Override
    public void vkCmdSetScissor(VnCtx c, long commandBuffer, int firstScissor, int scissorCount, long pScissors)
            throws Throwable {
        if (viewportsFit("vkCmdSetScissor", commandBuffer, firstScissor, scissorCount)) {
            VnHooks.super.vkCmdSetScissor(c, commandBuffer, firstScissor, scissorCount, pScissors);
        }
    }

    @Override
    public void vkCmdSetViewportWithCount(VnCtx c, long commandBuffer, int viewportCount, long pViewports)
            throws Throwable {
        if (viewportsFit("vkCmdSetViewportWithCount", commandBuffer, 0, viewportCount)) {
            VnHooks.super.vkCmdSetViewportWithCount(c, commandBuffer, viewportCount, pViewports);
        }
    }

    @Override
    public void vkCmdSetScissorWithCount(VnCtx c, long commandBuffer, int scissorCount, long pScissors)
            throws Throwable {
        if (viewportsFit("vkCmdSetScissorWithCount", commandBuffer, 0, scissorCount)) {
            VnHooks.super.vkCmdSetScissorWithCount(c, commandBuffer, scissorCount, pScissors);
        }
    }

    private boolean viewportsFit(String command, long commandBuffer, int first, int count) {
        return indicesFit(command, "viewports", commandBuffer, first, count, Limits::viewports);
    }

    /** Vertex buffer bindings [first, first + count) are within the device's maxVertexInputBindings. */
    private boolean vertexBindingsFit(String command, long commandBuffer, int first, int count) {
        return indicesFit(command, "bindings", commandBuffer, first, count, Limits::vertexBindings);
    }

    /** [first, first + count) within the limit of commandBuffer's device; logs the command refused when not. */
    private boolean indicesFit(String command, String what, long commandBuffer, int first, int count,
            java.util.function.ToLongFunction<Limits> limit) {
        String why = indicesPast(what, commandBuffer, first, count, limit);
        if (why != null) {
            refusedRange(command, why);
        }
        return why == null;
    }

    /** Why [first, first + count) of what leaves the limit of commandBuffer's device, or null when it does not. */
    private String indicesPast(String what, long commandBuffer, int first, int count,
            java.util.function.ToLongFunction<Limits> limit) {
        Limits l = limitsOf(VnInfo.H_VkCommandBuffer, commandBuffer);
        if (fitsLimit(Integer.toUnsignedLong(first), Integer.toUnsignedLong(count), l, l == null ? 0
                : limit.applyAsLong(l))) {
            return null;
        }
        return what + " " + Integer.toUnsignedString(first) + "+" + Integer.toUnsignedString(count)
                + " past the device's " + (l == null ? "(unknown)" : limit.applyAsLong(l));
    }

    // ---------------------------------------------------------------- query indices and result bytes (see Bounds)

    @Override
    public int vkCreateQueryPool(VnCtx c, long device, long pCreateInfo, long pAllocator, long pQueryPool)
            throws Throwable {
        int r = VnHooks.super.vkCreateQueryPool(c, device, pCreateInfo, pAllocator, pQueryPool);
        if (r == VK_SUCCESS) { // VkQueryPoolCreateInfo: queryType @20, queryCount @24, pipelineStatistics @28
            bounds.queryPoolCreated(g64(pQueryPool), g32(pCreateInfo + 20), g32(pCreateInfo + 24),
                    g32(pCreateInfo + 28));
        }
        return r;
    }

    /**
     * Whether queries [first, first + count) are in pool; logs the command refused when not. A query inside a
     * multiview render pass instance takes one query per view (VUID-vkCmdBeginQuery-query-00808), so those commands
     * pass the instance's view count.
     */
    private boolean queriesIn(String command, long pool, int first, int count) {
        if (bounds.queries(pool, first, count)) {
            return true;
        }
        refusedRange(command, "queries " + Integer.toUnsignedString(first) + "+" + Integer.toUnsignedString(count)
                + " are not in the pool");
        return false;
    }

    /**
     * The results must fit in the client's dataSize bytes (lavapipe writes the last query's values at
     * (queryCount - 1) * stride): VK_ERROR_OUT_OF_HOST_MEMORY when they do not.
     */
    @Override
    public int vkGetQueryPoolResults(VnCtx c, long device, long queryPool, int firstQuery, int queryCount,
            long dataSize, long pData, long stride, int flags) throws Throwable {
        long bytes = bounds.resultBytes(queryPool, firstQuery, queryCount, stride, flags);
        if (bytes < 0 || Long.compareUnsigned(bytes, dataSize) > 0 || (pData == 0 && bytes > 0)) {
            refusedRange("vkGetQueryPoolResults", bytes < 0 ? "queries " + firstQuery + "+" + queryCount
                    + " are not in the pool" : "the results take " + bytes + " bytes, the client has " + dataSize);
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        return VnHooks.super.vkGetQueryPoolResults(c, device, queryPool, firstQuery, queryCount, dataSize, pData,
                stride, flags);
    }

    // ---------------------------------------------------------------- buffer ranges (see Bounds)

    @Override
    public int vkCreateBuffer(VnCtx c, long device, long pCreateInfo, long pAllocator, long pBuffer) throws Throwable {
        int r = VnHooks.super.vkCreateBuffer(c, device, pCreateInfo, pAllocator, pBuffer);
        // VkBufferCreateInfo: flags @16 (SPARSE_BINDING 0x1), size @24; other buffers get their size when bound
        if (r == VK_SUCCESS && (g32(pCreateInfo + 16) & 1) != 0) {
            bounds.sparseCreated(g64(pBuffer), g64(pCreateInfo + 24));
        }
        int texel = g32(pCreateInfo + 32) & (USAGE_UNIFORM_TEXEL | USAGE_STORAGE_TEXEL); // usage @32
        if (r == VK_SUCCESS && texel != 0) { // only texel buffers keep their usage: the churn of others costs nothing
            objects.attach(VnInfo.H_VkBuffer, g64(pBuffer), texel);
        }
        return r;
    }

    /** The bytes the host driver uses for buffer: its memory requirement (at least the size it was created with). */
    private long requiredSize(VnCtx c, long device, long buffer) throws Throwable {
        long reqs = c.alloc(1, 24); // VkMemoryRequirements: size @0, alignment @8, memoryTypeBits @16
        VnHooks.super.vkGetBufferMemoryRequirements(c, device, buffer, reqs);
        return g64(reqs);
    }

    @Override
    public int vkBindBufferMemory(VnCtx c, long device, long buffer, long memory, long memoryOffset) throws Throwable {
        if (!bounds.fits(buffer, requiredSize(c, device, buffer), memory, memoryOffset)) {
            refusedRange("vkBindBufferMemory", "the buffer does not fit in its memory from offset " + memoryOffset);
            return VK_ERROR_OUT_OF_DEVICE_MEMORY;
        }
        int r = VnHooks.super.vkBindBufferMemory(c, device, buffer, memory, memoryOffset);
        if (r == VK_SUCCESS) {
            bounds.bound(buffer);
            memoryBound(buffer, memory);
        }
        return r;
    }

    @Override
    public int vkBindBufferMemory2(VnCtx c, long device, int bindInfoCount, long pBindInfos) throws Throwable {
        // VkBindBufferMemoryInfo (40 bytes): buffer @16, memory @24, memoryOffset @32
        for (int i = 0; i < bindInfoCount && pBindInfos != 0; i++) {
            long info = pBindInfos + 40L * i;
            long buffer = g64(info + 16);
            if (!bounds.fits(buffer, requiredSize(c, device, buffer), g64(info + 24), g64(info + 32))) {
                refusedRange("vkBindBufferMemory2", "buffer " + i + " does not fit in its memory");
                return VK_ERROR_OUT_OF_DEVICE_MEMORY;
            }
        }
        int r = VnHooks.super.vkBindBufferMemory2(c, device, bindInfoCount, pBindInfos);
        if (r == VK_SUCCESS) {
            for (int i = 0; i < bindInfoCount && pBindInfos != 0; i++) {
                bounds.bound(g64(pBindInfos + 40L * i + 16));
                memoryBound(g64(pBindInfos + 40L * i + 16), g64(pBindInfos + 40L * i + 24));
            }
        }
        return r;
    }

    /**
     * A command whose byte range leaves its buffer (or that names an unbound one) is not recorded (the commands
     * return nothing to refuse with): the rest of the command buffer runs, and the context logs why, at most
     * {@link #REFUSED_LOG_LIMIT} times.
     */
    private void refusedRange(String command, String why) {
        int n = refusedRanges.incrementAndGet();
        if (n <= REFUSED_LOG_LIMIT) {
            VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: " + command + " refused: " + why
                    + (n == REFUSED_LOG_LIMIT ? " (no more such lines for this context)" : ""));
        }
    }

    @Override
    public void vkCmdCopyBuffer(VnCtx c, long commandBuffer, long srcBuffer, long dstBuffer, int regionCount,
            long pRegions) throws Throwable {
        // VkBufferCopy (24 bytes): srcOffset @0, dstOffset @8, size @16
        for (int i = 0; i < regionCount && pRegions != 0; i++) {
            long r = pRegions + 24L * i;
            if (!bounds.range(srcBuffer, g64(r), g64(r + 16)) || !bounds.range(dstBuffer, g64(r + 8), g64(r + 16))) {
                refusedRange("vkCmdCopyBuffer", "region " + i + " leaves its source or destination buffer");
                return;
            }
        }
        VnHooks.super.vkCmdCopyBuffer(c, commandBuffer, srcBuffer, dstBuffer, regionCount, pRegions);
    }

    @Override
    public void vkCmdCopyBuffer2(VnCtx c, long commandBuffer, long pCopyBufferInfo) throws Throwable {
        // VkCopyBufferInfo2: srcBuffer @16, dstBuffer @24, regionCount @32, pRegions @40;
        // VkBufferCopy2 (40 bytes): srcOffset @16, dstOffset @24, size @32
        long src = g64(pCopyBufferInfo + 16);
        long dst = g64(pCopyBufferInfo + 24);
        int n = g32(pCopyBufferInfo + 32);
        long regions = g64(pCopyBufferInfo + 40);
        for (int i = 0; i < n && regions != 0; i++) {
            long r = regions + 40L * i;
            if (!bounds.range(src, g64(r + 16), g64(r + 32)) || !bounds.range(dst, g64(r + 24), g64(r + 32))) {
                refusedRange("vkCmdCopyBuffer2", "region " + i + " leaves its source or destination buffer");
                return;
            }
        }
        VnHooks.super.vkCmdCopyBuffer2(c, commandBuffer, pCopyBufferInfo);
    }

    @Override
    public void vkCmdFillBuffer(VnCtx c, long commandBuffer, long dstBuffer, long dstOffset, long size, int data)
            throws Throwable {
        if (!bounds.range(dstBuffer, dstOffset, size)) {
            refusedRange("vkCmdFillBuffer", "the range leaves the buffer");
            return;
        }
        VnHooks.super.vkCmdFillBuffer(c, commandBuffer, dstBuffer, dstOffset, size, data);
    }

    @Override
    public void vkCmdUpdateBuffer(VnCtx c, long commandBuffer, long dstBuffer, long dstOffset, long dataSize,
            long pData) throws Throwable {
        if (dataSize == Bounds.WHOLE_SIZE || !bounds.range(dstBuffer, dstOffset, dataSize)) {
            refusedRange("vkCmdUpdateBuffer", "the range leaves the buffer");
            return;
        }
        VnHooks.super.vkCmdUpdateBuffer(c, commandBuffer, dstBuffer, dstOffset, dataSize, pData);
    }

    /**
     * vkCmdBindPipeline: the pipeline must be known and of the bind point (lavapipe takes a compute pipeline bound at
     * the graphics point for a graphics one); refused, the command buffer is poisoned (its draws would run whatever
     * was bound before).
     */
    @Override
    public void vkCmdBindPipeline(VnCtx c, long commandBuffer, int pipelineBindPoint, long pipeline) throws Throwable {
        String why = descriptorShapes.bindPipeline(commandBuffer, pipelineBindPoint, pipeline);
        if (why != null) {
            refusedRecording("vkCmdBindPipeline", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdBindPipeline(c, commandBuffer, pipelineBindPoint, pipeline);
    }

    /** Whether a draw (point GRAPHICS) or dispatch may run with what commandBuffer has bound; logs when not. */
    private boolean ready(String command, long commandBuffer, int point) {
        String why = descriptorShapes.ready(commandBuffer, point);
        if (why != null) {
            refusedRange(command, why);
            return false;
        }
        return true;
    }

    @Override
    public void vkCmdDispatch(VnCtx c, long commandBuffer, int groupCountX, int groupCountY, int groupCountZ)
            throws Throwable {
        if (ready("vkCmdDispatch", commandBuffer, DescriptorShapes.COMPUTE)) {
            VnHooks.super.vkCmdDispatch(c, commandBuffer, groupCountX, groupCountY, groupCountZ);
        }
    }

    @Override
    public void vkCmdDispatchBase(VnCtx c, long commandBuffer, int baseGroupX, int baseGroupY, int baseGroupZ,
            int groupCountX, int groupCountY, int groupCountZ) throws Throwable {
        if (ready("vkCmdDispatchBase", commandBuffer, DescriptorShapes.COMPUTE)) {
            VnHooks.super.vkCmdDispatchBase(c, commandBuffer, baseGroupX, baseGroupY, baseGroupZ, groupCountX,
                    groupCountY, groupCountZ);
        }
    }

    @Override
    public void vkCmdDraw(VnCtx c, long commandBuffer, int vertexCount, int instanceCount, int firstVertex,
            int firstInstance) throws Throwable {
        if (ready("vkCmdDraw", commandBuffer, DescriptorShapes.GRAPHICS)) {
            VnHooks.super.vkCmdDraw(c, commandBuffer, vertexCount, instanceCount, firstVertex, firstInstance);
        }
    }

    @Override
    public void vkCmdDrawIndexed(VnCtx c, long commandBuffer, int indexCount, int instanceCount, int firstIndex,
            int vertexOffset, int firstInstance) throws Throwable {
        if (ready("vkCmdDrawIndexed", commandBuffer, DescriptorShapes.GRAPHICS)) {
            VnHooks.super.vkCmdDrawIndexed(c, commandBuffer, indexCount, instanceCount, firstIndex, vertexOffset,
                    firstInstance);
        }
    }

    /**
     * VK_EXT_multi_draw: the draws arrive packed (the decoder reads drawCount VkMultiDrawInfoEXT of 8 bytes, or
     * VkMultiDrawIndexedInfoEXT of 12), so the host gets that packed stride whatever stride the command carries: Mesa's
     * Venus driver repacks Zink's infos, 12 bytes apart, and sends 8 (measured: 18 multi draws of one glzink run, all
     * of stride 8), but another client could send the packed array with a stride of 2^20, which lavapipe would read
     * past its end. vk.xml marks the array noautovalidity, so the decoder lets it be NULL: with draws to make the draw
     * is dropped (lavapipe would read them from address 0). Otherwise what every draw checks.
     */
    private boolean multiDrawReady(String command, long commandBuffer, int drawCount, long draws) {
        if (drawCount != 0 && draws == 0) {
            refusedRange(command, Integer.toUnsignedString(drawCount) + " draws without their array");
            return false;
        }
        return ready(command, commandBuffer, DescriptorShapes.GRAPHICS);
    }

    @Override
    public void vkCmdDrawMultiEXT(VnCtx c, long commandBuffer, int drawCount, long pVertexInfo, int instanceCount,
            int firstInstance, int stride) throws Throwable {
        if (multiDrawReady("vkCmdDrawMultiEXT", commandBuffer, drawCount, pVertexInfo)) {
            VnHooks.super.vkCmdDrawMultiEXT(c, commandBuffer, drawCount, pVertexInfo, instanceCount, firstInstance, 8);
        }
    }

    @Override
    public void vkCmdDrawMultiIndexedEXT(VnCtx c, long commandBuffer, int drawCount, long pIndexInfo,
            int instanceCount, int firstInstance, int stride, long pVertexOffset) throws Throwable {
        if (multiDrawReady("vkCmdDrawMultiIndexedEXT", commandBuffer, drawCount, pIndexInfo)) {
            VnHooks.super.vkCmdDrawMultiIndexedEXT(c, commandBuffer, drawCount, pIndexInfo, instanceCount,
                    firstInstance, 12, pVertexOffset);
        }
    }

    @Override
    public void vkCmdDispatchIndirect(VnCtx c, long commandBuffer, long buffer, long offset) throws Throwable {
        if (!ready("vkCmdDispatchIndirect", commandBuffer, DescriptorShapes.COMPUTE)) {
            return;
        }
        if (!bounds.range(buffer, offset, 12)) { // VkDispatchIndirectCommand
            refusedRange("vkCmdDispatchIndirect", "the parameters leave the buffer");
            return;
        }
        VnHooks.super.vkCmdDispatchIndirect(c, commandBuffer, buffer, offset);
    }

    /**
     * Whether count indirect records of recordBytes, stride apart from offset, lie in buffer, and for the Count
     * commands (counted) the count in countBuffer; logs the command refused when not.
     */
    private boolean drawsInside(String command, long buffer, long offset, int count, int stride, int recordBytes,
            boolean counted, long countBuffer, long countBufferOffset) {
        if (bounds.records(buffer, offset, Integer.toUnsignedLong(count), Integer.toUnsignedLong(stride), recordBytes)
                && (!counted || bounds.range(countBuffer, countBufferOffset, 4))) {
            return true;
        }
        refusedRange(command, "the draws or their count leave their buffer");
        return false;
    }

    @Override
    public void vkCmdDrawIndirect(VnCtx c, long commandBuffer, long buffer, long offset, int drawCount, int stride)
            throws Throwable {
        if (ready("vkCmdDrawIndirect", commandBuffer, DescriptorShapes.GRAPHICS)
                && drawsInside("vkCmdDrawIndirect", buffer, offset, drawCount, stride, 16, false, 0, 0)) {
            VnHooks.super.vkCmdDrawIndirect(c, commandBuffer, buffer, offset, drawCount, stride);
        }
    }

    @Override
    public void vkCmdDrawIndexedIndirect(VnCtx c, long commandBuffer, long buffer, long offset, int drawCount,
            int stride) throws Throwable {
        if (ready("vkCmdDrawIndexedIndirect", commandBuffer, DescriptorShapes.GRAPHICS)
                && drawsInside("vkCmdDrawIndexedIndirect", buffer, offset, drawCount, stride, 20, false, 0, 0)) {
            VnHooks.super.vkCmdDrawIndexedIndirect(c, commandBuffer, buffer, offset, drawCount, stride);
        }
    }

    @Override
    public void vkCmdDrawIndirectCount(VnCtx c, long commandBuffer, long buffer, long offset, long countBuffer,
            long countBufferOffset, int maxDrawCount, int stride) throws Throwable {
        if (ready("vkCmdDrawIndirectCount", commandBuffer, DescriptorShapes.GRAPHICS)
                && drawsInside("vkCmdDrawIndirectCount", buffer, offset, maxDrawCount, stride, 16, true, countBuffer,
                countBufferOffset)) {
            VnHooks.super.vkCmdDrawIndirectCount(c, commandBuffer, buffer, offset, countBuffer, countBufferOffset,
                    maxDrawCount, stride);
        }
    }

    @Override
    public void vkCmdDrawIndexedIndirectCount(VnCtx c, long commandBuffer, long buffer, long offset, long countBuffer,
            long countBufferOffset, int maxDrawCount, int stride) throws Throwable {
        if (ready("vkCmdDrawIndexedIndirectCount", commandBuffer, DescriptorShapes.GRAPHICS)
                && drawsInside("vkCmdDrawIndexedIndirectCount", buffer, offset, maxDrawCount, stride, 20, true, countBuffer,
                countBufferOffset)) {
            VnHooks.super.vkCmdDrawIndexedIndirectCount(c, commandBuffer, buffer, offset, countBuffer,
                    countBufferOffset, maxDrawCount, stride);
        }
    }

    @Override
    public void vkCmdBindIndexBuffer(VnCtx c, long commandBuffer, long buffer, long offset, int indexType)
            throws Throwable {
        if (buffer != 0 && !bounds.range(buffer, offset, Bounds.WHOLE_SIZE)) {
            refusedRange("vkCmdBindIndexBuffer", "the offset is past the buffer");
            return;
        }
        VnHooks.super.vkCmdBindIndexBuffer(c, commandBuffer, buffer, offset, indexType);
    }

    @Override
    public void vkCmdBindVertexBuffers(VnCtx c, long commandBuffer, int firstBinding, int bindingCount, long pBuffers,
            long pOffsets) throws Throwable {
        if (!vertexBindingsFit("vkCmdBindVertexBuffers", commandBuffer, firstBinding, bindingCount)
                || !vertexOffsetsInside("vkCmdBindVertexBuffers", bindingCount, pBuffers, pOffsets)) {
            return;
        }
        VnHooks.super.vkCmdBindVertexBuffers(c, commandBuffer, firstBinding, bindingCount, pBuffers, pOffsets);
    }

    @Override
    public void vkCmdBindVertexBuffers2(VnCtx c, long commandBuffer, int firstBinding, int bindingCount, long pBuffers,
            long pOffsets, long pSizes, long pStrides) throws Throwable {
        if (!vertexBindingsFit("vkCmdBindVertexBuffers2", commandBuffer, firstBinding, bindingCount)
                || !vertexOffsetsInside("vkCmdBindVertexBuffers2", bindingCount, pBuffers, pOffsets)) {
            return;
        }
        for (int i = 0; i < bindingCount && pSizes != 0 && pBuffers != 0; i++) {
            long b = g64(pBuffers + 8L * i);
            if (b != 0 && !bounds.range(b, pOffsets == 0 ? 0 : g64(pOffsets + 8L * i), g64(pSizes + 8L * i))) {
                refusedRange("vkCmdBindVertexBuffers2", "binding " + i + "'s size leaves its buffer");
                return;
            }
        }
        VnHooks.super.vkCmdBindVertexBuffers2(c, commandBuffer, firstBinding, bindingCount, pBuffers, pOffsets, pSizes,
                pStrides);
    }

    /** Each vertex buffer's offset lies in it (a null buffer, allowed with nullDescriptor, has none). */
    private boolean vertexOffsetsInside(String command, int bindingCount, long pBuffers, long pOffsets) {
        for (int i = 0; i < bindingCount && pBuffers != 0; i++) {
            long b = g64(pBuffers + 8L * i);
            if (b != 0 && !bounds.range(b, pOffsets == 0 ? 0 : g64(pOffsets + 8L * i), Bounds.WHOLE_SIZE)) {
                refusedRange(command, "binding " + i + "'s offset is past its buffer");
                return false;
            }
        }
        return true;
    }

    @Override
    public void vkDestroyBuffer(VnCtx c, long device, long buffer, long pAllocator) throws Throwable {
        memoryUnbound(buffer, 1);
        destroyWhenIdle(c, device, buffer);
    }

    @Override
    public void vkDestroyBufferView(VnCtx c, long device, long bufferView, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, bufferView);
    }

    @Override
    public void vkDestroyImage(VnCtx c, long device, long image, long pAllocator) throws Throwable {
        memoryUnbound(image, 4);
        destroyWhenIdle(c, device, image);
    }

    @Override
    public void vkDestroyImageView(VnCtx c, long device, long imageView, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, imageView);
    }

    @Override
    public void vkDestroySampler(VnCtx c, long device, long sampler, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, sampler);
    }

    @Override
    public void vkDestroyPipeline(VnCtx c, long device, long pipeline, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, pipeline);
    }

    @Override
    public void vkDestroyDescriptorPool(VnCtx c, long device, long descriptorPool, long pAllocator) throws Throwable {
        poolMarks.remove(descriptorPool);
        destroyWhenIdle(c, device, descriptorPool);
    }

    @Override
    public void vkDestroyQueryPool(VnCtx c, long device, long queryPool, long pAllocator) throws Throwable {
        poolMarks.remove(queryPool);
        destroyWhenIdle(c, device, queryPool);
    }

    @Override
    public void vkDestroyEvent(VnCtx c, long device, long event, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, event);
    }

    @Override
    public void vkDestroyFramebuffer(VnCtx c, long device, long framebuffer, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, framebuffer);
    }

    @Override
    public void vkDestroyRenderPass(VnCtx c, long device, long renderPass, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, renderPass);
    }

    @Override
    public void vkDestroyCommandPool(VnCtx c, long device, long commandPool, long pAllocator) throws Throwable {
        // its command buffers go with it (their ids right after this call): forget what was remembered of them
        commandMarks.keySet().removeIf(cb -> objects.parent(VnInfo.H_VkCommandBuffer, cb) == commandPool);
        boundPools.keySet().removeIf(cb -> objects.parent(VnInfo.H_VkCommandBuffer, cb) == commandPool);
        poolMarks.remove(commandPool);
        destroyWhenIdle(c, device, commandPool);
    }

    @Override
    public void vkFreeCommandBuffers(VnCtx c, long device, long commandPool, int commandBufferCount,
            long pCommandBuffers) throws Throwable {
        // the decoder checked a non-NULL array against the count; a NULL one frees nothing whatever the count says
        long[] cbs = new long[pCommandBuffers == 0 ? 0 : Math.max(0, commandBufferCount)];
        for (int i = 0; i < cbs.length; i++) {
            cbs[i] = g64(pCommandBuffers + 8L * i);
        }
        Deferred free = d -> {
            long p = d.alloc(Math.max(1, cbs.length), 8);
            for (int i = 0; i < cbs.length; i++) {
                p64(p + 8L * i, cbs[i]);
            }
            VnHooks.super.vkFreeCommandBuffers(d, device, commandPool, cbs.length, p);
            for (long cb : cbs) {
                commandMarks.remove(cb); // the driver may hand the same handle out again
                poolMarks.remove(cb);
                boundPools.remove(cb);
            }
        };
        destroyWhenIdle(c, device, free);
    }

    @Override
    public void vkDestroyFence(VnCtx c, long device, long fence, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, d -> {
            VnHooks.super.vkDestroyFence(d, device, fence, 0);
            fenceMarks.remove(fence);
        });
    }

    // ---------------------------------------------------------------- binary semaphore waits need a pending signal

    /*
     * A binary semaphore wait must follow a submitted signal (VUID-vkQueueSubmit-pWaitSemaphores-03238,
     * VUID-vkQueueSubmit2-semaphore-03873, VUID-vkQueueBindSparse-pWaitSemaphores-03245). A hostile client waiting
     * on one nobody signals would hang lavapipe (inside the submit or in the queue forever, and binary semaphores
     * cannot be signalled from the host, so destroy could not unblock it): such a submit is refused before the host
     * sees it. Layouts (64-bit): VkSubmitInfo (72 bytes) waitSemaphoreCount @16, pWaitSemaphores @24,
     * signalSemaphoreCount @56, pSignalSemaphores @64; VkSubmitInfo2 (64) waitSemaphoreInfoCount @20,
     * pWaitSemaphoreInfos @24, signalSemaphoreInfoCount @48, pSignalSemaphoreInfos @56, each VkSemaphoreSubmitInfo
     * (48) with semaphore @16; VkBindSparseInfo (96) waitSemaphoreCount @16, pWaitSemaphores @24,
     * signalSemaphoreCount @80, pSignalSemaphores @88.
     */
    private static final String[] WAIT_VUID = {"VUID-vkQueueSubmit-pWaitSemaphores-03238",
        "VUID-vkQueueSubmit2-semaphore-03873", "VUID-vkQueueBindSparse-pWaitSemaphores-03245"};
    private static final int[] BATCH_SIZE = {72, 64, 96};
    private static final int[] WAIT_COUNT = {16, 20, 16};
    private static final int[] SIGNAL_COUNT = {56, 48, 80};

    private static long batch(int kind, long infos, int b) {
        return infos + (long) b * BATCH_SIZE[kind];
    }

    /**
     * The i-th wait (signal) semaphore of a batch whose count is at countOffset: the array pointer follows the count,
     * 8-byte aligned. 0 for a NULL array (the decoder does not let one through with a count; a wait on 0 is refused).
     */
    private static long semaphore(int kind, long batch, int countOffset, int i) {
        long array = g64(batch + ((countOffset + 4 + 7) & ~7));
        if (array == 0) {
            return 0;
        }
        return kind == SUBMIT2 ? g64(array + i * 48L + 16) : g64(array + i * 8L);
    }

    /**
     * true when every binary semaphore the batches wait on has a signal pending: submitted before this call and not
     * yet waited on, or signalled by an earlier batch of this call (batches run in submission order). Reads only.
     */
    private boolean binaryWaitsSignalled(QueueFences q, int kind, int count, long infos) {
        var claims = q.claims;
        if (count < 0) {
            return false; // unsigned: more batches than a stream can carry (the decoder does not let one through)
        }
        try {
            for (int b = 0; b < count; b++) {
                long info = batch(kind, infos, b);
                int waits = g32(info + WAIT_COUNT[kind]);
                if (waits < 0) {
                    return false;
                }
                for (int i = 0; i < waits; i++) {
                    long s = semaphore(kind, info, WAIT_COUNT[kind], i);
                    if (timelines.contains(s)) {
                        continue; // a timeline wait may precede its signal; destroy signals timelines (unblock)
                    }
                    int have = claims.getOrDefault(s, 0) + (binaryPending.contains(s) ? 1 : 0);
                    if (have <= 0) {
                        return false;
                    }
                    claims.merge(s, -1, Integer::sum);
                }
                if (b == count - 1) {
                    break; // the last batch's signals concern later submits only
                }
                int signals = g32(info + SIGNAL_COUNT[kind]);
                for (int i = 0; i < signals; i++) {
                    long s = semaphore(kind, info, SIGNAL_COUNT[kind], i);
                    if (!timelines.contains(s)) {
                        claims.merge(s, 1, Integer::sum);
                    }
                }
            }
            return true;
        } finally {
            claims.clear();
        }
    }

    /** After a successful submit: its waits consumed their signals, its signals are pending, in batch order. */
    private void trackBinarySignals(int kind, int count, long infos) {
        for (int b = 0; b < count; b++) {
            long info = batch(kind, infos, b);
            int waits = g32(info + WAIT_COUNT[kind]);
            for (int i = 0; i < waits; i++) {
                binaryPending.remove(semaphore(kind, info, WAIT_COUNT[kind], i));
            }
            int signals = g32(info + SIGNAL_COUNT[kind]);
            for (int i = 0; i < signals; i++) {
                long s = semaphore(kind, info, SIGNAL_COUNT[kind], i);
                if (s != 0 && !timelines.contains(s)) {
                    binaryPending.add(s);
                }
            }
        }
    }

    private void refused(int kind) {
        int n = refusedSubmits.incrementAndGet();
        if (n <= REFUSED_LOG_LIMIT) {
            String name = kind == SUBMIT ? "vkQueueSubmit" : kind == SUBMIT2 ? "vkQueueSubmit2" : "vkQueueBindSparse";
            VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: " + name + " refused with VK_ERROR_DEVICE_LOST:"
                    + " it waits on a binary semaphore with no signal submitted (" + WAIT_VUID[kind] + "); the host"
                    + " queue would never drain" + (n == REFUSED_LOG_LIMIT ? " (no more such lines for this context)" : ""));
        }
    }

    // ---------------------------------------------------------------- VK_KHR_external_semaphore_fd, emulated

    /*
     * Mesa's Venus passes VK_KHR_synchronization2 through, and with it offers Vulkan 1.3, only when the renderer can
     * import SYNC_FD payloads into binary semaphores (vn_physical_device.c: renderer_sync_fd.semaphore_importable
     * from vkGetPhysicalDeviceExternalSemaphoreProperties, asked when the renderer lists VK_KHR_external_semaphore_fd).
     * What it then asks of the renderer is one command, vkImportSemaphoreResourceMESA with resource 0 ("this
     * semaphore is signalled now"), sent before a submit that waits on a semaphore whose payload the client imported
     * from a sync file and waited for itself (vn_queue.c). lavapipe has no SYNC_FD import, so it is emulated for every
     * host: the extension is listed whatever the host has (extensions.txt "emulated") and taken out of vkCreateDevice,
     * SYNC_FD is IMPORTABLE for binary semaphores and nothing for timeline ones (a sync file is binary), never
     * EXPORTABLE (an export would be a sync file, which vtest cannot carry), and the import is an empty submit that
     * signals the semaphore. Over vtest a client reaches the import only through window-system paths Venus does not
     * offer there (Mesa shows VK_KHR_external_semaphore_fd to applications only on a renderer with external sync).
     */
    static final int SEMAPHORE_HANDLE_TYPE_SYNC_FD = 0x10;
    static final int SEMAPHORE_FEATURE_IMPORTABLE = 0x2;
    static final int STYPE_SUBMIT_INFO = 4;
    /** the extensions the executor emulates -> their spec version (generated from extensions.txt and vk.xml) */
    static final Map<String, Integer> EMULATED = emulated();

    private static Map<String, Integer> emulated() {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < VnInfo.EMULATED_EXTENSIONS.length; i++) {
            m.put(VnInfo.EMULATED_EXTENSIONS[i], VnInfo.EMULATED_SPEC_VERSIONS[i]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public void vkGetPhysicalDeviceExternalSemaphoreProperties(VnCtx c, long physicalDevice, long pExternalSemaphoreInfo,
            long pExternalSemaphoreProperties) throws Throwable {
        // VkPhysicalDeviceExternalSemaphoreInfo: pNext @8, handleType @16; VkExternalSemaphoreProperties:
        // exportFromImportedHandleTypes @16, compatibleHandleTypes @20, externalSemaphoreFeatures @24
        if (g32(pExternalSemaphoreInfo + 16) != SEMAPHORE_HANDLE_TYPE_SYNC_FD) {
            VnHooks.super.vkGetPhysicalDeviceExternalSemaphoreProperties(c, physicalDevice, pExternalSemaphoreInfo,
                    pExternalSemaphoreProperties);
            return;
        }
        boolean timeline = false;
        for (long s = g64(pExternalSemaphoreInfo + 8), n = 0; s != 0 && n < 64; s = g64(s + 8), n++) {
            timeline |= g32(s) == STYPE_SEMAPHORE_TYPE_CREATE_INFO && g32(s + 16) == VK_SEMAPHORE_TYPE_TIMELINE;
        }
        p32(pExternalSemaphoreProperties + 16, 0);
        p32(pExternalSemaphoreProperties + 20, timeline ? 0 : SEMAPHORE_HANDLE_TYPE_SYNC_FD);
        p32(pExternalSemaphoreProperties + 24, timeline ? 0 : SEMAPHORE_FEATURE_IMPORTABLE);
    }

    /**
     * vkImportSemaphoreResourceMESA (decoded by {@link VenusContext}): resource 0 gives semaphore a signalled
     * payload. A binary semaphore with a signal pending already is left alone (its next wait finds it signalled
     * either way); an unsignalled one is signalled by an empty submit on a queue of its device, which the next
     * submit, waiting on it, follows. Anything else (a sync resource, which vtest has none of; a timeline
     * semaphore; a device with no queue) is refused with a log line, and a later wait on the semaphore is then
     * refused like any wait without a signal.
     */
    void importSemaphoreResource(VnCtx c, long device, long semaphore, int resourceId) throws Throwable {
        String why = resourceId != 0 ? "resource " + resourceId + " is not a sync resource of this context"
                : timelines.contains(semaphore) ? "it is a timeline semaphore (a SYNC_FD payload is binary)" : null;
        if (why == null && !binaryPending.contains(semaphore)) {
            long queue = 0;
            for (long q : objects.hosts(VnInfo.H_VkQueue)) {
                if (objects.device(VnInfo.H_VkQueue, q) == device) {
                    queue = q;
                    break;
                }
            }
            if (queue == 0) {
                why = "its device has no queue yet";
            } else {
                long signal = c.alloc(1, 8);
                p64(signal, semaphore);
                long info = c.alloc(1, 72); // VkSubmitInfo, zeroed: signalSemaphoreCount @56, pSignalSemaphores @64
                p32(info, STYPE_SUBMIT_INFO);
                p32(info + 56, 1);
                p64(info + 64, signal);
                int r = submitTracked(c, SUBMIT, queue, 1, info, 0);
                why = r == VK_SUCCESS ? null : "the signalling submit failed (" + r + ")";
            }
        }
        if (why != null) {
            refusedRange("vkImportSemaphoreResourceMESA", why);
        }
    }

    // ---------------------------------------------------------------- private data

    /*
     * vkSetPrivateData and vkGetPrivateData name their object by a VkObjectType and a 64-bit handle, which the
     * generated decoder passes on as it came (the handle's type is a value of another parameter). Mesa's drivers take
     * that handle for a pointer to the object (vk_object_base_from_u64_handle), so a client's object id there was an
     * address the host dereferenced: the server died in lavapipe (found in session 13). Mesa's Venus keeps private
     * data in the client and never sends these; a client that does gets the handle translated through the object
     * table like any other, and an unknown one refused (VK_ERROR_OUT_OF_HOST_MEMORY, the only error vkSetPrivateData
     * has; vkGetPrivateData answers 0, as for an object that never had data in that slot).
     */
    @Override
    public int vkSetPrivateData(VnCtx c, long device, int objectType, long objectHandle, long privateDataSlot, long data)
            throws Throwable {
        long host = privateDataObject(c, objectType, objectHandle);
        return host == 0 ? VK_ERROR_OUT_OF_HOST_MEMORY
                : VnHooks.super.vkSetPrivateData(c, device, objectType, host, privateDataSlot, data);
    }

    @Override
    public void vkGetPrivateData(VnCtx c, long device, int objectType, long objectHandle, long privateDataSlot,
            long pData) throws Throwable {
        long host = privateDataObject(c, objectType, objectHandle);
        if (host == 0) {
            p64(pData, 0);
            return;
        }
        VnHooks.super.vkGetPrivateData(c, device, objectType, host, privateDataSlot, pData);
    }

    /** The host handle of the client's object of that VkObjectType, or 0 (logged) when there is none. */
    private long privateDataObject(VnCtx c, int objectType, long objectHandle) {
        int type = VnInfo.handleTypeOf(objectType);
        long host = type < 0 ? 0 : c.host(type, objectHandle, true); // an object of another device: protocol error
        if (host == 0) {
            refusedRange("private data", "no object " + Long.toUnsignedString(objectHandle) + " of VkObjectType "
                    + objectType + " in this context");
        }
        return host;
    }

    private QueueFences queueFences(long queue) {
        QueueFences q = knownQueue(queue);
        if (q == null) {
            synchronized (queuesLock) {
                q = knownQueue(queue);
                if (q == null) {
                    q = new QueueFences(queue, objects.device(VnInfo.H_VkQueue, queue));
                    QueueFences[] list = java.util.Arrays.copyOf(queues, queues.length + 1);
                    list[list.length - 1] = q;
                    queues = list;
                }
            }
        }
        return q;
    }

    /** The fences of queue, null when nothing was submitted to it. */
    private QueueFences knownQueue(long queue) {
        for (QueueFences q : queues) {
            if (q.queue == queue) {
                return q;
            }
        }
        return null;
    }

    /** An unsignalled fence of q's device for an idle wait: a reset signalled one, else a new one; 0 on failure. */
    private long idleWaitFence(VnCtx c, QueueFences q) throws Throwable {
        while (q.size > 0) { // fences signal in submission order: reclaim from the oldest
            long oldest = q.pending[q.head];
            if (VnHooks.super.vkGetFenceStatus(c, q.device, oldest) != VK_SUCCESS) {
                break;
            }
            long p = c.alloc(1, 8);
            p64(p, oldest);
            if (VnHooks.super.vkResetFences(c, q.device, 1, p) != VK_SUCCESS) {
                break;
            }
            q.head = (q.head + 1) & (q.pending.length - 1);
            q.size--;
            q.recycle(oldest);
        }
        if (q.nFree > 0) {
            return q.free[--q.nFree];
        }
        long info = c.alloc(1, 24); // VkFenceCreateInfo: sType, pNext, flags 0 (unsignalled)
        p32(info, STYPE_FENCE_CREATE_INFO);
        p64(info + 8, 0);
        p32(info + 16, 0);
        long out = c.alloc(1, 8);
        return VnHooks.super.vkCreateFence(c, q.device, info, 0, out) == VK_SUCCESS ? g64(out) : 0;
    }

    @Override
    public int vkQueueWaitIdle(VnCtx c, long queue) throws Throwable {
        QueueFences q = knownQueue(queue);
        if (q == null) {
            return VK_SUCCESS; // nothing was ever submitted to it
        }
        long start = System.nanoTime();
        int r = waitQueue(c, q, start, waitBudget(c, -1L), true);
        return r == VK_TIMEOUT ? VK_ERROR_DEVICE_LOST : r; // vkQueueWaitIdle has no VK_TIMEOUT
    }

    @Override
    public int vkDeviceWaitIdle(VnCtx c, long device) throws Throwable {
        int r = waitDevice(c, device, System.nanoTime(), waitBudget(c, -1L), true);
        return r == VK_TIMEOUT ? VK_ERROR_DEVICE_LOST : r;
    }

    private int waitDevice(VnCtx c, long device, long start, long budget, boolean guest) throws Throwable {
        for (QueueFences q : queues) {
            if (q.device == device) {
                int r = waitQueue(c, q, start, budget, guest);
                if (r != VK_SUCCESS) {
                    return r;
                }
            }
        }
        return VK_SUCCESS;
    }

    /** Submits an empty batch with a fence of ours to q's queue and waits for it (see {@link #slicedWait}). */
    private int waitQueue(VnCtx c, QueueFences q, long start, long budget, boolean guest) throws Throwable {
        long fence;
        long upTo;
        synchronized (q) {
            fence = idleWaitFence(c, q);
            if (fence == 0) {
                return VK_ERROR_OUT_OF_HOST_MEMORY;
            }
            int r = VnHooks.super.vkQueueSubmit(c, q.queue, 0, 0, fence);
            if (r != VK_SUCCESS) {
                q.recycle(fence);
                return r;
            }
            q.push(fence);
            upTo = q.submitted;
        }
        long p = c.alloc(1, 8);
        p64(p, fence);
        int r = slicedWait(c, start, budget, guest, slice -> VnHooks.super.vkWaitForFences(c, q.device, 1, p, 1, slice));
        if (r == VK_SUCCESS) {
            q.complete(upTo);
        }
        return r;
    }

    @Override
    public int vkCreateSemaphore(VnCtx c, long device, long pCreateInfo, long pAllocator, long pSemaphore) throws Throwable {
        int r = VnHooks.super.vkCreateSemaphore(c, device, pCreateInfo, pAllocator, pSemaphore);
        if (r == VK_SUCCESS) {
            // VkSemaphoreTypeCreateInfo in the chain: sType @0, pNext @8, semaphoreType @16
            for (long s = g64(pCreateInfo + 8), n = 0; s != 0 && n < 64; s = g64(s + 8), n++) {
                if (g32(s) == STYPE_SEMAPHORE_TYPE_CREATE_INFO && g32(s + 16) == VK_SEMAPHORE_TYPE_TIMELINE) {
                    timelines.add(g64(pSemaphore));
                }
            }
        }
        return r;
    }

    @Override
    public void vkDestroySemaphore(VnCtx c, long device, long semaphore, long pAllocator) throws Throwable {
        destroyWhenIdle(c, device, semaphore);
        timelines.remove(semaphore);
        binaryPending.remove(semaphore);
    }

    /**
     * Signals, from the host, every timeline semaphore of device still alive to UINT64_MAX, past any value a
     * pending submit can wait for, so queues stuck in a wait-before-signal drain (vkSignalSemaphore is valid on the
     * host for timeline semaphores only; binary waits are accepted only with a signal submitted before them, see
     * {@link #binaryWaitsSignalled}).
     */
    private void unblock(VnCtx c, long device) {
        for (long s : timelines) {
            if (objects.device(VnInfo.H_VkSemaphore, s) != device) {
                continue;
            }
            try {
                long value = c.alloc(1, 8);
                if (VnHooks.super.vkGetSemaphoreCounterValue(c, device, s, value) == VK_SUCCESS && g64(value) != -1L) {
                    long info = c.alloc(1, 32); // VkSemaphoreSignalInfo: sType, pNext, semaphore @16, value @24
                    p32(info, STYPE_SEMAPHORE_SIGNAL_INFO);
                    p64(info + 8, 0);
                    p64(info + 16, s);
                    p64(info + 24, -1L);
                    VnHooks.super.vkSignalSemaphore(c, device, info);
                }
            } catch (Throwable t) {
                VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: signalling a timeline semaphore failed: " + t);
            }
        }
    }

    /**
     * Makes device idle before it is freed: unblocks its timeline waits, then waits for every queue's newest fence
     * until deadline. false: a queue is still busy (waiting for a binary semaphore nobody signals, or a driver
     * hang), so the device must not be freed.
     */
    private boolean quiesce(VnCtx c, long device, long start, long budget) {
        unblock(c, device);
        try {
            return waitDevice(c, device, start, budget, false) == VK_SUCCESS;
        } catch (Throwable t) {
            VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: waiting for device queues failed: " + t);
            return false;
        }
    }

    /** Destroys our idle-wait fences of device (all signalled: the device is idle) and forgets its queues. */
    private void destroyQueueFences(VnCtx c, long device) throws Throwable {
        QueueFences[] gone;
        synchronized (queuesLock) {
            gone = java.util.Arrays.stream(queues).filter(q -> q.device == device).toArray(QueueFences[]::new);
            queues = java.util.Arrays.stream(queues).filter(q -> q.device != device).toArray(QueueFences[]::new);
        }
        for (QueueFences q : gone) {
            synchronized (q) {
                if (q.probe != 0) {
                    VnHooks.super.vkDestroyFence(c, device, q.probe, 0); // signalled: the device is idle
                    q.probe = 0;
                    q.probing = false;
                }
                for (int i = 0; i < q.size; i++) {
                    VnHooks.super.vkDestroyFence(c, device, q.pending[(q.head + i) & (q.pending.length - 1)], 0);
                }
                for (int i = 0; i < q.nFree; i++) {
                    VnHooks.super.vkDestroyFence(c, device, q.free[i], 0);
                }
                q.size = 0;
                q.nFree = 0;
            }
        }
        timelines.removeIf(s -> objects.device(VnInfo.H_VkSemaphore, s) == device);
        binaryPending.removeIf(s -> objects.device(VnInfo.H_VkSemaphore, s) == device);
    }

    /** true once destroy had to leave a device alive (see {@link #leak}) */
    boolean leakedDevice() {
        return leakedDevice;
    }

    /** The device stays alive (with its memory) because lavapipe may still use it; so does the instance. */
    private void leak(long device) {
        leakedDevice = true;
        synchronized (putOff) {
            putOff.removeIf(p -> p.device() == device); // never run: the device may still use those objects
            putOffCount = putOff.size();
        }
        filler.deviceLeaked(device);
        devices.remove(device);
        for (var it = hostMemory.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue().device() == device) {
                it.remove(); // not released: the shared memory stays mapped for the driver
            }
        }
        VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: device " + Long.toHexString(device)
                + " did not become idle (a queue waits for something nobody signals): leaking it and its memory");
    }

    /**
     * The lowest HOST_VISIBLE memory type of the client's device that this executor imports host memory for (what
     * a client's vkAllocateMemory of mappable memory goes through), or -1: for {@link VenusWarmup}.
     */
    int importedMemoryType(long deviceId) {
        long host = objects.host(VnInfo.H_VkDevice, deviceId);
        DeviceInfo info = host == 0 ? null : devices.get(host);
        if (info == null || info.importAlignment() == 0 || info.hostVisibleTypes() == 0) {
            return -1;
        }
        return Integer.numberOfTrailingZeros(info.hostVisibleTypes());
    }

    /** Shared memory backing a host-visible VkDeviceMemory, by the client's memory object id. */
    SharedMemory memoryBlob(long memoryId) {
        lastMemoryActivity = System.nanoTime();
        long host = objects.host(VnInfo.H_VkDeviceMemory, memoryId);
        Imported m = host == 0 ? null : hostMemory.get(host);
        return m == null ? null : m.shm();
    }

    // ---------------------------------------------------------------- instance

    @Override
    public int vkEnumerateInstanceVersion(VnCtx c, long pApiVersion) throws Throwable {
        int r = VnHooks.super.vkEnumerateInstanceVersion(c, pApiVersion);
        if (r == VK_SUCCESS && pApiVersion != 0) {
            p32(pApiVersion, capVersion(g32(pApiVersion)));
        }
        return r;
    }

    static int capVersion(int v) {
        return Integer.compareUnsigned(v, VnInfo.VK_XML_VERSION) > 0 ? VnInfo.VK_XML_VERSION : v;
    }

    @Override
    public int vkEnumerateInstanceExtensionProperties(VnCtx c, long pLayerName, long pPropertyCount, long pProperties) {
        // The renderer exposes no instance extensions of the host; Mesa implements its own.
        if (pPropertyCount != 0) {
            p32(pPropertyCount, 0);
        }
        return VK_SUCCESS;
    }

    @Override
    public int vkEnumerateInstanceLayerProperties(VnCtx c, long pPropertyCount, long pProperties) {
        if (pPropertyCount != 0) {
            p32(pPropertyCount, 0);
        }
        return VK_SUCCESS;
    }

    @Override
    public int vkCreateInstance(VnCtx c, long pCreateInfo, long pAllocator, long pInstance) throws Throwable {
        if (instance != 0) {
            return VK_ERROR_INITIALIZATION_FAILED; // one instance per context, as virglrenderer
        }
        // VkInstanceCreateInfo: pApplicationInfo @24, enabledLayerCount @32, enabledExtensionCount @48
        if (g32(pCreateInfo + 32) != 0) {
            return VK_ERROR_LAYER_NOT_PRESENT;
        }
        if (g32(pCreateInfo + 48) != 0) {
            return VK_ERROR_EXTENSION_NOT_PRESENT;
        }
        long app = g64(pCreateInfo + 24);
        if (app == 0) {
            app = c.alloc(1, 48);
            p32(app, 0); // VK_STRUCTURE_TYPE_APPLICATION_INFO
            p64(pCreateInfo + 24, app);
        }
        // VkApplicationInfo.apiVersion @44: Venus needs at least 1.1 on the host; 1.3 so that the core entry points
        // up to the protocol's version (vkSignalSemaphore, vkQueueSubmit2, ...) are enabled on the host: Mesa's
        // drivers leave them NULL in the device dispatch table below the instance's version, and the loader's
        // trampoline then jumps to NULL. Destroy needs vkSignalSemaphore (see unblock). Drivers accept an
        // apiVersion above their own since 1.1 (VkApplicationInfo, "Valid usage").
        if (Integer.compareUnsigned(g32(app + 44), API_1_3) < 0) {
            p32(app + 44, API_1_3);
        }
        int r = VnHooks.super.vkCreateInstance(c, pCreateInfo, pAllocator, pInstance);
        if (r == VK_SUCCESS) {
            instance = g64(pInstance);
            for (int i = 0; i < functions.length(); i++) {
                functions.set(i, 0);
            }
        }
        return r;
    }

    @Override
    public void vkDestroyInstance(VnCtx c, long inst, long pAllocator) throws Throwable {
        if (inst == 0) {
            return;
        }
        // Destroying an instance with live devices violates valid usage, but a guest can send it: destroy them first
        // so that no device outlives the instance it points into (their ids go with the instance's, VnObjects).
        destroyDevices(c);
        VnHooks.super.vkDestroyInstance(c, inst, pAllocator);
        extensionCache.clear(); // physical device handles die with their instance and may come back for another
        if (inst == instance) {
            instance = 0;
        }
    }

    // ---------------------------------------------------------------- physical devices

    @Override
    public void vkGetPhysicalDeviceProperties(VnCtx c, long physicalDevice, long pProperties) throws Throwable {
        VnHooks.super.vkGetPhysicalDeviceProperties(c, physicalDevice, pProperties);
        p32(pProperties, capVersion(g32(pProperties))); // apiVersion @0
    }

    @Override
    public void vkGetPhysicalDeviceProperties2(VnCtx c, long physicalDevice, long pProperties) throws Throwable {
        VnHooks.super.vkGetPhysicalDeviceProperties2(c, physicalDevice, pProperties);
        p32(pProperties + 16, capVersion(g32(pProperties + 16))); // properties.apiVersion
    }

    /**
     * The host's device extensions (name, specVersion), asked once per physical device and instance: the Vulkan
     * loader rescans its layer manifests on every vkEnumerateDeviceExtensionProperties (1.3 ms a call here), and
     * Mesa asks twice before vkCreateDevice, which asks again.
     */
    Map<String, Integer> hostExtensions(VnCtx c, long physicalDevice) throws Throwable {
        Map<String, Integer> known = extensionCache.get(physicalDevice);
        if (known == null) {
            String identity = hostIdentity(c, physicalDevice);
            known = HOST_EXTENSIONS.get(identity);
            if (known == null) {
                known = queryHostExtensions(c, physicalDevice);
                HOST_EXTENSIONS.put(identity, known);
            }
            extensionCache.put(physicalDevice, known);
        }
        return known;
    }

    /**
     * Which host device this is, across instances and contexts: vendor, device, driver version, pipeline cache UUID
     * and name from VkPhysicalDeviceProperties. Every context creates its instance the same way (no instance
     * extensions, API 1.3), so the driver's device extensions are a function of this for the life of the process.
     */
    private String hostIdentity(VnCtx c, long physicalDevice) throws Throwable {
        long props = c.alloc(1, 824); // sizeof(VkPhysicalDeviceProperties)
        VnHooks.super.vkGetPhysicalDeviceProperties(c, physicalDevice, props);
        // driverVersion @4, vendorID @8, deviceID @12, deviceName[256] @20, pipelineCacheUUID[16] @276
        String name = VnMem.string(props + 20, StandardCharsets.UTF_8);
        return Integer.toHexString(g32(props + 8)) + ":" + Integer.toHexString(g32(props + 12)) + ":"
                + Integer.toHexString(g32(props + 4)) + ":" + Long.toHexString(g64(props + 276)) + Long.toHexString(g64(props + 284))
                + ":" + name;
    }

    private Map<String, Integer> queryHostExtensions(VnCtx c, long physicalDevice) throws Throwable {
        long count = c.alloc(1, 4);
        VnHooks.super.vkEnumerateDeviceExtensionProperties(c, physicalDevice, 0, count, 0);
        int n = g32(count);
        long props = c.alloc(n, 260); // VkExtensionProperties: char[256] + u32
        VnHooks.super.vkEnumerateDeviceExtensionProperties(c, physicalDevice, 0, count, props);
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < g32(count); i++) {
            long p = props + i * 260L;
            String name = VnMem.string(p, StandardCharsets.US_ASCII);
            out.put(name, g32(p + 256));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    @Override
    public int vkEnumerateDeviceExtensionProperties(VnCtx c, long physicalDevice, long pLayerName, long pPropertyCount,
            long pProperties) throws Throwable {
        if (pLayerName != 0) {
            return VK_ERROR_LAYER_NOT_PRESENT;
        }
        // only what the decoder can carry (the capset mask says the same), then what the executor emulates
        var carried = java.util.stream.Stream.concat(hostExtensions(c, physicalDevice).entrySet().stream()
                .filter(e -> CARRIED.contains(e.getKey()) && !EMULATED.containsKey(e.getKey()))
                .filter(e -> !withheld(e.getKey())),
                EMULATED.entrySet().stream()).toList();
        if (pProperties == 0) {
            p32(pPropertyCount, carried.size());
            return VK_SUCCESS;
        }
        int room = g32(pPropertyCount);
        int n = Math.min(room, carried.size());
        for (int i = 0; i < n; i++) {
            long p = pProperties + i * 260L;
            byte[] name = carried.get(i).getKey().getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(MemorySegment.ofArray(name), 0, MemorySegment.ofAddress(p).reinterpret(256), 0, name.length);
            p32(p + 256, carried.get(i).getValue());
        }
        p32(pPropertyCount, n);
        return n < carried.size() ? VK_INCOMPLETE : VK_SUCCESS;
    }

    // ---------------------------------------------------------------- devices and memory

    @Override
    public int vkCreateDevice(VnCtx c, long physicalDevice, long pCreateInfo, long pAllocator, long pDevice) throws Throwable {
        // VkDeviceCreateInfo: enabledExtensionCount @48, ppEnabledExtensionNames @56
        boolean canImport = hostExtensions(c, physicalDevice).containsKey(EXTERNAL_MEMORY_HOST);
        int n = g32(pCreateInfo + 48);
        long names = g64(pCreateInfo + 56);
        boolean has = false;
        boolean[] emulated = new boolean[Math.max(n, 0)];
        boolean anyEmulated = false;
        for (int i = 0; i < n; i++) {
            String e = VnMem.string(g64(names + i * 8L), StandardCharsets.US_ASCII);
            has |= e.equals(EXTERNAL_MEMORY_HOST);
            if (withheld(e)) {
                return VK_ERROR_EXTENSION_NOT_PRESENT;
            }
            if (EMULATED.containsKey(e)) {
                emulated[i] = true; // the host never sees it (see importSemaphoreResource)
                anyEmulated = true;
            }
        }
        if (withheldFeatures(g64(pCreateInfo + 8), false)) {
            return VK_ERROR_FEATURE_NOT_PRESENT; // not offered (see withheld)
        }
        if (canImport && !has || anyEmulated) {
            long list = c.alloc(n + 1L, 8);
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (!emulated[i]) {
                    p64(list + k++ * 8L, g64(names + i * 8L));
                }
            }
            if (canImport && !has) {
                p64(list + k++ * 8L, EXTERNAL_MEMORY_HOST_C.address());
            }
            p32(pCreateInfo + 48, k);
            p64(pCreateInfo + 56, list);
        }
        int r = VnHooks.super.vkCreateDevice(c, physicalDevice, pCreateInfo, pAllocator, pDevice);
        if (r == VK_SUCCESS) {
            long device = g64(pDevice);
            Limits limits = limits(c, physicalDevice);
            devices.put(device, new DeviceInfo(physicalDevice, 0, 0, limits));
            if (canImport) {
                devices.put(device, new DeviceInfo(physicalDevice, importAlignment(c, physicalDevice),
                        hostVisibleTypes(c, physicalDevice), limits));
            }
        }
        return r;
    }

    @Override
    public void vkGetPhysicalDeviceFeatures2(VnCtx c, long physicalDevice, long pFeatures) throws Throwable {
        VnHooks.super.vkGetPhysicalDeviceFeatures2(c, physicalDevice, pFeatures);
        withheldFeatures(g64(pFeatures + 8), true);
    }

    /**
     * The offsets of the features not offered, per structure type: without {@link #BUFFER_DEVICE_ADDRESS} the three
     * buffer device address features (VkPhysicalDeviceVulkan12Features at 168, 172, 176;
     * VkPhysicalDeviceBufferDeviceAddressFeatures at 16, 20, 24), without {@link SpirvValidator#BINDLESS_DESCRIPTORS}
     * runtimeDescriptorArray, descriptorBindingVariableDescriptorCount and descriptorIndexing (which promises the
     * first; Vulkan12Features at 132, 128, 52; VkPhysicalDeviceDescriptorIndexingFeatures at 92, 88) and
     * mutableDescriptorType (VkPhysicalDeviceMutableDescriptorTypeFeaturesEXT at 16); always, the extended dynamic
     * state features whose states are not offered ({@link PipelineStates#EDS2_WITHHELD},
     * {@link PipelineStates#EDS3_WITHHELD}).
     */
    private static long[] withheld(int sType) {
        long[] address = !BUFFER_DEVICE_ADDRESS ? new long[] {168, 172, 176} : new long[0];
        boolean runtime = !SpirvValidator.BINDLESS_DESCRIPTORS;
        return switch (sType) {
            case STYPE_VULKAN_1_2_FEATURES -> runtime ? java.util.stream.LongStream.concat(
                    java.util.Arrays.stream(address), java.util.stream.LongStream.of(132, 128, 52)).toArray() : address;
            case STYPE_BUFFER_DEVICE_ADDRESS_FEATURES -> !BUFFER_DEVICE_ADDRESS ? new long[] {16, 20, 24} : new long[0];
            case STYPE_DESCRIPTOR_INDEXING_FEATURES -> runtime ? new long[] {92, 88} : new long[0];
            case STYPE_MUTABLE_DESCRIPTOR_TYPE_FEATURES -> runtime ? new long[] {16} : new long[0];
            case STYPE_EXTENDED_DYNAMIC_STATE_2_FEATURES -> EDS2_WITHHELD;
            case STYPE_EXTENDED_DYNAMIC_STATE_3_FEATURES -> EDS3_WITHHELD;
            default -> new long[0];
        };
    }

    /**
     * Walks a pNext chain for the features not offered ({@link #withheld}). clear: sets them to VK_FALSE.
     *
     * @return whether any of them was VK_TRUE
     */
    private static boolean withheldFeatures(long next, boolean clear) {
        boolean any = false;
        for (int hops = 0; next != 0 && hops < 256; hops++, next = g64(next + 8)) {
            for (long f : withheld(g32(next))) {
                any |= g32(next + f) != 0;
                if (clear) {
                    p32(next + f, 0);
                }
            }
        }
        return any;
    }

    /** SPIR-V opcodes and operands of physical (raw 64-bit) pointers, from the SPIR-V specification */
    static final int OP_MEMORY_MODEL = 14;
    static final int OP_CAPABILITY = 17;
    static final int OP_TYPE_POINTER = 32;
    static final int OP_TYPE_FORWARD_POINTER = 39;
    static final int CAPABILITY_PHYSICAL_STORAGE_BUFFER_ADDRESSES = 5347;
    static final int ADDRESSING_PHYSICAL_STORAGE_BUFFER_64 = 5348;
    static final int STORAGE_CLASS_PHYSICAL_STORAGE_BUFFER = 5349;

    /**
     * Whether SPIR-V code of codeSize bytes can use physical pointers: it declares the PhysicalStorageBufferAddresses
     * capability, the PhysicalStorageBuffer64 addressing model, or a pointer type of the PhysicalStorageBuffer
     * storage class (any one is refused: the driver's compiler need not insist on the others). Scans every
     * instruction after the five-word header; a malformed word count ends the scan (the driver then refuses the
     * module itself).
     */
    static boolean declaresPhysicalAddresses(long code, long codeSize) {
        boolean[] found = {false};
        Spirv.walk(code, codeSize, 5, (w, op, count) -> {
            long operand = code + 4 * (w + 1);
            found[0] = count >= 2 && op == OP_CAPABILITY && g32(operand) == CAPABILITY_PHYSICAL_STORAGE_BUFFER_ADDRESSES
                    || count >= 2 && op == OP_MEMORY_MODEL && g32(operand) == ADDRESSING_PHYSICAL_STORAGE_BUFFER_64
                    || count >= 3 && (op == OP_TYPE_POINTER || op == OP_TYPE_FORWARD_POINTER)
                            && g32(operand + 4) == STORAGE_CLASS_PHYSICAL_STORAGE_BUFFER;
            return !found[0];
        });
        return found[0];
    }

    @Override
    public int vkCreateShaderModule(VnCtx c, long device, long pCreateInfo, long pAllocator, long pShaderModule)
            throws Throwable {
        // VkShaderModuleCreateInfo: codeSize @24, pCode @32
        if (!BUFFER_DEVICE_ADDRESS && declaresPhysicalAddresses(g64(pCreateInfo + 32), g64(pCreateInfo + 24))) {
            refusedRange("vkCreateShaderModule", "the module declares PhysicalStorageBufferAddresses, and"
                    + " bufferDeviceAddress is not offered (-Dvirtgpu.venus.bufferDeviceAddress)");
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        long code = g64(pCreateInfo + 32), codeSize = g64(pCreateInfo + 24);
        SpirvValidator.Verdict v = SpirvValidator.check(code, codeSize);
        if (v.refused() != null) {
            refusedRange("vkCreateShaderModule", v.refused());
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        if (v.code() != null) { // the driver gets the module with its indices clamped (see SpirvValidator)
            long robust = c.alloc(v.code().length, 1);
            MemorySegment.copy(v.code(), 0, MemorySegment.ofAddress(robust).reinterpret(v.code().length),
                    java.lang.foreign.ValueLayout.JAVA_BYTE, 0, v.code().length);
            p64(pCreateInfo + 24, v.code().length);
            p64(pCreateInfo + 32, robust);
        }
        int r = VnHooks.super.vkCreateShaderModule(c, device, pCreateInfo, pAllocator, pShaderModule);
        if (r == VK_SUCCESS) {
            shaderResources.moduleCreated(g64(pShaderModule), code, codeSize);
        }
        return r;
    }

    /** The memory types of physicalDevice that are HOST_VISIBLE, as a bit mask (there are at most 32). */
    private int hostVisibleTypes(VnCtx c, long physicalDevice) throws Throwable {
        long props = c.alloc(1, 520); // VkPhysicalDeviceMemoryProperties: memoryTypeCount @0, memoryTypes[32] @4
        VnHooks.super.vkGetPhysicalDeviceMemoryProperties(c, physicalDevice, props);
        int bits = 0;
        for (int i = 0; i < Math.min(g32(props), 32); i++) {
            if ((g32(props + 4 + 8L * i) & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0) {
                bits |= 1 << i;
            }
        }
        return bits;
    }

    private long importAlignment(VnCtx c, long physicalDevice) throws Throwable {
        long props2 = c.alloc(1, 840);
        long ext = c.alloc(1, 24);
        p32(ext, STYPE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT);
        p32(props2, STYPE_PHYSICAL_DEVICE_PROPERTIES_2);
        p64(props2 + 8, ext);
        VnHooks.super.vkGetPhysicalDeviceProperties2(c, physicalDevice, props2);
        long a = g64(ext + 16);
        return Math.max(a, services.host().hostPageSize());
    }

    @Override
    public void vkDestroyDevice(VnCtx c, long device, long pAllocator) throws Throwable {
        if (device == 0) {
            return;
        }
        destroyDevice(c, device, pAllocator, System.nanoTime(), Math.min(waitBudget(c, -1L), DESTROY_DRAIN_NANOS));
    }

    /**
     * Destroys device with what the guest left on it, once idle: Vulkan requires the device idle here, but a hostile
     * client need not have waited, and freeing objects a queue still uses would be a use-after-free in the driver,
     * so a device whose queues do not drain within budget since start is leaked instead. Forgets the device unless
     * a host call throws.
     */
    private void destroyDevice(VnCtx c, long device, long pAllocator, long start, long budget) throws Throwable {
        if (!quiesce(c, device, start, budget)) {
            leak(device);
            return;
        }
        runPutOff(c, device, true);
        destroyQueueFences(c, device);
        destroyChildren(device);
        filler.deviceDestroyed(c, device);
        freeImported(c, device);
        VnHooks.super.vkDestroyDevice(c, device, pAllocator);
        devices.remove(device);
        retired.unmapDevice(device);
    }

    /** Frees the host-visible memory the guest left allocated on device (before the device goes). */
    private void freeImported(VnCtx c, long device) throws Throwable {
        for (var e : hostMemory.entrySet()) {
            if (e.getValue().device() == device && hostMemory.remove(e.getKey(), e.getValue())) {
                VnHooks.super.vkFreeMemory(c, device, e.getKey(), 0);
                Imported m = e.getValue();
                retired.unmap(m); // the device is idle and goes next
            }
        }
    }

    /**
     * Destroys the objects the guest left alive on device (see {@link #CHILD_TYPES}) and forgets their ids; device
     * memory last, the imported (host-visible) kind by {@link #freeImported}.
     */
    private void destroyChildren(long device) {
        for (int i = 0; i < CHILD_TYPES.length; i++) {
            destroyOfDevice(device, CHILD_TYPES[i], CHILD_DESTROY[i]);
        }
        destroyOfDevice(device, VnInfo.H_VkDeviceMemory, "vkFreeMemory");
    }

    private void destroyOfDevice(long device, int type, String destroy) {
        long fn = 0;
        for (long host : objects.hosts(type)) {
            if (objects.device(type, host) != device || type == VnInfo.H_VkDeviceMemory && hostMemory.containsKey(host)) {
                continue;
            }
            if (fn == 0 && (fn = HostVulkan.proc(instance, destroy)) == 0) {
                return; // the host driver lacks the command (so it never created such an object)
            }
            try {
                DESTROY_CHILD.invokeExact(MemorySegment.ofAddress(fn), device, host, 0L);
            } catch (Throwable t) {
                VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: " + destroy + " failed: " + t);
            }
            objects.unbindHost(type, host);
        }
    }

    /** Destroys every device still alive, children before parents. */
    private void destroyDevices(VnCtx c) {
        long start = System.nanoTime(); // one bound for all devices together
        for (long device : devices.keySet().toArray(Long[]::new)) {
            try {
                destroyDevice(c, device, 0, start, DESTROY_DRAIN_NANOS);
            } catch (Throwable t) {
                VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: destroying device failed: " + t);
                devices.remove(device);
            }
        }
    }

    @Override
    public int vkAllocateMemory(VnCtx c, long device, long pAllocateInfo, long pAllocator, long pMemory) throws Throwable {
        int r = allocateMemory(c, device, pAllocateInfo, pAllocator, pMemory);
        if (r == VK_SUCCESS) {
            bounds.memoryAllocated(g64(pMemory), g64(pAllocateInfo + 16)); // the size allocated (rounded if imported)
        }
        return r;
    }

    private int allocateMemory(VnCtx c, long device, long pAllocateInfo, long pAllocator, long pMemory) throws Throwable {
        DeviceInfo info = devices.get(device);
        // VkMemoryAllocateInfo: pNext @8, allocationSize @16, memoryTypeIndex @24
        int typeIndex = g32(pAllocateInfo + 24);
        if (info == null || info.importAlignment() == 0 || !hostVisible(info, typeIndex)) {
            return VnHooks.super.vkAllocateMemory(c, device, pAllocateInfo, pAllocator, pMemory);
        }
        long align = info.importAlignment();
        long size = g64(pAllocateInfo + 16);
        if (size <= 0 || size > (1L << 40)) {
            return VnHooks.super.vkAllocateMemory(c, device, pAllocateInfo, pAllocator, pMemory);
        }
        long rounded = (size + align - 1) / align * align;
        SharedMemory shm;
        try {
            shm = services.allocate("venus-memory", rounded);
        } catch (GpuException e) {
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        MemorySegment own;
        long reuse = retired.take(device, rounded);
        try {
            own = reuse != 0 ? retired.mapOver(device, reuse, shm, rounded)
                    : Mman.mapShared(shm.fd(), 0, rounded, Arena.global()); // unmapped by us, see retire
        } catch (NativeException | RuntimeException e) {
            VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: mapping host-visible memory failed: " + e);
            shm.release();
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        Prefault prefaulting = prefault(shm, own);
        long imp = c.alloc(1, 32);
        p32(imp, STYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT);
        p64(imp + 8, g64(pAllocateInfo + 8));
        p32(imp + 16, HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT);
        p64(imp + 24, own.address());
        p64(pAllocateInfo + 8, imp);
        p64(pAllocateInfo + 16, rounded);
        int r = VnHooks.super.vkAllocateMemory(c, device, pAllocateInfo, pAllocator, pMemory);
        if (r == VK_SUCCESS) {
            hostMemory.put(g64(pMemory), new Imported(device, shm, prefaulting, own.address(), rounded));
        } else {
            Imported m = new Imported(device, shm, prefaulting, own.address(), rounded);
            if (reuse != 0) {
                retired.retire(m); // a placeholder's range: the driver may hold stale pointers into it
            } else {
                retired.unmap(m); // the driver never had this pointer
            }
        }
        return r;
    }

    /**
     * Faults the whole of our mapping in, madvise(MADV_POPULATE_WRITE) instead of a page fault per page later: the
     * host driver reads and writes this memory through our mapping, so without it the first vkCmdCopyBuffer over
     * 64 MiB took 2 x 16384 minor faults inside lavapipe's queue thread (about 30 ms here, five times the copy
     * itself). Small allocations are populated here. Large ones (which take milliseconds per MiB) go to
     * {@link #PREFAULTER}, whose thread runs at SCHED_IDLE: it only uses a CPU that neither the client nor a ring
     * thread wants, and the client, which usually writes the memory next, never waits for it (each page is
     * allocated once, by whichever side touches it first). That thread first allocates the pages with
     * fallocate(2) on the memfd, which needs no mmap lock (the client's own faults then only map them: filling
     * 2 x 64 MiB took 56 ms instead of 90), then maps them into our mapping. It stops when the client frees the
     * memory. Kernels before 5.14 answer EINVAL to MADV_POPULATE_WRITE: then pages fault in on first use.
     *
     * @return the background pre-fault to {@link Prefault#cancel} when the memory is freed, or null
     */
    private static Prefault prefault(SharedMemory shm, MemorySegment own) {
        if (!PREFAULT || populateUnsupported) {
            return null;
        }
        if (own.byteSize() < PREFAULT_ASYNC_BYTES) {
            populate(own);
            return null;
        }
        lastMemoryActivity = System.nanoTime();
        Prefault p = new Prefault(shm.retain(), own); // the fd must stay while we allocate through it
        PREFAULTER.execute(p::run);
        return p;
    }

    static final long QUIET_NANOS = Long.getLong("virtgpu.venus.prefaultQuietMicros", 1000) * 1000;
    /** when a client last allocated host-visible memory or made a blob of it (any context) */
    private static volatile long lastMemoryActivity;

    /**
     * One allocation's background pre-fault. It holds a reference to the memory until it is done; a client that
     * frees the memory first cancels it, and if it has not started yet (queued, or waiting for quiet) the reference is
     * dropped right then by the freeing thread, so memory is not held up by a SCHED_IDLE thread that a busy host
     * leaves without a CPU. Once running, it stops after its current 1 MiB step.
     */
    static final class Prefault {
        private static final int WAITING = 0;
        private static final int RUNNING = 1;
        private static final int DONE = 2;
        private final SharedMemory shm;
        /** the mapping the host driver uses (see {@link Imported}) */
        private final MemorySegment own;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private volatile boolean wanted = true;

        Prefault(SharedMemory shm, MemorySegment own) {
            this.shm = shm;
            this.own = own;
        }

        /**
         * Cancels and waits for a populate step in progress: afterwards nothing populates {@link #own} any more, so
         * it may be replaced (a step over a placeholder would fill it with anonymous pages).
         */
        void cancelAndWait() {
            cancel();
            synchronized (this) {
                assert !wanted;
            }
        }

        void cancel() {
            wanted = false;
            if (state.compareAndSet(WAITING, DONE)) {
                shm.release();
            }
        }

        void run() {
            awaitQuiet();
            if (!state.compareAndSet(WAITING, RUNNING)) {
                return; // cancelled: the reference is gone already
            }
            try {
                populateInSteps();
            } finally {
                state.set(DONE);
                shm.release();
            }
        }

        /**
         * Waits until clients have allocated and mapped no host-visible memory for {@link #QUIET_NANOS} (at most
         * 20 ms): Mesa maps memory right after allocating it, often several allocations in a row, and populating
         * next to that burst slowed it down (map_64mib 1.39 ms against 1.08 with the wait, 35 clients each).
         */
        private void awaitQuiet() {
            long deadline = System.nanoTime() + 20_000_000;
            for (long now = System.nanoTime(); wanted && now < deadline; now = System.nanoTime()) {
                long quietFor = now - lastMemoryActivity;
                if (quietFor >= QUIET_NANOS) {
                    return;
                }
                LockSupport.parkNanos(QUIET_NANOS - quietFor);
            }
        }

        private void populateInSteps() {
            MemorySegment all = own;
            long size = all.byteSize();
            try {
                for (long off = 0; off < size && wanted; off += PREFAULT_STEP_BYTES) {
                    Fds.fallocate(shm.fd(), off, Math.min(PREFAULT_STEP_BYTES, size - off));
                }
            } catch (NativeException e) {
                VenusContext.LOG.log(System.Logger.Level.DEBUG, "venus: not allocating ahead: " + e.getMessage());
            }
            for (long off = 0; off < size && wanted && !populateUnsupported; off += PREFAULT_STEP_BYTES) {
                synchronized (this) { // see cancelAndWait
                    if (!wanted || !populate(all.asSlice(off, Math.min(PREFAULT_STEP_BYTES, size - off)))) {
                        return;
                    }
                }
            }
        }
    }

    /** false when populating failed (the rest of the range then faults in on first use) */
    private static boolean populate(MemorySegment range) {
        try {
            Mman.madvise(range, Mman.MADV_POPULATE_WRITE);
            return true;
        } catch (NativeException e) {
            // EINVAL: kernel without MADV_POPULATE_WRITE; ENOMEM etc.: the pages come on first use, as before
            populateUnsupported = e.errno() == Errno.EINVAL;
            VenusContext.LOG.log(System.Logger.Level.DEBUG, "not pre-faulting host-visible memory: " + e.getMessage());
        } catch (RuntimeException e) {
            VenusContext.LOG.log(System.Logger.Level.WARNING, "pre-faulting host-visible memory failed: " + e);
        }
        return false;
    }

    private static boolean hostVisible(DeviceInfo info, int typeIndex) {
        return typeIndex >= 0 && typeIndex < 32 && (info.hostVisibleTypes() >>> typeIndex & 1) != 0;
    }

    @Override
    public void vkFreeMemory(VnCtx c, long device, long memory, long pAllocator) throws Throwable {
        Imported m = hostMemory.remove(memory);
        destroyWhenIdle(c, device, d -> {
            VnHooks.super.vkFreeMemory(d, device, memory, 0);
            if (m != null) {
                retired.retire(m);
            }
        });
    }



    // ---------------------------------------------------------------- descriptors

    @Override
    public void vkUpdateDescriptorSets(VnCtx c, long device, int descriptorWriteCount, long pDescriptorWrites,
            int descriptorCopyCount, long pDescriptorCopies) throws Throwable {
        // VkWriteDescriptorSet.dstSet is noautovalidity in vk.xml (vkCmdPushDescriptorSetKHR ignores it), so the
        // decoder lets it be NULL; here the driver writes through it: it must name a set.
        for (long i = 0; i < Integer.toUnsignedLong(descriptorWriteCount); i++) {
            if (g64(pDescriptorWrites + i * 64 + 16) == 0) { // sizeof(VkWriteDescriptorSet) 64, dstSet @16
                throw c.fail("vkUpdateDescriptorSets: pDescriptorWrites[" + i + "].dstSet is not a descriptor set");
            }
            String missing = infosMissing(pDescriptorWrites + i * 64);
            if (missing != null) {
                throw c.fail("vkUpdateDescriptorSets: pDescriptorWrites[" + i + "]." + missing);
            }
            String why = !buffersInside(pDescriptorWrites + i * 64) ? "names a range outside its buffer"
                    : descriptorShapes.writeRefused(pDescriptorWrites + i * 64);
            if (why == null) {
                int type = g32(pDescriptorWrites + i * 64 + 36);
                why = descriptorsUsable(pDescriptorWrites + i * 64, (type == 0 || type == 1)
                        && descriptorShapes.immutableSamplers(pDescriptorWrites + i * 64));
            }
            if (why != null) {
                refusedRange("vkUpdateDescriptorSets", "write " + i + ": " + why);
                return;
            }
        }
        for (long i = 0; i < Integer.toUnsignedLong(descriptorCopyCount) && pDescriptorCopies != 0; i++) {
            String why = descriptorShapes.copyRefused(pDescriptorCopies + i * 56); // sizeof(VkCopyDescriptorSet)
            if (why != null) {
                refusedRange("vkUpdateDescriptorSets", "copy " + i + ": " + why);
                return;
            }
        }
        VnHooks.super.vkUpdateDescriptorSets(c, device, descriptorWriteCount, pDescriptorWrites, descriptorCopyCount,
                pDescriptorCopies);
        dynamicOffsets.updated(descriptorWriteCount, pDescriptorWrites, descriptorCopyCount, pDescriptorCopies);
    }

    /**
     * VK_KHR_push_descriptor. The writes are checked as vkUpdateDescriptorSets checks them, against the push
     * descriptor set layout at set in layout (their dstSet is ignored); a push that breaks a rule poisons the command
     * buffer. lavapipe makes each pushed set as a copy of the set bound at that number when the push runs, whatever
     * its layout, then writes the client's descriptors into it: so the first push of a set, and any push after another
     * set or a push of another layout was bound there, is preceded by one of the server's that writes every descriptor
     * of the layout ({@link DescriptorFiller#push}), and a draw then finds no descriptor that is unwritten or another
     * layout's bytes. Mesa's Venus driver sends vkCmdPushDescriptorSetWithTemplateKHR as this command.
     */
    @Override
    public void vkCmdPushDescriptorSetKHR(VnCtx c, long commandBuffer, int pipelineBindPoint, long layout, int set,
            int descriptorWriteCount, long pDescriptorWrites) throws Throwable {
        Object to = descriptorShapes.pushTarget(pipelineBindPoint, layout, set);
        if (!(to instanceof DescriptorShapes.PushTarget target)) {
            refusedRecording("vkCmdPushDescriptorSetKHR", commandBuffer, (String) to);
            return;
        }
        long[] words = target.words();
        for (long i = 0; i < Integer.toUnsignedLong(descriptorWriteCount) && pDescriptorWrites != 0; i++) {
            long w = pDescriptorWrites + i * 64;
            String why = infosMissing(w);
            if (why == null) {
                why = !buffersInside(w) ? "names a range outside its buffer" : DescriptorShapes.writeRefused(words, w);
            }
            if (why == null) {
                int type = g32(w + 36);
                why = descriptorsUsable(w, (type == 0 || type == 1) && DescriptorShapes.immutableSamplers(words, w));
            }
            if (why != null) {
                refusedRecording("vkCmdPushDescriptorSetKHR", commandBuffer, "write " + i + ": " + why);
                return;
            }
        }
        if (descriptorShapes.pushBind(commandBuffer, pipelineBindPoint, set, target)) {
            filler.push(c, objects.device(VnInfo.H_VkCommandBuffer, commandBuffer), commandBuffer, pipelineBindPoint,
                    layout, set, words);
        }
        VnHooks.super.vkCmdPushDescriptorSetKHR(c, commandBuffer, pipelineBindPoint, layout, set,
                pDescriptorWrites == 0 ? 0 : descriptorWriteCount, pDescriptorWrites);
    }

    /**
     * Which array a VkWriteDescriptorSet's descriptor type reads is NULL although descriptorCount is not 0: pImageInfo
     * (@40) for samplers, images and input attachments, pBufferInfo (@48) for buffers, pTexelBufferView (@56) for
     * texel buffers. vk.xml marks all three noautovalidity (each is ignored for the other types), so the decoder lets
     * them be NULL, and lavapipe read the count's worth of elements from address 0: the JVM died (session 13).
     * Null when the type's array is there.
     */
    static String infosMissing(long write) {
        int type = g32(write + 36);
        int at = switch (type) {
            case 0, 1, 2, 3, 10 -> 40;
            case DESCRIPTOR_UNIFORM_BUFFER, 7, 8, DESCRIPTOR_STORAGE_BUFFER_DYNAMIC -> 48;
            case 4, 5 -> 56;
            default -> 0;
        };
        if (at == 0 || g32(write + 32) == 0 || g64(write + at) != 0) {
            return null;
        }
        return (at == 40 ? "pImageInfo" : at == 48 ? "pBufferInfo" : "pTexelBufferView") + " is NULL for descriptor type "
                + type + " with descriptorCount " + Integer.toUnsignedString(g32(write + 32));
    }

    static final int STYPE_IMAGE_VIEW_USAGE_CREATE_INFO = 1000117002;
    static final int USAGE_SAMPLED = 0x4, USAGE_STORAGE = 0x8, USAGE_INPUT_ATTACHMENT = 0x80;
    static final int USAGE_UNIFORM_TEXEL = 0x4, USAGE_STORAGE_TEXEL = 0x8;

    /**
     * Why the views and samplers of a VkWriteDescriptorSet (descriptorCount @32, descriptorType @36, pImageInfo @40;
     * VkDescriptorImageInfo 24 bytes, imageView @8) cannot back its descriptor type: a sampled (or combined) image
     * needs a view with VK_IMAGE_USAGE_SAMPLED_BIT, a storage image STORAGE, an input attachment INPUT_ATTACHMENT
     * (VUID-VkWriteDescriptorSet-descriptorType-00337, -00339, -00338). lavapipe died with SIGSEGV writing a storage
     * image descriptor of an image made without STORAGE ({@code vkhostile desctype usage}). VK_NULL_HANDLE passes
     * (robustness2's null descriptors). Texel buffer descriptors need a view of a buffer made with the texel usage
     * of their type (-00334, -00335; lavapipe died writing a storage texel buffer descriptor of a uniform texel
     * buffer, {@code vkhostile descview texel}), samplers and combined image samplers a sampler unless their binding
     * has immutable ones (-00325; lavapipe died on VK_NULL_HANDLE, {@code vkhostile descview sampler}). Null when
     * all are usable.
     */
    private String descriptorsUsable(long write, boolean immutableSamplers) {
        int type = g32(write + 36);
        if (type == 4 || type == 5) { // texel buffers: pTexelBufferView @56
            int want = type == 4 ? USAGE_UNIFORM_TEXEL : USAGE_STORAGE_TEXEL;
            long views = g64(write + 56);
            for (long k = 0; views != 0 && k < Integer.toUnsignedLong(g32(write + 32)); k++) {
                long view = g64(views + 8 * k);
                if (view != 0 && (objects.extra(VnInfo.H_VkBufferView, view) & want) == 0) {
                    return "buffer view " + k + " is of a buffer made without the usage descriptor type " + type
                            + " needs";
                }
            }
            return null;
        }
        if ((type == 0 || type == 1) && !immutableSamplers) {
            long infos = g64(write + 40);
            for (long k = 0; infos != 0 && k < Integer.toUnsignedLong(g32(write + 32)); k++) {
                if (g64(infos + 24 * k) == 0) {
                    return "sampler " + k + " is VK_NULL_HANDLE and the binding has no immutable samplers";
                }
            }
        }
        int need = type == 1 || type == 2 ? USAGE_SAMPLED : type == 3 ? USAGE_STORAGE : type == 10
                ? USAGE_INPUT_ATTACHMENT : 0;
        long infos = g64(write + 40);
        for (long k = 0; need != 0 && infos != 0 && k < Integer.toUnsignedLong(g32(write + 32)); k++) {
            long view = g64(infos + 24 * k + 8);
            if (view != 0 && (areas.viewUsage(view) & need) == 0) {
                return "image view " + k + " lacks the usage descriptor type " + type + " needs";
            }
        }
        return null;
    }

    @Override
    public int vkCreateDescriptorSetLayout(VnCtx c, long device, long pCreateInfo, long pAllocator, long pSetLayout)
            throws Throwable {
        String why = DynamicOffsets.layoutRefused(pCreateInfo);
        if (why == null) {
            DeviceInfo d = devices.get(device);
            why = descriptorShapes.layoutRefused(pCreateInfo, d == null ? 0 : d.limits.pushDescriptors());
        }
        if (why != null) {
            refusedRange("vkCreateDescriptorSetLayout", why);
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        int r = VnHooks.super.vkCreateDescriptorSetLayout(c, device, pCreateInfo, pAllocator, pSetLayout);
        if (r == VK_SUCCESS) {
            descriptorShapes.setLayoutCreated(g64(pSetLayout), pCreateInfo);
        }
        return r;
    }

    @Override
    public int vkAllocateDescriptorSets(VnCtx c, long device, long pAllocateInfo, long pDescriptorSets)
            throws Throwable {
        long setLayouts = g64(pAllocateInfo + 32);
        for (int i = 0; i < g32(pAllocateInfo + 24) && setLayouts != 0; i++) {
            if (descriptorShapes.pushLayout(g64(setLayouts + 8L * i))) {
                // VUID-VkDescriptorSetAllocateInfo-pSetLayouts-00308: push descriptor sets are pushed, not allocated
                refusedRange("vkAllocateDescriptorSets", "set layout " + i + " is a push descriptor set layout");
                return VK_ERROR_OUT_OF_POOL_MEMORY;
            }
        }
        int r = VnHooks.super.vkAllocateDescriptorSets(c, device, pAllocateInfo, pDescriptorSets);
        if (r == VK_SUCCESS) {
            descriptorShapes.setsAllocated(pAllocateInfo, pDescriptorSets);
            long layouts = g64(pAllocateInfo + 32); // descriptorSetCount @24, pSetLayouts @32
            for (int i = 0; i < g32(pAllocateInfo + 24) && layouts != 0 && pDescriptorSets != 0; i++) {
                DescriptorShapes.SetLayout l = descriptorShapes.setLayout(g64(layouts + 8L * i));
                if (l != null) {
                    filler.fill(c, device, g64(pDescriptorSets + 8L * i), l.words());
                }
            }
        }
        return r;
    }

    /**
     * Whether the buffer descriptors of one VkWriteDescriptorSet lie in their buffers: shaders reach [offset,
     * offset + range) through them, and a storage buffer descriptor 1 GiB past its buffer killed the server's JVM in
     * lavapipe's compute worker. Dynamic offsets added at vkCmdBindDescriptorSets are checked there (see
     * {@link DynamicOffsets}).
     */
    private boolean buffersInside(long write) {
        int type = g32(write + 36); // descriptorType @36; descriptorCount @32, pBufferInfo @48
        if (type < DESCRIPTOR_UNIFORM_BUFFER || type > DESCRIPTOR_STORAGE_BUFFER_DYNAMIC) {
            return true;
        }
        long infos = g64(write + 48);
        for (long j = 0; j < Integer.toUnsignedLong(g32(write + 32)) && infos != 0; j++) {
            long info = infos + 24 * j; // VkDescriptorBufferInfo: buffer @0, offset @8, range @16
            long buffer = g64(info);
            if (buffer != 0 && !bounds.range(buffer, g64(info + 8), g64(info + 16))) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- image shapes and regions (see Images)

    static final int STYPE_BIND_IMAGE_PLANE_MEMORY_INFO = 1000156002;
    static final int STYPE_IMAGE_PLANE_MEMORY_REQUIREMENTS_INFO = 1000156003;
    static final int STYPE_IMAGE_MEMORY_REQUIREMENTS_INFO_2 = 1000146001;
    static final int STYPE_MEMORY_REQUIREMENTS_2 = 1000146003;

    @Override
    public int vkCreateImage(VnCtx c, long device, long pCreateInfo, long pAllocator, long pImage) throws Throwable {
        String why = Images.invalid(pCreateInfo);
        if (why != null) {
            refusedRange("vkCreateImage", why);
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        int r = VnHooks.super.vkCreateImage(c, device, pCreateInfo, pAllocator, pImage);
        if (r == VK_SUCCESS) {
            images.created(g64(pImage), pCreateInfo);
        }
        return r;
    }

    /** The bytes the host driver uses for image, or for one plane of a disjoint image (planeAspect, else 0). */
    private long requiredImageSize(VnCtx c, long device, long image, int planeAspect) throws Throwable {
        if (planeAspect == 0) {
            long reqs = c.alloc(1, 24); // VkMemoryRequirements: size @0
            VnHooks.super.vkGetImageMemoryRequirements(c, device, image, reqs);
            return g64(reqs);
        }
        long info = c.alloc(1, 48); // VkImageMemoryRequirementsInfo2 @0 (24 bytes), its plane info @24
        p32(info, STYPE_IMAGE_MEMORY_REQUIREMENTS_INFO_2);
        p64(info + 8, info + 24);
        p64(info + 16, image);
        p32(info + 24, STYPE_IMAGE_PLANE_MEMORY_REQUIREMENTS_INFO);
        p64(info + 32, 0);
        p32(info + 40, planeAspect);
        long reqs = c.alloc(1, 40); // VkMemoryRequirements2: memoryRequirements.size @16
        p32(reqs, STYPE_MEMORY_REQUIREMENTS_2);
        p64(reqs + 8, 0);
        VnHooks.super.vkGetImageMemoryRequirements2(c, device, info, reqs);
        return g64(reqs + 16);
    }

    @Override
    public int vkBindImageMemory(VnCtx c, long device, long image, long memory, long memoryOffset) throws Throwable {
        String why = images.bind(image, 0, requiredImageSize(c, device, image, 0), memory, memoryOffset);
        if (why != null) {
            refusedRange("vkBindImageMemory", why);
            return VK_ERROR_OUT_OF_DEVICE_MEMORY;
        }
        int r = VnHooks.super.vkBindImageMemory(c, device, image, memory, memoryOffset);
        if (r == VK_SUCCESS) {
            images.bound(image, 0);
            memoryBound(image, memory);
        }
        return r;
    }

    /** The planeAspect of a VkBindImagePlaneMemoryInfo in the chain from next, 0 when there is none. */
    private static int planeAspect(long next) {
        long plane = VnMem.chained(next, STYPE_BIND_IMAGE_PLANE_MEMORY_INFO);
        return plane == 0 ? 0 : g32(plane + 16);
    }

    @Override
    public int vkBindImageMemory2(VnCtx c, long device, int bindInfoCount, long pBindInfos) throws Throwable {
        // VkBindImageMemoryInfo (40 bytes): pNext @8, image @16, memory @24, memoryOffset @32
        for (int i = 0; i < bindInfoCount && pBindInfos != 0; i++) {
            long info = pBindInfos + 40L * i;
            long image = g64(info + 16);
            int plane = planeAspect(g64(info + 8));
            String why = images.bind(image, plane, requiredImageSize(c, device, image, plane), g64(info + 24),
                    g64(info + 32));
            if (why != null) {
                refusedRange("vkBindImageMemory2", "image " + i + ": " + why);
                return VK_ERROR_OUT_OF_DEVICE_MEMORY;
            }
        }
        int r = VnHooks.super.vkBindImageMemory2(c, device, bindInfoCount, pBindInfos);
        if (r == VK_SUCCESS) {
            for (int i = 0; i < bindInfoCount && pBindInfos != 0; i++) {
                long info = pBindInfos + 40L * i;
                int plane = planeAspect(g64(info + 8)); // 0, or VK_IMAGE_ASPECT_PLANE_0_BIT (0x10) and up
                images.bound(g64(info + 16), plane);
                memoryBound(g64(info + 16) + (plane == 0 ? 0 : Integer.numberOfTrailingZeros(plane) - 3),
                        g64(info + 24));
            }
        }
        return r;
    }

    @Override
    public int vkCreateImageView(VnCtx c, long device, long pCreateInfo, long pAllocator, long pView) throws Throwable {
        String why = images.view(pCreateInfo);
        if (why != null) {
            refusedRange("vkCreateImageView", why);
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        int r = VnHooks.super.vkCreateImageView(c, device, pCreateInfo, pAllocator, pView);
        if (r == VK_SUCCESS) {
            long[] size = images.viewSize(pCreateInfo);
            Images.Shape s = images.shape(g64(pCreateInfo + 24));
            int usage = s == null ? 0 : s.usage;
            long viewUsage = VnMem.chained(g64(pCreateInfo + 8), STYPE_IMAGE_VIEW_USAGE_CREATE_INFO);
            if (viewUsage != 0) {
                usage &= g32(viewUsage + 16);
            }
            areas.viewCreated(g64(pView), size[0], size[1], size[2], usage);
        }
        return r;
    }

    // ---------------------------------------------------------------- render areas (see RenderAreas)

    @Override
    public int vkCreateRenderPass(VnCtx c, long device, long pCreateInfo, long pAllocator, long pRenderPass)
            throws Throwable {
        if (passRefused("vkCreateRenderPass", device, pCreateInfo, false)) {
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        int r = VnHooks.super.vkCreateRenderPass(c, device, pCreateInfo, pAllocator, pRenderPass);
        if (r == VK_SUCCESS) {
            areas.passCreated(g64(pRenderPass), pCreateInfo, false);
        }
        return r;
    }

    @Override
    public int vkCreateRenderPass2(VnCtx c, long device, long pCreateInfo, long pAllocator, long pRenderPass)
            throws Throwable {
        if (passRefused("vkCreateRenderPass2", device, pCreateInfo, true)) {
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        int r = VnHooks.super.vkCreateRenderPass2(c, device, pCreateInfo, pAllocator, pRenderPass);
        if (r == VK_SUCCESS) {
            areas.passCreated(g64(pRenderPass), pCreateInfo, true);
        }
        return r;
    }

    private boolean passRefused(String command, long device, long info, boolean v2) {
        DeviceInfo d = devices.get(device);
        String why = d == null ? "unknown device" : RenderAreas.passRefused(info, v2, d.limits.colorAttachments);
        if (why != null) {
            refusedRange(command, why);
        }
        return why != null;
    }

    /**
     * Graphics pipelines index the driver's fixed state arrays with their vertex bindings and attribute locations,
     * viewport, scissor and color attachment counts and their subpass: past the device's limits, lavapipe's pipeline
     * creation corrupted its heap or stack or died with SIGSEGV ({@code e2e/venus/vkhostile.c} pipeline viewports,
     * blend, rendering, subpass). Each VkGraphicsPipelineCreateInfo (144 bytes) is checked; any refused refuses all.
     */
    @Override
    public int vkCreateGraphicsPipelines(VnCtx c, long device, long pipelineCache, int createInfoCount,
            long pCreateInfos, long pAllocator, long pPipelines) throws Throwable {
        DeviceInfo d = devices.get(device);
        for (int i = 0; i < createInfoCount && pCreateInfos != 0; i++) {
            String why = d == null ? "unknown device" : graphicsPipelineRefused(pCreateInfos + 144L * i, d.limits);
            if (why != null) {
                refusedRange("vkCreateGraphicsPipelines", "pipeline " + i + ": " + why);
                return VK_ERROR_OUT_OF_HOST_MEMORY;
            }
        }
        int r = VnHooks.super.vkCreateGraphicsPipelines(c, device, pipelineCache, createInfoCount, pCreateInfos,
                pAllocator, pPipelines);
        for (int i = 0; i < createInfoCount && pCreateInfos != 0 && pPipelines != 0 && r >= 0; i++) {
            long info = pCreateInfos + 144L * i;
            long stages = g64(info + 24); // stageCount @20; VkPipelineShaderStageCreateInfo: 48 bytes, module @24
            java.util.stream.IntStream.Builder used = java.util.stream.IntStream.builder();
            for (int k = 0; k < g32(info + 20) && stages != 0; k++) {
                for (int n : shaderResources.usedSets(g64(stages + 48L * k + 24))) {
                    used.add(n);
                }
            }
            long ia = g64(info + 40); // VkPipelineInputAssemblyStateCreateInfo: topology @20
            descriptorShapes.pipelineCreated(g64(pPipelines + 8L * i), DescriptorShapes.GRAPHICS, g64(info + 104),
                    used.build().toArray(), ia == 0 ? 0 : g32(ia + 20),
                    dynamic(info, DYNAMIC_STATE_PRIMITIVE_TOPOLOGY), dynamic(info, DYNAMIC_STATE_PATCH_CONTROL_POINTS));
        }
        return r;
    }

    /**
     * Compute pipelines: the stage's module must find every set and binding it uses in the layout (see
     * {@link ShaderResources}). VkComputePipelineCreateInfo (96 bytes): stage @24 (module @48), layout @72.
     */
    @Override
    public int vkCreateComputePipelines(VnCtx c, long device, long pipelineCache, int createInfoCount,
            long pCreateInfos, long pAllocator, long pPipelines) throws Throwable {
        for (int i = 0; i < createInfoCount && pCreateInfos != 0; i++) {
            long info = pCreateInfos + 96L * i;
            String why = shaderResources.stage(g64(info + 48), descriptorShapes.pipelineLayout(g64(info + 72)));
            if (why == null) {
                DeviceInfo d = devices.get(device);
                why = stageSizes(d == null ? null : d.limits, g64(info + 48), g64(info + 64), ShaderSizes.COMPUTE);
            }
            if (why != null) {
                refusedRange("vkCreateComputePipelines", "pipeline " + i + ": " + why);
                return VK_ERROR_OUT_OF_HOST_MEMORY;
            }
        }
        int r = VnHooks.super.vkCreateComputePipelines(c, device, pipelineCache, createInfoCount, pCreateInfos,
                pAllocator, pPipelines);
        for (int i = 0; i < createInfoCount && pCreateInfos != 0 && pPipelines != 0 && r >= 0; i++) {
            long info = pCreateInfos + 96L * i;
            descriptorShapes.pipelineCreated(g64(pPipelines + 8L * i), g64(info + 72),
                    shaderResources.usedSets(g64(info + 48)));
        }
        return r;
    }

    static final int STYPE_PIPELINE_RENDERING_CREATE_INFO = 1000044002;

    /**
     * Why a stage's module, specialized by spec (VkSpecializationInfo, 0 for none), asks more than the device's
     * limits (l, null when unknown: refused) allow; see {@link ShaderSizes}. Null when it does not, or for a module
     * not seen here.
     */
    private String stageSizes(Limits l, long module, long spec, int stage) {
        int[] sizes = shaderResources.sizes(module);
        return sizes == null ? null : l == null ? "unknown device" : ShaderSizes.refused(sizes, spec, stage, l.shader());
    }

    /**
     * VkGraphicsPipelineCreateInfo: pNext @8, pVertexInputState @32, pInputAssemblyState @40, pTessellationState @48,
     * pViewportState @56, pColorBlendState @88, pDynamicState @96, renderPass @112, subpass @120.
     */
    private String graphicsPipelineRefused(long info, Limits l) {
        String missing = pipelineArraysMissing(info);
        if (missing != null) {
            return missing;
        }
        long stages = g64(info + 24); // stageCount @20; VkPipelineShaderStageCreateInfo: 48 bytes, stage @20, module @24
        int stageBits = 0;
        for (int k = 0; k < g32(info + 20) && stages != 0; k++) {
            int stage = g32(stages + 48L * k + 20);
            stageBits |= stage;
            String why = shaderResources.stage(g64(stages + 48L * k + 24),
                    descriptorShapes.pipelineLayout(g64(info + 104)));
            if (why == null) {
                why = stageSizes(l, g64(stages + 48L * k + 24), g64(stages + 48L * k + 40), stage);
            }
            if (why != null) {
                return "stage " + k + ": " + why;
            }
        }
        String why = topologyRefused(info, stageBits, l);
        if (why == null) {
            why = rasterStatesMissing(info);
        }
        if (why == null) {
            why = rasterChainRefused(info, l);
        }
        long vi = dynamic(info, DYNAMIC_STATE_VERTEX_INPUT) ? 0 : g64(info + 32); // ignored when dynamic
        if (why == null && vi != 0) { // bindings: count @20, array @24 (12 bytes each); attributes: @32, @40 (16)
            why = vertexDescriptionsRefused(l, g32(vi + 20), g64(vi + 24), 12, g32(vi + 32), g64(vi + 40), 16, 0,
                    false);
            why = why == null ? null : "vertex input " + why;
        }
        if (why != null) {
            return why;
        }
        long vp = g64(info + 56);
        if (vp != 0 && (Integer.toUnsignedLong(g32(vp + 20)) > l.viewports
                || Integer.toUnsignedLong(g32(vp + 32)) > l.viewports)) {
            return Integer.toUnsignedString(g32(vp + 20)) + " viewports, " + Integer.toUnsignedString(g32(vp + 32))
                    + " scissors of " + l.viewports;
        }
        long cb = g64(info + 88);
        if (cb != 0 && Integer.toUnsignedLong(g32(cb + 28)) > l.colorAttachments) {
            return Integer.toUnsignedString(g32(cb + 28)) + " color blend attachments of " + l.colorAttachments;
        }
        // VkPipelineColorWriteCreateInfoEXT (attachmentCount @16) on the blend state's pNext: one enable per blend
        // attachment (VUID-VkPipelineColorWriteCreateInfoEXT-attachmentCount-07608)
        long writes = cb == 0 ? 0 : VnMem.chained(g64(cb + 8), STYPE_PIPELINE_COLOR_WRITE_CREATE_INFO);
        if (writes != 0 && g32(writes + 16) != g32(cb + 28)) {
            return Integer.toUnsignedString(g32(writes + 16)) + " colour write enables for "
                    + Integer.toUnsignedString(g32(cb + 28)) + " color blend attachments";
        }
        long rendering = VnMem.chained(g64(info + 8), STYPE_PIPELINE_RENDERING_CREATE_INFO);
        if (rendering != 0 && Integer.toUnsignedLong(g32(rendering + 20)) > l.colorAttachments) {
            return Integer.toUnsignedString(g32(rendering + 20)) + " color attachment formats of " + l.colorAttachments;
        }
        long pass = g64(info + 112);
        if (pass != 0 && Integer.toUnsignedLong(g32(info + 120)) >= Integer.toUnsignedLong(areas.subpasses(pass))) {
            return "subpass " + Integer.toUnsignedString(g32(info + 120)) + " of "
                    + (areas.subpasses(pass) < 0 ? "an unknown render pass" : areas.subpasses(pass));
        }
        return null;
    }

    /**
     * vkCmdSetPrimitiveTopology: a value that is no VkPrimitiveTopology is refused (the command buffer poisoned); a
     * draw checks the topology against its pipeline's (see {@link DescriptorShapes#ready}).
     */
    @Override
    public void vkCmdSetPrimitiveTopology(VnCtx c, long commandBuffer, int primitiveTopology) throws Throwable {
        String why = descriptorShapes.setTopology(commandBuffer, primitiveTopology);
        if (why != null) {
            refusedRecording("vkCmdSetPrimitiveTopology", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdSetPrimitiveTopology(c, commandBuffer, primitiveTopology);
    }

    static final int STYPE_SAMPLER_CUSTOM_BORDER_COLOR_CREATE_INFO = 1000287000;
    static final int BORDER_COLOR_FLOAT_CUSTOM = 1000287003, BORDER_COLOR_INT_CUSTOM = 1000287004;
    private static final int ADDRESS_MODE_CLAMP_TO_BORDER = 3;

    /**
     * A sampler's border colour, which lavapipe looks up whatever the address modes: a value past VkBorderColor, and
     * a custom one without its VkSamplerCustomBorderColorCreateInfoEXT, each killed it with SIGSEGV in
     * vkCreateSampler ({@code vkhostile sampler 1 border}, {@code borderedge}, {@code customnone}). Where no address
     * mode uses the border the value is ignored (VUID-VkSamplerCreateInfo-addressModeU-01078 asks a valid one only
     * then), so it is made VK_BORDER_COLOR_FLOAT_TRANSPARENT_BLACK in the decoded create info; where one does, an
     * invalid value is refused. VkSamplerCreateInfo: pNext @8, addressModeU/V/W @32/36/40, borderColor @72.
     *
     * @return why the sampler is refused, or null (after any rewrite)
     */
    static String samplerRefused(long info) {
        int border = g32(info + 72);
        boolean custom = border == BORDER_COLOR_FLOAT_CUSTOM || border == BORDER_COLOR_INT_CUSTOM;
        if (border >= 0 && border <= 5 || custom && VnMem.chained(g64(info + 8),
                STYPE_SAMPLER_CUSTOM_BORDER_COLOR_CREATE_INFO) != 0) {
            return null;
        }
        for (int axis = 0; axis < 3; axis++) {
            if (g32(info + 32 + 4L * axis) == ADDRESS_MODE_CLAMP_TO_BORDER) {
                return custom ? "a custom border colour without VkSamplerCustomBorderColorCreateInfoEXT"
                        : "border colour " + border;
            }
        }
        VnMem.p32(info + 72, 0); // unused by the sampler: any valid value does
        return null;
    }

    @Override
    public int vkCreateSampler(VnCtx c, long device, long pCreateInfo, long pAllocator, long pSampler)
            throws Throwable {
        String why = pCreateInfo == 0 ? "no create info" : samplerRefused(pCreateInfo);
        if (why != null) {
            refusedRange("vkCreateSampler", why);
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        return VnHooks.super.vkCreateSampler(c, device, pCreateInfo, pAllocator, pSampler);
    }

    @Override
    public int vkCreateFramebuffer(VnCtx c, long device, long pCreateInfo, long pAllocator, long pFramebuffer)
            throws Throwable {
        String why = areas.framebufferRefused(pCreateInfo);
        if (why != null) {
            refusedRange("vkCreateFramebuffer", why);
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        int r = VnHooks.super.vkCreateFramebuffer(c, device, pCreateInfo, pAllocator, pFramebuffer);
        if (r == VK_SUCCESS) {
            areas.framebufferCreated(g64(pFramebuffer), pCreateInfo);
        }
        return r;
    }

    @Override
    public int vkAllocateCommandBuffers(VnCtx c, long device, long pAllocateInfo, long pCommandBuffers)
            throws Throwable {
        int r = VnHooks.super.vkAllocateCommandBuffers(c, device, pAllocateInfo, pCommandBuffers);
        if (r == VK_SUCCESS) { // VkCommandBufferAllocateInfo: level @24, commandBufferCount @28
            for (int i = 0; i < g32(pAllocateInfo + 28) && pCommandBuffers != 0; i++) {
                areas.allocated(g64(pCommandBuffers + 8L * i), g32(pAllocateInfo + 24));
            }
        }
        return r;
    }

    /** Commands after a refused render pass begin are not recorded: the host's render pass state is not there. */
    @Override
    public boolean dropRecording(long commandBuffer) {
        return areas.poisoned(commandBuffer);
    }

    /**
     * A command that shapes the rest of the recording (a render pass begin, a descriptor set bind, a secondary's
     * execution) refused: it and every later command until the command buffer is begun again are dropped (Mesa's
     * common render pass code behind lavapipe's vkCmdEndRenderPass dereferences the state the begin would have made:
     * SIGSEGV at record time), and the command buffer cannot be submitted.
     */
    private void refusedRecording(String command, long commandBuffer, String why) {
        refusedRange(command, why + " (the command buffer will not be submitted)");
        areas.poison(commandBuffer);
    }

    @Override
    public void vkCmdBeginRenderPass(VnCtx c, long commandBuffer, long pRenderPassBegin, int contents)
            throws Throwable {
        String why = areas.beginRenderPass(commandBuffer, pRenderPassBegin);
        if (why != null) {
            refusedRecording("vkCmdBeginRenderPass", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdBeginRenderPass(c, commandBuffer, pRenderPassBegin, contents);
    }

    @Override
    public void vkCmdBeginRenderPass2(VnCtx c, long commandBuffer, long pRenderPassBegin, long pSubpassBeginInfo)
            throws Throwable {
        String why = areas.beginRenderPass(commandBuffer, pRenderPassBegin);
        if (why != null) {
            refusedRecording("vkCmdBeginRenderPass2", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdBeginRenderPass2(c, commandBuffer, pRenderPassBegin, pSubpassBeginInfo);
    }

    @Override
    public void vkCmdBeginRendering(VnCtx c, long commandBuffer, long pRenderingInfo) throws Throwable {
        String why = areas.beginRendering(commandBuffer, pRenderingInfo);
        if (why != null) {
            refusedRecording("vkCmdBeginRendering", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdBeginRendering(c, commandBuffer, pRenderingInfo);
    }

    @Override
    public void vkCmdNextSubpass(VnCtx c, long commandBuffer, int contents) throws Throwable {
        String why = areas.nextSubpass(commandBuffer);
        if (why != null) {
            refusedRecording("vkCmdNextSubpass", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdNextSubpass(c, commandBuffer, contents);
    }

    @Override
    public void vkCmdNextSubpass2(VnCtx c, long commandBuffer, long pSubpassBeginInfo, long pSubpassEndInfo)
            throws Throwable {
        String why = areas.nextSubpass(commandBuffer);
        if (why != null) {
            refusedRecording("vkCmdNextSubpass2", commandBuffer, why);
            return;
        }
        VnHooks.super.vkCmdNextSubpass2(c, commandBuffer, pSubpassBeginInfo, pSubpassEndInfo);
    }

    @Override
    public void vkCmdEndRenderPass(VnCtx c, long commandBuffer) throws Throwable {
        areas.end(commandBuffer);
        VnHooks.super.vkCmdEndRenderPass(c, commandBuffer);
    }

    @Override
    public void vkCmdEndRenderPass2(VnCtx c, long commandBuffer, long pSubpassEndInfo) throws Throwable {
        areas.end(commandBuffer);
        VnHooks.super.vkCmdEndRenderPass2(c, commandBuffer, pSubpassEndInfo);
    }

    @Override
    public void vkCmdEndRendering(VnCtx c, long commandBuffer) throws Throwable {
        areas.end(commandBuffer);
        VnHooks.super.vkCmdEndRendering(c, commandBuffer);
    }

    @Override
    public void vkCmdClearAttachments(VnCtx c, long commandBuffer, int attachmentCount, long pAttachments,
            int rectCount, long pRects) throws Throwable {
        String why = areas.clearAttachments(commandBuffer, attachmentCount, pAttachments, rectCount, pRects);
        if (why != null) {
            refusedRange("vkCmdClearAttachments", why);
            return;
        }
        VnHooks.super.vkCmdClearAttachments(c, commandBuffer, attachmentCount, pAttachments, rectCount, pRects);
    }

    @Override
    public void vkGetImageSubresourceLayout(VnCtx c, long device, long image, long pSubresource, long pLayout)
            throws Throwable {
        String why = pSubresource == 0 ? "no subresource" : images.subresource(image, pSubresource);
        if (why != null) {
            refusedRange("vkGetImageSubresourceLayout", why);
            if (pLayout != 0) {
                for (int i = 0; i < 5; i++) { // VkSubresourceLayout: five VkDeviceSize
                    p64(pLayout + 8L * i, 0);
                }
            }
            return;
        }
        VnHooks.super.vkGetImageSubresourceLayout(c, device, image, pSubresource, pLayout);
    }

    /** Logs command refused for region i when why is not null. @return whether it was (the command is dropped) */
    private boolean refusedRegion(String command, int i, String why) {
        if (why == null) {
            return false;
        }
        refusedRange(command, "region " + i + ": " + why);
        return true;
    }

    @Override
    public void vkCmdCopyBufferToImage(VnCtx c, long commandBuffer, long srcBuffer, long dstImage, int dstImageLayout,
            int regionCount, long pRegions) throws Throwable {
        if (!bufferImageRegions("vkCmdCopyBufferToImage", srcBuffer, dstImage, regionCount, pRegions, 56, 0)) {
            VnHooks.super.vkCmdCopyBufferToImage(c, commandBuffer, srcBuffer, dstImage, dstImageLayout, regionCount,
                    pRegions);
        }
    }

    @Override
    public void vkCmdCopyImageToBuffer(VnCtx c, long commandBuffer, long srcImage, int srcImageLayout, long dstBuffer,
            int regionCount, long pRegions) throws Throwable {
        if (!bufferImageRegions("vkCmdCopyImageToBuffer", dstBuffer, srcImage, regionCount, pRegions, 56, 0)) {
            VnHooks.super.vkCmdCopyImageToBuffer(c, commandBuffer, srcImage, srcImageLayout, dstBuffer, regionCount,
                    pRegions);
        }
    }

    @Override
    public void vkCmdCopyBufferToImage2(VnCtx c, long commandBuffer, long pInfo) throws Throwable {
        // VkCopyBufferToImageInfo2: srcBuffer @16, dstImage @24, regionCount @36, pRegions @40
        if (!bufferImageRegions("vkCmdCopyBufferToImage2", g64(pInfo + 16), g64(pInfo + 24), g32(pInfo + 36),
                g64(pInfo + 40), 72, 16)) {
            VnHooks.super.vkCmdCopyBufferToImage2(c, commandBuffer, pInfo);
        }
    }

    @Override
    public void vkCmdCopyImageToBuffer2(VnCtx c, long commandBuffer, long pInfo) throws Throwable {
        // VkCopyImageToBufferInfo2: srcImage @16, dstBuffer @32, regionCount @40, pRegions @48
        if (!bufferImageRegions("vkCmdCopyImageToBuffer2", g64(pInfo + 32), g64(pInfo + 16), g32(pInfo + 40),
                g64(pInfo + 48), 72, 16)) {
            VnHooks.super.vkCmdCopyImageToBuffer2(c, commandBuffer, pInfo);
        }
    }

    /**
     * VkBufferImageCopy (56 bytes) or VkBufferImageCopy2 (72, its fields from 16): bufferOffset, bufferRowLength,
     * bufferImageHeight, imageSubresource, imageOffset, imageExtent. @return whether a region was refused
     */
    private boolean bufferImageRegions(String command, long buffer, long image, int count, long regions, int size,
            int at) {
        for (int i = 0; i < count && regions != 0; i++) {
            long r = regions + (long) size * i + at;
            if (refusedRegion(command, i, images.bufferImage(buffer, image, g64(r), g32(r + 8), g32(r + 12), r + 16,
                    r + 32, r + 44))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void vkCmdCopyImage(VnCtx c, long commandBuffer, long srcImage, int srcImageLayout, long dstImage,
            int dstImageLayout, int regionCount, long pRegions) throws Throwable {
        if (!imageRegions("vkCmdCopyImage", srcImage, dstImage, regionCount, pRegions, 68, 0)) {
            VnHooks.super.vkCmdCopyImage(c, commandBuffer, srcImage, srcImageLayout, dstImage, dstImageLayout,
                    regionCount, pRegions);
        }
    }

    @Override
    public void vkCmdResolveImage(VnCtx c, long commandBuffer, long srcImage, int srcImageLayout, long dstImage,
            int dstImageLayout, int regionCount, long pRegions) throws Throwable {
        if (!imageRegions("vkCmdResolveImage", srcImage, dstImage, regionCount, pRegions, 68, 0)) {
            VnHooks.super.vkCmdResolveImage(c, commandBuffer, srcImage, srcImageLayout, dstImage, dstImageLayout,
                    regionCount, pRegions);
        }
    }

    @Override
    public void vkCmdCopyImage2(VnCtx c, long commandBuffer, long pInfo) throws Throwable {
        // VkCopyImageInfo2 (and VkResolveImageInfo2): srcImage @16, dstImage @32, regionCount @44, pRegions @48
        if (!imageRegions("vkCmdCopyImage2", g64(pInfo + 16), g64(pInfo + 32), g32(pInfo + 44), g64(pInfo + 48), 88,
                16)) {
            VnHooks.super.vkCmdCopyImage2(c, commandBuffer, pInfo);
        }
    }

    @Override
    public void vkCmdResolveImage2(VnCtx c, long commandBuffer, long pInfo) throws Throwable {
        if (!imageRegions("vkCmdResolveImage2", g64(pInfo + 16), g64(pInfo + 32), g32(pInfo + 44), g64(pInfo + 48), 88,
                16)) {
            VnHooks.super.vkCmdResolveImage2(c, commandBuffer, pInfo);
        }
    }

    /** VkImageCopy / VkImageResolve (68 bytes) or their 2 forms (88, fields from 16). @return whether refused */
    private boolean imageRegions(String command, long src, long dst, int count, long regions, int size, int at) {
        for (int i = 0; i < count && regions != 0; i++) {
            if (refusedRegion(command, i, images.imageCopy(src, dst, regions + (long) size * i + at))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void vkCmdBlitImage(VnCtx c, long commandBuffer, long srcImage, int srcImageLayout, long dstImage,
            int dstImageLayout, int regionCount, long pRegions, int filter) throws Throwable {
        for (int i = 0; i < regionCount && pRegions != 0; i++) {
            if (refusedRegion("vkCmdBlitImage", i, images.blit(srcImage, dstImage, pRegions + 80L * i))) {
                return;
            }
        }
        VnHooks.super.vkCmdBlitImage(c, commandBuffer, srcImage, srcImageLayout, dstImage, dstImageLayout,
                regionCount, pRegions, filter);
    }

    @Override
    public void vkCmdBlitImage2(VnCtx c, long commandBuffer, long pInfo) throws Throwable {
        // VkBlitImageInfo2: srcImage @16, dstImage @32, regionCount @44, pRegions @48; VkImageBlit2: 96 bytes
        long regions = g64(pInfo + 48);
        for (int i = 0; i < g32(pInfo + 44) && regions != 0; i++) {
            if (refusedRegion("vkCmdBlitImage2", i, images.blit(g64(pInfo + 16), g64(pInfo + 32),
                    regions + 96L * i + 16))) {
                return;
            }
        }
        VnHooks.super.vkCmdBlitImage2(c, commandBuffer, pInfo);
    }

    @Override
    public void vkCmdClearColorImage(VnCtx c, long commandBuffer, long image, int imageLayout, long pColor,
            int rangeCount, long pRanges) throws Throwable {
        if (!clearRanges("vkCmdClearColorImage", image, rangeCount, pRanges)) {
            VnHooks.super.vkCmdClearColorImage(c, commandBuffer, image, imageLayout, pColor, rangeCount, pRanges);
        }
    }

    @Override
    public void vkCmdClearDepthStencilImage(VnCtx c, long commandBuffer, long image, int imageLayout,
            long pDepthStencil, int rangeCount, long pRanges) throws Throwable {
        if (!clearRanges("vkCmdClearDepthStencilImage", image, rangeCount, pRanges)) {
            VnHooks.super.vkCmdClearDepthStencilImage(c, commandBuffer, image, imageLayout, pDepthStencil, rangeCount,
                    pRanges);
        }
    }

    /** VkImageSubresourceRange (20 bytes) each. @return whether one was refused */
    private boolean clearRanges(String command, long image, int count, long ranges) {
        for (int i = 0; i < count && ranges != 0; i++) {
            if (refusedRegion(command, i, images.subresourceRange(image, ranges + 20L * i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int vkCreateBufferView(VnCtx c, long device, long pCreateInfo, long pAllocator, long pView) throws Throwable {
        // VkBufferViewCreateInfo: buffer @24, offset @40, range @48
        if (!bounds.range(g64(pCreateInfo + 24), g64(pCreateInfo + 40), g64(pCreateInfo + 48))) {
            refusedRange("vkCreateBufferView", "the view's range leaves its buffer");
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        // VUID-VkBufferViewCreateInfo-buffer-00932: a texel buffer usage; the view keeps it (extra) for the
        // descriptors written with it (see descriptorsUsable)
        int texel = objects.attached(VnInfo.H_VkBuffer, g64(pCreateInfo + 24)) instanceof Integer u ? u : 0;
        if (texel == 0) {
            refusedRange("vkCreateBufferView", "the buffer was not made for texel buffer usage");
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
        int r = VnHooks.super.vkCreateBufferView(c, device, pCreateInfo, pAllocator, pView);
        if (r == VK_SUCCESS) {
            objects.extra(VnInfo.H_VkBufferView, g64(pView), texel | 1L << 62);
        }
        return r;
    }

    /** Frees every host object this context still holds, children before parents. */
    void destroyAll() {
        VnCtx c = newStream();
        try {
            destroyDevices(c);
            if (instance != 0 && !leakedDevice) {
                try {
                    VnHooks.super.vkDestroyInstance(c, instance, 0);
                } catch (Throwable t) {
                    VenusContext.LOG.log(System.Logger.Level.WARNING, "venus: destroying instance failed: " + t);
                }
                instance = 0;
            }
        } finally {
            c.endCommand();
            c.close();
        }
    }
}
