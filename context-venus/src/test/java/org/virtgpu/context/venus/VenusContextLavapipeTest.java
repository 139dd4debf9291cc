package org.virtgpu.context.venus;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/** The context stream decoded by the generated code and executed on lavapipe (VK_ICD_FILENAMES in surefire). */
class VenusContextLavapipeTest {
    static final class Shm implements SharedMemory {
        final Arena arena = Arena.ofShared();
        final MemorySegment seg;
        final AtomicInteger refs = new AtomicInteger(1);

        Shm(long size) {
            seg = arena.allocate(size, 4096);
        }

        @Override public MemorySegment segment() { return seg; }
        @Override public long size() { return seg.byteSize(); }
        @Override public int fd() { return -1; }
        @Override public SharedMemory retain() { refs.incrementAndGet(); return this; }
        @Override public void release() { if (refs.decrementAndGet() == 0) { arena.close(); } }
    }

    static final class Services implements DeviceServices {
        @Override public HostInfo host() { return new HostInfo(4096, 4096, 0); }
        @Override public SharedMemory allocate(String name, long size) { return new Shm(host().roundUpToPage(size)); }
        @Override public Optional<ResourceView> resource(int resourceId) { return Optional.empty(); }
    }

    /** Little-endian Venus stream builder (what Mesa's encoder produces). */
    static final class Enc {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Enc u32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Enc u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Enc cmd(int type, int flags) {
            return u32(type).u32(flags);
        }

        Enc setReply(int res, long offset, long size) {
            return cmd(178, 0).u64(1).u32(res).u64(offset).u64(size);
        }

        MemorySegment segment(Arena a) {
            byte[] b = out.toByteArray();
            MemorySegment s = a.allocate(b.length, 8);
            s.copyFrom(MemorySegment.ofArray(b));
            return s;
        }
    }

    GpuContext ctx;
    SharedMemory reply;
    final Arena arena = Arena.ofConfined();

    @BeforeEach
    void create() throws GpuException {
        ctx = new VenusContextType().createContext(new ContextSpec(1, 4, "test", (r, f) -> { }), new Services());
        reply = ctx.createBlob(new BlobRequest(1, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, 0, 65536));
    }

    @AfterEach
    void destroy() {
        ctx.destroy();
        arena.close();
    }

    int r32(long off) {
        return reply.segment().get(JAVA_INT_UNALIGNED, off);
    }

    long r64(long off) {
        return reply.segment().get(JAVA_LONG_UNALIGNED, off);
    }

    static Enc createInstance(Enc e, long id) {
        // VkInstanceCreateInfo: sType 1, no chain, flags, pApplicationInfo NULL, 0 layers, 0 extensions
        e.cmd(0, 1).u64(1).u32(1).u64(0).u32(0).u64(0).u32(0).u64(0).u32(0).u64(0);
        return e.u64(0).u64(1).u64(id); // pAllocator NULL, pInstance = id
    }

    /**
     * vkEnumeratePhysicalDevices(instance 1) binding id 100, then vkCreateDevice(100, {one queue of family 0, priority
     * 1.0, no layers or extensions}, NULL, id 200); {@code createFlags} 1 asks for vkCreateDevice's reply.
     */
    static Enc createDevice(Enc e, int createFlags) {
        e.cmd(2, 0).u64(1).u64(1).u32(1).u64(1).u64(100); // vkEnumeratePhysicalDevices: bind id 100
        return e.cmd(11, createFlags).u64(100).u64(1).u32(3).u64(0).u32(0).u32(1)
                .u64(1).u32(2).u64(0).u32(0).u32(0).u32(1).u64(1).u32(Float.floatToIntBits(1.0f))
                .u32(0).u64(0).u32(0).u64(0).u64(0).u64(0).u64(1).u64(200);
    }

