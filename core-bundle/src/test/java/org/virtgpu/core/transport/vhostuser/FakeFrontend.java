package org.virtgpu.core.transport.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.virtgpu.core.nativeio.EventFd;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Memfd;
import org.virtgpu.core.nativeio.Mman;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;

/**
 * A vhost-user front-end in Java playing QEMU's part: guest RAM is a memfd it maps itself, it lays out split
 * rings in it, sends the vhost-user messages (with fds) and plays the guest driver (descriptor chains, avail
 * ring, kicks, used ring and call eventfds). The region is described with a non-zero guest-physical base, a
 * made-up userspace address and a non-zero mmap_offset, so a back-end that mixes them up fails.
 */
final class FakeFrontend implements AutoCloseable {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final long GPA_BASE = 0x100000;
    static final long UVA_BASE = 0x7f1234000000L;
    static final long MMAP_OFFSET = 0x2000;
    static final long RAM = 1 << 20;
    static final int QSIZE = 16;
    /** Ring layout per queue (guest-physical offsets from GPA_BASE): desc, avail, used; queue q adds q*0x4000. */
    static final long DESC = 0x0;
    static final long AVAIL = 0x1000;
    static final long USED = 0x2000;
    /** Free guest memory for buffers and indirect tables starts here. */
    static final long HEAP = 0x10000;

    final Arena arena = Arena.ofShared();
    final int sock;
    final int memfd;
    final MemorySegment ram; // guest RAM, index 0 = GPA_BASE
    final int[] kick = new int[2];
    final int[] call = new int[2];
    final int[] nextDesc = new int[2];
    final int[] availIdx = new int[2];
    final int[] usedSeen = new int[2];
    long heap = HEAP;

    FakeFrontend(int sock) throws NativeException {
        this.sock = sock;
        memfd = Memfd.create("fake-guest-ram", RAM + MMAP_OFFSET);
        ram = Mman.mapShared(memfd, 0, RAM + MMAP_OFFSET, arena).asSlice(MMAP_OFFSET, RAM);
        for (int q = 0; q < 2; q++) {
            kick[q] = EventFd.create();
            call[q] = EventFd.create();
        }
    }

    static long ringGpa(int q, long part) {
        return GPA_BASE + q * 0x4000L + part;
    }

    static long ringUva(int q, long part) {
        return UVA_BASE + q * 0x4000L + part;
    }

    // ---- messages ----

    void send(int request, int flags, MemorySegment payload, int... fds) throws NativeException {
        MemorySegment m = arena.allocate(12 + payload.byteSize());
        m.set(U32, 0, request);
        m.set(U32, 4, flags);
        m.set(U32, 8, (int) payload.byteSize());
        MemorySegment.copy(payload, 0, m, 12, payload.byteSize());
        UnixSockets.sendAll(sock, m, fds);
    }

    void send(int request, MemorySegment payload, int... fds) throws NativeException {
        send(request, VhostUserProtocol.FLAG_VERSION_1, payload, fds);
    }

    /** Reads one reply; checks request id and flags 0x5. Returns the payload. */
    MemorySegment reply(int request) throws NativeException {
        short[] re = new short[1];
        assertEquals(1, Poll.poll(new int[] {sock}, new short[] {Poll.POLLIN}, re, 5000), "no reply to " + request);
        MemorySegment h = arena.allocate(12);
        assertNotNull(UnixSockets.recvFully(sock, h), "back-end closed instead of replying to " + request);
        assertEquals(request, h.get(U32, 0), "reply request id");
        assertEquals(0x5, h.get(U32, 4), "reply flags");
        MemorySegment p = arena.allocate(Math.max(1, h.get(U32, 8))).asSlice(0, h.get(U32, 8));
        if (p.byteSize() > 0) {
            UnixSockets.recvFully(sock, p);
        }
        return p;
    }

    long getU64(int request) throws NativeException {
        send(request, arena.allocate(0));
        return reply(request).get(U64, 0);
    }

    MemorySegment u64(long v) {
        MemorySegment s = arena.allocate(8);
        s.set(U64, 0, v);
        return s;
    }

    MemorySegment state(int idx, int num) {
        MemorySegment s = arena.allocate(8);
        s.set(U32, 0, idx);
        s.set(U32, 4, num);
        return s;
    }

    /** Sends with NEED_REPLY and returns the REPLY_ACK status. */
    long acked(int request, MemorySegment payload, int... fds) throws NativeException {
        send(request, VhostUserProtocol.FLAG_VERSION_1 | VhostUserProtocol.FLAG_NEED_REPLY, payload, fds);
        return reply(request).get(U64, 0);
    }

    MemorySegment memTable() {
        MemorySegment t = arena.allocate(8 + 32);
        t.set(U32, 0, 1);
        t.set(U64, 8, GPA_BASE);
        t.set(U64, 16, RAM);
        t.set(U64, 24, UVA_BASE);
        t.set(U64, 32, MMAP_OFFSET);
        return t;
    }

