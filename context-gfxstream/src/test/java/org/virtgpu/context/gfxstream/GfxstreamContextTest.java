package org.virtgpu.context.gfxstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.SharedMemory;
import org.virtgpu.spi.testkit.TestDeviceServices;

class GfxstreamContextTest {
    private static GpuContext context(TestDeviceServices s) throws GpuException {
        return new GfxstreamContextType().createContext(new ContextSpec(1, 3, "t", (r, f) -> { }), s);
    }

    @ParameterizedTest(name = "host page {0}")
    @ValueSource(ints = {4096, 16384, 65536})
    void theAsgBlobAGuestSizesFromTheCapsetIsAllocatedAndWritable(int page) throws GpuException {
        TestDeviceServices s = TestDeviceServices.withHostPage(page);
        GpuContext c = context(s);
        long size = GfxstreamCapset.asgBlobSize(page);
        SharedMemory m = c.createBlob(new BlobRequest(10, BlobRequest.BLOB_MEM_HOST3D, BlobRequest.FLAG_MAPPABLE, 0, size));
        assertEquals(size, m.size());
        m.segment().set(ValueLayout.JAVA_INT, size - 4, 42);
        assertEquals(42, m.segment().get(ValueLayout.JAVA_INT, size - 4));
        c.destroy();
        m.release();
        assertEquals(0, s.liveAllocations());
    }

    @Test
    void aBlobIdOtherThanZeroOrGuestMemoryIsInvalidParameter() throws GpuException {
        GpuContext c = context(TestDeviceServices.withHostPage(4096));
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> c.createBlob(
                new BlobRequest(10, BlobRequest.BLOB_MEM_HOST3D, 1, 7, 4096))).error());
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class, () -> c.createBlob(
                new BlobRequest(10, BlobRequest.BLOB_MEM_HOST3D_GUEST, 1, 0, 4096))).error());
    }

    @Test
    void placeholderCommandRunsAndRendererCommandsAreUnspec() throws GpuException {
        GpuContext c = context(TestDeviceServices.withHostPage(4096));
        c.submit(MemorySegment.ofArray(new int[] {GfxstreamContext.PLACEHOLDER_COMMAND_VK, 0, 0}), 0);
        GpuException e = assertThrows(GpuException.class,
                () -> c.submit(MemorySegment.ofArray(new int[] {GfxstreamContext.CONTEXT_CREATE, 10}), 0));
        assertEquals(GpuError.UNSPEC, e.error());
    }

    @Test
    void shortUnknownOrUnalignedCommandsAreInvalidParameter() throws GpuException {
        GpuContext c = context(TestDeviceServices.withHostPage(4096));
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> c.submit(MemorySegment.ofArray(new int[] {GfxstreamContext.RESOURCE_CREATE_3D, 0}), 0)).error());
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> c.submit(MemorySegment.ofArray(new int[] {0x1234}), 0)).error());
        assertEquals(GpuError.INVALID_PARAMETER, assertThrows(GpuException.class,
                () -> c.submit(MemorySegment.ofArray(new byte[6]), 0)).error());
    }
}
