package org.virtgpu.core.transport.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.U32;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.UnixSockets;

class GpuChannelTest {

    @Test
    void rgbaPixelsAreSentInQemusByteOrderAndCursorMessagesFollowVisibility() throws Exception {
        int[] sp = UnixSockets.socketpair();
        try (Arena a = Arena.ofShared(); GpuChannel ch = new GpuChannel(sp[0], "t")) {
            ch.start();
            FakeQemuDisplay qemu = new FakeQemuDisplay(sp[1], a);
            qemu.answerHandshake();
            ch.scanout(0, 2, 1, 67); // R8G8B8A8_UNORM: bytes R, G, B, A
            MemorySegment s = qemu.expect(VhostUserProtocol.GPU_SCANOUT);
            assertEquals(2, s.get(U32, 4));
            MemorySegment px = MemorySegment.ofArray(new byte[] {10, 20, 30, 40, 50, 60, 70, 80});
            ch.update(0, 0, 0, 2, 1, px, 8);
            MemorySegment u = qemu.expect(VhostUserProtocol.GPU_UPDATE);
            byte[] got = u.asSlice(20, 8).toArray(ValueLayout.JAVA_BYTE);
            // PIXMAN x8r8g8b8 on little-endian: B, G, R, X
            assertEquals(java.util.List.of(30, 20, 10, 40, 70, 60, 50, 80),
                    java.util.stream.IntStream.range(0, 8).mapToObj(i -> (int) got[i]).toList());

            MemorySegment image = a.allocate(64 * 64 * 4);
            image.set(U32, 0, 0xff00ff00);
            ch.cursor(0, 5, 6, 1, 2, image, true);
            MemorySegment cu = qemu.expect(VhostUserProtocol.GPU_CURSOR_UPDATE);
            assertEquals(20 + 64 * 64 * 4, cu.byteSize());
            assertEquals(5, cu.get(U32, 4));
            assertEquals(2, cu.get(U32, 16));
            assertEquals(0xff00ff00, cu.get(U32, 20));
            ch.cursor(0, 7, 8, 0, 0, null, true);
            assertEquals(7, qemu.expect(VhostUserProtocol.GPU_CURSOR_POS).get(U32, 4));
            ch.cursor(0, 0, 0, 0, 0, null, false);
            qemu.expect(VhostUserProtocol.GPU_CURSOR_POS_HIDE);
        } finally {
            Fds.closeQuietly(sp[1]);
        }
    }
}
