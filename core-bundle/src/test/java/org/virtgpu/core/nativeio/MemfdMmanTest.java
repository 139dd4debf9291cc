package org.virtgpu.core.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class MemfdMmanTest {

    @Test
    void twoMappingsOfOneMemfdSeeTheSameBytes() throws Exception {
        int fd = Memfd.create("virtgpu-test", 65536);
        try (Arena a = Arena.ofConfined(); Arena b = Arena.ofConfined()) {
            MemorySegment m1 = Mman.mapShared(fd, 0, 65536, a);
            MemorySegment m2 = Mman.mapShared(fd, 0, 65536, b);
            m1.set(ValueLayout.JAVA_LONG, 4096, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, m2.get(ValueLayout.JAVA_LONG, 4096));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void closingAnUnknownFdReportsEbadfWithItsText() {
        NativeException e = assertThrows(NativeException.class, () -> Fds.close(1 << 20));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().startsWith("close: EBADF (Bad file descriptor)"), e.getMessage());
    }

    @Test
    void sealedMemfdCannotGrow() throws Exception {
        int fd = Memfd.create("sealed", 4096);
        try {
            Memfd.sealSize(fd);
            try (Arena a = Arena.ofConfined()) {
                // a mapping beyond the sealed size is allowed by mmap but the file cannot grow: map within size only
                MemorySegment m = Mman.mapShared(fd, 0, 4096, a);
                m.set(ValueLayout.JAVA_BYTE, 4095, (byte) 7);
                assertEquals(7, m.get(ValueLayout.JAVA_BYTE, 4095));
            }
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void mmapOfZeroBytesIsEinval() throws Exception {
        int fd = Memfd.create("zero", 4096);
        try (Arena a = Arena.ofConfined()) {
            NativeException e = assertThrows(NativeException.class, () -> Mman.mapShared(fd, 0, 0, a));
            assertEquals(Errno.EINVAL, e.errno());
        } finally {
            Fds.close(fd);
        }
    }
}
