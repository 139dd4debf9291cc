package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/** Walking the instructions of a SPIR-V module, in native memory or in a little-endian byte array. */
final class Spirv {
    static final int OP_CAPABILITY = 17;

    /** The words of a module, by index. */
    interface Words {
        int at(long i);
    }

    /** One instruction: its first word's index, opcode and word count; false stops the walk. */
    interface Visitor {
        boolean visit(long w, int op, int count);
    }

    private Spirv() {
    }

    static Words of(long code) {
        return i -> g32(code + 4 * i);
    }

    static Words of(byte[] code) {
        IntBuffer b = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        return i -> b.get((int) i);
    }

    /**
     * Visits the instructions of a module of count words from word from (5: after the header) until the end, a
     * malformed word count or the visitor's false. @return the index of the word the walk stopped at
     */
    static long walk(Words words, long count, long from, Visitor v) {
        long w = from;
        while (w < count) {
            int n = words.at(w) >>> 16;
            if (n < 1 || w + n > count || !v.visit(w, words.at(w) & 0xffff, n)) {
                break;
            }
            w += n;
        }
        return w;
    }

    /** {@link #walk} over codeSize bytes of SPIR-V at code. */
    static long walk(long code, long codeSize, long from, Visitor v) {
        return walk(of(code), codeSize / 4, from, v);
    }

    /** Word k of the instruction at word w. */
    static int word(long code, long w, int k) {
        return g32(code + 4 * (w + k));
    }

    /** Whether a module of count words declares the capability (OpCapability). */
    static boolean declares(Words words, long count, int capability) {
        boolean[] found = {false};
        walk(words, count, 5, (w, op, n) -> {
            found[0] = op == OP_CAPABILITY && n >= 2 && words.at(w + 1) == capability;
            return !found[0];
        });
        return found[0];
    }
}