    @Test
    void instanceAndPhysicalDevicePropertiesReachTheHostDriver() throws GpuException {
        Enc e = new Enc().setReply(1, 0, 65536);
        e.cmd(137, 1).u64(1); // vkEnumerateInstanceVersion
        createInstance(e, 1);
        e.cmd(2, 1).u64(1).u64(1).u32(0).u64(0); // count query
        ctx.submit(e.segment(arena), 0);
        assertEquals(137, r32(0));
        assertEquals(0, r32(4));
        assertEquals(1, r64(8));
        assertTrue(Integer.compareUnsigned(r32(16), (1 << 22) | (1 << 12)) >= 0, "instance version >= 1.1");
        assertEquals(0, r32(20), "vkCreateInstance reply type");
        assertEquals(0, r32(24), "VK_SUCCESS");
        assertEquals(1, r64(28));
        assertEquals(1, r64(36), "instance id echoed");
        assertEquals(2, r32(44));
        assertEquals(0, r32(48));
        int count = r32(60);
        assertTrue(count >= 1, "lavapipe has a physical device");

        Enc e2 = new Enc().setReply(1, 0, 65536);
        e2.cmd(2, 1).u64(1).u64(1).u32(count).u64(count);
        for (int i = 0; i < count; i++) {
            e2.u64(100 + i);
        }
        e2.cmd(6, 1).u64(100).u64(1); // vkGetPhysicalDeviceProperties, partial output = marker only
        ctx.submit(e2.segment(arena), 0);
        assertEquals(100, r64(28L), "physical device ids echoed"); // type, result, count marker+value, array size
        long props = 4 + 4 + 8 + 4 + 8 + 8L * count; // after the enumerate reply
        assertEquals(6, r32(props));
        assertEquals(1, r64(props + 4));
        long nameSize = r64(props + 12 + 20);
        assertEquals(256, nameSize);
        byte[] name = new byte[256];
        MemorySegment.copy(reply.segment(), props + 12 + 28, MemorySegment.ofArray(name), 0, 256);
        String deviceName = new String(name, StandardCharsets.US_ASCII).trim();
        assertTrue(deviceName.startsWith("llvmpipe"), deviceName);
        assertTrue(Integer.compareUnsigned(r32(props + 12), VenusCapsetTest.VK_XML_1_3_239) <= 0, "apiVersion capped to vk.xml");
    }

    /**
     * vkGetPhysicalDeviceExternalSemaphoreProperties(100, {SYNC_FD, then a VkSemaphoreTypeCreateInfo of type when
     * type is not -1}) with its reply at offset 0: type, marker, sType, pNext marker, exportFromImportedHandleTypes
     * @24, compatibleHandleTypes @28, externalSemaphoreFeatures @32.
     */
    int[] syncFdProperties(int type) throws GpuException {
        Enc e = new Enc().setReply(1, 0, 65536);
        e.cmd(163, 1).u64(100).u64(1).u32(1000076000); // VkPhysicalDeviceExternalSemaphoreInfo
        if (type >= 0) {
            e.u64(1).u32(VenusExecutor.STYPE_SEMAPHORE_TYPE_CREATE_INFO).u64(0).u32(type).u64(0);
        } else {
            e.u64(0);
        }
        e.u32(VenusExecutor.SEMAPHORE_HANDLE_TYPE_SYNC_FD).u64(1).u32(1000076001).u64(0); // VkExternalSemaphoreProperties
        ctx.submit(e.segment(arena), 0);
        assertEquals(163, r32(0));
        return new int[] {r32(24), r32(28), r32(32)};
    }

