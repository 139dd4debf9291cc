package org.virtgpu.core.transport.vhostuser;

import static org.virtgpu.core.transport.vhostuser.VhostUserProtocol.VIRTQ_AVAIL_F_NO_INTERRUPT;
import static org.virtgpu.core.transport.vhostuser.VhostUserProtocol.VIRTQ_DESC_F_INDIRECT;
import static org.virtgpu.core.transport.vhostuser.VhostUserProtocol.VIRTQ_DESC_F_NEXT;
import static org.virtgpu.core.transport.vhostuser.VhostUserProtocol.VIRTQ_DESC_F_WRITE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;
import org.virtgpu.core.nativeio.EventFd;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;

/**
 * One split virtqueue (virtio 1.3, 2.7) as the device side sees it. Owned by the queue thread: every field is
 * read and written there only (the socket thread changes them through {@link QueueWorker#call}).
 * <p>
 * The guest controls every byte of the rings, so each value read from them is checked before use: avail.idx
 * may not run more than the queue size ahead, heads and next links must be below the table size, chains are
 * cut after as many hops as the table has entries (loops), every buffer must lie inside guest memory, and a
 * readable descriptor may not follow a writable one (2.7.4.2). A chain that breaks a rule is returned with
 * length 0; a ring whose indices make no sense stops until the front-end resets it.
 */
final class Virtqueue {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    // avail.idx and used.idx are the publication points between driver and device: acquire/release on them
    private static final VarHandle IDX = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    /** Largest sum of buffer lengths in one chain; far above any real request (ATTACH_BACKING with 64 Ki entries). */
    static final long MAX_CHAIN_BYTES = 1L << 30;

    final int index;
    int num;
    long descUser;
    long availUser;
    long usedUser;
    boolean addressed;
    boolean enabled;
    int kickFd = -1;
    /**
     * Replaced by the socket thread directly (SET_VRING_CALL arrives at run time, and waiting for the queue
     * thread there could deadlock with a display update QEMU is not reading); the old fd is closed later on
     * the queue thread, so a signal racing with the swap hits a still-open fd.
     */
    volatile int callFd = -1;
    volatile int errFd = -1;
    /** Started by SET_VRING_KICK, stopped by GET_VRING_BASE (vhost-user.rst "Ring states"). */
    boolean started;
    boolean eventIdx;
    boolean indirect;
    /** Set when the guest broke the ring's index rules: nothing is processed until SET_VRING_BASE. */
    boolean broken;
    /** Bumped by every reset of the ring's indices; completions of an older generation are dropped. */
    int generation;

    /** Next avail slot to consume (free-running u16, SET_VRING_BASE / GET_VRING_BASE). */
    int lastAvail;
    private int usedIdx;
    private int usedAtFlush;
    private boolean usedDirty;
    private boolean syncUsedIdx = true;

    private MemorySegment desc;
    private MemorySegment avail;
    private MemorySegment used;

    Virtqueue(int index) {
        this.index = index;
    }

    /** Forgets the ring's mapping (new addresses, size or memory table); {@link #resolve} runs again. */
    void unresolve() {
        desc = null;
        avail = null;
        used = null;
    }

    void resetIndices(int base) {
        lastAvail = base & 0xffff;
        syncUsedIdx = true;
        broken = false;
        generation++;
        unresolve();
    }

    /** Ready to process: started, enabled, addressed and mapped through {@code mem}. */
    boolean ready(MemoryTable mem, RateLimitedLog log) {
        if (!started || !enabled || !addressed || broken || num == 0) {
            return false;
        }
        if (desc == null) {
            MemorySegment d = mem.user(descUser, 16L * num);
            MemorySegment a = mem.user(availUser, 6L + 2L * num);
            MemorySegment u = mem.user(usedUser, 6L + 8L * num);
            // alignment: desc 16, avail 2, used 4 (2.7 "Virtqueue alignment"); the VarHandles need 2 for the indices
            if (d == null || a == null || u == null || (descUser & 15) != 0 || (availUser & 1) != 0 || (usedUser & 3) != 0) {
                log.warn("queue {0}: ring addresses desc 0x{1} avail 0x{2} used 0x{3} (size {4}) are not inside guest memory "
                        + "or misaligned", index, Long.toHexString(descUser), Long.toHexString(availUser),
                        Long.toHexString(usedUser), num);
                broken = true;
                return false;
            }
            desc = d;
            avail = a;
            used = u;
            if (syncUsedIdx) {
                // The used index lives only in guest memory: take it from there when the ring (re)starts, as
                // libvhost-user does, so a restarted ring continues where the previous back-end left it.
                usedIdx = Short.toUnsignedInt((short) IDX.getAcquire(used, 2L));
                usedAtFlush = usedIdx;
                syncUsedIdx = false;
            }
        }
        return true;
    }

    /**
     * The head of the next available chain, or -1 when the ring is empty (or just broke).
     */
    int nextHead(RateLimitedLog log) {
        int availIdx = Short.toUnsignedInt((short) IDX.getAcquire(avail, 2L));
        int pending = (availIdx - lastAvail) & 0xffff;
        if (pending == 0) {
            return -1;
        }
        if (pending > num) {
            log.warn("queue {0}: avail.idx {1} is {2} entries ahead of {3}, more than the ring holds ({4}); ring stopped",
                    index, availIdx, pending, lastAvail, num);
            broken = true;
            return -1;
        }
        int head = Short.toUnsignedInt(avail.get(U16, 4L + 2L * (lastAvail & (num - 1))));
        if (head >= num) {
            log.warn("queue {0}: avail ring names descriptor {1} of {2}; ring stopped", index, head, num);
            broken = true;
            return -1;
        }
        lastAvail = (lastAvail + 1) & 0xffff;
        return head;
    }

