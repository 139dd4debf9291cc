package org.virtgpu.core.transport.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.U16;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.U32;
import static org.virtgpu.core.transport.vhostuser.FakeFrontend.U64;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.api.Limits;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;
import org.virtgpu.core.transport.vhostuser.FakeFrontend.Buf;

class VhostUserBackendTest {
    private static final long VERSION_1 = 1L << 32;
    private static final long INDIRECT = 1L << 28;
    private static final long EVENT_IDX = 1L << 29;

    @TempDir
    Path dir;
    FakeDevice device;
    VhostUserServer server;
    String path;

    @BeforeEach
    void up() throws Exception {
        device = new FakeDevice();
        path = dir.resolve("vu.sock").toString();
        server = new VhostUserServer(path, device, 256, Limits.DEFAULT);
    }

    @AfterEach
    void down() {
        server.close();
        device.fences.shutdownNow();
    }

    FakeFrontend connect() throws Exception {
        return new FakeFrontend(UnixSockets.connect(path));
    }

    /** A readable request of {@code len} bytes starting with ctrl_hdr {type, flags}. */
    Buf request(FakeFrontend f, int type, int flags, int len) {
        long gpa = f.alloc(len);
        MemorySegment r = f.at(gpa, len);
        r.set(U32, 0, type);
        r.set(U32, 4, flags);
        return new Buf(gpa, len, false);
    }

    Buf response(FakeFrontend f, int len) {
        return new Buf(f.alloc(len), len, true);
    }

    @Test
    void featuresOfferRingBitsAndOnlyTheDeviceBitsQemuPasses() throws Exception {
        try (FakeFrontend f = connect()) {
            long features = f.getU64(VhostUserProtocol.GET_FEATURES);
            assertEquals(VERSION_1 | INDIRECT | EVENT_IDX | (1L << 30) | 0b111, features);
            long proto = f.getU64(VhostUserProtocol.GET_PROTOCOL_FEATURES);
            assertEquals(0b1, proto & 1, "MQ");
            assertEquals(0b1000, proto & 0b1000, "REPLY_ACK");
            assertEquals(1L << 9, proto & (1L << 9), "CONFIG");
            assertEquals(0, proto & (1L << 15), "CONFIGURE_MEM_SLOTS must not be offered without ADD/REM_MEM_REG");
            assertEquals(2, f.getU64(VhostUserProtocol.GET_QUEUE_NUM));
        }
    }

    @Test
    void getConfigReportsScanoutsAndCapsetsFromDeviceInfo() throws Exception {
        try (FakeFrontend f = connect()) {
            MemorySegment q = f.arena.allocate(12 + 16);
            q.set(U32, 0, 0);
            q.set(U32, 4, 16);
            f.send(VhostUserProtocol.GET_CONFIG, q);
            MemorySegment r = f.reply(VhostUserProtocol.GET_CONFIG);
            assertEquals(28, r.byteSize());
            assertEquals(16, r.get(U32, 4));
            assertEquals(0, r.get(U32, 12), "events_read");
            assertEquals(1, r.get(U32, 20), "num_scanouts");
            assertEquals(3, r.get(U32, 24), "num_capsets");
            // a range outside virtio_gpu_config is answered with an empty reply, the protocol's failure
            q.set(U32, 0, 12);
            q.set(U32, 4, 8);
            f.send(VhostUserProtocol.GET_CONFIG, q);
            assertEquals(0, f.reply(VhostUserProtocol.GET_CONFIG).byteSize());
        }
    }

    @Test
    void replyAckReportsFailureForInvalidQueueSizeAndIndex() throws Exception {
        try (FakeFrontend f = connect()) {
            assertEquals(0, f.acked(VhostUserProtocol.SET_PROTOCOL_FEATURES, f.u64(VhostUserProtocol.PROTOCOL_FEATURES)));
            assertEquals(0, f.acked(VhostUserProtocol.SET_VRING_NUM, f.state(0, 64)));
            assertNotEquals(0, f.acked(VhostUserProtocol.SET_VRING_NUM, f.state(0, 48)), "not a power of 2");
            assertNotEquals(0, f.acked(VhostUserProtocol.SET_VRING_NUM, f.state(0, 512)), "above maxQueueSize");
            assertNotEquals(0, f.acked(VhostUserProtocol.SET_VRING_NUM, f.state(2, 64)), "no queue 2");
            assertNotEquals(0, f.acked(99, f.arena.allocate(0)), "unknown request");
            // still serving
            assertEquals(2, f.getU64(VhostUserProtocol.GET_QUEUE_NUM));
        }
    }

