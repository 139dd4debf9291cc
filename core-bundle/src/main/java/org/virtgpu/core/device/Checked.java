package org.virtgpu.core.device;

import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * Checked arithmetic on guest-supplied numbers (rutabaga's {@code checked_arithmetic!}): every failure names the
 * operands and their values, and is INVALID_PARAMETER (a request field out of range). u32 wire fields are widened
 * with {@link Integer#toUnsignedLong} before they get here, so operands are never negative by accident.
 */
final class Checked {
    private Checked() {
    }

    static long u32(int v) {
        return Integer.toUnsignedLong(v);
    }

    static long add(String a, long av, String b, long bv) throws GpuException {
        long r = av + bv;
        if (av < 0 || bv < 0 || r < 0) {
            throw new GpuException(GpuError.INVALID_PARAMETER, a + " + " + b + " overflows: " + a + "=" + av + ", " + b + "=" + bv);
        }
        return r;
    }

    static long mul(String a, long av, String b, long bv) throws GpuException {
        if (av < 0 || bv < 0) {
            throw new GpuException(GpuError.INVALID_PARAMETER, a + " * " + b + " with a negative operand: " + a + "=" + av + ", " + b + "=" + bv);
        }
        try {
            return Math.multiplyExact(av, bv);
        } catch (ArithmeticException e) {
            throw new GpuException(GpuError.INVALID_PARAMETER, a + " * " + b + " overflows: " + a + "=" + av + ", " + b + "=" + bv);
        }
    }

    /**
     * Checks that [start, start + length) lies inside [0, limit), overflow-safe, for the named range.
     */
    static void inside(String what, long start, long length, String limitName, long limit) throws GpuException {
        inside("", what, start, length, limitName, limit);
    }

    /** As {@link #inside(String, long, long, String, long)}; the names are joined only on failure (hot paths). */
    static void inside(String command, String what, long start, long length, String limitName, long limit)
            throws GpuException {
        if (start < 0 || length < 0 || start > limit || length > limit - start) {
            throw new GpuException(GpuError.INVALID_PARAMETER, (command.isEmpty() ? "" : command + " ") + what + " ["
                    + start + ", " + start + "+" + length + ") is not inside " + limitName + " " + limit);
        }
    }
}
