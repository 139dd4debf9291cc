package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.core.testing.GpuHarness.Reply;
import org.virtgpu.core.testing.LogCapture;
import org.virtgpu.core.testing.TestContextType;

/**
 * When a context type goes away its live contexts become lost: destroyed, pending fences completed, later use
 * answered ERR_UNSPEC; their resources, backings, blobs and mappings stay in the core; new contexts use whichever
 * type now serves the capset.
 */
class HotSwapTest {

    @Test
    void removingAContextTypeLosesItsContextsButKeepsTheirResources() throws Exception {
        try (GpuHarness g = new GpuHarness(); LogCapture log = new LogCapture()) {
            TestContextType venus1 = new TestContextType("venus-1.0", 5);
            g.device.addContextType(venus1, "venus 1.0");
            g.ok(Requests.ctxCreate(1, 5, "app"));
            g.ctx(2, 4); // another type: untouched
            long a = g.resource2d(7, 16, 16);
            g.ok(Requests.ctxAttachResource(1, 7));
            g.ok(Requests.createBlob(1, 8, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 42, 4096, List.of()));
            g.expect(VIRTIO_GPU_RESP_OK_MAP_INFO, Requests.mapBlob(8, 0));
            venus1.asyncFences = true;
            Reply pending = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[4]), 3), 1));
            assertFalse(pending.completed());

            g.device.removeContextType(venus1);

            var c1 = venus1.context(1);
            assertEquals(1, c1.destroyed);
            assertTrue(pending.completed(), "pending fences complete when the context is lost");
            assertTrue(log.contains("context 1 lost: its context type went away"), log.lines.toString());
            g.expect(VIRTIO_GPU_RESP_ERR_UNSPEC, Requests.submit3d(1, new byte[4]));
            g.expect(VIRTIO_GPU_RESP_ERR_UNSPEC, Requests.ctxAttachResource(1, 7));
            var fencedOnLost = g.send(Requests.onRing(Requests.fenced(Requests.submit3d(1, new byte[4]), 4), 1));
            assertEquals(VIRTIO_GPU_RESP_ERR_UNSPEC, fencedOnLost.type());
            assertEquals(4, fencedOnLost.fenceId());
            c1.signal(1, 99); // a late signal from the dead context's thread is harmless

            SessionSnapshot snap = g.device.sessions().getFirst();
            assertEquals(List.of(new ContextRow(1, 5, "venus-1.0", true), new ContextRow(2, 4, "test", false)), snap.contexts());
            assertEquals(List.of(7, 8), snap.resources().stream().map(ResourceRow::id).toList());
            assertTrue(snap.resources().get(1).mapped());
            assertEquals(42, g.session.blobMemory(8).orElseThrow().segment().get(ValueLayout.JAVA_LONG, 0),
                    "the blob's memory outlives the bundle that made it");
            g.guest.at(a, 4).fill((byte) 1);
            g.ok(Requests.transferToHost2d(7, 0, 0, 16, 16, 0));
            g.ok(Requests.submit3d(2, new byte[4]));

            TestContextType venus2 = new TestContextType("venus-1.1", 5);
            g.device.addContextType(venus2, "venus 1.1");
            g.ok(Requests.ctxCreate(3, 5, "app2"));
            assertEquals(5, venus2.context(3).spec.capsetId());
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID, Requests.ctxCreate(1, 5, "reuse")); // still there, lost
            g.ok(Requests.ctxDestroy(1));
            assertEquals(1, c1.destroyed, "a lost context is not destroyed twice");
            g.ok(Requests.ctxCreate(1, 5, "again"));
            assertEquals(5, venus2.context(1).spec.capsetId());
        }
    }

    @Test
    void capsetsOfARemovedTypeAreNoLongerServed() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            TestContextType t = new TestContextType("x", 5);
            g.device.addContextType(t, "x");
            assertEquals(5, g.expect(VIRTIO_GPU_RESP_OK_CAPSET_INFO, Requests.getCapsetInfo(2)).u32(24));
            g.device.removeContextType(t);
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.getCapsetInfo(2));
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.getCapset(5, 0));
            g.expect(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, Requests.ctxCreate(4, 5, ""));
        }
    }
}
