package org.virtgpu.context.crossdomain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Memfd;
import org.virtgpu.core.nativeio.UnixSockets;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;
import org.virtgpu.spi.testkit.GuestResource;
import org.virtgpu.spi.testkit.TestDeviceServices;

/**
 * The Wayland channel against a real compositor (Weston's headless backend) and against a scripted one (to send
 * fds to the guest). The test plays the guest proxy: it writes Wayland requests into SEND commands, POLLs with a
 * fence on the channel ring, and reads RECEIVE from the channel ring after the fence signals.
 */
class WaylandChannelTest {
    private static final int QUERY_RING = 7;
    private static final int CHANNEL_RING = 8;
    private static final int SHM_BLOB = 9;

    @TempDir
    Path runtime;
    private Process weston;
    private final LinkedBlockingQueue<Long> signalled = new LinkedBlockingQueue<>();
    private final TestDeviceServices services = TestDeviceServices.withHostPage(4096);
    private GuestResource channelRing;
    private long nextFence = 1;

    @AfterEach
    void stopWeston() throws InterruptedException {
        if (weston != null) {
            weston.destroy();
            if (!weston.waitFor(5, TimeUnit.SECONDS)) {
                weston.destroyForcibly();
            }
        }
    }

    private String startWeston() throws Exception {
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder pb = new ProcessBuilder("weston", "--backend=headless", "--socket=wl-test", "--idle-time=0",
                "--shell=kiosk")
                .redirectErrorStream(true).redirectOutput(runtime.resolve("weston.log").toFile());
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.environment().remove("DISPLAY");
        weston = pb.start();
        Path socket = runtime.resolve("wl-test");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline || !weston.isAlive()) {
                throw new AssertionError("weston did not come up: " + Files.readString(runtime.resolve("weston.log")));
            }
            Thread.sleep(20);
        }
        return socket.toString();
    }

    private GpuContext context(String socket) throws GpuException {
        CrossDomainContextType type = new CrossDomainContextType(socket);
        GpuContext ctx = type.createContext(new ContextSpec(1, 5, "wl", (ring, fence) -> {
            assertEquals(CrossDomainProtocol.CHANNEL_RING, ring);
            signalled.add(fence);
        }), services);
        ctx.attachResource(new GuestResource(QUERY_RING, 4096));
        channelRing = new GuestResource(CHANNEL_RING, 4096);
        ctx.attachResource(channelRing);
        ByteBuffer init = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        init.put(0, (byte) CrossDomainProtocol.CMD_INIT).putShort(2, (short) 36).putInt(8, QUERY_RING)
                .putInt(12, CHANNEL_RING).putInt(16, CrossDomainProtocol.CHANNEL_TYPE_WAYLAND);
        ctx.submit(MemorySegment.ofArray(init.array()), 0);
        return ctx;
    }

    /** A context connected to a scripted compositor the test drives through {@code peer}. */
    private record Scripted(GpuContext ctx, int peer) {
    }

    private Scripted scripted(Path dir) throws Exception {
        String path = dir.resolve("fake-wl").toString();
        int listen = UnixSockets.listen(path, 1, false);
        try {
            GpuContext ctx = context(path);
            return new Scripted(ctx, UnixSockets.accept(listen));
        } finally {
            Fds.closeQuietly(listen);
        }
    }

    /** SEND of Wayland bytes with the fds of the given resources. */
    private static void send(GpuContext ctx, byte[] wayland, int... resources) throws GpuException {
        ByteBuffer b = ByteBuffer.allocate(SendReceive.SIZE + wayland.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) CrossDomainProtocol.CMD_SEND).putShort(2, (short) b.capacity())
                .putInt(SendReceive.NUM_IDENTIFIERS, resources.length).putInt(SendReceive.OPAQUE_DATA_SIZE, wayland.length);
        for (int i = 0; i < resources.length; i++) {
            b.putInt(SendReceive.IDENTIFIERS + 4 * i, resources[i]);
            b.putInt(SendReceive.IDENTIFIER_TYPES + 4 * i, SendReceive.ID_TYPE_VIRTGPU_BLOB);
        }
        b.put(SendReceive.SIZE, wayland);
        ctx.submit(MemorySegment.ofArray(b.array()), 1);
    }

    /** POLL + a fence on the channel ring; waits for it and returns the RECEIVE in the mailbox. */
    private ByteBuffer poll(GpuContext ctx) throws Exception {
        ByteBuffer p = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        p.put(0, (byte) CrossDomainProtocol.CMD_POLL).putShort(2, (short) 16);
        ctx.submit(MemorySegment.ofArray(p.array()), 1);
        long fence = nextFence++;
        assertFalse(ctx.createFence(1, fence), "a channel-ring fence waits for the compositor");
        Long got = signalled.poll(10, TimeUnit.SECONDS);
        assertEquals(fence, got, "the channel fence signalled");
        return ByteBuffer.wrap(channelRing.backing().toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Little-endian Wayland message: object id, size << 16 | opcode, then u32 arguments. */
    private static byte[] msg(int object, int opcode, int... args) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * args.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(object).putInt((8 + 4 * args.length) << 16 | opcode);
        for (int a : args) {
            b.putInt(a);
        }
        return b.array();
    }

    private static byte[] bind(int name, String iface, int version, int newId) {
        byte[] s = (iface + "\0").getBytes(StandardCharsets.US_ASCII);
        int padded = (s.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 4 + padded + 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2).putInt(b.capacity() << 16); // wl_registry (id 2) bind, opcode 0
        b.putInt(name).putInt(s.length).put(s).position(16 + padded);
        b.putInt(version).putInt(newId);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** Reads events until {@code callbackId}'s done event; returns interface name -> global name; fails on an error. */
    private Map<String, Integer> untilDone(GpuContext ctx, int callbackId) throws Exception {
        Map<String, Integer> globals = new HashMap<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int polls = 0; polls < 50; polls++) {
            ByteBuffer r = poll(ctx);
            assertEquals(CrossDomainProtocol.CMD_RECEIVE, r.get(0));
            int size = r.getInt(SendReceive.OPAQUE_DATA_SIZE);
            assertTrue(size > 0, "compositor data");
            stream.write(r.array(), SendReceive.SIZE, size);
            ByteBuffer w = ByteBuffer.wrap(stream.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            while (w.remaining() >= 8) {
                int start = w.position();
                int object = w.getInt();
                int sizeOp = w.getInt();
                int len = sizeOp >>> 16;
                if (len < 8 || w.remaining() < len - 8) {
                    w.position(start);
                    break;
                }
                int op = sizeOp & 0xffff;
                if (object == 1 && op == 0) {
                    throw new AssertionError("wl_display.error from the compositor");
                }
                if (object == 2 && op == 0) { // wl_registry.global(name, interface, version)
                    int name = w.getInt();
                    int slen = w.getInt();
                    byte[] s = new byte[slen];
                    w.get(s);
                    globals.put(new String(s, 0, slen - 1, StandardCharsets.US_ASCII), name);
                }
                if (object == callbackId && op == 0) {
                    return globals;
                }
                w.position(start + len);
            }
            byte[] rest = new byte[w.remaining()];
            w.get(rest);
            stream.reset();
            stream.writeBytes(rest);
        }
        throw new AssertionError("no wl_callback.done within 50 messages");
    }

    @Test
    void aGuestTalksToWestonThroughTheChannelIncludingAnFdForAShmPool() throws Exception {
        String socket = startWeston();
        GpuContext ctx = context(socket);
        // wl_display.get_registry(new id 2), wl_display.sync(new id 3)
        send(ctx, concat(msg(1, 1, 2), msg(1, 0, 3)));
        Map<String, Integer> globals = untilDone(ctx, 3);
        assertNotNull(globals.get("wl_compositor"), globals.toString());
        assertNotNull(globals.get("wl_shm"), globals.toString());

        // a HOST3D blob's fd becomes a wl_shm pool: the compositor maps it; an fd missing or unusable would be a
        // protocol error (wl_display.error) before the sync's done
        SharedMemory mem = services.allocate("pool", 4096);
        ctx.attachResource(new HostResource(SHM_BLOB, mem));
        send(ctx, concat(bind(globals.get("wl_shm"), "wl_shm", 1, 4),
                msg(4, 0, 5, 4096), // wl_shm.create_pool(new id 5, fd, size 4096): the fd travels out of band
                msg(1, 0, 6)), SHM_BLOB);
        untilDone(ctx, 6);
        ctx.destroy();
        mem.release();
        assertEquals(0, services.liveAllocations());
    }

    @Test
    void fdsFromTheCompositorBecomeSingleUseBlobsWithTheirContents(@TempDir Path dir) throws Exception {
        int fdsBefore = Fds.openCount();
        Scripted sc = scripted(dir);
        GpuContext ctx = sc.ctx();
        int peer = sc.peer();
        int memfd = Memfd.create("keymap", 100);
        byte[] keymap = "xkb_keymap { };".getBytes(StandardCharsets.US_ASCII);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(keymap.length);
            MemorySegment.copy(keymap, 0, k, ValueLayout.JAVA_BYTE, 0, keymap.length);
            Fds.write(memfd, k);
            MemorySegment data = a.allocate(12);
            UnixSockets.sendAll(peer, data, memfd);
        }
        Fds.closeQuietly(memfd);
        ByteBuffer r = poll(ctx);
        assertEquals(12, r.getInt(SendReceive.OPAQUE_DATA_SIZE));
        assertEquals(1, r.getInt(SendReceive.NUM_IDENTIFIERS));
        assertEquals(SendReceive.ID_TYPE_VIRTGPU_BLOB, r.getInt(SendReceive.IDENTIFIER_TYPES));
        assertEquals(100, r.getInt(SendReceive.IDENTIFIER_SIZES));
        int id = r.getInt(SendReceive.IDENTIFIERS);
        SharedMemory m = ctx.createBlob(new BlobRequest(20, BlobRequest.BLOB_MEM_HOST3D, 1, id, 4096));
        assertEquals("xkb_keymap { };", new String(m.segment().asSlice(0, keymap.length).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII));
        m.release();
        GpuException again = assertThrows(GpuException.class,
                () -> ctx.createBlob(new BlobRequest(21, BlobRequest.BLOB_MEM_HOST3D, 1, id, 4096)));
        assertEquals(GpuError.INVALID_PARAMETER, again.error());

        // the compositor hangs up: one empty RECEIVE, then channel fences stay pending
        Fds.closeQuietly(peer);
        ByteBuffer hup = poll(ctx);
        assertEquals(0, hup.getInt(SendReceive.OPAQUE_DATA_SIZE));
        assertFalse(ctx.createFence(1, 99));
        assertEquals(null, signalled.poll(200, TimeUnit.MILLISECONDS));
        ctx.destroy();
        assertEquals(fdsBefore, Fds.openCount(), "socket, eventfd and received fds closed");
        assertEquals(0, services.liveAllocations());
    }

    @Test
    void hostileStreamsOnAChannelContextEndInGpuExceptionsAndLeakNothing(@TempDir Path dir) throws Exception {
        int fdsBefore = Fds.openCount();
        Scripted sc = scripted(dir);
        GpuContext ctx = sc.ctx();
        int peer = sc.peer();
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 3000; i++) {
            byte[] b = new byte[rnd.nextInt(400)];
            rnd.nextBytes(b);
            if (b.length >= 8) {
                b[0] = (byte) (1 + rnd.nextInt(8)); // mostly real command numbers, channel ones included
                if (rnd.nextBoolean()) {
                    b[2] = (byte) b.length;
                    b[3] = (byte) (b.length >> 8);
                }
            }
            try {
                ctx.submit(MemorySegment.ofArray(b), rnd.nextInt(2));
            } catch (GpuException expected) {
                assertNotNull(expected.error());
            }
        }
        ctx.destroy();
        Fds.closeQuietly(peer);
        assertEquals(fdsBefore, Fds.openCount());
    }

    @Test
    void aSendToACompositorThatDoesNotReadFailsAfterTheTimeoutInsteadOfHanging(@TempDir Path dir) throws Exception {
        Scripted sc = scripted(dir);
        GpuContext ctx = sc.ctx();
        int peer = sc.peer();
        byte[] chunk = new byte[60_000];
        long t0 = System.nanoTime();
        GpuException e = assertThrows(GpuException.class, () -> {
            for (int i = 0; i < 1000; i++) {
                send(ctx, chunk);
            }
        });
        assertEquals(GpuError.UNSPEC, e.error());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        ctx.destroy();
        Fds.closeQuietly(peer);
    }

    @Test
    void initForWaylandFailsCleanlyWhenTheCompositorIsGone(@TempDir Path dir) {
        GpuException e = assertThrows(GpuException.class, () -> context(dir.resolve("nobody").toString()));
        assertEquals(GpuError.UNSPEC, e.error());
    }

    @Test
    void aTypeWithACompositorSocketAdvertisesTheWaylandChannel(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("wl");
        Files.createFile(socket);
        assertEquals(socket.toString(), CrossDomainContextType.resolve(socket.toString()));
        assertEquals(null, CrossDomainContextType.resolve(dir.resolve("missing").toString()));
        assertEquals(null, CrossDomainContextType.resolve("none"));
        byte[] p = new CrossDomainContextType(socket.toString()).capsets().getFirst()
                .payload(0, new org.virtgpu.spi.HostInfo(4096, 4096, 0));
        assertEquals(1 << CrossDomainProtocol.CHANNEL_TYPE_WAYLAND, ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
    }

    /** A HOST3D blob as the core shows it to a context. */
    private record HostResource(int id, SharedMemory memory) implements ResourceView {
        @Override
        public long size() {
            return memory.size();
        }

        @Override
        public Optional<SharedMemory> hostMemory() {
            return Optional.of(memory);
        }

        @Override
        public void readBacking(long offset, MemorySegment dst) throws GpuException {
            throw new GpuException(GpuError.UNSPEC, "no guest backing");
        }

        @Override
        public void writeBacking(long offset, MemorySegment src) throws GpuException {
            throw new GpuException(GpuError.UNSPEC, "no guest backing");
        }
    }
}
