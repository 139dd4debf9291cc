package org.virtgpu.core.transport.vtest;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.device.RateLimitedLog;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.UnixSockets;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;
import org.virtgpu.spi.SharedMemory;

/**
 * Brings the vtest request path up to compiled speed before the first client comes, for every context type alike.
 * <p>
 * A Venus client sends some 55 vtest messages in all (a bench client: 36 SUBMIT_CMD2, 9 RESOURCE_CREATE_BLOB, 9
 * RESOURCE_UNREF and its handshake), mostly when it wakes an idle ring (vkNotifyRingMESA), waits for one
 * (vkWaitRingSeqnoMESA) or maps memory. At that rate a fresh server runs this path, which crosses the transport's
 * framing, the control channel and the device model's request decoder and session, interpreted for its first
 * hundred-odd clients: measured in session 9 of issue 6 (docs/venus-performance.md), a round trip after an idle pause went
 * from a mean of 626 us to 440 once 12,000 more notifies had run.
 * <p>
 * So when the server starts listening, one background thread drives a private {@link VtestConnection} over a
 * socketpair as a client would: handshake, capset and context, then rounds of host blob creation, unfenced and
 * fenced SUBMIT_CMD2, sync reads and unrefs. The connection's device is a private standalone
 * {@link DeviceComponent} that serves only a no-op context type of this class ({@link #CAPSET}), so no context
 * bundle takes part, no client sees it, and nothing of it outlives the run: closing the socket frees the session as
 * for any client. It stops early when the server stops; {@code warmupRounds} 0 turns it off.
 */
final class VtestWarmup {
    private static final System.Logger LOG = System.getLogger(VtestWarmup.class.getName());
    /** The no-op type's capset id: the highest a guest's capset mask can name, served only by the private device. */
    static final int CAPSET = 63;
    private static final int CAPSET_SIZE = 16;
    private static final int BLOB_BYTES = 4096;
    /** A notify-sized command stream (vkNotifyRingMESA is 4 dwords with its header); the no-op context ignores it. */
    private static final int[] STREAM = {0, 0, 0, 0};
    private static final int[] NO_SYNCS = {};
    private static final long[] NO_VALUES = {};

    /** What a run did, for the log and the tests. */
    record Result(int rounds, long messages, long nanos, String failure) {
    }

    private VtestWarmup() {
    }