    @Test
    void controlRequestIsTranslatedThroughMemTableAndAnsweredWithInterrupt() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1 | 0b11);
            int head = f.chain(0, request(f, 0x100, 0, 24), response(f, 408));
            long respGpa = f.GPA_BASE + f.heap - 416;
            f.submit(0, head);
            int[][] used = f.awaitUsed(0, 1);
            assertArrayEquals(new int[] {head, 24}, used[0]);
            MemorySegment resp = f.at(respGpa, 24);
            assertEquals(0x1100, resp.get(U32, 0));
            assertEquals(0x1100L, resp.get(U64, 8), "the device saw request type 0x100");
            assertEquals(24, resp.get(U32, 16), "readable bytes seen");
            assertEquals(1, device.sessions.size());
            assertEquals(0b11, device.sessions.getFirst().options.negotiatedFeatures(), "VIRGL | EDID as acked");
        }
    }

    @Test
    void readableStreamSplitOverDescriptorsArrivesWhole() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1);
            Buf a = request(f, 0x101, 0, 8);
            Buf b = new Buf(f.alloc(32), 32, false);
            Buf w = response(f, 24);
            f.submit(0, f.chain(0, a, b, w));
            f.awaitUsed(0, 1);
            assertEquals(40, f.at(w.gpa(), 24).get(U32, 16));
        }
    }

    @Test
    void indirectDescriptorTableIsFollowed() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1 | INDIRECT);
            Buf w = response(f, 24);
            int head = f.indirectChain(0, request(f, 0x104, 0, 48), w);
            f.submit(0, head);
            assertArrayEquals(new int[] {head, 24}, f.awaitUsed(0, 1)[0]);
            assertEquals(0x1104L, f.at(w.gpa(), 24).get(U64, 8));
            assertEquals(48, f.at(w.gpa(), 24).get(U32, 16));
        }
    }

    @Test
    void fencedCompletionFromAnotherThreadReachesUsedRingAndInterrupts() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1 | EVENT_IDX);
            Buf w1 = response(f, 24);
            int fenced = f.chain(0, request(f, 0x207, 1, 32), w1);
            Buf w2 = response(f, 24);
            int plain = f.chain(0, request(f, 0x100, 0, 24), w2);
            f.setUsedEvent(0, 0);
            f.submit(0, fenced, plain);
            int[][] first = f.awaitUsed(0, 1);
            assertArrayEquals(new int[] {plain, 24}, first[0], "the unfenced request completes first");
            f.setUsedEvent(0, 1);
            int[][] second = f.awaitUsed(0, 2);
            assertArrayEquals(new int[] {fenced, 24}, second[0]);
            assertEquals(1, f.at(w1.gpa(), 24).get(U32, 4), "fence flag echoed");
        }
    }

    @Test
    void eventIdxSuppressesInterruptsAndPublishesAvailEvent() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1 | EVENT_IDX);
            f.setUsedEvent(0, 5); // the driver wants an interrupt only when used.idx passes 5
            int h = f.chain(0, request(f, 0x100, 0, 24), response(f, 24));
            f.submit(0, h);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (f.usedIdx(0) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, f.usedIdx(0));
            assertFalse(f.awaitCall(0, 200), "no interrupt before used_event");
            assertEquals(1, f.availEvent(0), "device asks for the kick at the next avail entry");
        }
    }

    @Test
    void bufferOutsideGuestMemoryIsReturnedEmptyAndRingKeepsWorking() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1);
            int bad = f.chain(0, new Buf(FakeFrontend.GPA_BASE + FakeFrontend.RAM - 8, 24, false), response(f, 24));
            int bad2 = f.chain(0, new Buf(0x10, 24, false), response(f, 24)); // below the region
            int good = f.chain(0, request(f, 0x100, 0, 24), response(f, 24));
            f.submit(0, bad, bad2, good);
            int[][] used = f.awaitUsed(0, 3);
            assertArrayEquals(new int[] {bad, 0}, used[0]);
            assertArrayEquals(new int[] {bad2, 0}, used[1]);
            assertArrayEquals(new int[] {good, 24}, used[2]);
            assertEquals(1, device.sessions.getFirst().controls.get(), "rejected chains never reach the device");
        }
    }

    @Test
    void loopingChainAndWrongOrderAndNestedIndirectAreRejected() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1 | INDIRECT);
            MemorySegment t = f.descTable(0);
            Buf r = request(f, 0x100, 0, 24);
            // 0 -> 1 -> 0 loop
            f.desc(t, 0, r.gpa(), 24, 1, 1);
            f.desc(t, 1, r.gpa(), 24, 1, 0);
            // 2: writable then readable
            Buf w = response(f, 24);
            f.desc(t, 2, w.gpa(), 24, 2 | 1, 3);
            f.desc(t, 3, r.gpa(), 24, 0, 0);
            // 4: indirect table containing an indirect descriptor
            long it = f.alloc(16);
            f.desc(f.at(it, 16), 0, it, 16, 4, 0);
            f.desc(t, 4, it, 16, 4, 0);
            // 5: next link out of the table
            f.desc(t, 5, r.gpa(), 24, 1, 200);
            f.nextDesc[0] = 6;
            int good = f.chain(0, request(f, 0x100, 0, 24), response(f, 24));
            f.submit(0, 0, 2, 4, 5, good);
            int[][] used = f.awaitUsed(0, 5);
            for (int i = 0; i < 4; i++) {
                assertEquals(0, used[i][1], "chain " + used[i][0] + " rejected");
            }
            assertArrayEquals(new int[] {good, 24}, used[4]);
        }
    }

    @Test
    void availIndexRunningAheadStopsRingButNotTheBackend() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1);
            MemorySegment avail = f.at(FakeFrontend.ringGpa(0, FakeFrontend.AVAIL), 6);
            avail.set(U16, 2, (short) 1000);
            org.virtgpu.core.nativeio.EventFd.signal(f.kick[0], 1);
            Thread.sleep(100);
            assertEquals(0, f.usedIdx(0));
            // the connection still answers, and resetting the ring brings it back
            assertEquals(2, f.getU64(VhostUserProtocol.GET_QUEUE_NUM));
            avail.set(U16, 2, (short) 0);
            f.availIdx[0] = 0;
            assertEquals(0, f.acked(VhostUserProtocol.SET_VRING_BASE, f.state(0, 0)));
            f.submit(0, f.chain(0, request(f, 0x100, 0, 24), response(f, 24)));
            assertEquals(24, f.awaitUsed(0, 1)[0][1]);
        }
    }

    @Test
    void cursorQueueEntriesAreUsedWithLengthZero() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1);
            int h = f.chain(1, request(f, 0x301, 0, 56));
            f.submit(1, h);
            assertArrayEquals(new int[] {h, 0}, f.awaitUsed(1, 1)[0]);
            assertEquals(java.util.List.of(0x301), device.sessions.getFirst().cursorTypes);
        }
    }

    @Test
    void getVringBaseStopsRingAndReturnsNextAvailIndex() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1);
            f.submit(0, f.chain(0, request(f, 0x100, 0, 24), response(f, 24)),
                    f.chain(0, request(f, 0x100, 0, 24), response(f, 24)));
            f.awaitUsed(0, 2);
            f.send(VhostUserProtocol.GET_VRING_BASE, f.state(0, 0));
            MemorySegment r = f.reply(VhostUserProtocol.GET_VRING_BASE);
            assertEquals(0, r.get(U32, 0));
            assertEquals(2, r.get(U32, 4));
            f.submit(0, f.chain(0, request(f, 0x100, 0, 24), response(f, 24)));
            Thread.sleep(150);
            assertEquals(2, f.usedIdx(0), "a stopped ring is not processed");
        }
    }

    @Test
    void disconnectClosesSessionFreesFdsAndListensAgain() throws Exception {
        int before = Fds.openCount();
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1);
            f.submit(0, f.chain(0, request(f, 0x100, 0, 24), response(f, 24)));
            f.awaitUsed(0, 1);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.served() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, server.served());
        assertTrue(device.sessions.getFirst().closed, "session closed on disconnect");
        assertEquals(before, Fds.openCount(), "every fd passed by the front-end is closed");
        try (FakeFrontend f = connect()) {
            assertEquals(2, f.getU64(VhostUserProtocol.GET_QUEUE_NUM));
        }
    }

    @Test
    void malformedMessagesAreRefusedWithoutDroppingTheConnection() throws Exception {
        try (FakeFrontend f = connect()) {
            assertEquals(0, f.acked(VhostUserProtocol.SET_PROTOCOL_FEATURES, f.u64(VhostUserProtocol.PROTOCOL_FEATURES)));
            MemorySegment twoRegions = f.arena.allocate(8 + 64);
            twoRegions.set(U32, 0, 2);
            assertNotEquals(0, f.acked(VhostUserProtocol.SET_MEM_TABLE, twoRegions, f.memfd), "2 regions, 1 fd");
            assertNotEquals(0, f.acked(VhostUserProtocol.SET_VRING_KICK, f.u64(0)), "kick without fd");
            assertNotEquals(0, f.acked(VhostUserProtocol.SET_FEATURES, f.arena.allocate(2)), "short payload");
            assertEquals(2, f.getU64(VhostUserProtocol.GET_QUEUE_NUM));
            // a payload larger than any message: the connection ends
            MemorySegment h = f.arena.allocate(12);
            h.set(U32, 0, VhostUserProtocol.SET_FEATURES);
            h.set(U32, 4, 1);
            h.set(U32, 8, 1 << 20);
            UnixSockets.sendAll(f.sock, h);
            short[] re = new short[1];
            assertEquals(1, Poll.poll(new int[] {f.sock}, new short[] {Poll.POLLIN}, re, 5000));
            assertNull(UnixSockets.recvFully(f.sock, f.arena.allocate(1)), "back-end hung up");
        }
    }

    @Test
    void displaySinkDrivesScanoutAndUpdateOnTheGpuSocket() throws Exception {
        try (FakeFrontend f = connect()) {
            int[] gpu = UnixSockets.socketpair();
            f.send(VhostUserProtocol.GPU_SET_SOCKET, f.arena.allocate(0), gpu[1]);
            Fds.close(gpu[1]);
            FakeQemuDisplay qemu = new FakeQemuDisplay(gpu[0], f.arena);
            qemu.answerHandshake();
            f.start(VERSION_1);
            f.submit(0, f.chain(0, request(f, 0x103, 0, 48), response(f, 24)));
            f.awaitUsed(0, 1);
            MemorySegment scanout = qemu.expect(VhostUserProtocol.GPU_SCANOUT);
            assertEquals(4, scanout.get(U32, 4));
            assertEquals(2, scanout.get(U32, 8));
            MemorySegment update = qemu.expect(VhostUserProtocol.GPU_UPDATE);
            assertEquals(20 + 4 * 2 * 4, update.byteSize());
            assertEquals(4, update.get(U32, 12));
            for (int i = 0; i < 8; i++) {
                assertEquals(i + 1, update.get(U32, 20 + 4L * i));
            }
            Fds.close(gpu[0]);
        }
    }

    @Test
    void newMemTableReplacesTheOldOneAndResetClosesTheSession() throws Exception {
        try (FakeFrontend f = connect()) {
            f.start(VERSION_1);
            f.submit(0, f.chain(0, request(f, 0x100, 0, 24), response(f, 24)));
            f.awaitUsed(0, 1);
            // a second guest RAM with the same layout but other contents: the back-end must read the new one
            try (FakeFrontend g = new FakeFrontend(-1)) {
                MemorySegment.copy(f.ram, 0, g.ram, 0, FakeFrontend.RAM);
                Buf w = new Buf(g.alloc(24), 24, true);
                long req = g.alloc(24);
                g.at(req, 24).set(U32, 0, 0x10b);
                g.nextDesc[0] = f.nextDesc[0];
                g.availIdx[0] = f.availIdx[0];
                int h = g.chain(0, new Buf(req, 24, false), w);
                assertEquals(0, f.acked(VhostUserProtocol.SET_MEM_TABLE, f.memTable(), g.memfd));
                g.submit(0, h); // publishes in the new RAM; the back-end listens on f's kick fd
                org.virtgpu.core.nativeio.EventFd.signal(f.kick[0], 1);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (g.usedIdx(0) < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(2, g.usedIdx(0), "used ring written in the new memory");
                assertEquals(0x110bL, g.at(w.gpa(), 24).get(U64, 8), "request read from the new memory");
                assertEquals(1, f.usedIdx(0), "the old memory is no longer touched");
            }
            assertEquals(0, f.acked(VhostUserProtocol.RESET_OWNER, f.arena.allocate(0)));
            assertTrue(device.sessions.getFirst().closed, "RESET_OWNER frees the device session");
        }
    }
}
