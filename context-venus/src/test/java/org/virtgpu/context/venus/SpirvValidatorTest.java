package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpirvValidatorTest {
    @TempDir
    Path tmp;

    private byte[] addComp() throws Exception {
        return TestStructs.addCompSpirv(tmp);
    }

    private static String refused(byte[] code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Math.max(1, code.length), 4);
            MemorySegment.copy(code, 0, m, ValueLayout.JAVA_BYTE, 0, code.length);
            return SpirvValidator.refused(m.address(), code.length);
        }
    }

    @Test
    void validModulesPassAndBrokenOnesAreRefusedWithTheValidatorsReason() throws Exception {
        assertTrue(SpirvValidator.available(), SpirvValidator.PROGRAM + " (Debian: spirv-tools) must be installed");
        byte[] good = addComp();
        assertNull(refused(good));
        long start = System.nanoTime();
        assertNull(refused(good));
        assertTrue(System.nanoTime() - start < 2_000_000, "the second look is a cache hit, not a process");
        byte[] bad = good.clone();
        bad[12] = 2; // the header's id bound (word 3, little-endian): far below the ids the module uses
        bad[13] = 0;
        bad[14] = 0;
        bad[15] = 0;
        String why = refused(bad);
        assertNotNull(why, "a module whose ids are past its id bound");
        assertTrue(why.startsWith("spirv-val: "), why);
        byte[] badMagic = good.clone();
        badMagic[0] ^= 1;
        assertNotNull(refused(badMagic));
        assertEquals("a module of 6 bytes", refused(new byte[6]));
    }
}
