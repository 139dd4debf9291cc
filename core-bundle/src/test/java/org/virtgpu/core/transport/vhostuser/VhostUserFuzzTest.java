package org.virtgpu.core.transport.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.QSIZE;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.U32;
import static org.virtgpu.core.transport.vhostuser.VhostUserProtocol.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.virtgpu.api.Limits;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.nativeio.EventFd;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.testing.FuzzSupport;
import org.virtgpu.core.testing.FuzzSupport.SevereLogTrap;
import org.virtgpu.core.testing.TestContextType;

/**
 * Coverage-guided fuzzing of the vhost-user back-end: a {@link FakeFrontend} (usually after QEMU's proper start
 * sequence) sends fuzzed vhost-user messages (any request id, flags, payload, with or without eventfds) and plays a
 * hostile guest driver: fuzzed descriptor tables (addresses inside and outside guest RAM, any flags, next links,
 * loops, indirect tables), fuzzed avail entries and indices, requests built with {@link Requests} or raw bytes.
 *
 * <p>Invariants: nothing is logged at ERROR (an exception escaping a handler, including an out-of-bounds access of
 * guest memory, which every MemorySegment access turns into an exception); the socket thread still answers
 * GET_FEATURES unless the protocol says the connection ends; after the front-end disconnects, the connection ends,
 * its device session is closed and every fd it received or opened is closed.
 */
@ExtendWith(FuzzSupport.class)
class VhostUserFuzzTest {
    private static final DeviceComponent DEVICE = DeviceComponent.standalone(
            DeviceSettings.defaults().withHostVisibleSize(4L << 20));
    private static final Limits LIMITS = new Limits(8, 4L << 20, 3);

    static {
        DEVICE.addContextType(new TestContextType("fuzz", 2, 4), "fuzz 1.0");
        java.util.UUID.randomUUID(); // SecureRandom's fds stay open for good: open them before the first count
    }

    @FuzzTest(maxDuration = "60s")
    void hostileFrontEndAndGuestNeverBreakTheBackend(FuzzedDataProvider d) throws Exception {
        Map<Integer, String> fdsBefore = FuzzSupport.openFds();
        try (SevereLogTrap trap = new SevereLogTrap()) {
            int[] pair = UnixSockets.socketpair();
            int stop = EventFd.create();
            Thread backend = Thread.ofPlatform().name("vhost-user-fuzz").start(() -> {
                try (VhostUserConnection c = new VhostUserConnection(pair[1], "fuzz", DEVICE, 256, LIMITS)) {
                    c.serve(stop);
                } catch (NativeException e) {
                    throw new AssertionError(e);
                }
            });
            boolean open = true;
            try (FakeFrontend f = new FakeFrontend(pair[0])) {
                if (d.consumeInt(0, 7) != 0) {
                    long features = (1L << VIRTIO_F_VERSION_1) | (d.consumeBoolean() ? 1L << VIRTIO_RING_F_INDIRECT_DESC : 0)
                            | (d.consumeBoolean() ? 1L << VIRTIO_RING_F_EVENT_IDX : 0) | (d.consumeLong() & 0b11111);
                    f.start(features);
                }
                for (int round = d.consumeInt(1, 8); round > 0 && d.remainingBytes() > 0 && open; round--) {
                    if (d.consumeInt(0, 3) == 0) {
                        open = message(f, d);
                    } else {
                        guest(f, d);
                    }
                }
                if (open && backend.isAlive()) {
                    assertTrue(answers(f), "the back-end stopped answering GET_FEATURES");
                }
            }
            backend.join(5000);
            if (backend.isAlive()) {
                EventFd.signal(stop, 1);
                backend.join(5000);
                throw new AssertionError("the connection did not end when the front-end disconnected");
            }
            Fds.close(stop);
            trap.check();
        }
        assertEquals(0, DEVICE.sessions().size(), "the connection's session is still open");
        FuzzSupport.assertNoNewFds(fdsBefore);
    }

    /** One fuzzed vhost-user message; false when it is one the back-end may legitimately hang up on. */
    private static boolean message(FakeFrontend f, FuzzedDataProvider d) throws NativeException {
        int request = d.pickValue(new int[] {GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE,
                SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL,
                SET_VRING_ERR, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE,
                SET_BACKEND_REQ_FD, GET_CONFIG, SET_CONFIG, GPU_SET_SOCKET, RESET_DEVICE, d.consumeInt()});
        int flags = d.consumeBoolean() ? FLAG_VERSION_1 | FLAG_NEED_REPLY : d.consumeInt();
        byte[] body = d.consumeBytes(d.consumeInt(0, 80));
        MemorySegment p = f.arena.allocate(Math.max(1, body.length)).asSlice(0, body.length);
        MemorySegment.copy(MemorySegment.ofArray(body), 0, p, 0, body.length);
        int fd = -1;
        switch (d.consumeInt(0, 3)) {
            case 0 -> fd = EventFd.create();
            case 1 -> fd = Fds.dup(f.memfd);
            default -> {
            }
        }
        try {
            if (fd >= 0) {
                f.send(request, flags, p, fd);
            } else {
                f.send(request, flags, p);
            }
        } catch (NativeException e) {
            return false; // the back-end hung up already
        } finally {
            if (fd >= 0) {
                Fds.close(fd); // the back-end holds its own copy now
            }
        }
        // a request that needs a reply body, or a payload size the protocol cannot have, may end the connection
        return false == (request == GET_FEATURES || request == GET_PROTOCOL_FEATURES || request == GET_VRING_BASE
                || request == GET_QUEUE_NUM || request == GET_CONFIG || request == SET_MEM_TABLE
                || request == GPU_SET_SOCKET || request == SET_BACKEND_REQ_FD);
    }

