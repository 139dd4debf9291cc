package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.extension.ExtendWith;
import org.virtgpu.context.venus.VenusContextLavapipeTest.Enc;
import org.virtgpu.core.testing.FuzzSupport;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * Coverage-guided fuzzing of the Venus decoder (generated from vk.xml by tools/venus-gen) and the executor on
 * lavapipe: a context stream of a reply-stream command, usually a valid vkCreateInstance, then fuzzed commands
 * (known command types with fuzzed arguments, pointers, counts, sTypes and handles) goes to
 * {@link GpuContext#submit}.
 *
 * <p>Invariants: {@code submit} returns or throws a protocol error (INVALID_PARAMETER from a VnProtocolException);
 * never the catch-all "venus command failed" (an unexpected exception inside the decoder or executor), never a JVM
 * crash (a host Vulkan call with a garbage handle or pointer would crash lavapipe: every handle must come from the
 * context's object table).
 */
@ExtendWith(FuzzSupport.class)
class VenusDecoderFuzzTest {
    /** vkWaitVirtqueueSeqnoMESA / vkWaitRingSeqnoMESA block by design until another party advances a seqno. */
    private static final int FIRST_BLOCKING = 252;

    @FuzzTest(maxDuration = "60s")
    void hostileCommandStreamsEndInAProtocolErrorNeverACrash(FuzzedDataProvider d) throws Exception {
        GpuContext ctx = new VenusContextType().createContext(new ContextSpec(1, 4, "fuzz", (r, f) -> { }),
                new VenusContextLavapipeTest.Services());
        try (Arena arena = Arena.ofConfined()) {
            ctx.createBlob(new BlobRequest(1, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, 0, 65536));
            for (int batch = d.consumeInt(1, 3); batch > 0 && d.remainingBytes() > 0; batch--) {
                Enc e = new Enc();
                if (d.consumeInt(0, 7) != 0) {
                    e.setReply(1, d.consumeBoolean() ? 0 : d.consumeLong(), d.consumeBoolean() ? 65536 : d.consumeLong());
                }
                if (d.consumeInt(0, 3) != 0) {
                    VenusContextLavapipeTest.createInstance(e, d.consumeLong(1, 3));
                    if (d.consumeBoolean()) {
                        // physical device 100, device 200, then a command pool 300, a timeline semaphore 602, a
                        // private data slot 700 and a command buffer 400 whose ids the commands below may name, so
                        // that fuzzed arguments reach the host driver and not just the object table
                        VenusContextLavapipeTest.createDevice(e, 0);
                        e.cmd(85, 0).u64(200).u64(1).u32(39).u64(0).u32(0).u32(0).u64(0).u64(1).u64(300);
                        e.cmd(40, 0).u64(200).u64(1).u32(9).u64(1).u32(VenusExecutor.STYPE_SEMAPHORE_TYPE_CREATE_INFO)
                                .u64(0).u32(VenusExecutor.VK_SEMAPHORE_TYPE_TIMELINE).u64(0).u32(0).u64(0).u64(1).u64(602);
                        e.cmd(197, 0).u64(200).u64(1).u32(1000295002).u64(0).u32(0).u64(0).u64(1).u64(700);
                        // a primary command buffer 400 of pool 300, begun, so that fuzzed vkCmd* commands are recorded
                        e.cmd(88, 0).u64(200).u64(1).u32(40).u64(0).u64(300).u32(0).u32(1).u64(1).u64(400);
                        e.cmd(90, 0).u64(400).u64(1).u32(42).u64(0).u32(0).u64(0);
                    }
                }
                for (int n = d.consumeInt(0, 6); n > 0; n--) {
                    int type = d.consumeBoolean() ? d.consumeInt(0, FIRST_BLOCKING - 1) : d.consumeInt(FIRST_BLOCKING + 2, 400);
                    e.cmd(type, d.consumeInt(0, 3));
                    for (int w = d.consumeInt(0, 24); w > 0; w--) {
                        switch (d.consumeInt(0, 5)) {
                            case 0 -> e.u64(d.consumeLong(0, 4)); // pointer markers, counts, small handles
                            case 5 -> e.u64(d.pickValue(new long[] {100, 200, 300, 400, 602, 700})); // the ids above
                            case 1 -> e.u32(d.consumeInt(0, 3));
                            case 2 -> e.u32(d.pickValue(new int[] {1, 2, 3, 5, 12, 28, 1000384000, 1000384004, -1}));
                            case 3 -> e.u64(d.consumeLong());
                            default -> e.u32(d.consumeInt());
                        }
                    }
                }
                try {
                    ctx.submit(e.segment(arena), 0);
                } catch (GpuException ex) {
                    assertEquals(GpuError.INVALID_PARAMETER, ex.error(), "not a protocol error: " + ex.getMessage());
                }
            }
        } finally {
            ctx.destroy();
        }
    }
}
