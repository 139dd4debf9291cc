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
    static final int CHILDREN = Integer.parseInt(System.getenv().getOrDefault("VENUS_CHURN_CHILDREN", "20"));

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
            e.cmd(2, 0).u64(1).u64(1).u32(1).u64(1).u64(100); // vkEnumeratePhysicalDevices: bind id 100
            e.cmd(11, 1).u64(100).u64(1).u32(3).u64(0).u32(0).u32(1)
                    .u64(1).u32(2).u64(0).u32(0).u32(0).u32(1).u64(1).u32(Float.floatToIntBits(1.0f))
                    .u32(0).u64(0).u32(0).u64(0).u64(0).u64(0).u64(1).u64(200); // vkCreateDevice -> 200
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
    void contextsLeftWithLiveInstanceAndDeviceDoNotGrowTheProcess() throws Exception {
        int n = Integer.parseInt(System.getenv().getOrDefault("VENUS_CHURN_N", "400"));
        TestDeviceServices services = TestDeviceServices.withHostPage(4096);
        long t0 = System.nanoTime();
        for (int i = 0; i < WARMUP; i++) {
            oneContext(services, i + 1);
        }
        System.gc();
        long base = rssKiB();
        long peak = base;
        System.out.printf("churn: after %d warm-up contexts VmRSS %d KiB%n", WARMUP, base);
        for (int i = 1; i <= n; i++) {
            oneContext(services, WARMUP + i);
            if (i % 100 == 0) {
                long rss = rssKiB();
                peak = Math.max(peak, rss);
                System.out.printf("churn: %d contexts VmRSS %d KiB (+%d KiB, %.1f KiB/context) threads %d, %.1f s%n", i, rss,
                        rss - base, (rss - base) / (double) i, Thread.activeCount(), (System.nanoTime() - t0) / 1e9);
            }
        }
        long growth = peak - base;
        // generous: a leak of the size the fuzzer showed (~70 KiB a context) or a leaked instance/device (MiBs)
        // is far above it; allocator noise and JIT are below
        assertTrue(growth < 8 * n + 16_384, "VmRSS grew " + growth + " KiB over " + n + " contexts");
    }
}