    /**
     * Mesa offers VK_KHR_synchronization2, and Vulkan 1.3, only on a renderer that imports SYNC_FD into binary
     * semaphores; the executor emulates it on any host (lavapipe has no VK_KHR_external_semaphore_fd): importable,
     * never exportable, nothing for timeline semaphores; a device that enables the extension is created on the host
     * without it.
     */
    @Test
    void syncFdSemaphoreImportIsEmulatedForBinarySemaphores() throws GpuException {
        Enc e = new Enc().setReply(1, 0, 65536);
        createInstance(e, 1);
        e.cmd(2, 0).u64(1).u64(1).u32(1).u64(1).u64(100);
        ctx.submit(e.segment(arena), 0);
        int sync = VenusExecutor.SEMAPHORE_HANDLE_TYPE_SYNC_FD;
        int importable = VenusExecutor.SEMAPHORE_FEATURE_IMPORTABLE;
        assertArrayEquals(new int[] {0, sync, importable}, syncFdProperties(-1), "binary by default");
        assertArrayEquals(new int[] {0, sync, importable}, syncFdProperties(0), "VK_SEMAPHORE_TYPE_BINARY");
        assertArrayEquals(new int[] {0, 0, 0}, syncFdProperties(VenusExecutor.VK_SEMAPHORE_TYPE_TIMELINE));

        // vkCreateDevice(100, {one queue, ppEnabledExtensionNames {"VK_KHR_external_semaphore_fd"}}) -> 200
        byte[] name = "VK_KHR_external_semaphore_fd\0".getBytes(StandardCharsets.US_ASCII);
        Enc d = new Enc().setReply(1, 0, 65536);
        d.cmd(11, 1).u64(100).u64(1).u32(3).u64(0).u32(0).u32(1)
                .u64(1).u32(2).u64(0).u32(0).u32(0).u32(1).u64(1).u32(Float.floatToIntBits(1.0f))
                .u32(0).u64(0).u32(1).u64(1).u64(name.length);
        for (int i = 0; i < (name.length + 3) / 4 * 4; i++) {
            d.out.write(i < name.length ? name[i] : 0);
        }
        d.u64(0).u64(0).u64(1).u64(200);
        ctx.submit(d.segment(arena), 0);
        assertEquals(11, r32(0));
        assertEquals(VenusExecutor.VK_SUCCESS, r32(4), "created: the host never saw the emulated extension");
    }

    /** A protocol error (INVALID_PARAMETER) whose message contains what. */
    void assertRefused(Enc e, String what) {
        GpuException ex = assertThrows(GpuException.class, () -> ctx.submit(e.segment(arena), 0));
        assertEquals(GpuError.INVALID_PARAMETER, ex.error(), ex.getMessage());
        assertTrue(ex.getMessage().contains(what), ex.getMessage());
    }

    /**
     * Output pointers the host writes through unconditionally: a client sending NULL for one made lavapipe write to
     * address 0 and killed the server (found in session 13 with vkGetSemaphoreCounterValue). The decoder now refuses
     * NULL for every output vk.xml does not mark optional, and an output array NULL with a count above 0.
     */
    @Test
    void requiredOutputPointersSentNullAreAProtocolErrorNotACrash() throws GpuException {
        Enc e = new Enc().setReply(1, 0, 65536);
        createInstance(e, 1);
        createDevice(e, 0);
        // vkCreateSemaphore(200, {-> VkSemaphoreTypeCreateInfo(TIMELINE, 0)}) -> 602; vkCreateCommandPool -> 300
        e.cmd(40, 0).u64(200).u64(1).u32(9).u64(1).u32(VenusExecutor.STYPE_SEMAPHORE_TYPE_CREATE_INFO).u64(0)
                .u32(VenusExecutor.VK_SEMAPHORE_TYPE_TIMELINE).u64(0).u32(0).u64(0).u64(1).u64(602);
        e.cmd(85, 0).u64(200).u64(1).u32(39).u64(0).u32(0).u32(0).u64(0).u64(1).u64(300);
        ctx.submit(e.segment(arena), 0);
        assertRefused(new Enc().cmd(172, 0).u64(200).u64(602).u64(0), "pValue must not be NULL");
        assertRefused(new Enc().cmd(6, 0).u64(100).u64(0), "pProperties must not be NULL");
        // vkAllocateCommandBuffers(200, {pool 300, primary, 2}, no array)
        assertRefused(new Enc().cmd(88, 0).u64(200).u64(1).u32(40).u64(0).u64(300).u32(0).u32(2).u64(0),
                "pCommandBuffers must not be NULL");
        // the context lives on: vkGetSemaphoreCounterValue(200, 602) with its output answers 0
        ctx.submit(new Enc().setReply(1, 0, 64).cmd(172, 1).u64(200).u64(602).u64(1).segment(arena), 0);
        assertEquals(172, r32(0));
        assertEquals(VenusExecutor.VK_SUCCESS, r32(4));
        assertEquals(0L, r64(16));
    }

