package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

class ShaderResourcesTest {
    private static final int STORAGE_BUFFER = 7, STORAGE_IMAGE = 3;
    private static final long MODULE = 0x100, SET_LAYOUT = 0x200, SMALL_SET_LAYOUT = 0x201, LAYOUT = 0x300;
    @TempDir
    Path tmp;
    private final TestStructs mem = new TestStructs();
    private final VnObjects objects = new VnObjects(VnInfo.HANDLE_TYPES, VnInfo.H_VkDevice);
    private final ShaderResources resources = new ShaderResources(objects);
    private final DescriptorShapes shapes = new DescriptorShapes(objects, new RenderAreas(objects));

    @AfterEach
    void close() {
        mem.close();
    }

    /** e2e/venus/add.comp (three storage buffers, set 0 bindings 0-2) compiled by glslangValidator, in memory. */
    private long addComp(long[] size) throws Exception {
        byte[] code = TestStructs.addCompSpirv(tmp);
        long at = mem.zeroed(code.length);
        MemorySegment.copy(code, 0, MemorySegment.ofAddress(at).reinterpret(code.length), ValueLayout.JAVA_BYTE, 0,
                code.length);
        size[0] = code.length;
        return at;
    }

    /** A set layout of bindings 0..n-1 (one storage buffer each), and a pipeline layout of the given set layouts. */
    private void layouts(long setLayout, int n, long... sets) {
        layouts(setLayout, STORAGE_BUFFER, 1, n, sets);
    }

    /** A set layout of bindings 0..n-1, each count descriptors of type, and a pipeline layout of the set layouts. */
    private void layouts(long setLayout, int type, int count, int n, long... sets) {
        long bindings = mem.zeroed(24L * Math.max(1, n));
        for (int i = 0; i < n; i++) {
            p32(bindings + 24L * i, i);
            p32(bindings + 24L * i + 4, type);
            p32(bindings + 24L * i + 8, count);
        }
        long info = mem.zeroed(32);
        p32(info + 20, n);
        p64(info + 24, bindings);
        shapes.setLayoutCreated(setLayout, info);
        shapes.pipelineLayoutCreated(LAYOUT, mem.pipelineLayoutInfo(sets));
    }

    @Test
    void aPipelineLayoutMustHoldEverySetAndBindingTheShaderUses() throws Exception {
        long[] size = new long[1];
        long code = addComp(size);
        ShaderResources.Used u = ShaderResources.used(code, size[0]);
        assertArrayEquals(new long[] {0, 1, 2}, u.setBinding(), "set 0, bindings 0-2");
        int buffers = ShaderResources.bit(STORAGE_BUFFER) | ShaderResources.bit(9);
        assertArrayEquals(new int[] {buffers, buffers, buffers}, u.kinds(), "storage buffers (or dynamic ones)");
        assertArrayEquals(new long[] {1, 1, 1}, u.counts());
        resources.moduleCreated(MODULE, code, size[0]);
        layouts(SET_LAYOUT, 3, SET_LAYOUT);
        assertNull(resources.stage(MODULE, shapes.pipelineLayout(LAYOUT)));
        layouts(SMALL_SET_LAYOUT, 2, SMALL_SET_LAYOUT);
        assertNotNull(resources.stage(MODULE, shapes.pipelineLayout(LAYOUT)), "binding 2 of a set layout of two");
        layouts(SET_LAYOUT, 3);
        assertNotNull(resources.stage(MODULE, shapes.pipelineLayout(LAYOUT)), "a layout of no sets");
        assertNull(resources.stage(MODULE + 1, shapes.pipelineLayout(LAYOUT)), "a module with no resources (or not seen)");
    }

    @Test
    void theNumbersComeFromTheDecorationsOfUsedVariables() throws Exception {
        long[] size = new long[1];
        long code = addComp(size);
        // vkhostile spirv 1 344: the first DescriptorSet decoration's literal changed to 131072
        long words = size[0] / 4;
        for (long w = 5; w < words; ) {
            int instruction = org.virtgpu.context.venus.wire.VnMem.g32(code + 4 * w);
            if ((instruction & 0xffff) == ShaderResources.OP_DECORATE
                    && org.virtgpu.context.venus.wire.VnMem.g32(code + 4 * (w + 2))
                    == ShaderResources.DECORATION_DESCRIPTOR_SET) {
                p32(code + 4 * (w + 3), 131072);
                break;
            }
            w += instruction >>> 16;
        }
        long[] used = ShaderResources.used(code, size[0]).setBinding();
        assertTrue(used.length == 3 && used[2] >>> 32 == 131072, "set 131072 is used: " + java.util.Arrays.toString(used));
        resources.moduleCreated(MODULE, code, size[0]);
        layouts(SET_LAYOUT, 3, SET_LAYOUT);
        assertNotNull(resources.stage(MODULE, shapes.pipelineLayout(LAYOUT)), "lavapipe indexed its set array with 131072");
    }

    @Test
    void theBindingMustBeOfADescriptorTypeThatBacksTheVariableWithEnoughDescriptors() throws Exception {
        long[] size = new long[1];
        long code = addComp(size);
        resources.moduleCreated(MODULE, code, size[0]);
        layouts(SET_LAYOUT, STORAGE_IMAGE, 1, 3, SET_LAYOUT);
        assertNotNull(resources.stage(MODULE, shapes.pipelineLayout(LAYOUT)), "vkhostile desctype: a storage image");
        layouts(SET_LAYOUT, STORAGE_BUFFER, 0, 3, SET_LAYOUT);
        assertNotNull(resources.stage(MODULE, shapes.pipelineLayout(LAYOUT)), "no descriptors at the binding");
        byte[] arrays = TestStructs.computeSpirv(tmp, SpirvValidatorTest.LOCAL_AND_DESCRIPTOR_ARRAYS); // bufs[4]
        long at = mem.zeroed(arrays.length);
        MemorySegment.copy(arrays, 0, MemorySegment.ofAddress(at).reinterpret(arrays.length), ValueLayout.JAVA_BYTE, 0,
                arrays.length);
        assertArrayEquals(new long[] {4}, ShaderResources.used(at, arrays.length).counts());
        resources.moduleCreated(MODULE + 2, at, arrays.length);
        layouts(SET_LAYOUT, STORAGE_BUFFER, 4, 1, SET_LAYOUT);
        assertNull(resources.stage(MODULE + 2, shapes.pipelineLayout(LAYOUT)));
        layouts(SET_LAYOUT, STORAGE_BUFFER, 2, 1, SET_LAYOUT);
        assertNotNull(resources.stage(MODULE + 2, shapes.pipelineLayout(LAYOUT)), "an array of 4 in a binding of 2");
    }
}
