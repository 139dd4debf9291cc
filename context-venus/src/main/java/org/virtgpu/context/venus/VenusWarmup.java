package org.virtgpu.context.venus;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnCtx;
import org.virtgpu.context.venus.wire.VnObjects;
import org.virtgpu.context.venus.wire.VnProtocolException;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Memfd;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/**
 * Brings the decoder and executor up to compiled speed before the first client comes. A fresh JVM runs the generated
 * command decoders interpreted and then through several JIT tiers: measured with a context stream of 2000
 * vkCreateBuffer + 2000 vkDestroyBuffer on lavapipe, 13 us a command on the first pass, about 1 us over the next ten
 * (40k commands) and 0.2 us only after some 300k. A client that streams small commands (Mesa writes them into the
 * ring without waiting) outruns a cold server, fills the ring and then sleeps in 160 us steps.
 *
 * <p>So when the bundle activates, one background thread replays a fixed stream through a private context on the
 * host's Vulkan, as a client would send it: an instance, a device, rounds of host-visible memory allocation, blob
 * export and free, then rounds of buffer, fence and command pool creation and destruction. It runs real host calls (the executor's handle tables, the FFM downcalls and the driver
 * all take part), holds nothing afterwards (the context is destroyed), stops early when the bundle deactivates and
 * can be turned off with {@code -Dvirtgpu.venus.warmup=false}. No client sees it: it is not a core session.
 */
final class VenusWarmup {
    static final boolean ENABLED = !"false".equals(System.getProperty("virtgpu.venus.warmup"));
    /** rounds of {@link #BUFFERS} buffers (created, then destroyed) plus fences and command pools */
    static final int ROUNDS = Integer.getInteger("virtgpu.venus.warmupRounds", 80);
    static final int BUFFERS = 2000;
    /** commands per submit */
    static final int BATCH = 250;
    /** fresh object tables filled with {@link #BUFFERS} buffers and emptied again (see {@link #growTables}) */
    static final int TABLE_ROUNDS = 60;
    /** command types covered by {@link #touchEveryCommand} (Venus command types are below 512) */
    static final int COMMAND_TYPES = 512;
    /** rounds of {@link #touchEveryCommand} */
    static final int TOUCHES = 10;
    /** rounds of {@link #MEMORIES} host-visible allocations (see {@link #memoryRounds}) */
    static final int MEMORY_ROUNDS = Integer.getInteger("virtgpu.venus.warmupMemoryRounds", 24);
    static final int MEMORIES = 32;
    private static final long INSTANCE = 1;
    private static final long PHYSICAL = 2;
    private static final long DEVICE = 3;
    private static final long MEMORY = 300_000;

    private VenusWarmup() {
    }

    /** @return the number of commands replayed (0 when the host has no Vulkan or the stream was refused) */
    static long run(int rounds, BooleanSupplier stop) {
        long t0 = System.nanoTime();
        VenusContext ctx = new VenusContext(new ContextSpec(0, VenusCapset.ID, "warm-up", (r, f) -> { }), new Services());
        long commands = 0;
        try (Arena arena = Arena.ofConfined()) {
            touchEveryCommand(ctx, arena);
            ctx.submit(setup(arena), 0);
            commands += memoryRounds(ctx, arena, MEMORY_ROUNDS, stop);
            MemorySegment[] batches = round(arena);
            for (int i = 0; i < rounds && !stop.getAsBoolean(); i++) {
                for (MemorySegment batch : batches) {
                    if (stop.getAsBoolean()) {
                        break;
                    }
                    ctx.submit(batch, 0);
                    commands += BATCH;
                }
            }
        } catch (GpuException | RuntimeException e) {
            VenusContext.LOG.log(System.Logger.Level.DEBUG, "venus: warm-up ended early: " + e);
        } finally {
            ctx.destroy();
        }
        growTables(TABLE_ROUNDS, stop);
        VenusContext.LOG.log(System.Logger.Level.INFO, String.format("venus: warm-up replayed %d commands in %d ms",
                commands, (System.nanoTime() - t0) / 1_000_000));
        return commands;
    }