    /**
     * With EVENT_IDX, asks for a kick at the next avail entry (avail_event = last_avail_idx), then re-checks:
     * true when entries arrived meanwhile (2.7.10 "Driver notifications"; the full fence orders the store
     * before the load, as the driver orders its idx store before reading avail_event).
     */
    boolean armKick() {
        if (!eventIdx) {
            return false;
        }
        used.set(U16, 4L + 8L * num, (short) lastAvail);
        VarHandle.fullFence();
        int availIdx = Short.toUnsignedInt((short) IDX.getAcquire(avail, 2L));
        return availIdx != lastAvail;
    }

    /**
     * Collects the chain starting at {@code head} into device-readable and device-writable buffers.
     *
     * @return null on success, else why the chain is rejected (for the log)
     */
    String walk(int head, MemoryTable mem, List<MemorySegment> readable, List<MemorySegment> writable) {
        MemorySegment table = desc;
        long tableSize = num;
        long i = head;
        long hops = 0;
        boolean inIndirect = false;
        boolean seenWritable = false;
        long total = 0;
        while (true) {
            if (i >= tableSize) {
                return "descriptor " + i + " is outside a table of " + tableSize;
            }
            if (++hops > tableSize) {
                return "chain from head " + head + " loops (more than " + tableSize + " descriptors)";
            }
            long off = 16L * i;
            long addr = table.get(U64, off);
            long len = Integer.toUnsignedLong(table.get(U32, off + 8));
            int flags = Short.toUnsignedInt(table.get(U16, off + 12));
            int next = Short.toUnsignedInt(table.get(U16, off + 14));
            if ((flags & VIRTQ_DESC_F_INDIRECT) != 0) {
                // 2.7.5.3.1: an indirect descriptor is the only one of its chain in the main table; no nesting, no NEXT
                if (!indirect) {
                    return "indirect descriptor, but VIRTIO_RING_F_INDIRECT_DESC was not negotiated";
                }
                if (inIndirect || (flags & VIRTQ_DESC_F_NEXT) != 0 || hops != 1) {
                    return "indirect descriptor nested or chained";
                }
                if (len == 0 || (len & 15) != 0) {
                    return "indirect table of " + len + " bytes";
                }
                MemorySegment t = mem.guest(addr, len);
                if (t == null) {
                    return "indirect table 0x" + Long.toHexString(addr) + "+" + len + " is not inside guest memory";
                }
                table = t;
                tableSize = len / 16;
                i = 0;
                hops = 0;
                inIndirect = true;
                continue;
            }
            boolean write = (flags & VIRTQ_DESC_F_WRITE) != 0;
            if (!write && seenWritable) {
                return "device-readable descriptor after a device-writable one";
            }
            seenWritable |= write;
            total += len;
            if (total > MAX_CHAIN_BYTES) {
                return "chain of more than " + MAX_CHAIN_BYTES + " bytes";
            }
            if (len > 0 && !mem.guestInto(addr, len, write ? writable : readable)) {
                return "buffer 0x" + Long.toHexString(addr) + "+" + len + " is not inside guest memory";
            }
            if ((flags & VIRTQ_DESC_F_NEXT) == 0) {
                return null;
            }
            i = next;
        }
    }

    /** Writes a used element; visible to the guest at the next {@link #flush}. */
    void addUsed(int head, int len) {
        long slot = 4L + 8L * (usedIdx & (num - 1));
        used.set(U32, slot, head);
        used.set(U32, slot + 4, len);
        usedIdx = (usedIdx + 1) & 0xffff;
        usedDirty = true;
    }

    /** True when the ring is mapped, so completions can be written into it. */
    boolean mapped() {
        return used != null;
    }

    /**
     * Publishes used.idx (release: the elements and the response bytes before it) and interrupts the guest
     * unless it asked not to be (used_event with EVENT_IDX, else avail.flags NO_INTERRUPT; 2.7.10).
     */
    void flush(RateLimitedLog log) {
        if (!usedDirty || used == null) {
            return;
        }
        usedDirty = false;
        int old = usedAtFlush;
        int now = usedIdx;
        usedAtFlush = now;
        IDX.setRelease(used, 2L, (short) now);
        VarHandle.fullFence();
        boolean notify;
        if (eventIdx) {
            int usedEvent = Short.toUnsignedInt(avail.get(U16, 4L + 2L * num));
            notify = ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
        } else {
            notify = (avail.get(U16, 0) & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
        }
        int call = callFd;
        if (notify && call >= 0) {
            try {
                EventFd.signal(call, 1);
            } catch (NativeException e) {
                log.warn("queue {0}: signalling the call eventfd failed: {1}", index, e.getMessage());
            }
        }
    }

    void closeFds() {
        Fds.closeQuietly(kickFd);
        Fds.closeQuietly(callFd);
        Fds.closeQuietly(errFd);
        kickFd = -1;
        callFd = -1;
        errFd = -1;
        started = false;
    }
}
