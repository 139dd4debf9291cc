package org.virtgpu.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.virtgpu.core.protocol.VirtioGpu.*;

import org.junit.jupiter.api.Test;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.testing.GpuHarness;

class SmokeTest {
    @Test
    void aFrameTravelsFromGuestPagesToTheScanout() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            g.expect(VIRTIO_GPU_RESP_OK_DISPLAY_INFO, Requests.getDisplayInfo());
            long addr = g.resource2d(1, 64, 32);
            g.guest.at(addr, 64 * 32 * 4).fill((byte) 0x7f);
            g.ok(Requests.transferToHost2d(1, 0, 0, 64, 32, 0));
            g.ok(Requests.setScanout(0, 1, 0, 0, 64, 32));
            g.ok(Requests.resourceFlush(1, 0, 0, 64, 32));
            assertEquals(true, g.session.snapshotPng(0).isPresent());
            g.ctx(1, 4);
            g.ok(Requests.submit3d(1, new byte[] {1, 2, 3, 4}));
            assertEquals(1, g.type.context(1).submitted.size());
        }
    }
}