    /**
     * Runs every command type through {@link VenusContext#dispatch} (a switch over the MESA commands, then the
     * generated decoder table) {@value #TOUCHES} times with no arguments: each ends in a protocol error at its first
     * argument, before any host call. HotSpot compiles a switch with only the cases its profile has seen and
     * deoptimizes the method when another comes; the replay below sends a handful of types and a real client some
     * sixty, so each fresh server's first client deoptimized the dispatch and the second paid for compiling it again
     * (70 ms of C2 time in client 2, {@code -XX:+LogCompilation}, when the generated dispatch was a switch too). Every
     * case seen once or more is compiled as an ordinary branch. Measured over the first twelve clients of a fresh
     * server (with the generated switch): compiling in clients 2-5 took 595 ms instead of 714, and the unstable-if
     * deoptimizations of both switches were gone; the first clients' steps stayed within this machine's noise
     * (fc.sh-style restarts, 16 clients per side).
     */
    static int touchEveryCommand(VenusContext ctx, Arena arena) {
        MemorySegment header = arena.allocate(8, 8);
        VnCtx s = ctx.executor().newStream();
        try {
            return touch(ctx, s, header);
        } finally {
            s.close();
        }
    }

    /** @return how many touches ended other than in a protocol error (none expected) */
    private static int touch(VenusContext ctx, VnCtx s, MemorySegment header) {
        int odd = 0;
        for (int round = 0; round < TOUCHES; round++) {
            for (int type = 0; type < COMMAND_TYPES; type++) {
                header.set(ValueLayout.JAVA_INT, 0, type);
                header.set(ValueLayout.JAVA_INT, 4, 0);
                s.input(header);
                try {
                    ctx.dispatch(s, null);
                    odd++; // a command without arguments went through
                } catch (VnProtocolException expected) {
                    // the point: no arguments
                } catch (Throwable t) {
                    odd++;
                    VenusContext.LOG.log(System.Logger.Level.DEBUG, "venus: warm-up touch of command " + type + ": " + t);
                }
            }
        }
        return odd;
    }

    /**
     * A context's object tables start small and double as its client creates objects: a few times per table per
     * context, too rarely for HotSpot to compile the growth path while the replay above runs in one context. In the
     * second client of a fresh server, growing the tables was 37% of the ring thread's time in vkCreateBuffer and
     * vkDestroyBuffer (async-profiler). So fresh tables are filled as a client's first 2000 buffers fill them, then
     * emptied (host handles are made up: no driver is called).
     */
    static void growTables(int rounds, BooleanSupplier stop) {
        for (int r = 0; r < rounds && !stop.getAsBoolean(); r++) {
            VnObjects o = new VnObjects(VnInfo.HANDLE_TYPES, VnInfo.H_VkDevice);
            long device = 0x10000;
            o.bind(VnInfo.H_VkDevice, DEVICE, device);
            for (int i = 0; i < BUFFERS; i++) {
                o.bind(VnInfo.H_VkBuffer, 1000 + i, 0x7f0000000000L + i * 256L, VnInfo.H_VkDevice, device);
            }
            for (int i = 0; i < BUFFERS; i++) {
                o.unbindHost(VnInfo.H_VkBuffer, 0x7f0000000000L + i * 256L);
            }
        }
    }

