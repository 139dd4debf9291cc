package org.virtgpu.core.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FdsTest {

    @Test
    void fstatOfAMemfdIsARegularFileOfItsSize() throws Exception {
        int fd = Memfd.create("stat", 12345);
        try {
            Fds.Stat st = Fds.fstat(fd);
            assertTrue(st.isRegular(), "mode 0" + Integer.toOctalString(st.mode()));
            assertFalse(st.isFifo());
            assertEquals(12345, st.size());
            assertEquals(12345, Fds.size(fd));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void fstatOfASocketIsASocketNotAFileOrPipe() throws Exception {
        int[] sp = UnixSockets.socketpair();
        try {
            Fds.Stat st = Fds.fstat(sp[0]);
            assertEquals(Fds.S_IFSOCK, st.mode() & Fds.S_IFMT);
            assertFalse(st.isRegular());
            assertFalse(st.isFifo());
        } finally {
            Fds.close(sp[0]);
            Fds.close(sp[1]);
        }
    }

    @Test
    void fstatOfAClosedFdIsEbadf() {
        NativeException e = assertThrows(NativeException.class, () -> Fds.fstat(1 << 20));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("fstat", e.call());
    }

    @Test
    void preadFullyReadsFromAnOffsetStopsAtEndOfFileAndLeavesThePositionAlone() throws Exception {
        int fd = Memfd.create("pread", 0);
        try (Arena a = Arena.ofConfined()) {
            byte[] text = "0123456789".getBytes(StandardCharsets.US_ASCII);
            Fds.writeAll(fd, a.allocateFrom(ValueLayout.JAVA_BYTE, text));
            assertEquals(10, Fds.size(fd), "writeAll wrote everything");

            MemorySegment dst = a.allocate(8);
            dst.fill((byte) 'x');
            assertEquals(4, Fds.preadFully(fd, dst, 6), "only 4 bytes after offset 6");
            assertArrayEquals("6789xxxx".getBytes(StandardCharsets.US_ASCII), dst.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, Fds.pread(fd, dst, 10), "pread at end of file");

            // the file position is still at 10 (after the write): a read finds nothing
            assertEquals(0, Fds.read(fd, dst));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void pageSizeIsTheOnesGetconfReports() throws Exception {
        Process p = new ProcessBuilder("getconf", "PAGESIZE").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(0, p.waitFor());
        assertEquals(Integer.parseInt(out), Mman.pageSize());
    }
}
