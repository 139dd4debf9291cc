package org.virtgpu.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.virtgpu.api.DeviceInfo;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.GuestMemory;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.core.device.DeviceComponent;
import org.virtgpu.core.device.DeviceSettings;
import org.virtgpu.core.protocol.Replies;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.protocol.VirtioGpu;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;

/**
 * The dispatcher on a 1280x800 XRGB frame, the way a Linux guest drives a plain framebuffer: TRANSFER_TO_HOST_2D of
 * the whole frame, RESOURCE_FLUSH, and the capset probe; plus a plain MemorySegment.copy of the frame's bytes between
 * two native segments as the memory-bandwidth yardstick. Throughput benchmarks report ops/s; the script turns the
 * transfer and the copy into GB/s.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Djava.util.logging.config.file=/dev/null"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class DispatcherBenchmark {
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 800;
    public static final long FRAME = (long) WIDTH * HEIGHT * 4;
    private static final long GUEST_BASE = 0x1_0000_0000L;

    private Arena arena;
    private MemorySegment guestRam;
    private MemorySegment copyDst;
    private GpuSession session;
    private List<MemorySegment> transfer;
    private List<MemorySegment> flush;
    private List<MemorySegment> capsetInfo;
    private List<MemorySegment> reply;
    private final GpuSession.Completion done = n -> { };

    /** One capset, like virgl's. */
    static final class BenchType implements ContextType {
        @Override
        public String name() {
            return "bench";
        }

        @Override
        public List<Capset> capsets() {
            return List.of(new Capset() {
                public int id() {
                    return 2;
                }

                public String name() {
                    return "virgl2";
                }

                public int maxVersion() {
                    return 2;
                }

                public int size() {
                    return 1024;
                }

                public byte[] payload(int version, HostInfo host) {
                    return new byte[1024];
                }
            });
        }

        @Override
        public PageSizePolicy pageSizePolicy() {
            return PageSizePolicy.none();
        }

        @Override
        public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
            throw GpuException.unsupported("contexts");
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        arena = Arena.ofShared();
        guestRam = arena.allocate(FRAME, 4096);
        copyDst = arena.allocate(FRAME, 4096);
        for (long i = 0; i < FRAME; i += 8) {
            guestRam.set(java.lang.foreign.ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
        }
        GuestMemory guest = (address, length) -> {
            long off = address - GUEST_BASE;
            if (off < 0 || length < 0 || off > FRAME || length > FRAME - off) {
                throw new GpuException(org.virtgpu.spi.GpuError.UNSPEC, "outside guest RAM");
            }
            return guestRam.asSlice(off, length);
        };
        DeviceComponent device = DeviceComponent.standalone(DeviceSettings.defaults());
        device.addContextType(new BenchType(), "bench");
        long features = (1L << DeviceInfo.F_VIRGL) | (1L << DeviceInfo.F_EDID) | (1L << DeviceInfo.F_RESOURCE_BLOB);
        session = device.openSession(SessionOptions.of("bench", guest, features));
        reply = List.of(arena.allocate(VirtioGpu.RESP_EDID_SIZE));
        send(Requests.resourceCreate2d(1, VirtioGpu.VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, WIDTH, HEIGHT));
        send(Requests.attachBacking(1, List.of(new Requests.Entry(GUEST_BASE, (int) FRAME))));
        send(Requests.setScanout(0, 1, 0, 0, WIDTH, HEIGHT));
        transfer = native1(Requests.transferToHost2d(1, 0, 0, WIDTH, HEIGHT, 0));
        flush = native1(Requests.resourceFlush(1, 0, 0, WIDTH, HEIGHT));
        capsetInfo = native1(Requests.getCapsetInfo(0));
        for (List<MemorySegment> r : List.of(transfer, flush)) {
            session.control(r, reply, done);
            if (Replies.type(reply.getFirst()) != VirtioGpu.VIRTIO_GPU_RESP_OK_NODATA) {
                throw new IllegalStateException("setup request failed: 0x" + Integer.toHexString(Replies.type(reply.getFirst())));
            }
        }
    }

    private List<MemorySegment> native1(byte[] request) {
        MemorySegment s = arena.allocate(request.length);
        MemorySegment.copy(MemorySegment.ofArray(request), 0, s, 0, request.length);
        return List.of(s);
    }

    private void send(byte[] request) {
        session.control(Requests.asReadable(request), reply, done);
        int type = Replies.type(reply.getFirst());
        if (type >= VirtioGpu.VIRTIO_GPU_RESP_ERR_UNSPEC) {
            throw new IllegalStateException("setup request failed: 0x" + Integer.toHexString(type));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        arena.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void transferToHost2dFrame() {
        session.control(transfer, reply, done);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void plainCopyFrame() {
        MemorySegment.copy(guestRam, 0, copyDst, 0, FRAME);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void resourceFlushFrame() {
        session.control(flush, reply, done);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void getCapsetInfo(Blackhole bh) {
        session.control(capsetInfo, reply, done);
        bh.consume(reply.getFirst().get(java.lang.foreign.ValueLayout.JAVA_INT, 24));
    }
}