    /**
     * Runs up to {@code rounds} rounds on the calling thread (its connection on a second one) and waits for the
     * private connection to free its session.
     */
    static Result run(int rounds, VtestConfig config, BooleanSupplier stop) {
        long t0 = System.nanoTime();
        DeviceComponent device = DeviceComponent.standalone(DeviceSettings.defaults());
        if (!device.registry().add(new NoopType(), "vtest warm-up")) {
            return new Result(0, 0, System.nanoTime() - t0, "the private device refused the no-op context type");
        }
        int[] pair;
        try {
            pair = UnixSockets.socketpair();
        } catch (NativeException e) {
            return new Result(0, 0, System.nanoTime() - t0, "socketpair: " + e.getMessage());
        }
        VtestConnection connection = new VtestConnection(0, pair[0], device, config, VtestObserver.NONE,
                new RateLimitedLog("vtest warm-up ", 1), () -> { });
        Thread server = Thread.ofPlatform().daemon().name("vtest-warmup-connection").start(connection);
        int done = 0;
        long messages = 0;
        String failure = null;
        try (VtestClient c = new VtestClient(pair[1])) {
            messages += open(c);
            int sync = c.syncCreate(0);
            messages++;
            while (done < rounds && !stop.getAsBoolean()) {
                messages += round(c, sync, done + 1);
                done++;
            }
        } catch (NativeException | RuntimeException e) {
            failure = e.toString();
        }
        try {
            server.join(); // the client's socket is closed: the connection reads EOF and frees its session
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Result(done, messages, System.nanoTime() - t0, failure);
    }

    /** Starts {@link #run} of the configured {@code warmupRounds} on a daemon thread that logs its result. */
    static Thread start(VtestConfig config, BooleanSupplier stop) {
        return Thread.ofPlatform().daemon().name("vtest-warmup").start(() -> {
            Result r = run(config.warmupRounds(), config, stop);
            if (r.failure() != null) {
                LOG.log(Level.WARNING, "vtest warm-up ended early after {0} rounds: {1}", r.rounds(), r.failure());
            }
            LOG.log(Level.INFO, String.format("vtest warm-up ran %d messages in %d ms", r.messages(),
                    r.nanos() / 1_000_000));
        });
    }

    /** Mesa's bring-up: handshake, the timeline parameter, the capset, the context. */
    private static int open(VtestClient c) throws NativeException {
        if (c.handshake("vtest warm-up") != VtestProtocol.VTEST_PROTOCOL_VERSION) {
            throw new IllegalStateException("the warm-up connection did not agree on protocol version 3");
        }
        c.sendDwords(1, VtestProtocol.VCMD_GET_PARAM, VtestProtocol.VCMD_PARAM_MAX_TIMELINE_COUNT);
        c.reply(VtestProtocol.VCMD_GET_PARAM);
        c.sendDwords(2, VtestProtocol.VCMD_GET_CAPSET, CAPSET, 0);
        c.reply(VtestProtocol.VCMD_GET_CAPSET);
        c.sendDwords(1, VtestProtocol.VCMD_CONTEXT_INIT, CAPSET);
        return 7;
    }

    /**
     * One round, in the proportions of a Venus client: a host blob created (its fd received and closed), four
     * unfenced submits, one fenced on ring 0 that signals the sync, the sync read back, the blob unreferenced.
     *
     * @return the messages sent
     */
    private static int round(VtestClient c, int sync, long n) throws NativeException {
        VtestClient.Blob b = c.createBlob(BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, BLOB_BYTES, n);
        Fds.closeQuietly(b.fd());
        for (int i = 0; i < 4; i++) {
            c.submitCmd2(0, 0, STREAM, NO_SYNCS, NO_VALUES);
        }
        c.submitCmd2(VtestProtocol.VCMD_SUBMIT_CMD2_FLAG_RING_IDX, 0, STREAM, new int[] {sync}, new long[] {n});
        if (c.syncRead(sync) != n) {
            throw new IllegalStateException("the fenced submit of round " + n + " did not signal its sync");
        }
        c.unref(b.resId());
        return 8;
    }

    /** Serves {@link #CAPSET} with contexts that do nothing but what the core asks of every context. */
    private static final class NoopType implements ContextType {
        private static final Capset CAPSET_INFO = new Capset() {
            @Override
            public int id() {
                return CAPSET;
            }

            @Override
            public String name() {
                return "vtest-warm-up";
            }

            @Override
            public int maxVersion() {
                return 0;
            }

            @Override
            public int size() {
                return CAPSET_SIZE;
            }

            @Override
            public byte[] payload(int version, HostInfo host) {
                return new byte[CAPSET_SIZE];
            }
        };

        @Override
        public String name() {
            return "vtest-warm-up";
        }

        @Override
        public List<Capset> capsets() {
            return List.of(CAPSET_INFO);
        }

        @Override
        public PageSizePolicy pageSizePolicy() {
            return PageSizePolicy.none();
        }

        @Override
        public GpuContext createContext(ContextSpec spec, DeviceServices services) {
            return new GpuContext() {
                @Override
                public void submit(MemorySegment commands, int ringIdx) {
                    // nothing to run: the transport's and the device's work is the point
                }

                @Override
                public boolean createFence(int ringIdx, long fenceId) {
                    spec.fences().signal(ringIdx, fenceId); // through the sink, as a context's own thread would
                    return false;
                }

                @Override
                public SharedMemory createBlob(BlobRequest request) throws GpuException {
                    return services.allocate("vtest-warm-up", request.size());
                }

                @Override
                public void destroy() {
                }
            };
        }
    }
}
