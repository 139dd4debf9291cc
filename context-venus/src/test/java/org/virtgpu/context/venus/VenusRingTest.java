package org.virtgpu.context.venus;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtgpu.context.venus.VenusContextLavapipeTest.Enc;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;

/**
 * A Venus ring driven the way Mesa drives it (vtest-venus.md 4.8): the test is the client, writing commands into the
 * circular buffer of a shared-memory resource and storing tail; the ring thread executes them on lavapipe.
 */
@Timeout(60)
class VenusRingTest {
    static final long RING_ID = 0x55aa00001000L;
    static final int HEAD = 0;
    static final int TAIL = 64;
    static final int STATUS = 128;
    static final int BUFFER = 192;
    /** small, so that a few dozen commands wrap around its end */
    static final int BUFFER_SIZE = 4096;
    static final int EXTRA = BUFFER + BUFFER_SIZE;
    static final int SHM_SIZE = EXTRA + 4;
    static final int ENUMERATE_INSTANCE_VERSION = 137;
    private static final VarHandle INT = JAVA_INT.varHandle();

    final Arena arena = Arena.ofConfined();
    GpuContext ctx;
    SharedMemory reply;
    MemorySegment ring;
    int tail;

    @BeforeEach
    void createRing() throws GpuException {
        ctx = new VenusContextType().createContext(new ContextSpec(1, 4, "ring", (r, f) -> { }),
                new VenusContextLavapipeTest.Services());
        reply = ctx.createBlob(new BlobRequest(1, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, 0, 65536));
        ring = ctx.createBlob(new BlobRequest(2, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, 0, SHM_SIZE))
                .segment();
        // vkCreateRingMESA: ring id, VkRingCreateInfoMESA -> VkRingMonitorInfoMESA (20 ms), layout of Mesa 25
        Enc e = new Enc().cmd(188, 0).u64(RING_ID).u64(1).u32(VenusContext.STYPE_RING_CREATE_INFO_MESA)
                .u64(1).u32(VenusContext.STYPE_RING_MONITOR_INFO_MESA).u64(0).u32(20_000)
                .u32(0).u32(2).u64(0).u64(SHM_SIZE).u64(1_000_000)
                .u64(HEAD).u64(TAIL).u64(STATUS).u64(BUFFER).u64(BUFFER_SIZE).u64(EXTRA).u64(4);
        ctx.submit(e.segment(arena), 0);
    }

    @AfterEach
    void destroy() {
        if (ctx != null) {
            ctx.destroy();
        }
        arena.close();
    }

    /** On the context stream: instance 1, physical device 100, device 200, an unsignalled fence 500. */
    void createDeviceAndUnsignalledFence() throws GpuException {
        Enc e = new Enc().setReply(1, 0, 65536);
        VenusContextLavapipeTest.createInstance(e, 1);
        VenusContextLavapipeTest.createDevice(e, 0);
        e.cmd(35, 0).u64(200).u64(1).u32(8).u64(0).u32(0).u64(0).u64(1).u64(500); // vkCreateFence, not signalled
        ctx.submit(e.segment(arena), 0);
    }

    /** vkWaitForFences(200, 1, {500}, waitAll, UINT64_MAX) with a reply (VkResult) at offset 0 of the reply blob. */
    static Enc waitForeverOnFence(Enc e) {
        return e.setReply(1, 0, 64).cmd(39, 1).u64(200).u32(1).u64(1).u64(500).u32(1).u64(-1L);
    }

