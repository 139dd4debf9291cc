package org.virtgpu.core.transport.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.U32;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.U64;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;

/** QEMU's end of the vhost-user-gpu side channel: answers the handshake, then reads display messages. */
final class FakeQemuDisplay {
    private final int fd;
    private final Arena arena;

    FakeQemuDisplay(int fd, Arena arena) {
        this.fd = fd;
        this.arena = arena;
    }

    /** Reads one back-end request of type {@code request}; returns its payload. */
    MemorySegment expect(int request) throws NativeException {
        short[] re = new short[1];
        assertEquals(1, Poll.poll(new int[] {fd}, new short[] {Poll.POLLIN}, re, 5000), "no GPU message " + request);
        MemorySegment h = arena.allocate(12);
        assertNotNull(UnixSockets.recvFully(fd, h));
        assertEquals(request, h.get(U32, 0));
        MemorySegment p = arena.allocate(Math.max(1, h.get(U32, 8))).asSlice(0, h.get(U32, 8));
        if (p.byteSize() > 0) {
            UnixSockets.recvFully(fd, p);
        }
        return p;
    }

    private void reply(int request, MemorySegment body) throws NativeException {
        MemorySegment m = arena.allocate(12 + body.byteSize());
        m.set(U32, 0, request);
        m.set(U32, 4, 0x4);
        m.set(U32, 8, (int) body.byteSize());
        MemorySegment.copy(body, 0, m, 12, body.byteSize());
        UnixSockets.sendAll(fd, m);
    }

    /** What QEMU 10 answers: protocol features 0x3, one 1280x800 display, a 128-byte EDID. */
    void answerHandshake() throws NativeException {
        expect(VhostUserProtocol.GPU_GET_PROTOCOL_FEATURES);
        MemorySegment f = arena.allocate(8);
        f.set(U64, 0, 0x3);
        reply(VhostUserProtocol.GPU_GET_PROTOCOL_FEATURES, f);
        assertEquals(1, expect(VhostUserProtocol.GPU_SET_PROTOCOL_FEATURES).get(U64, 0), "EDID accepted, DMABUF2 not");
        expect(VhostUserProtocol.GPU_GET_DISPLAY_INFO);
        MemorySegment info = arena.allocate(VhostUserProtocol.DISPLAY_INFO_SIZE);
        info.set(U32, 0, 0x1101);
        info.set(U32, 24 + 8, 1280);
        info.set(U32, 24 + 12, 800);
        info.set(U32, 24 + 16, 1);
        reply(VhostUserProtocol.GPU_GET_DISPLAY_INFO, info);
        assertEquals(0, expect(VhostUserProtocol.GPU_GET_EDID).get(U32, 0));
        MemorySegment edid = arena.allocate(VhostUserProtocol.EDID_RESP_SIZE);
        edid.set(U32, 0, 0x1104);
        edid.set(U32, 24, 128);
        reply(VhostUserProtocol.GPU_GET_EDID, edid);
    }
}
