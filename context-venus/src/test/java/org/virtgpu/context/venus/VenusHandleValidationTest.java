package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.virtgpu.context.venus.VenusContextLavapipeTest.Enc;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * Handles a guest names reach lavapipe only when they are live objects of the right type and device: a NULL or stale
 * handle would crash the host process (the Vulkan loader aborts on a NULL dispatchable handle; a freed one is a
 * use-after-free). Runs in a plain JVM (no Jazzer agent), so a crash here is a real one.
 */
class VenusHandleValidationTest {
    static final int INSTANCE = 1, PHYSICAL = 100, DEVICE = 200, DEVICE_B = 201, QUEUE = 300, QUEUE_AGAIN = 301,
            POOL = 400, CMD = 500;

    GpuContext ctx;
    final Arena arena = Arena.ofConfined();

    @BeforeEach
    void create() throws GpuException {
        ctx = new VenusContextType().createContext(new ContextSpec(1, 4, "test", (r, f) -> { }),
                new VenusContextLavapipeTest.Services());
        ctx.createBlob(new BlobRequest(1, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, 0, 65536));
    }

    @AfterEach
    void destroy() {
        ctx.destroy();
        arena.close();
    }

    void submit(Enc e) throws GpuException {
        ctx.submit(e.segment(arena), 0);
    }

    /** Submits e and expects the protocol error that says why. */
    void refused(Enc e, String why) {
        GpuException ex = assertThrows(GpuException.class, () -> submit(e));
        assertEquals(GpuError.INVALID_PARAMETER, ex.error(), ex.getMessage());
        assertTrue(ex.getMessage().contains(why), ex.getMessage());
    }

    /** vkCreateInstance, vkEnumeratePhysicalDevices (one), vkCreateDevice with one queue of family 0. */
    static Enc instanceAndDevice(int... devices) {
        Enc e = new Enc().setReply(1, 0, 65536);
        VenusContextLavapipeTest.createInstance(e, INSTANCE);
        e.cmd(2, 0).u64(INSTANCE).u64(1).u32(1).u64(1).u64(PHYSICAL);
        for (int d : devices) {
            createDevice(e, d);
        }
        return e;
    }

    static Enc createDevice(Enc e, long id) {
        e.cmd(11, 0).u64(PHYSICAL).u64(1).u32(3).u64(0).u32(0) // VkDeviceCreateInfo: sType, pNext, flags
                .u32(1).u64(1).u32(2).u64(0).u32(0).u32(0).u32(1).u64(1).u32(Float.floatToIntBits(1f)) // 1 queue
                .u32(0).u64(0).u32(0).u64(0).u64(0); // no layers, no extensions, no features
        return e.u64(0).u64(1).u64(id); // pAllocator, pDevice
    }

    static Enc createPoolAndCommandBuffer(Enc e, long device) {
        e.cmd(85, 0).u64(device).u64(1).u32(39).u64(0).u32(0).u32(0).u64(0).u64(1).u64(POOL); // vkCreateCommandPool
        // vkAllocateCommandBuffers: VkCommandBufferAllocateInfo {pool, PRIMARY, 1}, pCommandBuffers = [CMD]
        return e.cmd(88, 0).u64(device).u64(1).u32(40).u64(0).u64(POOL).u32(0).u32(1).u64(1).u64(CMD);
    }

    static Enc lineWidth(Enc e, long commandBuffer) {
        return e.cmd(96, 0).u64(commandBuffer).u32(Float.floatToIntBits(1f)); // vkCmdSetLineWidth
    }

    @Test
    void nullCommandBufferIsRefusedBeforeTheLoaderAbortsTheProcess() {
        // The stream of docs/fuzz-findings/venus-deadly-signal (VenusDecoderFuzzTest): reply stream, vkCreateInstance,
        // then vkCmdSetLineWidth(commandBuffer = id 0). Id 0 meant VK_NULL_HANDLE for every handle, and the loader's
        // trampoline aborts (SIGABRT) on a NULL dispatchable handle: the whole JVM died.
        Enc e = new Enc();
        e.out.writeBytes(HexFormat.of().parseHex("b20000000000000001000000000000000100000000000000000000000000010000000000000000000100000001000000"
                + "000000000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                + "000000000000000000000000010000000000000001000000000000006000000003000000000000000000000000000000"
                + "00000000000000000000000000000000000000000000000000000000fe00000000000000fe00000000000000"));
        refused(e, "VK_NULL_HANDLE where a valid handle is required");
    }

