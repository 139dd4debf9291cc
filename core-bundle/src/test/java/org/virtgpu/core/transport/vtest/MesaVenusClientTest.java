package org.virtgpu.core.transport.vtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.testing.TestContextType;

/**
 * The real client: Mesa 25's Venus ICD ({@code libvulkan_virtio.so}, run by {@code vulkaninfo}) against this
 * server in-process, with a venus-capset test context type that records what reaches it but renders nothing.
 * Asserts on what the server observed of the bring-up (research/vtest-venus.md 2.1) up to the point where the
 * client writes Vulkan commands into the ring it mapped; serving those is the Venus context's job.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MesaVenusClientTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    /** vkCreateRingMESA (VK_MESA_venus_protocol command type). */
    private static final int VK_COMMAND_TYPE_CREATE_RING_MESA = 188;

    @TempDir
    Path dir;

    @Test
    void mesaVenusIcdBringsUpItsRingThroughOurSocket() throws Exception {
        String path = dir.resolve("vtest.sock").toString();
        DeviceComponent device = DeviceComponent.standalone(DeviceSettings.defaults());
        VenusTestType type = new VenusTestType();
        device.addContextType(type, "venus-test 1.0");
        List<String> events = new CopyOnWriteArrayList<>();
        VtestServer server = new VtestServer(device, TestConfig.at(path));
        server.observer((c, e, d) -> events.add(e + " " + d));
        Path log = dir.resolve("vulkaninfo.log");
        ProcessBuilder pb = new ProcessBuilder("vulkaninfo", "--summary").redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/virtio_icd.json");
        pb.environment().put("VN_DEBUG", "vtest");
        pb.environment().put("VTEST_SOCKET_NAME", path);
        Process p = pb.start();
        try {
            // the client mapped the ring shmem (resource 1) and wrote commands into it: its tail (offset 64) moves
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            int tail = 0;
            while (System.nanoTime() < end) {
                if (!type.inner.contexts.isEmpty()) {
                    TestContextType.TestContext ctx = type.inner.contexts.getFirst();
                    var ring = ctx.services.resource(1).flatMap(r -> r.hostMemory());
                    if (ring.isPresent() && !ctx.submitted.isEmpty()) {
                        tail = ring.get().segment().get(U32, 64);
                        if (tail != 0) {
                            break;
                        }
                    }
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(20);
            }
            String out = Files.readString(log);
            assertNotEquals(0, tail, "the client wrote into the ring it mapped; events " + events + "\n" + out);

            assertEquals("CREATE_RENDERER vulkaninfo", events.get(0), events::toString);
            assertEquals("PING_PROTOCOL_VERSION ", events.get(1));
            assertEquals("RESOURCE_BUSY_WAIT 0 0", events.get(2));
            assertEquals("PROTOCOL_VERSION 3", events.get(3));
            assertEquals("GET_PARAM 1", events.get(4));
            assertEquals("GET_CAPSET 4 0", events.get(5));
            assertEquals("CONTEXT_INIT 4", events.get(6));
            assertTrue(events.get(7).matches("RESOURCE_CREATE_BLOB type=2 flags=1 size=\\d+ blob_id=0 res=1"), events::toString);
            assertTrue(events.get(8).startsWith("SUBMIT_CMD2 batches=1 "), events::toString);

            TestContextType.TestContext ctx = type.inner.contexts.getFirst();
            assertEquals(VenusTestType.VENUS, ctx.spec.capsetId());
            assertEquals("vulkaninfo", ctx.spec.debugName());
            MemorySegment createRing = MemorySegment.ofArray(ctx.submitted.getFirst());
            assertEquals(VK_COMMAND_TYPE_CREATE_RING_MESA, createRing.get(U32, 0), "the first stream creates the ring");
            assertEquals(1, createRing.get(U32, 4 * 14), "VkRingCreateInfoMESA.resourceId is the blob we sent");
            assertEquals(0, (int) ctx.submitRings.getFirst(), "on ring 0 (the context's CPU timeline)");
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.clientCount() > 0 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            server.stop();
        }
        assertTrue(device.sessions().isEmpty(), "the killed client's session was closed");
        assertTrue(events.stream().anyMatch(e -> e.startsWith("END ")), events::toString);
    }
}