    static boolean ringThreadAlive() {
        String name = "venus-ring-" + Long.toHexString(RING_ID);
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test
    void theRingThreadSleepsWithTheRingTimerSlack() throws Exception {
        // the ring thread (and any thread started from it, which inherits its slack) is venus-ring-<id> in /proc, cut
        // to 15 characters; the kernel's default slack is 50 us
        write(bytes(new Enc().cmd(ENUMERATE_INSTANCE_VERSION, 0).u64(1)));
        String comm = ("venus-ring-" + Long.toHexString(RING_ID)).substring(0, 15);
        java.util.List<Long> slacks = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        // read until the thread shows the ring's slack: found right after it started, it may not have set it yet
        while ((slacks.isEmpty() || slacks.contains(50_000L)) && System.nanoTime() < deadline) {
            slacks.clear();
            try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
                for (java.nio.file.Path t : tasks.toList()) {
                    try {
                        if (java.nio.file.Files.readString(t.resolve("comm")).strip().equals(comm)) {
                            slacks.add(Long.parseLong(java.nio.file.Files.readString(
                                    java.nio.file.Path.of("/proc", t.getFileName().toString(), "timerslack_ns")).strip()));
                        }
                    } catch (java.io.IOException gone) {
                        // a thread that ended meanwhile
                    }
                }
            }
            Thread.sleep(10);
        }
        assertFalse(slacks.isEmpty(), "a " + comm + " thread runs");
        assertEquals(java.util.Collections.nCopies(slacks.size(), VenusRing.TIMER_SLACK_NANOS), slacks);
    }

    @Test
    void destroyEndsARingThreadWaitingForeverOnAFenceAndFreesNothingUnderIt() throws Exception {
        createDeviceAndUnsignalledFence();
        write(bytes(waitForeverOnFence(new Enc())));
        Thread.sleep(300);
        assertTrue(head() != tail, "the ring thread is inside vkWaitForFences");
        assertTrue(ringThreadAlive());
        long t0 = System.nanoTime();
        ctx.destroy(); // frees the fence and the device the ring thread waits on: only after the thread is gone
        long millis = (System.nanoTime() - t0) / 1_000_000;
        ctx = null;
        assertTrue(millis < 1_000, "destroy took " + millis + " ms");
        assertTrue(!ringThreadAlive(), "ring thread gone after destroy");
    }

    /**
     * Submits e on the context stream and requires the reply at offset 0 of the reply blob to be command type then
     * result, after 0.9 to 3 s (the context stream's 1 s bound on host waits).
     */
    void assertAnsweredAfterTheContextStreamBound(Enc e, int type, int result, String what) throws GpuException {
        long t0 = System.nanoTime();
        ctx.submit(e.segment(arena), 0);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(type, reply.segment().get(JAVA_INT_UNALIGNED, 0));
        assertEquals(result, reply.segment().get(JAVA_INT_UNALIGNED, 4));
        assertTrue(millis >= 900 && millis < 3_000, what + " took " + millis + " ms");
    }

    @Test
    void contextStreamWaitForeverOnAFenceEndsWithTimeoutSoDestroyIsNotBlocked() throws Exception {
        createDeviceAndUnsignalledFence();
        assertAnsweredAfterTheContextStreamBound(waitForeverOnFence(new Enc()), 39, VenusExecutor.VK_TIMEOUT,
                "context stream wait");
    }

    /**
     * On the context stream: a timeline semaphore 600 (value 0) and queue 300 of device 200, and a submit to it that
     * waits for value 5, which the client never signals (wait-before-signal): the host queue cannot drain.
     */
    void submitWaitingForAnUnsignalledTimelineValue() throws GpuException {
        createDeviceAndUnsignalledFence();
        Enc e = new Enc().setReply(1, 0, 65536);
        // vkCreateSemaphore(200, {VkSemaphoreCreateInfo -> VkSemaphoreTypeCreateInfo(TIMELINE, 0)}) -> 600
        e.cmd(40, 0).u64(200).u64(1).u32(9).u64(1).u32(VenusExecutor.STYPE_SEMAPHORE_TYPE_CREATE_INFO).u64(0)
                .u32(VenusExecutor.VK_SEMAPHORE_TYPE_TIMELINE).u64(0).u32(0).u64(0).u64(1).u64(600);
        e.cmd(17, 0).u64(200).u32(0).u32(0).u64(1).u64(300); // vkGetDeviceQueue(200, 0, 0) -> 300
        // vkQueueSubmit(300, 1, {wait 600 >= 5 at ALL_COMMANDS, VkTimelineSemaphoreSubmitInfo}, no fence)
        e.cmd(18, 0).u64(300).u32(1).u64(1).u32(4)
                .u64(1).u32(1000207003).u64(0).u32(1).u64(1).u64(5).u32(0).u64(0)
                .u32(1).u64(1).u64(600).u64(1).u32(0x10000).u32(0).u64(0).u32(0).u64(0)
                .u64(0);
        ctx.submit(e.segment(arena), 0);
    }

