package org.virtgpu.core.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * The device-readable side of a descriptor chain read as one little-endian byte stream. The Linux driver may
 * split a request anywhere (vmalloc'd payloads are split per page), so nothing here assumes a field lies in one
 * segment; the common case (it does) reads straight from the segment. One instance per session, reset per request.
 */
public final class ByteStream {
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private List<MemorySegment> segments = List.of();
    private int index;
    private MemorySegment cur = MemorySegment.NULL;
    private long pos;
    private long remaining;
    /** Where split payloads are gathered; grows, never shrinks (bounded by what a transport can hand us). */
    private MemorySegment scratch = MemorySegment.ofArray(new byte[4096]);

    public ByteStream reset(List<MemorySegment> readable) {
        segments = readable;
        index = 0;
        long total = 0;
        for (int i = 0, n = readable.size(); i < n; i++) {
            total += readable.get(i).byteSize();
        }
        remaining = total;
        cur = readable.isEmpty() ? MemorySegment.NULL : readable.get(0);
        pos = 0;
        return this;
    }

    /** Bytes left in the stream. */
    public long remaining() {
        return remaining;
    }

    private void advanceSegment() {
        while (pos >= cur.byteSize() && index + 1 < segments.size()) {
            cur = segments.get(++index);
            pos = 0;
        }
    }

    private void need(long n, String what) throws GpuException {
        if (remaining < n) {
            throw new GpuException(GpuError.UNSPEC, "request truncated: " + what + " needs " + n + " bytes, "
                    + remaining + " left");
        }
    }

    public int u32(String what) throws GpuException {
        need(4, what);
        advanceSegment();
        if (cur.byteSize() - pos >= 4) {
            int v = cur.get(LE_INT, pos);
            pos += 4;
            remaining -= 4;
            return v;
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (u8() & 0xff) << (8 * i);
        }
        return v;
    }

    public long u64(String what) throws GpuException {
        need(8, what);
        advanceSegment();
        if (cur.byteSize() - pos >= 8) {
            long v = cur.get(LE_LONG, pos);
            pos += 8;
            remaining -= 8;
            return v;
        }
        long lo = u32(what) & 0xffffffffL;
        long hi = u32(what) & 0xffffffffL;
        return lo | (hi << 32);
    }

    private byte u8() {
        advanceSegment();
        byte b = cur.get(ValueLayout.JAVA_BYTE, pos);
        pos++;
        remaining--;
        return b;
    }

    public void skip(long n, String what) throws GpuException {
        need(n, what);
        long left = n;
        while (left > 0) {
            advanceSegment();
            long take = Math.min(left, cur.byteSize() - pos);
            pos += take;
            left -= take;
        }
        remaining -= n;
    }

    /** Copies {@code dst.length} bytes. */
    public void bytes(byte[] dst, String what) throws GpuException {
        need(dst.length, what);
        copyTo(MemorySegment.ofArray(dst), dst.length);
    }

    private void copyTo(MemorySegment dst, long n) {
        long done = 0;
        while (done < n) {
            advanceSegment();
            long take = Math.min(n - done, cur.byteSize() - pos);
            MemorySegment.copy(cur, pos, dst, done, take);
            pos += take;
            done += take;
        }
        remaining -= n;
    }

    /**
     * The next {@code n} bytes as one segment: a slice of the transport's buffer when they lie in one segment
     * (no copy), else gathered into a session-owned scratch buffer. Valid until the next request.
     */
    public MemorySegment payload(long n, String what) throws GpuException {
        if (remaining < n) {
            throw new GpuException(GpuError.INVALID_PARAMETER, what + " of " + n + " bytes but only " + remaining
                    + " bytes follow the command");
        }
        advanceSegment();
        if (n == 0) {
            return MemorySegment.ofArray(new byte[0]);
        }
        if (cur.byteSize() - pos >= n) {
            MemorySegment s = cur.asSlice(pos, n);
            pos += n;
            remaining -= n;
            return s;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new GpuException(GpuError.INVALID_PARAMETER, what + " of " + n + " bytes split over several buffers"
                    + " is larger than a request can be gathered");
        }
        if (scratch.byteSize() < n) {
            scratch = MemorySegment.ofArray(new byte[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(n, scratch.byteSize() * 2))]);
        }
        MemorySegment dst = scratch.asSlice(0, n);
        copyTo(dst, n);
        return dst;
    }
}