    @Test
    void nullNonDispatchableHandleThatVkXmlRequiresIsRefused() throws GpuException {
        submit(instanceAndDevice(DEVICE));
        // vkAllocateCommandBuffers with VkCommandBufferAllocateInfo.commandPool = VK_NULL_HANDLE
        refused(new Enc().cmd(88, 0).u64(DEVICE).u64(1).u32(40).u64(0).u64(0).u32(0).u32(1).u64(1).u64(CMD),
                "VK_NULL_HANDLE where a valid handle is required");
    }

    @Test
    void optionalHandlesMayStillBeNull() throws GpuException {
        submit(instanceAndDevice(DEVICE));
        // vkDestroyCommandPool(device, VK_NULL_HANDLE) is valid Vulkan (commandPool is optional in vk.xml)
        assertDoesNotThrow(() -> submit(new Enc().cmd(86, 0).u64(DEVICE).u64(0).u64(0)));
    }

    @Test
    void commandBuffersDieWithTheirPool() throws GpuException {
        Enc e = instanceAndDevice(DEVICE);
        createPoolAndCommandBuffer(e, DEVICE);
        submit(e);
        submit(new Enc().cmd(86, 0).u64(DEVICE).u64(POOL).u64(0)); // vkDestroyCommandPool frees CMD on the host
        refused(lineWidth(new Enc(), CMD), "unknown object id " + CMD);
    }

    @Test
    void queuesDieWithTheirDeviceUnderEveryIdTheyWereFetchedWith() throws GpuException {
        Enc e = instanceAndDevice(DEVICE);
        e.cmd(17, 0).u64(DEVICE).u32(0).u32(0).u64(1).u64(QUEUE); // vkGetDeviceQueue
        e.cmd(17, 0).u64(DEVICE).u32(0).u32(0).u64(1).u64(QUEUE_AGAIN); // the same VkQueue under a second id
        e.cmd(19, 0).u64(QUEUE_AGAIN); // vkQueueWaitIdle: the queue works
        submit(e);
        submit(new Enc().cmd(12, 0).u64(DEVICE).u64(0)); // vkDestroyDevice
        refused(new Enc().cmd(19, 0).u64(QUEUE), "unknown object id " + QUEUE);
        refused(new Enc().cmd(19, 0).u64(QUEUE_AGAIN), "unknown object id " + QUEUE_AGAIN);
    }

    @Test
    void handleOfAnotherDeviceIsRefused() throws GpuException {
        Enc e = instanceAndDevice(DEVICE, DEVICE_B);
        createPoolAndCommandBuffer(e, DEVICE);
        submit(e);
        // vkDestroyCommandPool(deviceB, pool of device A)
        refused(new Enc().cmd(86, 0).u64(DEVICE_B).u64(POOL).u64(0), "belongs to another device");
        assertDoesNotThrow(() -> submit(new Enc().cmd(86, 0).u64(DEVICE).u64(POOL).u64(0)));
    }

    @Test
    void destroyingTheInstanceFirstDestroysItsDevices() throws GpuException {
        Enc e = instanceAndDevice(DEVICE);
        createPoolAndCommandBuffer(e, DEVICE);
        e.cmd(1, 0).u64(INSTANCE).u64(0); // vkDestroyInstance with a live device (a valid-usage violation)
        submit(e);
        refused(lineWidth(new Enc(), CMD), "unknown object id " + CMD);
        refused(new Enc().cmd(12, 0).u64(DEVICE).u64(0), "unknown object id " + DEVICE);
        // a new instance and device work in the same context; ctx.destroy() in @AfterEach frees them
        submit(instanceAndDevice(DEVICE));
    }
}
