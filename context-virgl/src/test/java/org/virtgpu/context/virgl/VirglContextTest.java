package org.virtgpu.context.virgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

class VirglContextTest {
    private static int hdr(int cmd, int len) {
        return cmd | len << 16;
    }

    private static MemorySegment stream(int... dwords) {
        return MemorySegment.ofArray(dwords);
    }

    @Test
    void subContextBookkeepingRunsWithoutARenderer() throws GpuException {
        VirglContext c = new VirglContext(1);
        c.submit(stream(hdr(VirglContext.CCMD_CREATE_SUB_CTX, 1), 5, hdr(VirglContext.CCMD_SET_SUB_CTX, 1), 5,
                hdr(VirglContext.CCMD_NOP, 2), 0xdead, 0xbeef), 0);
        assertEquals(5, c.currentSubContext());
        c.submit(stream(hdr(VirglContext.CCMD_DESTROY_SUB_CTX, 1), 5), 0);
        assertEquals(0, c.currentSubContext());
    }

    @Test
    void aDrawIsRefusedWithUnspecAndNothingBeforeItInTheSameStreamRuns() throws GpuException {
        VirglContext c = new VirglContext(1);
        int drawVbo = 8;
        GpuException e = assertThrows(GpuException.class, () -> c.submit(stream(
                hdr(VirglContext.CCMD_CREATE_SUB_CTX, 1), 3, hdr(VirglContext.CCMD_SET_SUB_CTX, 1), 3,
                hdr(drawVbo, 0)), 0));
        assertEquals(GpuError.UNSPEC, e.error());
        assertTrue(e.getMessage().contains("GL renderer"), e.getMessage());
        // the stream was refused as a whole: sub-context 3 was never created
        GpuException e2 = assertThrows(GpuException.class,
                () -> c.submit(stream(hdr(VirglContext.CCMD_SET_SUB_CTX, 1), 3), 0));
        assertEquals(GpuError.INVALID_PARAMETER, e2.error());
    }

    @Test
    void aCommandLongerThanTheStreamIsInvalidParameter() {
        VirglContext c = new VirglContext(1);
        GpuException e = assertThrows(GpuException.class, () -> c.submit(stream(hdr(VirglContext.CCMD_NOP, 4), 1), 0));
        assertEquals(GpuError.INVALID_PARAMETER, e.error());
    }

    @Test
    void aStreamThatIsNotWholeDwordsIsInvalidParameter() {
        VirglContext c = new VirglContext(1);
        GpuException e = assertThrows(GpuException.class, () -> c.submit(MemorySegment.ofArray(new byte[6]), 0));
        assertEquals(GpuError.INVALID_PARAMETER, e.error());
    }

    @Test
    void subContextIdsOutsideTheTableAreInvalidParameter() {
        VirglContext c = new VirglContext(1);
        GpuException e = assertThrows(GpuException.class,
                () -> c.submit(stream(hdr(VirglContext.CCMD_CREATE_SUB_CTX, 1), -1), 0));
        assertEquals(GpuError.INVALID_PARAMETER, e.error());
        GpuException e2 = assertThrows(GpuException.class,
                () -> c.submit(stream(hdr(VirglContext.CCMD_DESTROY_SUB_CTX, 1), 0), 0));
        assertEquals(GpuError.INVALID_PARAMETER, e2.error());
    }

    @Test
    void submitAfterDestroyIsUnspec() {
        VirglContext c = new VirglContext(1);
        c.destroy();
        GpuException e = assertThrows(GpuException.class, () -> c.submit(stream(hdr(VirglContext.CCMD_NOP, 0)), 0));
        assertEquals(GpuError.UNSPEC, e.error());
    }
}
