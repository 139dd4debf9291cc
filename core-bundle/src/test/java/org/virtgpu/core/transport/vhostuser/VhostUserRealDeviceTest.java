package org.virtgpu.core.transport.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.U32;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.api.Limits;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.nativeio.UnixSockets;
import org.virtgpu.core.testing.TestContextType;
import org.virtgpu.core.transport.vhostuser.FakeFrontend.Buf;

/** The transport in front of the core's real device model (no QEMU): requests go through the rings both ways. */
class VhostUserRealDeviceTest {

    @Test
    void deviceModelAnswersDisplayInfoAndCapsetInfoThroughTheRings(@TempDir Path dir) throws Exception {
        DeviceComponent device = DeviceComponent.standalone(DeviceSettings.defaults());
        device.addContextType(new TestContextType("test", 2, 4), "test 1.0");
        String path = dir.resolve("vu.sock").toString();
        try (VhostUserServer server = new VhostUserServer(path, device, 256, Limits.DEFAULT);
             FakeFrontend f = new FakeFrontend(UnixSockets.connect(path))) {
            f.start((1L << 32) | (1L << 28) | (1L << 29) | 0b11);
            long req = f.alloc(24);
            f.at(req, 24).set(U32, 0, 0x100); // GET_DISPLAY_INFO
            Buf resp = new Buf(f.alloc(408), 408, true);
            long req2 = f.alloc(32);
            f.at(req2, 32).set(U32, 0, 0x108); // GET_CAPSET_INFO index 1
            f.at(req2, 32).set(U32, 24, 1);
            Buf resp2 = new Buf(f.alloc(40), 40, true);
            f.submit(0, f.indirectChain(0, new Buf(req, 24, false), resp), f.chain(0, new Buf(req2, 32, false), resp2));
            int[][] used = f.awaitUsed(0, 2);
            assertEquals(408, used[0][1]);
            MemorySegment di = f.at(resp.gpa(), 408);
            assertEquals(0x1101, di.get(U32, 0), "OK_DISPLAY_INFO");
            assertEquals(1280, di.get(U32, 24 + 8));
            assertEquals(800, di.get(U32, 24 + 12));
            assertEquals(40, used[1][1]);
            MemorySegment ci = f.at(resp2.gpa(), 40);
            assertEquals(0x1102, ci.get(U32, 0), "OK_CAPSET_INFO");
            assertEquals(4, ci.get(U32, 24), "capset index 1 is id 4");
        }
    }
}