    /**
     * A command of an extension the device was not created with: through the loader's trampoline it jumped to the
     * NULL entry of the device's dispatch table and killed the server (found in session 21 by VenusDecoderFuzzTest,
     * vkCmdSetLineStippleEnableEXT on a device without VK_EXT_extended_dynamic_state3). Device-level commands now
     * resolve on their device (vkGetDeviceProcAddr), and a command the device does not have is a protocol error.
     */
    @Test
    void aCommandOfAnExtensionTheDeviceDidNotEnableIsAProtocolErrorNotACrash() throws GpuException {
        Enc e = new Enc().setReply(1, 0, 65536);
        createInstance(e, 1);
        createDevice(e, 0); // no extensions
        // vkCreateCommandPool -> 300, vkAllocateCommandBuffers -> 400, vkBeginCommandBuffer(400)
        e.cmd(85, 0).u64(200).u64(1).u32(39).u64(0).u32(0).u32(0).u64(0).u64(1).u64(300);
        e.cmd(88, 0).u64(200).u64(1).u32(40).u64(0).u64(300).u32(0).u32(1).u64(1).u64(400);
        e.cmd(90, 0).u64(400).u64(1).u32(42).u64(0).u32(0).u64(0);
        ctx.submit(e.segment(arena), 0);
        // vkCmdSetLineStippleEnableEXT (VK_EXT_extended_dynamic_state3), vkCmdSetLineStippleEXT (VK_EXT_line_rasterization)
        assertRefused(new Enc().cmd(275, 0).u64(400).u32(1), "no function for command type 275 on this device");
        assertRefused(new Enc().cmd(237, 0).u64(400).u32(1).u32(0xffff), "no function for command type 237 on this device");
        // a core command on the same command buffer still runs: vkCmdSetLineWidth, then vkEndCommandBuffer answers
        ctx.submit(new Enc().setReply(1, 0, 64).cmd(96, 0).u64(400).u32(Float.floatToIntBits(1.0f))
                .cmd(91, 1).u64(400).segment(arena), 0);
        assertEquals(91, r32(0));
        assertEquals(VenusExecutor.VK_SUCCESS, r32(4));
    }

    /** vkSetPrivateData(200, objectType, handle, slot 700, data) with its VkResult at offset 4 of the reply. */
    int setPrivateData(int objectType, long handle, long data) throws GpuException {
        ctx.submit(new Enc().setReply(1, 0, 64).cmd(199, 1).u64(200).u32(objectType).u64(handle).u64(700).u64(data)
                .segment(arena), 0);
        assertEquals(199, r32(0));
        return r32(4);
    }

    /** vkGetPrivateData(200, objectType, handle, slot 700): the data. */
    long getPrivateData(int objectType, long handle) throws GpuException {
        ctx.submit(new Enc().setReply(1, 0, 64).cmd(200, 1).u64(200).u32(objectType).u64(handle).u64(700).u64(1)
                .segment(arena), 0);
        assertEquals(200, r32(0));
        return r64(12);
    }

