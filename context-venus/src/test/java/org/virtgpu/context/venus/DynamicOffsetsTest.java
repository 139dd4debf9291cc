package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

class DynamicOffsetsTest {
    private static final long BUF = 0x1000, MEM = 0x2000, LAYOUT = 0x3000, PLAIN = 0x3001, SET = 0x4000;
    private final TestStructs mem = new TestStructs();
    private final VnObjects objects = new VnObjects(VnInfo.HANDLE_TYPES, VnInfo.H_VkDevice);
    private final Bounds bounds = new Bounds(objects);
    private final DynamicOffsets dyn = new DynamicOffsets(objects, bounds);
    private final DescriptorShapes shapes = new DescriptorShapes(objects, new RenderAreas(objects));

    @AfterEach
    void close() {
        mem.close();
    }

    /** binding 3: 2 dynamic storage buffers; binding 1: 1 dynamic uniform buffer; binding 0: a plain buffer */
    private void layouts() {
        long bindings = mem.zeroed(3 * 24);
        int[][] b = {{3, DynamicOffsets.STORAGE_BUFFER_DYNAMIC, 2}, {0, 7, 1}, {1, DynamicOffsets.UNIFORM_BUFFER_DYNAMIC, 1}};
        for (int i = 0; i < 3; i++) {
            p32(bindings + 24L * i, b[i][0]);
            p32(bindings + 24L * i + 4, b[i][1]);
            p32(bindings + 24L * i + 8, b[i][2]);
        }
        long info = mem.zeroed(32);
        p32(info + 20, 3);
        p64(info + 24, bindings);
        shapes.setLayoutCreated(LAYOUT, info);
        p32(info + 20, 1);
        p64(info + 24, bindings + 24); // only the plain binding
        shapes.setLayoutCreated(PLAIN, info);
        long layouts = mem.zeroed(16);
        p64(layouts, LAYOUT);
        p64(layouts + 8, PLAIN);
        long alloc = mem.zeroed(40);
        p32(alloc + 24, 2);
        p64(alloc + 32, layouts);
        long sets = mem.zeroed(16);
        p64(sets, SET);
        p64(sets + 8, SET + 1);
        shapes.setsAllocated(alloc, sets);
        bounds.memoryAllocated(MEM, 65536);
        assertTrue(bounds.fits(BUF, 65536, MEM, 0));
        bounds.bound(BUF);
    }

    /** One write of count buffer infos (offset, range each) at binding, element. */
    private void write(int binding, int element, int type, long... offsetRange) {
        int count = offsetRange.length / 2;
        long infos = mem.zeroed(24L * count);
        for (int i = 0; i < count; i++) {
            p64(infos + 24L * i, BUF);
            p64(infos + 24L * i + 8, offsetRange[2 * i]);
            p64(infos + 24L * i + 16, offsetRange[2 * i + 1]);
        }
        long w = mem.zeroed(64);
        p64(w + 16, SET);
        p32(w + 24, binding);
        p32(w + 28, element);
        p32(w + 32, count);
        p32(w + 36, type);
        p64(w + 48, infos);
        dyn.updated(1, w, 0, 0);
    }

    private String bind(int... offsets) {
        long sets = mem.zeroed(16);
        p64(sets, SET + 1); // a set without dynamic descriptors takes no offset
        p64(sets + 8, SET);
        return dyn.bind(2, sets, offsets.length, mem.ints(offsets));
    }

    @Test
    void offsetsGoToTheSlotsInBindingOrder() {
        layouts();
        // slots: binding 1 (uniform), then binding 3 elements 0 and 1
        write(1, 0, DynamicOffsets.UNIFORM_BUFFER_DYNAMIC, 0, 256);
        write(3, 0, DynamicOffsets.STORAGE_BUFFER_DYNAMIC, 1024, 1024, 4096, 4096);
        assertNull(bind(65536 - 256, 0, 65536 - 8192));
        assertNotNull(bind(65536 - 255, 0, 0), "the uniform slot 1 byte past the end");
        assertNotNull(bind(0, 65536 - 2047, 0), "the first storage slot past the end");
        assertNotNull(bind(0, 0, 1 << 30), "e2e/venus/vkhostile dynoffset: 1 GiB past");
        assertNotNull(bind(0, 0), "three slots, two offsets");
    }

    @Test
    void wholeSizeRangesTakeNoOffsetAndCopiesCarryTheDescriptor() {
        layouts();
        write(1, 0, DynamicOffsets.UNIFORM_BUFFER_DYNAMIC, 512, Bounds.WHOLE_SIZE);
        assertNull(bind(0, 0, 0), "unwritten slots are not checked");
        assertNotNull(bind(4, 0, 0), "a whole-size range reaches the end already");
        long copy = mem.zeroed(56);
        p64(copy + 16, SET);
        p32(copy + 24, 1); // from binding 1
        p64(copy + 32, SET);
        p32(copy + 40, 3); // to binding 3, element 1
        p32(copy + 44, 1);
        p32(copy + 48, 1);
        dyn.updated(0, 0, 1, copy);
        assertNotNull(bind(0, 0, 4), "the copied whole-size descriptor");
        objects.bind(VnInfo.H_VkBuffer, 7, BUF);
        objects.unbindHost(VnInfo.H_VkBuffer, BUF);
        assertNotNull(bind(0, 0, 0), "a destroyed buffer under a written slot");
    }

    @Test
    void layoutsWhoseSlotsCouldNotBeTrackedAreRefused() {
        long bindings = mem.zeroed(2 * 24);
        p32(bindings, 1);
        p32(bindings + 4, DynamicOffsets.STORAGE_BUFFER_DYNAMIC);
        p32(bindings + 8, 1 << 17);
        long info = mem.zeroed(32);
        p32(info + 20, 1);
        p64(info + 24, bindings);
        assertNotNull(DynamicOffsets.layoutRefused(info), "2^17 dynamic descriptors");
        p32(bindings + 8, 1);
        assertNull(DynamicOffsets.layoutRefused(info));
        p32(bindings + 24, 1);
        p32(bindings + 28, DynamicOffsets.UNIFORM_BUFFER_DYNAMIC);
        p32(bindings + 32, 1);
        p32(info + 20, 2);
        assertNotNull(DynamicOffsets.layoutRefused(info), "binding 1 twice");
        p32(bindings + 24, -2);
        assertNotNull(DynamicOffsets.layoutRefused(info), "binding 2^32-2");
    }
}
