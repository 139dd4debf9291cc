package org.virtgpu.core.transport.vtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.core.transport.vtest.VtestProtocol.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.RateLimitedLog;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.UnixSockets;
import org.virtgpu.core.testing.FuzzSupport;
import org.virtgpu.core.testing.FuzzSupport.SevereLogTrap;
import org.virtgpu.core.testing.TestContextType;

/**
 * Coverage-guided fuzzing of the vtest framing: a byte stream built from the fuzz data (well-framed messages with
 * hostile fields, wrong lengths, unknown ids, raw garbage) goes over a socketpair into one {@link VtestConnection}
 * on its own thread, against a real device with a test context type (capsets 1, 2, 4).
 *
 * <p>Invariants: the connection thread ends on its own once the client stops writing, or at the latest when the
 * server shuts it down, and never through an internal error (nothing logged at ERROR); its session is closed; every
 * file descriptor it opened (session memfds, shm, sync eventfds, its socket) is closed; the device keeps serving
 * (the next input runs on the same device).
 */
@ExtendWith(FuzzSupport.class)
class VtestFramingFuzzTest {
    private static final DeviceComponent DEVICE = DeviceComponent.standalone(
            DeviceSettings.defaults().withHostVisibleSize(4L << 20));
    private static final TestConfig CONFIG = new TestConfig("/unused", 4, 8L << 20, 64 << 10, 0);

    static {
        DEVICE.addContextType(new TestContextType("fuzz", 1, 2, 4), "fuzz 1.0");
        java.util.UUID.randomUUID(); // SecureRandom's fds stay open for good: open them before the first count
    }

