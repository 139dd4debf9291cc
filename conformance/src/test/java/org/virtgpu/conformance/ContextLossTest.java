package org.virtgpu.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.PageSizePolicy;
import org.virtgpu.spi.testkit.WireGuest;

/**
 * The device side of hot-swap with a fence still pending (DESIGN.md: "when a ContextType goes away, its live
 * contexts become lost: their pending fences complete, later submits get an error ... while their resources and
 * shared memory stay intact"). The context types of this project complete fences synchronously, so this uses a
 * type whose fences never signal on their own.
 */
class ContextLossTest {
    /** A context type (capset 61) whose fences stay pending until the context is destroyed. */
    static final class NeverSignals implements ContextType {
        final AtomicInteger destroyed = new AtomicInteger();

        @Override
        public String name() {
            return "never-signals";
        }

        @Override
        public List<Capset> capsets() {
            return List.of(new ZeroCapset(61, "never-signals"));
        }

        @Override
        public PageSizePolicy pageSizePolicy() {
            return PageSizePolicy.none();
        }

        @Override
        public GpuContext createContext(ContextSpec spec, DeviceServices services) {
            return new GpuContext() {
                @Override
                public void submit(MemorySegment commands, int ringIdx) {
                }

                @Override
                public boolean createFence(int ringIdx, long fenceId) {
                    return false; // the GPU is "busy": only destroy ends it
                }

                @Override
                public void destroy() {
                    destroyed.incrementAndGet();
                }
            };
        }
    }

    @Test
    void whenTheTypeGoesAwayPendingFencesCompleteLaterSubmitsFailAndResourcesStay() throws Exception {
        DeviceComponent device = DeviceComponent.standalone(DeviceSettings.defaults());
        NeverSignals type = new NeverSignals();
        device.addContextType(type, "never-signals 1.0");
        MemorySegment ram = WireGuest.newRam(1 << 20);
        try (GpuSession session = device.openSession(SessionOptions.of("loss", WireGuest.memory(ram), PageSizeMatrixTest.FEATURES))) {
            WireGuest g = new WireGuest(session, ram);
            long align = device.info().blobAlignment();
            assertTrue(g.ctxCreate(1, 61, "loss").ok());
            long pages = g.allocGuestPages(align);
            assertTrue(g.createBlob(0, 1, 1, 1, 0, align, pages, align).ok());
            assertTrue(g.createBlob(0, 2, 2, 1, 0, align).ok());
            assertEquals(WireGuest.RESP_OK_MAP_INFO, g.mapBlob(2, 0).type());
            session.blobMemory(2).orElseThrow().segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 42L);
            assertTrue(g.attach(1, 1).ok());

            // a fenced SUBMIT_3D on ring 0 whose fence the context never signals
            ByteBuffer submit = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
            submit.putInt(0, WireGuest.CMD_SUBMIT_3D).putInt(4, WireGuest.FLAG_FENCE | WireGuest.FLAG_INFO_RING_IDX)
                    .putLong(8, 77).putInt(16, 1).put(20, (byte) 0).putInt(24, 4);
            MemorySegment reply = MemorySegment.ofArray(new byte[24]);
            CompletableFuture<Integer> done = new CompletableFuture<>();
            session.control(List.of(MemorySegment.ofBuffer(submit)), List.of(reply), done::complete);
            Thread.sleep(100);
            assertFalse(done.isDone(), "the fence is pending while the context type is loaded");

            device.removeContextType(type);
            assertEquals(24, done.get(2, TimeUnit.SECONDS), "the pending fence completed when the type went away");
            ByteBuffer r = ByteBuffer.wrap(reply.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(77, r.getLong(8), "the reply carries its fence id");
            assertEquals(1, type.destroyed.get(), "the lost context was destroyed");

            WireGuest.Reply later = g.submit(1, new byte[4], 0);
            assertEquals(GpuError.UNSPEC, later.error(), "a later submit on the lost context is refused");
            assertEquals(GpuError.INVALID_PARAMETER, g.ctxCreate(2, 61, "again").error(), "capset 61 is no longer served");
            assertTrue(g.ctxDestroy(1).ok(), "the guest can destroy its lost context");

            assertEquals(42L, session.blobMemory(2).orElseThrow().segment().get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
            assertTrue(g.unmapBlob(2).ok(), "the host blob was still mapped");
            assertTrue(g.unref(1).ok(), "the GUEST blob was still there");
            assertTrue(g.unref(2).ok());
        }
    }
}
