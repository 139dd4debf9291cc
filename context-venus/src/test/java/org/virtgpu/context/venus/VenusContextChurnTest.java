package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.virtgpu.context.venus.VenusContextLavapipeTest.Enc;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;
import org.virtgpu.spi.testkit.TestDeviceServices;

/**
 * A hostile client opening and closing Venus contexts in a loop, each time leaving an instance and a device alive
 * for {@code destroy()} to free, must not grow the host process without bound (fuzzing finding: 17 GB RSS after
 * 247k fuzz runs). {@code VENUS_CHURN_N=5000} in the environment makes the loop longer for measuring; it prints
 * VmRSS every 100 contexts either way.
 */
class VenusContextChurnTest {
    static final int WARMUP = 60;
    /** buffers, fences and command pools per context the client leaves alive */
    static final int CHILDREN = Integer.parseInt(System.getenv().getOrDefault("VENUS_CHURN_CHILDREN", "200"));

    /** struct mallinfo2 (glibc >= 2.33): ten size_t; hblkhd (mmapped bytes) @32, uordblks (in-use bytes) @56 */
    private static final java.lang.invoke.MethodHandle MALLINFO2 = java.lang.foreign.Linker.nativeLinker().downcallHandle(
            java.lang.foreign.Linker.nativeLinker().defaultLookup().find("mallinfo2").orElseThrow(),
            java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.MemoryLayout.structLayout(
                    java.lang.foreign.MemoryLayout.sequenceLayout(10, java.lang.foreign.ValueLayout.JAVA_LONG))));

    /**
     * Bytes the C heap has handed out (all arenas): where the host driver's objects live, without the Java heap,
     * whose growth and shrinking would hide a leak of this size in VmRSS.
     */
    static long mallocKiB() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            java.lang.foreign.MemorySegment info = (java.lang.foreign.MemorySegment) MALLINFO2.invokeExact(
                    (java.lang.foreign.SegmentAllocator) a);
            return (info.get(java.lang.foreign.ValueLayout.JAVA_LONG, 32) + info.get(java.lang.foreign.ValueLayout.JAVA_LONG, 56)) / 1024;
        }
    }

    static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    /** One context: reply stream, instance 1, physical device 100, device 200 with one queue; never destroyed by the client. */
    static void oneContext(TestDeviceServices services, int ctxId) throws GpuException {
        GpuContext ctx = new VenusContextType().createContext(new ContextSpec(ctxId, 4, "churn", (r, f) -> { }), services);
        try (Arena arena = Arena.ofConfined()) {
            SharedMemory reply = ctx.createBlob(new BlobRequest(1, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, 0, 65536));
            Enc e = new Enc().setReply(1, 0, 65536);
            VenusContextLavapipeTest.createInstance(e, 1);
            VenusContextLavapipeTest.createDevice(e, 1);
            for (int i = 0; i < CHILDREN; i++) {
                // vkCreateBuffer(200, {64 KiB, TRANSFER_SRC, exclusive}, NULL, 1000 + i)
                e.cmd(50, 0).u64(200).u64(1).u32(12).u64(0).u32(0).u64(65536).u32(1).u32(0).u32(0).u64(0).u64(0)
                        .u64(1).u64(1000 + i);
                // vkCreateFence(200, {signalled}, NULL, 2000 + i)
                e.cmd(35, 0).u64(200).u64(1).u32(8).u64(0).u32(1).u64(0).u64(1).u64(2000 + i);
                // vkCreateCommandPool(200, {family 0}, NULL, 3000 + i)
                e.cmd(85, 0).u64(200).u64(1).u32(39).u64(0).u32(0).u32(0).u64(0).u64(1).u64(3000 + i);
            }
            ctx.submit(e.segment(arena), 0);
            assertEquals(0, reply.segment().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4), "vkCreateInstance");
            reply.release();
        } finally {
            ctx.destroy();
        }
    }

    @Test
    void contextsLeftWithLiveInstanceAndDeviceDoNotGrowTheProcess() throws Throwable {
        int n = Integer.parseInt(System.getenv().getOrDefault("VENUS_CHURN_N", "250"));
        TestDeviceServices services = TestDeviceServices.withHostPage(4096);
        long t0 = System.nanoTime();
        for (int i = 0; i < WARMUP; i++) {
            oneContext(services, i + 1);
        }
        long base = rssKiB();
        long mallocBase = mallocKiB();
        System.out.printf("churn: after %d warm-up contexts VmRSS %d KiB, malloc in use %d KiB%n", WARMUP, base, mallocBase);
        for (int i = 1; i <= n; i++) {
            oneContext(services, WARMUP + i);
            if (i % 100 == 0 || i == n) {
                long rss = rssKiB();
                long malloc = mallocKiB();
                System.out.printf("churn: %d contexts VmRSS %d KiB (%+d), malloc in use %d KiB (%+d, %.1f KiB/context),"
                        + " threads %d, %.1f s%n", i, rss, rss - base, malloc, malloc - mallocBase,
                        (malloc - mallocBase) / (double) i, Thread.activeCount(), (System.nanoTime() - t0) / 1e9);
            }
        }
        long growth = mallocKiB() - mallocBase;
        // before destroy() freed the children lavapipe leaked ~1 KiB per object (over 50 MiB here); the JVM's own
        // malloc use (JIT, code cache) moves by about 10 MiB either way
        assertTrue(growth < 20 * 1024, "C heap grew " + growth + " KiB over " + n + " contexts");
    }
}