    @FuzzTest(maxDuration = "60s")
    void aHostileClientEndsOnlyItselfAndLeavesNothingOpen(FuzzedDataProvider data) throws Exception {
        byte[] stream = stream(data);
        java.util.Map<Integer, String> fdsBefore = FuzzSupport.openFds();
        try (SevereLogTrap trap = new SevereLogTrap()) {
            int[] pair = UnixSockets.socketpair();
            int client = pair[0];
            CountDownLatch ended = new CountDownLatch(1);
            VtestConnection conn = new VtestConnection(1, pair[1], DEVICE, CONFIG, VtestObserver.NONE,
                    new RateLimitedLog("vtest fuzz client: ", 5), ended::countDown);
            Thread server = Thread.ofPlatform().name("vtest-fuzz-client").start(conn);
            // replies (and passed fds, which a plain read discards and the kernel closes) are drained concurrently
            Thread drain = Thread.ofPlatform().name("vtest-fuzz-drain").start(() -> drain(client));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(Math.max(1, stream.length));
                MemorySegment.copy(MemorySegment.ofArray(stream), 0, s, 0, stream.length);
                UnixSockets.sendAll(client, s.asSlice(0, stream.length));
            } catch (NativeException e) {
                // the server already dropped this client (EPIPE): that is one of the allowed outcomes
            }
            UnixSockets.shutdown(client, UnixSockets.SHUT_WR);
            if (!ended.await(2, TimeUnit.SECONDS)) {
                conn.shutdown(); // what VtestServer.stop() does to a client that is still busy
                assertTrue(ended.await(5, TimeUnit.SECONDS), "the client thread did not end after shutdown()");
            }
            server.join(5000);
            drain.join(5000);
            assertTrue(!server.isAlive() && !drain.isAlive(), "threads still running");
            Fds.close(client);
            trap.check();
        }
        assertEquals(0, DEVICE.sessions().size(), "the client's session is still open");
        FuzzSupport.assertNoNewFds(fdsBefore);
    }

    private static void drain(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(64 << 10);
            while (Fds.read(fd, buf) > 0) {
                // discard
            }
        } catch (NativeException e) {
            // the connection is gone
        }
    }

    /** Payload sizes in dwords as the protocol defines them (variable ones: their fixed part). */
    private static int dwords(int id) {
        return switch (id) {
            case VCMD_RESOURCE_CREATE -> VCMD_RES_CREATE_SIZE;
            case VCMD_RESOURCE_CREATE2 -> VCMD_RES_CREATE2_SIZE;
            case VCMD_RESOURCE_UNREF -> VCMD_RES_UNREF_SIZE;
            case VCMD_TRANSFER_GET, VCMD_TRANSFER_PUT -> VCMD_TRANSFER_HDR_SIZE;
            case VCMD_TRANSFER_GET2, VCMD_TRANSFER_PUT2 -> VCMD_TRANSFER2_HDR_SIZE;
            case VCMD_RESOURCE_BUSY_WAIT -> VCMD_BUSY_WAIT_SIZE;
            case VCMD_PROTOCOL_VERSION -> VCMD_PROTOCOL_VERSION_SIZE;
            case VCMD_GET_PARAM -> VCMD_GET_PARAM_SIZE;
            case VCMD_GET_CAPSET -> VCMD_GET_CAPSET_SIZE;
            case VCMD_CONTEXT_INIT -> VCMD_CONTEXT_INIT_SIZE;
            case VCMD_RESOURCE_CREATE_BLOB -> VCMD_RES_CREATE_BLOB_SIZE;
            case VCMD_SYNC_CREATE -> VCMD_SYNC_CREATE_SIZE;
            case VCMD_SYNC_UNREF -> VCMD_SYNC_UNREF_SIZE;
            case VCMD_SYNC_READ -> VCMD_SYNC_READ_SIZE;
            case VCMD_SYNC_WRITE -> VCMD_SYNC_WRITE_SIZE;
            case VCMD_SYNC_WAIT -> 2;
            case VCMD_SUBMIT_CMD2 -> 1 + VCMD_SUBMIT_CMD2_BATCH_DW;
            default -> 0;
        };
    }

    private static int val(FuzzedDataProvider d) {
        return switch (d.consumeInt(0, 3)) {
            case 0 -> d.consumeInt(0, 4);
            case 1 -> d.pickValue(new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 4096, 65536, 0xffff});
            case 2 -> d.consumeInt(0, 1024);
            default -> d.consumeInt();
        };
    }

    private static byte[] stream(FuzzedDataProvider d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (d.consumeInt(0, 7) != 0) {
            byte[] name = d.consumeString(40).getBytes(StandardCharsets.UTF_8);
            int len = d.consumeInt(0, 15) == 0 ? val(d) : name.length;
            out.writeBytes(le(len, VCMD_CREATE_RENDERER));
            out.writeBytes(name);
        }
        if (d.consumeBoolean()) {
            out.writeBytes(le(1, VCMD_PROTOCOL_VERSION, d.consumeInt(0, 4)));
        }
        for (int n = d.consumeInt(0, 24); n > 0 && d.remainingBytes() > 0; n--) {
            switch (d.consumeInt(0, 15)) {
                case 0 -> out.writeBytes(d.consumeBytes(d.consumeInt(0, 64))); // raw garbage
                case 1 -> out.writeBytes(le(val(d), val(d)));                   // any header
                default -> {
                    int id = d.consumeInt(1, VCMD_SUBMIT_CMD2);
                    int body = dwords(id) + (d.consumeInt(0, 3) == 0 ? d.consumeInt(0, 12) : 0);
                    int len = d.consumeInt(0, 15) == 0 ? val(d) : body;
                    int[] w = new int[2 + body];
                    w[0] = len;
                    w[1] = id;
                    for (int i = 2; i < w.length; i++) {
                        w[i] = val(d);
                    }
                    out.writeBytes(le(w));
                }
            }
        }
        return out.toByteArray();
    }

    private static byte[] le(int... dwords) {
        ByteBuffer b = ByteBuffer.allocate(4 * dwords.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : dwords) {
            b.putInt(v);
        }
        return b.array();
    }
}
