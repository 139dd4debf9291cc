package org.virtgpu.core.resource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * The guest pages behind a resource: the mem entries of ATTACH_BACKING / CREATE_BLOB turned into views of guest
 * memory once (zero copy), addressed as one linear range. Immutable; dropping the last reference to it is how the
 * core stops touching the guest's pages.
 */
public final class Backing {
    private final MemorySegment[] parts;
    /** starts[i] = linear offset of parts[i]; starts[n] = total length. */
    private final long[] starts;

    public Backing(MemorySegment[] parts) {
        this.parts = parts.clone();
        this.starts = new long[parts.length + 1];
        for (int i = 0; i < parts.length; i++) {
            starts[i + 1] = starts[i] + parts[i].byteSize();
        }
    }

    public long length() {
        return starts[parts.length];
    }

    private void check(long offset, long n, String what) throws GpuException {
        if (offset < 0 || n < 0 || offset > length() || n > length() - offset) {
            throw new GpuException(GpuError.INVALID_PARAMETER, what + " of " + n + " bytes at backing offset "
                    + offset + " is outside the backing of " + length() + " bytes");
        }
    }

    private int find(long offset) {
        int i = Arrays.binarySearch(starts, 0, parts.length, offset);
        return i >= 0 ? i : -i - 2;
    }

    /** Copies {@code n} bytes from backing offset {@code offset} into {@code dst} at {@code dstOff}. */
    public void read(long offset, MemorySegment dst, long dstOff, long n) throws GpuException {
        copy(offset, dst, dstOff, n, false);
    }

    /** Copies {@code n} bytes from {@code src} at {@code srcOff} into the backing at {@code offset}. */
    public void write(long offset, MemorySegment src, long srcOff, long n) throws GpuException {
        copy(offset, src, srcOff, n, true);
    }

    /** One bulk copy per guest entry the range touches (one in total when the backing is contiguous). */
    private void copy(long offset, MemorySegment host, long hostOff, long n, boolean toGuest) throws GpuException {
        check(offset, n, toGuest ? "write" : "read");
        if (parts.length == 1) {
            if (toGuest) {
                MemorySegment.copy(host, hostOff, parts[0], offset, n);
            } else {
                MemorySegment.copy(parts[0], offset, host, hostOff, n);
            }
            return;
        }
        int i = find(offset);
        long done = 0;
        while (done < n) {
            while (starts[i + 1] <= offset + done) {
                i++;
            }
            long in = offset + done - starts[i];
            long take = Math.min(n - done, parts[i].byteSize() - in);
            if (toGuest) {
                MemorySegment.copy(host, hostOff + done, parts[i], in, take);
            } else {
                MemorySegment.copy(parts[i], in, host, hostOff + done, take);
            }
            done += take;
        }
    }
}