    /**
     * Private data names its object by VkObjectType and a 64-bit handle, which Mesa's drivers dereference as a
     * pointer: a client's object id passed through raw killed the server in lavapipe (found in session 13). The
     * handle is now translated through the object table, and an unknown one refused.
     */
    @Test
    void privateDataNamesObjectsByTheirIdsAndAnUnknownOneIsRefused() throws GpuException {
        Enc e = new Enc().setReply(1, 0, 65536);
        createInstance(e, 1);
        createDevice(e, 0);
        e.cmd(197, 0).u64(200).u64(1).u32(1000295002).u64(0).u32(0).u64(0).u64(1).u64(700); // vkCreatePrivateDataSlot
        // vkCreateBuffer(200, {size 4096, STORAGE, exclusive}) -> 800
        e.cmd(50, 0).u64(200).u64(1).u32(12).u64(0).u32(0).u64(4096).u32(0x20).u32(0).u32(0).u64(0).u64(0).u64(1).u64(800);
        ctx.submit(e.segment(arena), 0);
        final int buffer = 9, device = 3, swapchain = 1000001000;
        assertEquals(VenusExecutor.VK_SUCCESS, setPrivateData(buffer, 800, 42));
        assertEquals(42L, getPrivateData(buffer, 800));
        assertEquals(VenusExecutor.VK_SUCCESS, setPrivateData(device, 200, 7));
        assertEquals(7L, getPrivateData(device, 200));
        assertEquals(VenusExecutor.VK_ERROR_OUT_OF_HOST_MEMORY, setPrivateData(buffer, 0x12340, 1), "unknown id");
        assertEquals(0L, getPrivateData(buffer, 0x12340));
        assertEquals(VenusExecutor.VK_ERROR_OUT_OF_HOST_MEMORY, setPrivateData(swapchain, 800, 1), "no such object type");
        assertEquals(42L, getPrivateData(buffer, 800), "the buffer's data is untouched");
    }

    /**
     * vkUpdateDescriptorSets with the array its descriptor type reads sent NULL (vk.xml makes pImageInfo, pBufferInfo
     * and pTexelBufferView noautovalidity, so the decoder lets them be NULL): lavapipe read the descriptors from
     * address 0 and killed the server (found in session 13 for all three). Now a protocol error.
     */
    @Test
    void aDescriptorWriteWithoutTheArrayItsTypeReadsIsAProtocolErrorNotACrash() throws GpuException {
        int[][] typesAndArrays = {{7, 48}, {1, 40}, {4, 56}}; // storage buffer, combined image sampler, uniform texel
        for (int[] t : typesAndArrays) {
            ctx.destroy();
            create();
            Enc e = new Enc().setReply(1, 0, 65536);
            createInstance(e, 1);
            createDevice(e, 0);
            // a set layout 900 with one descriptor of the type at binding 0, a pool 901, a set 902 from them
            e.cmd(72, 0).u64(200).u64(1).u32(32).u64(0).u32(0).u32(1).u64(1).u32(0).u32(t[0]).u32(1).u32(0x20).u64(0)
                    .u64(0).u64(1).u64(900);
            e.cmd(74, 0).u64(200).u64(1).u32(33).u64(0).u32(0).u32(1).u32(1).u64(1).u32(t[0]).u32(1).u64(0).u64(1)
                    .u64(901);
            e.cmd(77, 0).u64(200).u64(1).u32(34).u64(0).u64(901).u32(1).u64(1).u64(900).u64(1).u64(902);
            ctx.submit(e.segment(arena), 0);
            // vkUpdateDescriptorSets(200, {set 902, binding 0, one descriptor of the type, all three arrays NULL})
            String array = t[1] == 40 ? "pImageInfo" : t[1] == 48 ? "pBufferInfo" : "pTexelBufferView";
            assertRefused(new Enc().cmd(79, 0).u64(200).u32(1).u64(1).u32(35).u64(0).u64(902).u32(0).u32(0).u32(1)
                    .u32(t[0]).u64(0).u64(0).u64(0).u32(0).u64(0), array + " is NULL for descriptor type " + t[0]);
            if (t[0] == 7) { // with its array the write is carried: buffer 800, then {800, 0, 4096}
                ctx.submit(new Enc().cmd(50, 0).u64(200).u64(1).u32(12).u64(0).u32(0).u64(4096).u32(0x20).u32(0)
                        .u32(0).u64(0).u64(0).u64(1).u64(800)
                        .cmd(79, 0).u64(200).u32(1).u64(1).u32(35).u64(0).u64(902).u32(0).u32(0).u32(1).u32(7)
                        .u64(0).u64(1).u64(800).u64(0).u64(4096).u64(0).u32(0).u64(0).segment(arena), 0);
            }
        }
    }