    /** Fuzzed descriptors, avail entries and requests in guest RAM, then a kick; waits briefly for completions. */
    private static void guest(FakeFrontend f, FuzzedDataProvider d) throws NativeException {
        int q = d.consumeInt(0, 1);
        MemorySegment table = f.descTable(q);
        for (int n = d.consumeInt(1, 4); n > 0; n--) {
            int slot = d.consumeInt(0, QSIZE - 1);
            long addr;
            int len;
            switch (d.consumeInt(0, 4)) {
                case 0 -> { // a request built with the encoder
                    byte[] r = Requests.inContext(Requests.ctxCreate(1, 4, "g"), d.consumeInt(0, 2));
                    r = switch (d.consumeInt(0, 5)) {
                        case 0 -> Requests.getDisplayInfo();
                        case 1 -> Requests.resourceCreate2d(1, 2, 16, 16);
                        case 2 -> Requests.attachBacking(1, java.util.List.of(new Requests.Entry(
                                FakeFrontend.GPA_BASE + d.consumeLong(0, FakeFrontend.RAM), d.consumeInt(0, 1 << 16))));
                        case 3 -> Requests.transferToHost2d(1, 0, 0, 16, 16, 0);
                        case 4 -> Requests.updateCursor(0, 1, 1, d.consumeInt(0, 2), 0, 0);
                        default -> r;
                    };
                    addr = f.alloc(r.length);
                    MemorySegment.copy(MemorySegment.ofArray(r), 0, f.at(addr, r.length), 0, r.length);
                    len = d.consumeBoolean() ? r.length : d.consumeInt(0, r.length);
                }
                case 1 -> { // a response buffer
                    len = d.consumeInt(0, 2048);
                    addr = f.alloc(len);
                }
                case 2 -> { // an indirect table of fuzzed descriptors
                    int entries = d.consumeInt(1, 6);
                    addr = f.alloc(16L * entries);
                    MemorySegment t = f.at(addr, 16L * entries);
                    for (int i = 0; i < entries; i++) {
                        f.desc(t, i, anyAddr(f, d), d.consumeInt(0, 4096), d.consumeInt(0, 7), d.consumeInt(0, entries + 1));
                    }
                    len = d.consumeBoolean() ? 16 * entries : d.consumeInt();
                }
                default -> { // anywhere
                    addr = anyAddr(f, d);
                    len = d.consumeInt();
                }
            }
            f.desc(table, slot, addr, len, d.consumeInt(0, 7), d.consumeInt(0, QSIZE + 2));
        }
        int heads = d.consumeInt(0, 4);
        int[] h = new int[heads];
        for (int i = 0; i < heads; i++) {
            h[i] = d.consumeBoolean() ? d.consumeInt(0, QSIZE - 1) : d.consumeInt(0, 0xffff);
        }
        if (d.consumeInt(0, 7) == 0) {
            f.availIdx[q] += d.consumeInt(0, 0xffff); // an index jump the ring cannot hold
        }
        f.submit(q, h);
        long deadline = System.nanoTime() + 30_000_000L;
        while (System.nanoTime() < deadline && f.usedIdx(q) != (f.availIdx[q] & 0xffff)) {
            f.awaitCall(q, 5);
        }
        f.heap = FakeFrontend.HEAP; // reuse the buffer heap: the next round may overwrite what this one left
    }

    private static long anyAddr(FakeFrontend f, FuzzedDataProvider d) {
        return switch (d.consumeInt(0, 2)) {
            case 0 -> FakeFrontend.GPA_BASE + d.consumeLong(0, FakeFrontend.RAM + 64);
            case 1 -> FakeFrontend.GPA_BASE - d.consumeLong(0, 64);
            default -> d.consumeLong();
        };
    }

    /** Sends GET_FEATURES and waits for its reply, skipping replies to earlier fuzzed requests. */
    private static boolean answers(FakeFrontend f) throws NativeException {
        try {
            f.send(GET_FEATURES, f.arena.allocate(0));
        } catch (NativeException e) {
            return false;
        }
        MemorySegment h = f.arena.allocate(HEADER_SIZE);
        MemorySegment body = f.arena.allocate(MAX_PAYLOAD);
        short[] re = new short[1];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Poll.poll(new int[] {f.sock}, new short[] {Poll.POLLIN}, re, 100) == 0) {
                continue;
            }
            int[] fds = UnixSockets.recvFully(f.sock, h);
            if (fds == null) {
                return false;
            }
            for (int fd : fds) {
                Fds.close(fd);
            }
            int size = h.get(U32, 8);
            assertFalse(size < 0 || size > MAX_PAYLOAD, "reply of " + size + " bytes");
            if (size > 0) {
                UnixSockets.recvFully(f.sock, body.asSlice(0, size));
            }
            if (h.get(U32, 0) == GET_FEATURES && size == 8) {
                assertEquals(REPLY_FLAGS, h.get(U32, 4), "reply flags");
                return true;
            }
        }
        return false;
    }
}
