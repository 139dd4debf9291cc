package org.virtgpu.context.venus.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;

/**
 * Raw access to decoded C structs. The generated decoders lay structs out in scratch memory that this context
 * owns, so every address they touch was allocated by {@link Scratch}; the host driver reads the same memory.
 */
public final class VnMem {
    /** All of the address space: bounds are guaranteed by the allocator, not by this segment. */
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private VnMem() {
    }

    public static byte g8(long a) {
        return ALL.get(JAVA_BYTE, a);
    }

    public static short g16(long a) {
        return ALL.get(JAVA_SHORT_UNALIGNED, a);
    }

    public static int g32(long a) {
        return ALL.get(JAVA_INT_UNALIGNED, a);
    }

    public static long g64(long a) {
        return ALL.get(JAVA_LONG_UNALIGNED, a);
    }

    public static void p8(long a, byte v) {
        ALL.set(JAVA_BYTE, a, v);
    }

    public static void p16(long a, short v) {
        ALL.set(JAVA_SHORT_UNALIGNED, a, v);
    }

    public static void p32(long a, int v) {
        ALL.set(JAVA_INT_UNALIGNED, a, v);
    }

    public static void p64(long a, long v) {
        ALL.set(JAVA_LONG_UNALIGNED, a, v);
    }

    /**
     * The NUL-terminated string at a, read within 256 bytes (VK_MAX_EXTENSION_NAME_SIZE,
     * VK_MAX_PHYSICAL_DEVICE_NAME_SIZE): a string without its NUL in them is an exception.
     */
    public static String string(long a, Charset charset) {
        return MemorySegment.ofAddress(a).reinterpret(256).getString(0, charset);
    }

    /**
     * The first structure of sType in the pNext chain that starts at next (the value of a pNext member), following at
     * most 64 links; 0 when there is none. The first, as the drivers' own lookups (Mesa's vk_find_struct) take it,
     * so that a check reads the structure the driver will use when a chain repeats a type.
     */
    public static long chained(long next, int sType) {
        for (int hops = 0; next != 0 && hops < 64; hops++, next = g64(next + 8)) {
            if (g32(next) == sType) {
                return next;
            }
        }
        return 0;
    }

    /** strlen of a NUL-terminated string at a. */
    public static long strlen(long a) {
        long n = 0;
        while (g8(a + n) != 0) {
            n++;
        }
        return n;
    }
}
