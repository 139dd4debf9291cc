package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;

/** Walking the instructions of a SPIR-V module in native memory. */
final class Spirv {
    /** One instruction: its first word's index, opcode and word count; false stops the walk. */
    interface Visitor {
        boolean visit(long w, int op, int count);
    }

    private Spirv() {
    }

    /**
     * Visits the instructions of codeSize bytes of SPIR-V at code from word from (5: after the header) until the end,
     * a malformed word count or the visitor's false. @return the index of the word the walk stopped at
     */
    static long walk(long code, long codeSize, long from, Visitor v) {
        long words = codeSize / 4;
        long w = from;
        while (w < words) {
            int instruction = g32(code + 4 * w);
            int count = instruction >>> 16;
            if (count < 1 || w + count > words || !v.visit(w, instruction & 0xffff, count)) {
                break;
            }
            w += count;
        }
        return w;
    }

    /** Word k of the instruction at word w. */
    static int word(long code, long w, int k) {
        return g32(code + 4 * (w + k));
    }
}
