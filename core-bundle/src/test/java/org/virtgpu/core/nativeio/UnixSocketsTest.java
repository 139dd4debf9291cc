package org.virtgpu.core.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketsTest {

    @Test
    void memfdPassedWithScmRightsMapsTheSamePages(@TempDir Path dir) throws Exception {
        String path = dir.resolve("s").toString();
        int lfd = UnixSockets.listen(path, 4, false);
        int cfd = UnixSockets.connect(path);
        int sfd = UnixSockets.accept(lfd);
        int mfd = Memfd.create("passed", 4096);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mine = Mman.mapShared(mfd, 0, 4096, a);
            mine.set(ValueLayout.JAVA_INT, 0, 0xCAFE);
            MemorySegment one = a.allocate(1);
            UnixSockets.sendAll(sfd, one, mfd);
            MemorySegment in = a.allocate(1);
            int[] fds = UnixSockets.recvFully(cfd, in);
            assertEquals(1, fds.length);
            MemorySegment theirs = Mman.mapShared(fds[0], 0, 4096, a);
            assertEquals(0xCAFE, theirs.get(ValueLayout.JAVA_INT, 0));
            Fds.close(fds[0]);
        } finally {
            Fds.close(mfd);
            Fds.close(sfd);
            Fds.close(cfd);
            Fds.close(lfd);
        }
    }

    @Test
    void recvFullyReturnsNullWhenPeerClosedCleanly() throws Exception {
        int[] sp = UnixSockets.socketpair();
        Fds.close(sp[1]);
        try (Arena a = Arena.ofConfined()) {
            assertNull(UnixSockets.recvFully(sp[0], a.allocate(8)));
        } finally {
            Fds.close(sp[0]);
        }
    }

    @Test
    void recvFullyReportsPeerClosedMidMessage() throws Exception {
        int[] sp = UnixSockets.socketpair();
        try (Arena a = Arena.ofConfined()) {
            UnixSockets.sendAll(sp[1], a.allocate(3));
            Fds.close(sp[1]);
            NativeException e = assertThrows(NativeException.class, () -> UnixSockets.recvFully(sp[0], a.allocate(8)));
            assertEquals(Errno.ECONNRESET, e.errno());
        } finally {
            Fds.close(sp[0]);
        }
    }

    @Test
    void eventFdBecomesReadableWhenSignalled() throws Exception {
        int efd = EventFd.create();
        try {
            short[] rev = new short[1];
            assertEquals(0, Poll.poll(new int[] {efd}, new short[] {Poll.POLLIN}, rev, 0));
            EventFd.signal(efd, 1);
            assertEquals(1, Poll.poll(new int[] {efd}, new short[] {Poll.POLLIN}, rev, 1000));
            assertEquals(Poll.POLLIN, rev[0] & Poll.POLLIN);
            assertEquals(1, EventFd.consume(efd));
            assertEquals(0, EventFd.consume(efd));
        } finally {
            Fds.close(efd);
        }
    }

    @Test
    void listenReplacesAStaleSocketFile(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("stale");
        Files.createFile(p);
        int lfd = UnixSockets.listen(p.toString(), 1, true);
        try {
            assertEquals(-1, UnixSockets.accept(lfd)); // non-blocking, nobody connecting
        } finally {
            Fds.close(lfd);
        }
    }

    @Test
    void tooLongPathIsEnametoolong() {
        NativeException e = assertThrows(NativeException.class, () -> UnixSockets.connect("/" + "x".repeat(200)));
        assertEquals(Errno.ENAMETOOLONG, e.errno());
        assertArrayEquals(new int[0], new int[0]);
    }

    @Test
    void sendAllWithATimeoutDeliversBytesAndFdsToAReadingPeer() throws Exception {
        int[] sp = UnixSockets.socketpair();
        int mfd = Memfd.create("timed", 4096);
        int size = 4 << 20; // more than a socket buffer: the sender must wait for the reader several times
        try (Arena a = Arena.ofShared()) {
            MemorySegment out = a.allocate(size);
            for (int i = 0; i < size; i += 4) {
                out.set(ValueLayout.JAVA_INT, i, i);
            }
            MemorySegment in = a.allocate(size);
            var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return UnixSockets.recvFully(sp[1], in);
                } catch (NativeException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            UnixSockets.sendAll(sp[0], out, new int[] {mfd}, 2000);
            int[] fds = reader.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(1, fds.length);
            assertEquals(4096, Fds.size(fds[0]), "the memfd came along");
            Fds.close(fds[0]);
            assertEquals(-1, out.mismatch(in));
        } finally {
            Fds.close(mfd);
            Fds.close(sp[0]);
            Fds.close(sp[1]);
        }
    }

    @Test
    void sendAllWithATimeoutGivesUpOnAPeerThatDoesNotRead() throws Exception {
        int[] sp = UnixSockets.socketpair();
        try (Arena a = Arena.ofConfined()) {
            long t0 = System.nanoTime();
            NativeException e = assertThrows(NativeException.class,
                    () -> UnixSockets.sendAll(sp[0], a.allocate(16 << 20), new int[0], 200));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Errno.EAGAIN, e.errno());
            org.junit.jupiter.api.Assertions.assertTrue(ms >= 200 && ms < 5000, ms + " ms");
        } finally {
            Fds.close(sp[0]);
            Fds.close(sp[1]);
        }
    }
}