    /** vkCreateInstance, vkEnumeratePhysicalDevices (the first device), vkCreateDevice with one queue of family 0 */
    private static MemorySegment setup(Arena arena) {
        Enc e = new Enc(512);
        // VkInstanceCreateInfo {sType 1, pNext NULL, flags 0, pApplicationInfo NULL, no layers, no extensions}
        e.cmd(0).u64(1).u32(1).u64(0).u32(0).u64(0).u32(0).u64(0).u32(0).u64(0).u64(0).u64(1).u64(INSTANCE);
        // vkEnumeratePhysicalDevices(instance, count 1, [id])
        e.cmd(2).u64(INSTANCE).u64(1).u32(1).u64(1).u64(PHYSICAL);
        // VkDeviceCreateInfo {sType 3, one VkDeviceQueueCreateInfo {sType 2, family 0, 1 queue, priority 1.0}}
        e.cmd(11).u64(PHYSICAL).u64(1).u32(3).u64(0).u32(0).u32(1)
                .u64(1).u32(2).u64(0).u32(0).u32(0).u32(1).u64(1).u32(Float.floatToIntBits(1.0f))
                .u32(0).u64(0).u32(0).u64(0).u64(0).u64(0).u64(1).u64(DEVICE);
        return e.segment(arena);
    }

    /**
     * Host-visible memory as a client allocates, exports and frees it: vkAllocateMemory (a memfd, our mapping, the
     * import into the host driver), the blob export, vkFreeMemory (the retire). Each client does this a handful of
     * times, so a fresh server ran it interpreted for its first hundred-odd clients: measured, a client's 64 MiB
     * allocation spent 60-270 us in memfd creation and mapping after twelve clients (7-10 us once compiled), and
     * map_64mib without the buffer churn ({@code VKCLIENT_BUFFERS=0}) took 0.53-1.79 ms against virglrenderer's
     * 0.27-0.54, 0.21-0.51 after 150 clients. Rounds alternate between a size not allocated before (fresh mappings)
     * and the previous round's size (the retired placeholders are reused); at most {@link #MEMORIES} small
     * allocations are held at a time.
     *
     * @return the number of commands replayed
     */
    static long memoryRounds(VenusContext ctx, Arena arena, int rounds, BooleanSupplier stop) throws GpuException {
        int type = ctx.executor().importedMemoryType(DEVICE);
        if (type < 0) {
            return 0; // the host cannot import host memory: nothing of this path runs for clients either
        }
        long commands = 0;
        for (int r = 0; r < rounds && !stop.getAsBoolean(); r++) {
            long size = 4096L * (1 + r / 2);
            Enc alloc = new Enc(MEMORIES * 80);
            for (int i = 0; i < MEMORIES; i++) {
                // vkAllocateMemory(device, {sType 5, size, type}, NULL, id)
                alloc.cmd(21).u64(DEVICE).u64(1).u32(5).u64(0).u64(size).u32(type).u64(0).u64(1).u64(MEMORY + i);
            }
            ctx.submit(alloc.segment(arena), 0);
            int exported = 0;
            try {
                for (; exported < MEMORIES; exported++) {
                    ctx.createBlob(new BlobRequest(1 + exported, BlobRequest.BLOB_MEM_HOST3D,
                            BlobRequest.FLAG_MAPPABLE, MEMORY + exported, size)).release();
                }
            } catch (GpuException e) {
                // the host refused an allocation (out of memory): free the ones before it, skip the rest
                VenusContext.LOG.log(System.Logger.Level.DEBUG, "venus: warm-up memory rounds end: " + e.getMessage());
            }
            Enc free = new Enc(MEMORIES * 32);
            for (int i = 0; i < exported; i++) {
                free.cmd(22).u64(DEVICE).u64(MEMORY + i).u64(0); // vkFreeMemory(device, id, NULL)
            }
            ctx.submit(free.segment(arena), 0);
            commands += MEMORIES + exported;
            if (exported < MEMORIES) {
                break;
            }
        }
        return commands;
    }

