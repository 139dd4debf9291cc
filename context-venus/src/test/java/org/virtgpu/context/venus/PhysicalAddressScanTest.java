package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** VenusExecutor.declaresPhysicalAddresses over hand-made SPIR-V (header, then instructions). */
class PhysicalAddressScanTest {
    private static final int[] HEADER = {0x07230203, 0x00010500, 0, 100, 0};

    private static int op(int count, int opcode) {
        return count << 16 | opcode;
    }

    private static boolean scan(int... body) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(4L * (HEADER.length + body.length), 4);
            for (int i = 0; i < HEADER.length; i++) {
                m.setAtIndex(ValueLayout.JAVA_INT, i, HEADER[i]);
            }
            for (int i = 0; i < body.length; i++) {
                m.setAtIndex(ValueLayout.JAVA_INT, HEADER.length + i, body[i]);
            }
            return VenusExecutor.declaresPhysicalAddresses(m.address(), m.byteSize());
        }
    }

    @Test
    void aLogicalShaderPasses() {
        // OpCapability Shader; OpMemoryModel Logical GLSL450; OpTypePointer %5 StorageBuffer %4
        assertFalse(scan(op(2, 17), 1, op(3, 14), 0, 1, op(4, 32), 5, 12, 4));
    }

    @Test
    void anyOfTheThreeWaysToPhysicalPointersIsFound() {
        assertTrue(scan(op(2, 17), 1, op(2, 17), 5347, op(3, 14), 5348, 1), "capability and addressing model");
        assertTrue(scan(op(2, 17), 1, op(3, 14), 5348, 1), "the addressing model alone");
        assertTrue(scan(op(2, 17), 1, op(3, 14), 0, 1, op(4, 32), 5, 5349, 4), "a PhysicalStorageBuffer pointer type");
        assertTrue(scan(op(2, 17), 1, op(3, 14), 0, 1, op(3, 39), 5, 5349), "a forward pointer");
    }

    @Test
    void malformedCountsEndTheScanWithoutReadingPastTheCode() {
        assertFalse(scan(op(0, 17), 5347), "a word count of 0");
        assertFalse(scan(op(9, 17), 5347), "a word count past the end");
        assertFalse(scan(), "no instructions");
    }
}