    /** vkQueueWaitIdle(300) with its VkResult at offset 0 of the reply blob. */
    static Enc queueWaitIdle(Enc e) {
        return e.setReply(1, 0, 64).cmd(19, 1).u64(300);
    }

    @Test
    void queueWaitIdleOnAQueueStuckOnAnUnsignalledTimelineValueAnswersDeviceLostInBoundedTime() throws Exception {
        submitWaitingForAnUnsignalledTimelineValue();
        assertAnsweredAfterTheContextStreamBound(queueWaitIdle(new Enc()), 19, VenusExecutor.VK_ERROR_DEVICE_LOST,
                "context stream vkQueueWaitIdle");
    }

    @Test
    void queueWaitIdleOnAnIdleQueueSucceedsAtOnce() throws Exception {
        createDeviceAndUnsignalledFence();
        Enc e = new Enc().setReply(1, 0, 65536);
        e.cmd(17, 0).u64(200).u32(0).u32(0).u64(1).u64(300);
        // an empty submit with the client's fence 500: the executor adds its own fence after it
        e.cmd(18, 0).u64(300).u32(0).u64(0).u64(500);
        ctx.submit(e.segment(arena), 0);
        long t0 = System.nanoTime();
        ctx.submit(queueWaitIdle(new Enc()).segment(arena), 0);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(19, reply.segment().get(JAVA_INT_UNALIGNED, 0));
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4));
        assertTrue(millis < 500, "vkQueueWaitIdle on an idle queue took " + millis + " ms");
    }

    @Test
    void destroyUnblocksAQueueWaitingForAnUnsignalledTimelineValueAndFreesTheDevice() throws Exception {
        submitWaitingForAnUnsignalledTimelineValue();
        write(bytes(queueWaitIdle(new Enc()))); // the ring thread waits for the queue forever
        Thread.sleep(300);
        assertTrue(head() != tail, "the ring thread is inside vkQueueWaitIdle");
        VenusExecutor executor = ((VenusContext) ctx).executor();
        long t0 = System.nanoTime();
        ctx.destroy();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        ctx = null;
        assertTrue(millis < 2_000, "destroy took " + millis + " ms");
        assertTrue(!ringThreadAlive(), "ring thread gone after destroy");
        assertTrue(!executor.leakedDevice(), "the host-signalled timeline semaphore let the queue drain");
    }

    static final long BINARY = 601;

    /** On the context stream: the device of {@link #createDeviceAndUnsignalledFence}, binary semaphore 601, queue 300. */
    void createBinarySemaphoreAndQueue() throws GpuException {
        createDeviceAndUnsignalledFence();
        Enc e = new Enc().setReply(1, 0, 65536);
        e.cmd(40, 0).u64(200).u64(1).u32(9).u64(0).u32(0).u64(0).u64(1).u64(BINARY); // vkCreateSemaphore, binary
        e.cmd(17, 0).u64(200).u32(0).u32(0).u64(1).u64(300); // vkGetDeviceQueue(200, 0, 0) -> 300
        ctx.submit(e.segment(arena), 0);
    }

    /** One VkSubmitInfo without command buffers: waits on wait (0: none) at ALL_COMMANDS, signals signal (0: none). */
    static Enc submitInfo(Enc e, long wait, long signal) {
        e.u32(4).u64(0); // VK_STRUCTURE_TYPE_SUBMIT_INFO, no pNext
        if (wait != 0) {
            e.u32(1).u64(1).u64(wait).u64(1).u32(0x10000);
        } else {
            e.u32(0).u64(0).u64(0);
        }
        e.u32(0).u64(0); // no command buffers
        return signal != 0 ? e.u32(1).u64(1).u64(signal) : e.u32(0).u64(0);
    }

    /** vkQueueSubmit(300, {one batch per wait/signal pair}, no fence) with its VkResult at offset 0 of the reply blob. */
    static Enc queueSubmit(Enc e, long... waitSignalPairs) {
        int batches = waitSignalPairs.length / 2;
        e.setReply(1, 0, 64).cmd(18, 1).u64(300).u32(batches).u64(batches);
        for (int b = 0; b < batches; b++) {
            submitInfo(e, waitSignalPairs[2 * b], waitSignalPairs[2 * b + 1]);
        }
        return e.u64(0);
    }

    int submitResult(Enc submit) throws GpuException {
        ctx.submit(submit.segment(arena), 0);
        assertEquals(18, reply.segment().get(JAVA_INT_UNALIGNED, 0));
        return reply.segment().get(JAVA_INT_UNALIGNED, 4);
    }

    @Test
    void submitWaitingOnABinarySemaphoreNobodySignalsIsRefusedAndDestroyReturnsAtOnce() throws Exception {
        createBinarySemaphoreAndQueue();
        long t0 = System.nanoTime();
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, submitResult(queueSubmit(new Enc(), BINARY, 0)),
                "VUID-vkQueueSubmit-pWaitSemaphores-03238: refused before it reaches the host queue");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < 500, "the refused submit took " + millis + " ms");

        // the same from a ring thread: the ring goes on past it instead of hanging in the driver
        write(bytes(queueSubmit(new Enc(), BINARY, 0)));
        await(() -> head() == tail, "the ring thread to pass the refused submit");
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, reply.segment().get(JAVA_INT_UNALIGNED, 4));
        assertEquals(0, status() & VenusRing.STATUS_FATAL);

        VenusExecutor executor = ((VenusContext) ctx).executor();
        t0 = System.nanoTime();
        ctx.destroy();
        millis = (System.nanoTime() - t0) / 1_000_000;
        ctx = null;
        assertTrue(millis < 1_000, "destroy took " + millis + " ms");
        assertTrue(!ringThreadAlive(), "ring thread gone after destroy");
        assertTrue(!executor.leakedDevice(), "the queue drained: the device was freed, not leaked");
    }

    @Test
    void binarySemaphoreSignalledBySubmitIsWaitedOnOnceThenRefusedAgain() throws Exception {
        createBinarySemaphoreAndQueue();
        assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), 0, BINARY)), "signal");
        assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), BINARY, 0)), "wait on the signal");
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, submitResult(queueSubmit(new Enc(), BINARY, 0)),
                "the wait consumed the signal: a second wait has none");
        // within one call, a batch may wait on what an earlier batch signals, not on what a later one does
        assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), 0, BINARY, BINARY, 0)));
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, submitResult(queueSubmit(new Enc(), BINARY, 0, 0, BINARY)));
        ctx.submit(queueWaitIdle(new Enc()).segment(arena), 0);
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4), "the queue drained");
    }

    /** vkImportSemaphoreResourceMESA(200, {semaphore, resourceId}): what Mesa sends before a submit that waits on it */
    static Enc importSemaphoreResource(Enc e, long semaphore, int resourceId) {
        return e.cmd(246, 0).u64(200).u64(1).u32(VenusContext.STYPE_IMPORT_SEMAPHORE_RESOURCE_INFO_MESA).u64(0)
                .u64(semaphore).u32(resourceId);
    }

    @Test
    void importedSignalledPayloadLetsOneWaitThrough() throws Exception {
        createBinarySemaphoreAndQueue();
        ctx.submit(importSemaphoreResource(new Enc(), BINARY, 0).segment(arena), 0);
        assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), BINARY, 0)),
                "the wait finds the imported payload signalled");
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, submitResult(queueSubmit(new Enc(), BINARY, 0)),
                "and consumed it");
        // a signal pending already: the import adds none, so one wait goes through, not two
        assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), 0, BINARY)), "signal");
        ctx.submit(importSemaphoreResource(new Enc(), BINARY, 0).segment(arena), 0);
        assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), BINARY, 0)));
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, submitResult(queueSubmit(new Enc(), BINARY, 0)));

        // on the ring, as Mesa sends it: the import, then the submit waiting on the semaphore
        write(bytes(importSemaphoreResource(new Enc(), BINARY, 0)));
        write(bytes(queueSubmit(new Enc(), BINARY, 0)));
        await(() -> head() == tail, "the ring thread to pass the import and the submit");
        assertEquals(0, status() & VenusRing.STATUS_FATAL);
        assertEquals(18, reply.segment().get(JAVA_INT_UNALIGNED, 0));
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4));
        ctx.submit(queueWaitIdle(new Enc()).segment(arena), 0);
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4),
                "the queue drained: lavapipe ran the signalling submits and the waits");
    }

    @Test
    void importOfASyncResourceOrIntoATimelineSemaphoreSignalsNothingAndAMalformedOneIsAProtocolError()
            throws Exception {
        createBinarySemaphoreAndQueue();
        ctx.submit(importSemaphoreResource(new Enc(), BINARY, 7).segment(arena), 0);
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, submitResult(queueSubmit(new Enc(), BINARY, 0)),
                "resource 7 is not a sync resource (vtest has none): nothing was signalled");
        // vkCreateSemaphore(200, {-> VkSemaphoreTypeCreateInfo(TIMELINE, 0)}) -> 602, then the import into it
        ctx.submit(new Enc().cmd(40, 0).u64(200).u64(1).u32(9).u64(1).u32(VenusExecutor.STYPE_SEMAPHORE_TYPE_CREATE_INFO)
                .u64(0).u32(VenusExecutor.VK_SEMAPHORE_TYPE_TIMELINE).u64(0).u32(0).u64(0).u64(1).u64(602)
                .segment(arena), 0);
        ctx.submit(importSemaphoreResource(new Enc(), 602, 0).segment(arena), 0);
        // vkGetSemaphoreCounterValue(200, 602): still 0
        ctx.submit(new Enc().setReply(1, 0, 64).cmd(172, 1).u64(200).u64(602).u64(1).segment(arena), 0);
        assertEquals(172, reply.segment().get(JAVA_INT_UNALIGNED, 0));
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4));
        assertEquals(0L, reply.segment().get(JAVA_LONG_UNALIGNED, 16));

        Enc chained = new Enc().cmd(246, 0).u64(200).u64(1).u32(VenusContext.STYPE_IMPORT_SEMAPHORE_RESOURCE_INFO_MESA)
                .u64(1).u32(VenusExecutor.STYPE_SEMAPHORE_TYPE_CREATE_INFO).u64(0).u32(0).u64(0).u64(BINARY).u32(0);
        GpuException ex = assertThrows(GpuException.class, () -> ctx.submit(chained.segment(arena), 0));
        assertTrue(ex.getMessage().contains("chained"), ex.getMessage());
        GpuException unknown = assertThrows(GpuException.class,
                () -> ctx.submit(importSemaphoreResource(new Enc(), 777, 0).segment(arena), 0));
        assertTrue(unknown.getMessage().contains("unknown object id 777"), unknown.getMessage());
        ctx.submit(queueWaitIdle(new Enc()).segment(arena), 0);
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4), "the queue drained");
    }

    @Test
    void aDestroyAfterASubmitNobodyWaitsForIsPutOffUntilTheQueueIsSeenDone() throws Exception {
        createBinarySemaphoreAndQueue();
        VenusExecutor executor = ((VenusContext) ctx).executor();
        ctx.submit(new Enc().cmd(41, 0).u64(200).u64(BINARY).u64(0).segment(arena), 0); // vkDestroySemaphore
        assertEquals(0, executor.putOffCount(), "nothing submitted yet: destroyed at once");

        createBinarySemaphoreAndQueue();
        // a submit without a fence: only the executor's probe can tell when the queue got past it
        assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), 0, 0)));
        ctx.submit(new Enc().cmd(41, 0).u64(200).u64(BINARY).u64(0).segment(arena), 0);
        assertEquals(1, executor.putOffCount(), "put off: the submit may still use it");
        // later calls see the probe signalled and run it (the client's id was gone at once)
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (executor.putOffCount() > 0) {
            assertTrue(System.nanoTime() < deadline, "the put-off destroy never ran");
            Thread.sleep(5);
            assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), 0, 0)));
        }
        ctx.destroy();
        ctx = null;
        assertTrue(!executor.leakedDevice(), "device freed, not leaked");
    }

    /** vkCreateCommandPool(200, {RESET_COMMAND_BUFFER, family 0}) -> 700, with command buffers 701 and 702. */
    static Enc commandPoolWithTwoCommandBuffers(Enc e) {
        e.cmd(85, 0).u64(200).u64(1).u32(39).u64(0).u32(2).u32(0).u64(0).u64(1).u64(700);
        return e.cmd(88, 0).u64(200).u64(1).u32(40).u64(0).u64(700).u32(0).u32(2).u64(2).u64(701).u64(702);
    }

    @Test
    void freeCommandBuffersWithAHugeCountAndNoArrayFreesNothing() throws Exception {
        createDeviceAndUnsignalledFence();
        ctx.submit(commandPoolWithTwoCommandBuffers(new Enc()).segment(arena), 0);
        // vkFreeCommandBuffers(200, 700, 0x7fffffff, NULL): the count is the client's word, the array is absent
        ctx.submit(new Enc().cmd(89, 0).u64(200).u64(700).u32(Integer.MAX_VALUE).u64(0).segment(arena), 0);
        // both command buffers are still there: 701 begins
        ctx.submit(new Enc().setReply(1, 0, 64).cmd(90, 1).u64(701).u64(1).u32(42).u64(0).u32(0).u64(0)
                .segment(arena), 0);
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4));
    }

    @Test
    void freeDescriptorSetsWithACountAndNoArrayFreesNothing() throws Exception {
        createDeviceAndUnsignalledFence();
        // vkCreateDescriptorPool(200, {FREE_DESCRIPTOR_SET, maxSets 1, one STORAGE_BUFFER}) -> 800
        ctx.submit(new Enc().cmd(74, 0).u64(200).u64(1).u32(33).u64(0).u32(1).u32(1).u32(1).u64(1).u32(7).u32(1)
                .u64(0).u64(1).u64(800).segment(arena), 0);
        // vkFreeDescriptorSets(200, 800, 5, NULL): the host driver would read five sets from address 0
        ctx.submit(new Enc().setReply(1, 0, 64).cmd(78, 1).u64(200).u64(800).u32(5).u64(0).segment(arena), 0);
        assertEquals(78, reply.segment().get(JAVA_INT_UNALIGNED, 0));
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4));
    }

    @Test
    void beginningACommandBufferOfAStuckSubmitWaitsWhileAnotherBeginsAtOnce() throws Exception {
        createDeviceAndUnsignalledFence();
        Enc e = new Enc().setReply(1, 0, 65536);
        e.cmd(40, 0).u64(200).u64(1).u32(9).u64(1).u32(VenusExecutor.STYPE_SEMAPHORE_TYPE_CREATE_INFO).u64(0)
                .u32(VenusExecutor.VK_SEMAPHORE_TYPE_TIMELINE).u64(0).u32(0).u64(0).u64(1).u64(600); // timeline 600
        e.cmd(17, 0).u64(200).u32(0).u32(0).u64(1).u64(300); // vkGetDeviceQueue -> 300
        commandPoolWithTwoCommandBuffers(e);
        e.cmd(90, 0).u64(701).u64(1).u32(42).u64(0).u32(0).u64(0); // vkBeginCommandBuffer(701)
        e.cmd(91, 0).u64(701); // vkEndCommandBuffer(701)
        // vkQueueSubmit(300, {701, waiting for timeline 600 >= 5, which nobody signals}, no fence)
        e.cmd(18, 0).u64(300).u32(1).u64(1).u32(4)
                .u64(1).u32(1000207003).u64(0).u32(1).u64(1).u64(5).u32(0).u64(0)
                .u32(1).u64(1).u64(600).u64(1).u32(0x10000).u32(1).u64(1).u64(701).u32(0).u64(0)
                .u64(0);
        ctx.submit(e.segment(arena), 0);

        // 702 was never submitted: it begins at once
        long t0 = System.nanoTime();
        ctx.submit(new Enc().setReply(1, 0, 64).cmd(90, 1).u64(702).u64(1).u32(42).u64(0).u32(0).u64(0)
                .segment(arena), 0);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(90, reply.segment().get(JAVA_INT_UNALIGNED, 0));
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4));
        assertTrue(millis < 500, "beginning an idle command buffer took " + millis + " ms");
        // 701 is still in the stuck submit: its reset waits, within the context stream's bound
        assertAnsweredAfterTheContextStreamBound(new Enc().setReply(1, 0, 64).cmd(90, 1).u64(701).u64(1).u32(42)
                .u64(0).u32(0).u64(0), 90, VenusExecutor.VK_ERROR_DEVICE_LOST, "beginning the pending command buffer");
        // on the ring, the same reset answers after the reset bound instead of blocking the ring for good (a later
        // command of the client might be what unblocks the queue)
        long t1 = System.nanoTime();
        write(bytes(new Enc().setReply(1, 0, 64).cmd(90, 1).u64(701).u64(1).u32(42).u64(0).u32(0).u64(0)));
        await(() -> head() == tail, "the ring thread to answer the reset");
        long ringMillis = (System.nanoTime() - t1) / 1_000_000;
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, reply.segment().get(JAVA_INT_UNALIGNED, 4));
        assertTrue(ringMillis >= VenusExecutor.RESET_WAIT_NANOS / 1_000_000 - 100 && ringMillis < 5_000,
                "the ring's reset took " + ringMillis + " ms");
        assertEquals(0, status() & VenusRing.STATUS_FATAL);
        // destroy unblocks the queue and frees everything
        VenusExecutor executor = ((VenusContext) ctx).executor();
        ctx.destroy();
        ctx = null;
        assertTrue(!executor.leakedDevice(), "the device was freed, not leaked");
    }

    /** vkQueueSubmit2(300, {one VkSubmitInfo2 per wait/signal pair}, no fence), its VkResult at offset 0 of the reply. */
    static Enc queueSubmit2(Enc e, long... waitSignalPairs) {
        int batches = waitSignalPairs.length / 2;
        e.setReply(1, 0, 64).cmd(206, 1).u64(300).u32(batches).u64(batches);
        for (int b = 0; b < batches; b++) {
            e.u32(1000314004).u64(0).u32(0); // VK_STRUCTURE_TYPE_SUBMIT_INFO_2, no pNext, flags
            semaphoreSubmitInfo(e, waitSignalPairs[2 * b]);
            e.u32(0).u64(0); // no command buffers
            semaphoreSubmitInfo(e, waitSignalPairs[2 * b + 1]);
        }
        return e.u64(0);
    }

    /** a count and an array of one VkSemaphoreSubmitInfo for semaphore (ALL_COMMANDS), or none for 0 */
    static void semaphoreSubmitInfo(Enc e, long semaphore) {
        if (semaphore == 0) {
            e.u32(0).u64(0);
        } else {
            e.u32(1).u64(1).u32(1000314005).u64(0).u64(semaphore).u64(0).u64(0x10000).u32(0);
        }
    }

    @Test
    void queueSubmit2TracksBinarySemaphoresLikeQueueSubmit() throws Exception {
        createBinarySemaphoreAndQueue();
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, submit2Result(queueSubmit2(new Enc(), BINARY, 0)),
                "VUID-vkQueueSubmit2-semaphore-03873");
        assertEquals(VenusExecutor.VK_SUCCESS, submit2Result(queueSubmit2(new Enc(), 0, BINARY, BINARY, 0)));
        assertEquals(VenusExecutor.VK_SUCCESS, submit2Result(queueSubmit2(new Enc(), 0, BINARY)), "signal");
        assertEquals(VenusExecutor.VK_SUCCESS, submitResult(queueSubmit(new Enc(), BINARY, 0)),
                "vkQueueSubmit waits on what vkQueueSubmit2 signalled");
        assertEquals(VenusExecutor.VK_ERROR_DEVICE_LOST, submit2Result(queueSubmit2(new Enc(), BINARY, 0)));
        ctx.submit(queueWaitIdle(new Enc()).segment(arena), 0);
        assertEquals(VenusExecutor.VK_SUCCESS, reply.segment().get(JAVA_INT_UNALIGNED, 4), "the queue drained");
    }

    int submit2Result(Enc submit) throws GpuException {
        ctx.submit(submit.segment(arena), 0);
        assertEquals(206, reply.segment().get(JAVA_INT_UNALIGNED, 0));
        return reply.segment().get(JAVA_INT_UNALIGNED, 4);
    }

    int head() {
        return (int) INT.getAcquire(ring, (long) HEAD);
    }

    int status() {
        return (int) INT.getAcquire(ring, (long) STATUS);
    }

    /** Copies one command into the ring at tail (wrapping), waiting for room as Mesa does, then publishes tail. */
    void write(byte[] cmd) {
        await(() -> tail + cmd.length - head() <= BUFFER_SIZE, "room in the ring");
        for (int i = 0; i < cmd.length; i++) {
            ring.set(java.lang.foreign.ValueLayout.JAVA_BYTE, BUFFER + ((tail + i) & (BUFFER_SIZE - 1)), cmd[i]);
        }
        tail += cmd.length;
        INT.setVolatile(ring, (long) TAIL, tail);
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.onSpinWait();
        }
    }

    static byte[] bytes(Enc e) {
        return e.out.toByteArray();
    }

    @Test
    void commandsWrappingAroundTheBufferEndRunInOrderWithTheirReplies() {
        int n = 300; // 300 x 52 bytes: the 4 KiB buffer wraps several times, commands straddle its end
        for (int i = 0; i < n; i++) {
            write(bytes(new Enc().setReply(1, i * 20L, 20).cmd(ENUMERATE_INSTANCE_VERSION, 1).u64(1)));
        }
        await(() -> head() == tail, "head to reach tail");
        MemorySegment r = reply.segment();
        for (int i = 0; i < n; i++) {
            long off = i * 20L;
            assertEquals(ENUMERATE_INSTANCE_VERSION, r.get(JAVA_INT_UNALIGNED, off), "reply " + i);
            assertEquals(0, r.get(JAVA_INT_UNALIGNED, off + 4), "VK_SUCCESS " + i);
            assertEquals(1, r.get(JAVA_LONG_UNALIGNED, off + 8), "pointer marker " + i);
            assertTrue(Integer.compareUnsigned(r.get(JAVA_INT_UNALIGNED, off + 16), VenusExecutor.API_1_1) >= 0);
        }
        assertEquals(0, status() & VenusRing.STATUS_FATAL);
    }

    @Test
    void idleRingSleepsUntilNotifiedAndStaysAlive() throws GpuException {
        write(bytes(new Enc().setReply(1, 0, 20).cmd(ENUMERATE_INSTANCE_VERSION, 1).u64(1)));
        await(() -> head() == tail, "the first command");
        await(() -> (status() & VenusRing.STATUS_IDLE) != 0, "IDLE after the 1 ms idle timeout");

        // Mesa stores tail, sees IDLE and sends vkNotifyRingMESA on the context stream
        write(bytes(new Enc().setReply(1, 20, 20).cmd(ENUMERATE_INSTANCE_VERSION, 1).u64(1)));
        long notified = System.nanoTime();
        ctx.submit(new Enc().cmd(190, 0).u64(RING_ID).u32(tail).u32(0).segment(arena), 0);
        await(() -> head() == tail, "the command written while idle");
        assertTrue(System.nanoTime() - notified < 500_000_000L, "woken by the notification, not by a timeout");
        assertEquals(ENUMERATE_INSTANCE_VERSION, reply.segment().get(JAVA_INT_UNALIGNED, 20));

        // the client clears ALIVE before a long wait; the renderer sets it again within the monitor period (20 ms)
        INT.getAndBitwiseAnd(ring, (long) STATUS, ~VenusRing.STATUS_ALIVE);
        await(() -> (status() & VenusRing.STATUS_ALIVE) != 0, "ALIVE again");
    }

    @Test
    void malformedCommandMakesTheRingFatalAndWaitingForItFails() {
        write(bytes(new Enc().cmd(9999, 0).u64(0)));
        await(() -> (status() & VenusRing.STATUS_FATAL) != 0, "FATAL");
        assertEquals(0, head(), "head never passes a command that failed");
        Enc wait = new Enc().cmd(253, 0).u64(RING_ID).u64(tail); // vkWaitRingSeqnoMESA
        GpuException e = assertThrows(GpuException.class, () -> ctx.submit(wait.segment(arena), 0));
        assertEquals(GpuError.INVALID_PARAMETER, e.error());
    }
}