    @Test
    void truncatedStreamIsAProtocolErrorNotACrash() {
        Enc e = new Enc().setReply(1, 0, 65536);
        e.cmd(0, 1).u64(1).u32(1); // vkCreateInstance cut after sType
        GpuException ex = assertThrows(GpuException.class, () -> ctx.submit(e.segment(arena), 0));
        assertTrue(ex.getMessage().contains("truncated"), ex.getMessage());
    }

    @Test
    void unknownCommandAndUnknownStructAreRejected() {
        Enc e = new Enc().cmd(9999, 0);
        assertThrows(GpuException.class, () -> ctx.submit(e.segment(arena), 0));
        Enc e2 = new Enc().setReply(1, 0, 65536);
        e2.cmd(0, 1).u64(1).u32(1).u64(1).u32(123456789); // chain with an unknown sType
        GpuException ex = assertThrows(GpuException.class, () -> ctx.submit(e2.segment(arena), 0));
        assertTrue(ex.getMessage().contains("sType"), ex.getMessage());
    }

    @Test
    void unknownObjectIdIsRejected() {
        Enc e = new Enc().setReply(1, 0, 65536);
        e.cmd(2, 1).u64(42).u64(1).u32(0).u64(0);
        GpuException ex = assertThrows(GpuException.class, () -> ctx.submit(e.segment(arena), 0));
        assertTrue(ex.getMessage().contains("unknown object id"), ex.getMessage());
    }

    @Test
    void commandBuffersDieWithTheirPoolSoTheirIdsAreUnknownAfterwards() throws GpuException {
        Enc e = new Enc().setReply(1, 0, 65536);
        createInstance(e, 1);
        createDevice(e, 0);
        // vkCreateCommandPool(200, {family 0}, NULL, id 300)
        e.cmd(85, 0).u64(200).u64(1).u32(39).u64(0).u32(0).u32(0).u64(0).u64(1).u64(300);
        // vkAllocateCommandBuffers(200, {pool 300, primary, 2}, ids 400 and 401)
        e.cmd(88, 0).u64(200).u64(1).u32(40).u64(0).u64(300).u32(0).u32(2).u64(2).u64(400).u64(401);
        // vkBeginCommandBuffer(400): the command buffer is alive
        e.cmd(90, 0).u64(400).u64(1).u32(42).u64(0).u32(0).u64(0);
        e.cmd(86, 0).u64(200).u64(300).u64(0); // vkDestroyCommandPool frees 400 and 401 implicitly
        ctx.submit(e.segment(arena), 0);

        // using 401 now would hand lavapipe a freed command buffer: it must be an unknown id instead
        Enc after = new Enc().cmd(90, 0).u64(401).u64(1).u32(42).u64(0).u32(0).u64(0);
        GpuException ex = assertThrows(GpuException.class, () -> ctx.submit(after.segment(arena), 0));
        assertTrue(ex.getMessage().contains("unknown object id 401"), ex.getMessage());

        // the same for a queue after its device: vkGetDeviceQueue(200, 0, 0, id 500), vkDestroyDevice, vkQueueWaitIdle(500)
        ctx.submit(new Enc().cmd(17, 0).u64(200).u32(0).u32(0).u64(1).u64(500).cmd(12, 0).u64(200).u64(0).segment(arena), 0);
        Enc wait = new Enc().cmd(19, 0).u64(500);
        GpuException ex2 = assertThrows(GpuException.class, () -> ctx.submit(wait.segment(arena), 0));
        assertTrue(ex2.getMessage().contains("unknown object id 500"), ex2.getMessage());
    }
}