    /** QEMU's start sequence (research/vhost-user.md 1.6), with REPLY_ACK so every step is confirmed. */
    void start(long features) throws NativeException {
        getU64(VhostUserProtocol.GET_FEATURES);
        getU64(VhostUserProtocol.GET_PROTOCOL_FEATURES);
        assertEquals(0, acked(VhostUserProtocol.SET_PROTOCOL_FEATURES, u64(VhostUserProtocol.PROTOCOL_FEATURES)));
        assertEquals(0, acked(VhostUserProtocol.SET_OWNER, arena.allocate(0)));
        assertEquals(0, acked(VhostUserProtocol.SET_FEATURES, u64(features | (1L << 30))));
        assertEquals(0, acked(VhostUserProtocol.SET_MEM_TABLE, memTable(), memfd));
        for (int q = 0; q < 2; q++) {
            assertEquals(0, acked(VhostUserProtocol.SET_VRING_NUM, state(q, QSIZE)));
            assertEquals(0, acked(VhostUserProtocol.SET_VRING_BASE, state(q, 0)));
            MemorySegment a = arena.allocate(40);
            a.set(U32, 0, q);
            a.set(U64, 8, ringUva(q, DESC));
            a.set(U64, 16, ringUva(q, USED));
            a.set(U64, 24, ringUva(q, AVAIL));
            assertEquals(0, acked(VhostUserProtocol.SET_VRING_ADDR, a));
            assertEquals(0, acked(VhostUserProtocol.SET_VRING_CALL, u64(q), call[q]));
            assertEquals(0, acked(VhostUserProtocol.SET_VRING_KICK, u64(q), kick[q]));
            assertEquals(0, acked(VhostUserProtocol.SET_VRING_ENABLE, state(q, 1)));
        }
    }

    // ---- guest driver side ----

    MemorySegment at(long gpa, long len) {
        return ram.asSlice(gpa - GPA_BASE, len);
    }

    /** Allocates guest memory for a buffer (16-byte aligned). */
    long alloc(long len) {
        long gpa = GPA_BASE + heap;
        heap += (len + 15) & ~15L;
        return gpa;
    }

    record Buf(long gpa, int len, boolean writable) {
    }

    void desc(MemorySegment table, int i, long addr, int len, int flags, int next) {
        table.set(U64, 16L * i, addr);
        table.set(U32, 16L * i + 8, len);
        table.set(U16, 16L * i + 12, (short) flags);
        table.set(U16, 16L * i + 14, (short) next);
    }

    MemorySegment descTable(int q) {
        return at(ringGpa(q, DESC), 16L * QSIZE);
    }

    /** Puts a direct chain into the descriptor table; returns its head. */
    int chain(int q, Buf... bufs) {
        MemorySegment t = descTable(q);
        int head = nextDesc[q] % QSIZE;
        for (int i = 0; i < bufs.length; i++) {
            int slot = (nextDesc[q] + i) % QSIZE;
            boolean last = i == bufs.length - 1;
            desc(t, slot, bufs[i].gpa, bufs[i].len, (bufs[i].writable ? 2 : 0) | (last ? 0 : 1), (slot + 1) % QSIZE);
        }
        nextDesc[q] += bufs.length;
        return head;
    }

    /** Puts an indirect chain: one main descriptor pointing at a table in guest memory. */
    int indirectChain(int q, Buf... bufs) {
        long tableGpa = alloc(16L * bufs.length);
        MemorySegment t = at(tableGpa, 16L * bufs.length);
        for (int i = 0; i < bufs.length; i++) {
            boolean last = i == bufs.length - 1;
            desc(t, i, bufs[i].gpa, bufs[i].len, (bufs[i].writable ? 2 : 0) | (last ? 0 : 1), i + 1);
        }
        int head = nextDesc[q] % QSIZE;
        desc(descTable(q), head, tableGpa, 16 * bufs.length, 4, 0);
        nextDesc[q]++;
        return head;
    }

    /** Adds heads to the avail ring, publishes avail.idx and kicks. */
    void submit(int q, int... heads) throws NativeException {
        MemorySegment avail = at(ringGpa(q, AVAIL), 6 + 2L * QSIZE);
        for (int h : heads) {
            avail.set(U16, 4 + 2L * (availIdx[q] % QSIZE), (short) h);
            availIdx[q]++;
        }
        java.lang.invoke.VarHandle.releaseFence();
        avail.set(U16, 2, (short) availIdx[q]);
        java.lang.invoke.VarHandle.fullFence();
        EventFd.signal(kick[q], 1);
    }

    int usedIdx(int q) {
        java.lang.invoke.VarHandle.acquireFence();
        return Short.toUnsignedInt(at(ringGpa(q, USED), 4).get(U16, 2));
    }

    /** Waits for the call eventfd of {@code q}; false on timeout. */
    boolean awaitCall(int q, int timeoutMs) throws NativeException {
        short[] re = new short[1];
        if (Poll.poll(new int[] {call[q]}, new short[] {Poll.POLLIN}, re, timeoutMs) == 0) {
            return false;
        }
        EventFd.consume(call[q]);
        return true;
    }

    /** Waits until used.idx reaches {@code count} entries in total; returns the new elements {id, len}. */
    int[][] awaitUsed(int q, int count) throws NativeException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (usedIdx(q) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("queue " + q + ": used.idx " + usedIdx(q) + ", expected " + count);
            }
            awaitCall(q, 100);
        }
        MemorySegment used = at(ringGpa(q, USED), 6 + 8L * QSIZE);
        int[][] r = new int[count - usedSeen[q]][];
        for (int i = 0; i < r.length; i++) {
            int slot = (usedSeen[q] + i) % QSIZE;
            r[i] = new int[] {used.get(U32, 4 + 8L * slot), used.get(U32, 8 + 8L * slot)};
        }
        usedSeen[q] = count;
        return r;
    }

    void setUsedEvent(int q, int value) {
        at(ringGpa(q, AVAIL), 6 + 2L * QSIZE).set(U16, 4 + 2L * QSIZE, (short) value);
    }

    int availEvent(int q) {
        return Short.toUnsignedInt(at(ringGpa(q, USED), 6 + 8L * QSIZE).get(U16, 4 + 8L * QSIZE));
    }

    @Override
    public void close() {
        Fds.closeQuietly(sock);
        Fds.closeQuietly(memfd);
        for (int q = 0; q < 2; q++) {
            Fds.closeQuietly(kick[q]);
            Fds.closeQuietly(call[q]);
        }
        arena.close();
    }
}
