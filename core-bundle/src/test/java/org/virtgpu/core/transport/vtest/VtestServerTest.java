package org.virtgpu.core.transport.vtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.core.transport.vtest.VtestProtocol.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.testing.TestContextType;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.Poll;

// a separate thread: a test blocked in a native read is not interruptible
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VtestServerTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

    @TempDir
    Path dir;
    String path;
    DeviceComponent device;
    VenusTestType type;
    VtestServer server;
    final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        path = dir.resolve("vtest.sock").toString();
        device = DeviceComponent.standalone(DeviceSettings.defaults());
        type = new VenusTestType();
        device.addContextType(type, "venus-test 1.0");
        server = new VtestServer(device, TestConfig.at(path));
        server.observer((c, e, d) -> events.add(c + " " + e + " " + d));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static boolean readable(int fd, int timeoutMs) throws Exception {
        short[] rev = new short[1];
        return Poll.poll(new int[] {fd}, new short[] {Poll.POLLIN}, rev, timeoutMs) == 1 && (rev[0] & Poll.POLLIN) != 0;
    }

    private TestContextType.TestContext ctx() {
        return type.inner.contexts.getFirst();
    }

    private VtestClient venusClient() throws Exception {
        VtestClient c = VtestClient.connect(path);
        assertEquals(3, c.handshake("test"));
        c.sendDwords(1, VCMD_CONTEXT_INIT, VenusTestType.VENUS);
        return c;
    }

    @Test
    void handshakePipelinedAsMesaSendsItNegotiatesProtocolVersion3() throws Exception {
        try (VtestClient c = VtestClient.connect(path)) {
            assertEquals(3, c.handshake("vulkaninfo"));
            c.sendDwords(1, VCMD_GET_PARAM, VCMD_PARAM_MAX_TIMELINE_COUNT);
            assertArrayEquals(new int[] {1, 64}, c.reply(VCMD_GET_PARAM));
            c.sendDwords(1, VCMD_GET_PARAM, 77);
            assertArrayEquals(new int[] {0, 0}, c.reply(VCMD_GET_PARAM));
        }
        assertTrue(events.contains("1 CREATE_RENDERER vulkaninfo"), events::toString);
        assertTrue(events.contains("1 PROTOCOL_VERSION 3"), events::toString);
    }

    @Test
    void newerClientVersionIsAnsweredWithOursAndVersion1FallsBackTo0() throws Exception {
        try (VtestClient c = VtestClient.connect(path)) {
            c.createRenderer("x");
            c.sendDwords(1, VCMD_PROTOCOL_VERSION, 9);
            assertArrayEquals(new int[] {3}, c.reply(VCMD_PROTOCOL_VERSION));
            c.sendDwords(1, VCMD_PROTOCOL_VERSION, 1);
            assertArrayEquals(new int[] {0}, c.reply(VCMD_PROTOCOL_VERSION));
        }
    }

    @Test
    void getCapsetAnswersTheDevicesCapsetAndRefusesUnknownIdsAndVersions() throws Exception {
        try (VtestClient c = VtestClient.connect(path)) {
            c.handshake("t");
            c.sendDwords(2, VCMD_GET_CAPSET, VenusTestType.VENUS, 0);
            int[] r = c.reply(VCMD_GET_CAPSET);
            assertEquals(1 + VenusTestType.VENUS_SIZE / 4, r.length);
            assertEquals(1, r[0]);
            assertEquals(1, r[1], "wire_format_version");
            assertEquals((1 << 22) | (3 << 12), r[2], "vk_xml_version");
            c.sendDwords(2, VCMD_GET_CAPSET, 9, 0);
            assertArrayEquals(new int[] {0}, c.reply(VCMD_GET_CAPSET));
            c.sendDwords(2, VCMD_GET_CAPSET, VenusTestType.VENUS, 1);
            assertArrayEquals(new int[] {0}, c.reply(VCMD_GET_CAPSET));
        }
    }

    @Test
    void contextInitCreatesTheDeviceContextWithThatCapset() throws Exception {
        try (VtestClient c = venusClient()) {
            c.sendDwords(1, VCMD_CONTEXT_INIT, VenusTestType.VENUS); // same id again: a no-op
            c.sendDwords(1, VCMD_GET_PARAM, 1);
            c.reply(VCMD_GET_PARAM);
            assertEquals(1, type.inner.contexts.size());
            assertEquals(VenusTestType.VENUS, ctx().spec.capsetId());
            assertEquals(VtestConnection.CTX_ID, ctx().spec.ctxId());
            assertEquals("test", ctx().spec.debugName());
            c.sendDwords(1, VCMD_CONTEXT_INIT, 2); // a different capset: the client is ended
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void hostBlobMappedByClientAndDeviceSeesTheSameBytes() throws Exception {
        try (VtestClient c = venusClient(); Arena a = Arena.ofConfined()) {
            VtestClient.Blob b = c.createBlob(2, 1, 131268, 0); // Mesa's ring shmem
            assertEquals(1, b.resId());
            MemorySegment mine = Mman.mapShared(b.fd(), 0, 131268, a);
            Fds.close(b.fd()); // as Mesa: close after mmap
            MemorySegment theirs = ctx().services.resource(1).orElseThrow().hostMemory().orElseThrow().segment();
            mine.set(U32, 64, 0xC0FFEE);
            assertEquals(0xC0FFEE, theirs.get(U32, 64));
            theirs.set(U32, 131264, 0xBEEF);
            assertEquals(0xBEEF, mine.get(U32, 131264));
            assertTrue(events.contains("1 RESOURCE_CREATE_BLOB type=2 flags=1 size=131268 blob_id=0 res=1"), events::toString);
        }
    }

    @Test
    void guestBlobIsVtestShmThatTheDeviceReadsAsBacking() throws Exception {
        try (VtestClient c = venusClient(); Arena a = Arena.ofConfined()) {
            VtestClient.Blob b = c.createBlob(1, 2, 8192, 0);
            MemorySegment mine = Mman.mapShared(b.fd(), 0, 8192, a);
            Fds.close(b.fd());
            mine.set(U32, 100, 42);
            MemorySegment seen = MemorySegment.ofArray(new byte[4]);
            ctx().services.resource(b.resId()).orElseThrow().readBacking(100, seen);
            assertEquals(42, seen.get(U32, 0));
        }
    }

    @Test
    void submitCmd2PassesTheStreamVerbatimAndFencesOnlyWhenItCarriesSyncs() throws Exception {
        try (VtestClient c = venusClient()) {
            c.submitCmd2(VCMD_SUBMIT_CMD2_FLAG_RING_IDX, 0, new int[] {188, 0, 7}, new int[0], new long[0]);
            int sync = c.syncCreate(0);
            c.submitCmd2(VCMD_SUBMIT_CMD2_FLAG_RING_IDX, 3, new int[] {5}, new int[] {sync}, new long[] {1});
            assertEquals(1, c.syncRead(sync));
            assertEquals(2, ctx().submitted.size());
            MemorySegment first = MemorySegment.ofArray(ctx().submitted.get(0));
            assertEquals(12, first.byteSize());
            assertEquals(188, first.get(U32, 0));
            assertEquals(7, first.get(U32, 8));
            assertEquals(List.of(0, 3), ctx().submitRings);
            assertEquals(1, ctx().fences.size(), "only the batch with syncs is fenced");
            assertEquals(3, ctx().fences.getFirst()[0], "on its ring");
        }
    }

    @Test
    void ringSyncsAreSignalledOnlyWhenTheDeviceCompletesTheFence() throws Exception {
        type.inner.asyncFences = true;
        try (VtestClient c = venusClient()) {
            int sync = c.syncCreate(0);
            c.submitCmd2(VCMD_SUBMIT_CMD2_FLAG_RING_IDX, 1, new int[] {1, 2}, new int[] {sync}, new long[] {5});
            int efd = c.syncWait(false, -1, new int[] {sync}, new long[] {5});
            assertEquals(0, c.syncRead(sync));
            assertFalse(readable(efd, 50));
            long[] fence = ctx().fences.getFirst();
            assertEquals(1, fence[0], "the fence is on the batch's ring");
            ctx().signal(1, fence[1]); // as the context's ring thread would
            assertTrue(readable(efd, 5000));
            assertEquals(5, c.syncRead(sync));
            Fds.close(efd);
        }
    }

    @Test
    void submitWithoutRingIdxSignalsItsSyncsAtOnce() throws Exception {
        type.inner.asyncFences = true;
        try (VtestClient c = venusClient()) {
            int sync = c.syncCreate(0);
            c.submitCmd2(0, 0, new int[] {1}, new int[] {sync}, new long[] {2});
            assertEquals(2, c.syncRead(sync));
        }
    }

    @Test
    void syncWaitSatisfiedNowIsReadableAtOnceAndWriteCanLowerTheValue() throws Exception {
        try (VtestClient c = venusClient()) {
            int s = c.syncCreate(7);
            assertEquals(7, c.syncRead(s));
            int efd = c.syncWait(false, 1000, new int[] {s}, new long[] {7});
            assertTrue(readable(efd, 0));
            Fds.close(efd);
            c.syncWrite(s, 3); // Mesa resets syncs by writing a lower value
            assertEquals(3, c.syncRead(s));
        }
    }

    @Test
    void syncWaitTimesOutWithoutSignalAndTimeoutZeroIsAPoll() throws Exception {
        try (VtestClient c = venusClient()) {
            int s = c.syncCreate(0);
            int efd = c.syncWait(false, 50, new int[] {s}, new long[] {1});
            assertFalse(readable(efd, 150));
            c.syncWrite(s, 1); // too late: the wait was dropped
            assertEquals(1, c.syncRead(s));
            assertFalse(readable(efd, 50));
            Fds.close(efd);
            int poll = c.syncWait(false, 0, new int[] {s}, new long[] {2});
            assertFalse(readable(poll, 20));
            Fds.close(poll);
        }
    }

    @Test
    void syncWaitAnyIsSatisfiedByOneSyncAndAllNeedsEvery() throws Exception {
        try (VtestClient c = venusClient()) {
            int s1 = c.syncCreate(0);
            int s2 = c.syncCreate(0);
            int any = c.syncWait(true, -1, new int[] {s1, s2}, new long[] {1, 1});
            int all = c.syncWait(false, -1, new int[] {s1, s2}, new long[] {1, 1});
            c.syncWrite(s2, 1);
            c.syncRead(s2); // round trip: the write has been handled
            assertTrue(readable(any, 1000));
            assertFalse(readable(all, 20));
            c.syncWrite(s1, 4);
            assertTrue(readable(all, 1000));
            Fds.close(any);
            Fds.close(all);
        }
    }

    @Test
    void disconnectFreesEveryResourceFdAndMappingOfTheClient() throws Exception {
        // warm up classes and lazily opened fds of the JVM first
        try (VtestClient c = venusClient()) {
            c.createBlob(2, 1, 4096, 0);
        }
        await(() -> server.clientCount() == 0, "warm-up client gone");
        System.gc();
        int before = Fds.openCount();
        VtestClient c = venusClient();
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fds.add(c.createBlob(2, 1, 65536, 0).fd());
            fds.add(c.createBlob(1, 2, 4096, 0).fd());
        }
        int s = c.syncCreate(0);
        fds.add(c.syncWait(false, -1, new int[] {s}, new long[] {1}));
        c.sendDwords(11, VCMD_RESOURCE_CREATE2, 0, 0, 0, 0, 64, 1, 1, 1, 0, 0, 64);
        c.reply(VCMD_RESOURCE_CREATE2);
        fds.add(c.receiveFd());
        fds.forEach(Fds::closeQuietly);
        assertTrue(Fds.openCount() > before, "the server holds blob and wait fds");
        c.close();
        await(() -> server.clientCount() == 0 && device.sessions().isEmpty(), "client cleaned up");
        assertEquals(1, ctx().destroyed, "its context was destroyed");
        assertEquals(before, Fds.openCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"notCreateRendererFirst", "unknownCommand", "hugeLength", "wrongFixedLength",
            "submitOutsideMessage", "unknownSync", "hugeRendererName", "truncatedPayload", "createRendererTwice",
            "busyWaitOnResourceBeforeContext", "blobTypeZero"})
    void malformedMessageEndsOnlyThatClient(String kind) throws Exception {
        try (VtestClient bad = VtestClient.connect(path); VtestClient good = venusClient()) {
            if (!kind.equals("notCreateRendererFirst") && !kind.equals("hugeRendererName")) {
                bad.createRenderer("bad");
            }
            switch (kind) {
                case "notCreateRendererFirst" -> bad.sendDwords(0, VCMD_PING_PROTOCOL_VERSION);
                case "unknownCommand" -> bad.sendDwords(0, 99);
                case "hugeLength" -> bad.sendDwords(0x40000000, VCMD_SUBMIT_CMD2, 1);
                case "wrongFixedLength" -> bad.sendDwords(3, VCMD_GET_PARAM, 1, 2, 3);
                case "submitOutsideMessage" -> bad.sendDwords(7, VCMD_SUBMIT_CMD2, 1, 1, 7, 500, 7, 0, 0);
                case "unknownSync" -> bad.sendDwords(1, VCMD_SYNC_READ, 1234);
                case "hugeRendererName" -> bad.sendDwords(1 << 30, VCMD_CREATE_RENDERER);
                case "truncatedPayload" -> {
                    bad.sendDwords(6, VCMD_RESOURCE_CREATE_BLOB, 2, 1);
                    Thread.sleep(20);
                    org.virtgpu.core.nativeio.UnixSockets.shutdown(bad.fd);
                }
                case "createRendererTwice" -> bad.createRenderer("again");
                case "busyWaitOnResourceBeforeContext" -> bad.sendDwords(2, VCMD_RESOURCE_BUSY_WAIT, 5, 0);
                case "blobTypeZero" -> bad.sendDwords(6, VCMD_RESOURCE_CREATE_BLOB, 0, 1, 4096, 0, 0, 0);
                default -> throw new AssertionError(kind);
            }
            if (!kind.equals("truncatedPayload")) {
                assertTrue(bad.closedByServer(), "the server ends a client that sends " + kind);
            }
            await(() -> events.stream().anyMatch(e -> e.startsWith("1 END")), "bad client ended");
            // the other client is still served
            int s = good.syncCreate(3);
            assertEquals(3, good.syncRead(s));
            VtestClient.Blob b = good.createBlob(2, 1, 4096, 0);
            Fds.close(b.fd());
        }
        // and new clients are accepted
        try (VtestClient again = VtestClient.connect(path)) {
            assertEquals(3, again.handshake("again"));
        }
    }

    @Test
    void blobOverTheClientByteLimitEndsTheClient() throws Exception {
        try (VtestClient c = venusClient()) {
            c.sendDwords(6, VCMD_RESOURCE_CREATE_BLOB, 2, 1, 0, 1, 0, 0); // 4 GiB
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void severalClientsAreServedConcurrentlyEachWithItsOwnSession() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                results.add(pool.submit(() -> {
                    try (VtestClient c = venusClient(); Arena a = Arena.ofConfined()) {
                        VtestClient.Blob b = c.createBlob(2, 1, 4096, 0);
                        MemorySegment m = Mman.mapShared(b.fd(), 0, 4096, a);
                        Fds.close(b.fd());
                        m.set(U32, 0, k);
                        int s = c.syncCreate(0);
                        c.submitCmd2(VCMD_SUBMIT_CMD2_FLAG_RING_IDX, k, new int[] {k}, new int[] {s}, new long[] {k + 1});
                        int efd = c.syncWait(false, 5000, new int[] {s}, new long[] {k + 1});
                        boolean ok = readable(efd, 5000);
                        Fds.close(efd);
                        return ok ? b.resId() : -1;
                    }
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(1, f.get(20, TimeUnit.SECONDS), "each client has its own resource ids");
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(n, type.inner.contexts.size(), "one context per client");
        await(() -> device.sessions().isEmpty(), "all sessions closed");
    }

    @Test
    void clientsOverMaxClientsAreClosedAtOnce() throws Exception {
        server.stop();
        server = new VtestServer(device, TestConfig.at(path).withMaxClients(1));
        try (VtestClient first = VtestClient.connect(path)) {
            assertEquals(3, first.handshake("first"));
            try (VtestClient second = VtestClient.connect(path)) {
                assertTrue(second.closedByServer());
            }
            first.sendDwords(1, VCMD_GET_PARAM, 1);
            assertArrayEquals(new int[] {1, 64}, first.reply(VCMD_GET_PARAM), "the first client is still served");
        }
        await(() -> server.clientCount() == 0, "first client gone");
        try (VtestClient third = VtestClient.connect(path)) {
            assertEquals(3, third.handshake("third"), "a freed slot is usable again");
        }
    }

    @Test
    void aSecondServerDoesNotStealALiveSocketButReplacesAStaleOne() throws Exception {
        org.virtgpu.core.nativeio.NativeException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.virtgpu.core.nativeio.NativeException.class, () -> new VtestServer(device, TestConfig.at(path)));
        assertEquals(org.virtgpu.core.nativeio.Errno.EADDRINUSE, e.errno());
        try (VtestClient c = VtestClient.connect(path)) {
            assertEquals(3, c.handshake("still served by the first"));
        }
        server.stop();
        Files.createFile(Path.of(path)); // stale file left by a crashed server
        server = new VtestServer(device, TestConfig.at(path));
        try (VtestClient c = VtestClient.connect(path)) {
            assertEquals(3, c.handshake("new server"));
        }
    }

    @Test
    void stoppingTheServerClosesTheListenerAndEveryClient() throws Exception {
        VtestClient c = venusClient();
        c.createBlob(2, 1, 4096, 0);
        server.stop();
        assertTrue(c.closedByServer());
        assertFalse(Files.exists(Path.of(path)));
        assertTrue(device.sessions().isEmpty(), "its session was closed");
        c.close();
    }

    @Test
    void virglEraResourceWithInlineTransfersRoundTripsThroughTheDevice() throws Exception {
        try (VtestClient c = venusClient()) {
            // RESOURCE_CREATE (v3: handle 0): PIPE_BUFFER of 64 bytes
            c.sendDwords(10, VCMD_RESOURCE_CREATE, 0, 0, 0, 0, 64, 1, 1, 1, 0, 0);
            int res = c.reply(VCMD_RESOURCE_CREATE)[0];
            int[] put = new int[2 + 11 + 4];
            put[0] = 11;
            put[1] = VCMD_TRANSFER_PUT;
            put[2] = res;
            put[9] = 16;   // box: x, y, z 0 (put[6..8]), w 16, h 1, d 1
            put[10] = 1;
            put[11] = 1;
            put[12] = 16;  // data_size
            put[13] = 0x11111111;
            put[14] = 0x22222222;
            put[15] = 0x33333333;
            put[16] = 0x44444444;
            c.sendDwords(put);
            int[] get = java.util.Arrays.copyOf(put, 13);
            get[1] = VCMD_TRANSFER_GET;
            c.sendDwords(get);
            byte[] data = c.readBytes(16);
            MemorySegment d = MemorySegment.ofArray(data);
            assertEquals(0x11111111, d.get(U32, 0));
            assertEquals(0x44444444, d.get(U32, 12));
        }
    }

    @Test
    void getCapsWithoutAVirglCapsetEndsTheClientCleanly() throws Exception {
        try (VtestClient c = VtestClient.connect(path)) {
            c.handshake("virpipe");
            c.sendDwords(0, VCMD_GET_CAPS2);
            assertTrue(c.closedByServer());
        }
        await(() -> events.stream().anyMatch(e -> e.contains("capset 2 (virgl) is not served")), "log of the reason");
    }
}