    /** One round in batches of {@link #BATCH} commands (so that a deactivation stops it within milliseconds). */
    private static MemorySegment[] round(Arena arena) {
        MemorySegment[] out = new MemorySegment[2 * BUFFERS / BATCH + 1];
        int n = 0;
        for (int first = 0; first < BUFFERS; first += BATCH) {
            Enc e = new Enc(BATCH * 120);
            for (int i = first; i < first + BATCH; i++) {
                // vkCreateBuffer(device, {sType 12, 64 KiB, STORAGE_BUFFER, exclusive}, NULL, id)
                e.cmd(50).u64(DEVICE).u64(1).u32(12).u64(0).u32(0).u64(65536).u32(0x20).u32(0).u32(0).u64(0).u64(0)
                        .u64(1).u64(1000 + i);
            }
            out[n++] = e.segment(arena);
        }
        for (int first = 0; first < BUFFERS; first += BATCH) {
            Enc e = new Enc(BATCH * 40);
            for (int i = first; i < first + BATCH; i++) {
                e.cmd(51).u64(DEVICE).u64(1000 + i).u64(0); // vkDestroyBuffer
            }
            out[n++] = e.segment(arena);
        }
        Enc e = new Enc(BATCH * 80);
        for (int i = 0; i < BATCH / 4; i++) {
            e.cmd(35).u64(DEVICE).u64(1).u32(8).u64(0).u32(1).u64(0).u64(1).u64(100_000 + i); // vkCreateFence
            e.cmd(85).u64(DEVICE).u64(1).u32(39).u64(0).u32(0).u32(0).u64(0).u64(1).u64(200_000 + i); // vkCreateCommandPool
        }
        for (int i = 0; i < BATCH / 4; i++) {
            e.cmd(36).u64(DEVICE).u64(100_000 + i).u64(0); // vkDestroyFence
            e.cmd(86).u64(DEVICE).u64(200_000 + i).u64(0); // vkDestroyCommandPool
        }
        out[n] = e.segment(arena);
        return out;
    }

    /** Little-endian command stream writer; command flags 0 (no replies: the warm-up reads nothing back). */
    private static final class Enc {
        private final ByteBuffer b;

        Enc(int capacity) {
            b = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        }

        Enc cmd(int type) {
            return u32(type).u32(0);
        }

        Enc u32(int v) {
            b.putInt(v);
            return this;
        }

        Enc u64(long v) {
            b.putLong(v);
            return this;
        }

        MemorySegment segment(Arena arena) {
            MemorySegment s = arena.allocate(b.position(), 8);
            MemorySegment.copy(MemorySegment.ofArray(b.array()), 0, s, 0, b.position());
            return s;
        }
    }

    /**
     * The private context's view of the core: no resources; shared memory is a sealed memfd mapped into its own
     * shared arena, as the core makes it (see {@link #memoryRounds}).
     */
    private static final class Services implements DeviceServices {
        @Override
        public HostInfo host() {
            return new HostInfo(4096, 4096, 0);
        }

        @Override
        public SharedMemory allocate(String name, long size) throws GpuException {
            try {
                return new Memory(host().roundUpToPage(size));
            } catch (NativeException e) {
                throw GpuException.outOfMemory("venus warm-up: " + e.getMessage());
            }
        }

        @Override
        public Optional<ResourceView> resource(int resourceId) {
            return Optional.empty();
        }
    }

    /** Shared memory of the warm-up, mapped like the core's; unmapped and closed on the last release. */
    private static final class Memory implements SharedMemory {
        private final int fd;
        private final MemorySegment segment;
        private final AtomicInteger refs = new AtomicInteger(1);

        Memory(long size) throws NativeException {
            fd = Memfd.createSealed("virtgpu:venus-warm-up", size);
            try {
                segment = Mman.mapShared(fd, 0, size, Arena.global());
            } catch (NativeException | RuntimeException e) {
                Fds.closeQuietly(fd);
                throw e;
            }
        }

        @Override
        public MemorySegment segment() {
            return segment;
        }

        @Override
        public long size() {
            return segment.byteSize();
        }

        @Override
        public int fd() {
            return fd;
        }

        @Override
        public SharedMemory retain() {
            refs.incrementAndGet();
            return this;
        }

        @Override
        public void release() {
            if (refs.decrementAndGet() == 0) {
                try {
                    Mman.unmap(segment.address(), segment.byteSize());
                } catch (NativeException e) {
                    VenusContext.LOG.log(System.Logger.Level.DEBUG, "venus: warm-up munmap: " + e.getMessage());
                }
                Fds.closeQuietly(fd);
            }
        }
    }
}
