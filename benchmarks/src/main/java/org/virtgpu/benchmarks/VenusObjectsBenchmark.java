package org.virtgpu.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnCtx;
import org.virtgpu.context.venus.wire.VnObjects;

/**
 * The Venus context's object table under the calls the ring makes for e2e/venus/vkclient's buffers_2000 step (2000
 * vkCreateBuffer, then 2000 vkDestroyBuffer): each create binds a buffer under its device and keeps its size with
 * it; each destroy resolves the command's device and the buffer (with the same-device check) and unbinds it. A
 * separate benchmark times a lookup alone (a handle parameter of any decoded command). No Vulkan is loaded: host
 * handles are plain numbers shaped like a driver's pointers.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VenusObjectsBenchmark {
    static final int BUFFERS = 2000;
    static final int DEVICE = VnInfo.H_VkDevice;
    static final int BUFFER = VnInfo.H_VkBuffer;
    static final long DEVICE_ID = 3;
    static final long DEVICE_HOST = 0x7f12_3400_0000L;

    private VnObjects objects;
    private VnCtx ctx;
    private final long[] ids = new long[BUFFERS];
    private final long[] hosts = new long[BUFFERS];

    /** sizes a table grew to with 2000 buffers, as a context type keeps them for its next contexts */
    private final VnObjects.Sizes grown = new VnObjects.Sizes(VnInfo.HANDLE_TYPES);

    @Setup
    public void setup() {
        objects = table(new VnObjects.Sizes(VnInfo.HANDLE_TYPES));
        ctx = new VnCtx(objects, (device, type) -> 0);
        for (int i = 0; i < BUFFERS; i++) {
            ids[i] = 100 + i;
            hosts[i] = 0x7f12_5000_0000L + 0x140L * i; // malloc'd driver objects, 320 bytes apart
        }
        VnObjects first = table(grown);
        for (int i = 0; i < BUFFERS; i++) {
            first.bind(BUFFER, ids[i], hosts[i], DEVICE, DEVICE_HOST);
        }
    }

    /** A context's table with its instance, physical device and device bound. */
    private static VnObjects table(VnObjects.Sizes sizes) {
        VnObjects o = new VnObjects(VnInfo.HANDLE_TYPES, DEVICE, sizes);
        o.bind(VnInfo.H_VkInstance, 1, 0x7f12_1000_0000L);
        o.bind(VnInfo.H_VkPhysicalDevice, 2, 0x7f12_2000_0000L, VnInfo.H_VkInstance, 0x7f12_1000_0000L);
        o.bind(DEVICE, DEVICE_ID, DEVICE_HOST, VnInfo.H_VkPhysicalDevice, 0x7f12_2000_0000L);
        return o;
    }

    /**
     * A new context's first buffers_2000 step, its table starting at 16 entries a map (as every context did before
     * session 18; microseconds per step, the table's creation included).
     */
    @Benchmark
    public int freshChurn2000() {
        return firstChurn(new VnObjects.Sizes(VnInfo.HANDLE_TYPES));
    }

    /** The same with the table starting at the sizes an earlier context's 2000 buffers grew it to. */
    @Benchmark
    public int freshChurn2000Sized() {
        return firstChurn(grown);
    }

    /** churn2000's table calls on a new table (straight on it: a stream's own set-up would dominate the time) */
    private int firstChurn(VnObjects.Sizes sizes) {
        VnObjects fresh = table(sizes);
        for (int i = 0; i < BUFFERS; i++) {
            fresh.host(DEVICE, DEVICE_ID);
            fresh.bind(BUFFER, ids[i], hosts[i], DEVICE, DEVICE_HOST);
            fresh.extra(BUFFER, hosts[i], 65536);
        }
        for (int i = 0; i < BUFFERS; i++) {
            fresh.host(DEVICE, DEVICE_ID);
            fresh.unbindHost(BUFFER, fresh.host(BUFFER, ids[i]));
        }
        return fresh.count();
    }

    /** One buffers_2000 step: 2000 creates, then 2000 destroys (microseconds per step). */
    @Benchmark
    public int churn2000() {
        for (int i = 0; i < BUFFERS; i++) {
            ctx.dispatch(DEVICE, DEVICE_ID);
            ctx.bind(BUFFER, ids[i], hosts[i], DEVICE, DEVICE_HOST);
            objects.extra(BUFFER, hosts[i], 65536);
            ctx.endCommand();
        }
        for (int i = 0; i < BUFFERS; i++) {
            ctx.dispatch(DEVICE, DEVICE_ID);
            long h = ctx.host(BUFFER, ids[i], true);
            ctx.unbind(BUFFER, h);
            ctx.endCommand();
        }
        return objects.count();
    }

    /** The table of {@link VenusObjectsBenchmark} with its 2000 buffers bound (for the lookups). */
    @State(Scope.Thread)
    public static class Live {
        final VenusObjectsBenchmark table = new VenusObjectsBenchmark();

        @Setup
        public void setup() {
            table.setup();
            for (int i = 0; i < BUFFERS; i++) {
                table.objects.bind(BUFFER, table.ids[i], table.hosts[i], DEVICE, DEVICE_HOST);
            }
        }
    }

    /** 2000 checked lookups of live buffers on their device (microseconds per 2000). */
    @Benchmark
    public void lookup2000(Live live, Blackhole bh) {
        VenusObjectsBenchmark t = live.table;
        t.ctx.dispatch(DEVICE, DEVICE_ID);
        for (int i = 0; i < BUFFERS; i++) {
            bh.consume(t.ctx.hostValid(BUFFER, t.ids[i]));
        }
        t.ctx.endCommand();
    }
}
