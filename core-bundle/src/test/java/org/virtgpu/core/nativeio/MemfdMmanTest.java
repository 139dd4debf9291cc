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
    void createSealedGivesAMemfdThatCannotGrow() throws Exception {
        int fd = Memfd.createSealed("sealed", 8192);
        try {
            Fds.fallocate(fd, 0, 8192); // within its size
            NativeException e = assertThrows(NativeException.class, () -> Fds.fallocate(fd, 8192, 4096));
            assertEquals(Errno.EPERM, e.errno(), e.getMessage());
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

    @Test
    void populateWriteFaultsAMemfdMappingInSoTouchingItTakesNoFaults() throws Exception {
        long size = 256L * Mman.pageSize();
        int fd = Memfd.create("populate", size);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cold = Mman.mapShared(fd, 0, size, a);
            long coldFaults = touchEveryPage(cold);
            MemorySegment warm = Mman.mapShared(fd, 0, size, a);
            Mman.madvise(warm, Mman.MADV_POPULATE_WRITE);
            long warmFaults = touchEveryPage(warm);
            // a fresh mapping faults once per page on first touch; a populated one is already in the page table
            assertTrue(coldFaults >= 256, "cold mapping: " + coldFaults + " faults");
            assertTrue(warmFaults < 16, "populated mapping: " + warmFaults + " faults");
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void madviseOfAnUnalignedRangeIsEinval() throws Exception {
        long page = Mman.pageSize();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = Mman.map(MemorySegment.NULL, page, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0, a);
            NativeException e = assertThrows(NativeException.class,
                    () -> Mman.madvise(m.asSlice(1), Mman.MADV_POPULATE_WRITE));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }

    /** Writes one byte per page and returns this thread's minor faults meanwhile (/proc/thread-self/stat field 10). */
    private static long touchEveryPage(MemorySegment m) throws Exception {
        long before = minorFaults();
        for (long off = 0; off < m.byteSize(); off += Mman.pageSize()) {
            m.set(ValueLayout.JAVA_BYTE, off, (byte) 1);
        }
        return minorFaults() - before;
    }

    private static long minorFaults() throws Exception {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
        // fields after the ")" that closes the command name: state is field 3, minflt field 10
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[10 - 3]);
    }
}
