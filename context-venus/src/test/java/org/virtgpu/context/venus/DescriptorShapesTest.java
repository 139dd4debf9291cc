package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.virtgpu.context.venus.DescriptorShapes.COMPUTE;
import static org.virtgpu.context.venus.DescriptorShapes.GRAPHICS;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

class DescriptorShapesTest {
    private static final int STORAGE_BUFFER = 7, UNIFORM_BUFFER = 6;
    private static final long THREE = 0x100, THREE_AGAIN = 0x101, ONE = 0x102, FAR = 0x103;
    private static final long LAYOUT = 0x200, FAR_LAYOUT = 0x201, PIPE = 0x300, FAR_PIPE = 0x301;
    private static final long SET3 = 0x400, SET1 = 0x401, CB = 0x500, SEC = 0x501;
    private final TestStructs mem = new TestStructs();
    private final VnObjects objects = new VnObjects(VnInfo.HANDLE_TYPES, VnInfo.H_VkDevice);
    private final RenderAreas areas = new RenderAreas(objects);
    private final DescriptorShapes shapes = new DescriptorShapes(objects, areas);

    @AfterEach
    void close() {
        mem.close();
    }

    /** A VkDescriptorSetLayoutCreateInfo of bindings {number, type, count, stageFlags} each. */
    private long layoutInfo(int flags, int[]... bindings) {
        long b = mem.zeroed(24L * Math.max(1, bindings.length));
        for (int i = 0; i < bindings.length; i++) {
            for (int k = 0; k < 4; k++) {
                p32(b + 24L * i + 4 * k, bindings[i][k]);
            }
        }
        long info = mem.zeroed(32);
        p32(info + 16, flags);
        p32(info + 20, bindings.length);
        p64(info + 24, b);
        return info;
    }

    private void pipelineLayout(long layout, long... setLayouts) {
        shapes.pipelineLayoutCreated(layout, mem.pipelineLayoutInfo(setLayouts));
    }

    private void allocate(long set, long setLayout) {
        long layouts = mem.zeroed(8);
        p64(layouts, setLayout);
        long info = mem.zeroed(40);
        p32(info + 24, 1);
        p64(info + 32, layouts);
        long sets = mem.zeroed(8);
        p64(sets, set);
        shapes.setsAllocated(info, sets);
    }

    private String bind(long cb, int point, long layout, int first, long... sets) {
        long p = mem.zeroed(8L * Math.max(1, sets.length));
        for (int i = 0; i < sets.length; i++) {
            p64(p + 8L * i, sets[i]);
        }
        return shapes.bindSets(cb, point, layout, first, sets.length, p);
    }

    /** add.comp's layout (three storage buffers), the same again, one buffer, and a far one (binding 0 x 4096). */
    private void setUp() {
        int compute = 0x20;
        shapes.setLayoutCreated(THREE, layoutInfo(0, new int[] {0, STORAGE_BUFFER, 1, compute},
                new int[] {1, STORAGE_BUFFER, 1, compute}, new int[] {2, STORAGE_BUFFER, 1, compute}));
        // identically laid out: bindings in another order, other stage flags
        shapes.setLayoutCreated(THREE_AGAIN, layoutInfo(0, new int[] {2, STORAGE_BUFFER, 1, 0x7fffffff},
                new int[] {0, STORAGE_BUFFER, 1, compute}, new int[] {1, STORAGE_BUFFER, 1, 1}));
        shapes.setLayoutCreated(ONE, layoutInfo(0, new int[] {0, STORAGE_BUFFER, 1, compute}));
        shapes.setLayoutCreated(FAR, layoutInfo(0, new int[] {0, STORAGE_BUFFER, 4096, compute},
                new int[] {1, STORAGE_BUFFER, 1, compute}, new int[] {2, STORAGE_BUFFER, 1, compute}));
        pipelineLayout(LAYOUT, THREE);
        pipelineLayout(FAR_LAYOUT, FAR);
        shapes.pipelineCreated(PIPE, LAYOUT, new int[] {0, 0, 0});
        shapes.pipelineCreated(FAR_PIPE, FAR_LAYOUT, new int[] {0});
        allocate(SET3, THREE_AGAIN);
        allocate(SET1, ONE);
        areas.allocated(CB, 0);
        areas.begin(CB, 0);
    }

    @Test
    void shapesCompareWhatLaysOutASetsMemory() {
        setUp();
        assertEquals(shapes.setLayout(THREE).shape(), shapes.setLayout(THREE_AGAIN).shape(), "order, stage flags");
        assertNotEquals(shapes.setLayout(THREE).shape(), shapes.setLayout(FAR).shape(), "a count");
        assertNotEquals(shapes.setLayout(THREE).shape(), shapes.setLayout(ONE).shape(), "a binding fewer");
        int compute = 0x20;
        shapes.setLayoutCreated(0x110, layoutInfo(0, new int[] {0, UNIFORM_BUFFER, 1, compute},
                new int[] {1, STORAGE_BUFFER, 1, compute}, new int[] {2, STORAGE_BUFFER, 1, compute}));
        assertNotEquals(shapes.setLayout(THREE).shape(), shapes.setLayout(0x110).shape(), "a type");
        shapes.setLayoutCreated(0x111, layoutInfo(2, new int[] {0, STORAGE_BUFFER, 1, compute},
                new int[] {1, STORAGE_BUFFER, 1, compute}, new int[] {2, STORAGE_BUFFER, 1, compute}));
        assertNotEquals(shapes.setLayout(THREE).shape(), shapes.setLayout(0x111).shape(), "the layout's flags");
        assertEquals(3, shapes.setLayout(THREE).bindings(), "one past the highest binding");
    }

    @Test
    void setsMustBeBoundWithTheirOwnShape() {
        setUp();
        assertNull(bind(CB, COMPUTE, LAYOUT, 0, SET3), "an identically laid out set");
        assertNotNull(bind(CB, COMPUTE, LAYOUT, 0, SET1), "a set of one buffer where the layout has three");
        assertNotNull(bind(CB, COMPUTE, FAR_LAYOUT, 0, SET3), "vkhostile setlayout far");
        assertNotNull(bind(CB, COMPUTE, LAYOUT, 0, 0L), "VK_NULL_HANDLE");
        assertNotNull(bind(CB, COMPUTE, 0x999, 0, SET3), "an unknown pipeline layout");
        assertNotNull(bind(CB, 1000165000, LAYOUT, 0, SET3), "the ray tracing bind point");
    }

    @Test
    void aDispatchNeedsAPipelineAndEverySetItUsesBoundAlike() {
        setUp();
        assertNotNull(shapes.ready(CB, COMPUTE), "no pipeline");
        assertNull(shapes.bindPipeline(CB, COMPUTE, PIPE));
        assertNotNull(shapes.ready(CB, COMPUTE), "vkhostile unbound: set 0 not bound");
        assertNull(bind(CB, COMPUTE, LAYOUT, 0, SET3));
        assertNull(shapes.ready(CB, COMPUTE));
        assertNotNull(shapes.ready(CB, GRAPHICS), "the graphics bind point has nothing bound");
        assertNull(shapes.bindPipeline(CB, COMPUTE, FAR_PIPE));
        assertNotNull(shapes.ready(CB, COMPUTE), "set 0 is laid out unlike the far pipeline's layout");
        assertNotNull(shapes.bindPipeline(CB, GRAPHICS, PIPE), "a compute pipeline at the graphics bind point");
        assertNotNull(shapes.bindPipeline(CB, COMPUTE, 0x998), "an unknown pipeline");
    }

    @Test
    void aDynamicTopologyMustBeSetAndOfThePipelinesClass() {
        setUp();
        int triangles = 3, points = 0, patches = DescriptorShapes.TOPOLOGY_PATCH_LIST;
        long dynamicTriangles = 0x990, dynamicPatches = 0x991, staticTriangles = 0x992;
        shapes.pipelineCreated(dynamicTriangles, GRAPHICS, LAYOUT, new int[0], triangles, true, false);
        shapes.pipelineCreated(dynamicPatches, GRAPHICS, LAYOUT, new int[0], patches, true, false);
        shapes.pipelineCreated(staticTriangles, GRAPHICS, LAYOUT, new int[0], triangles, false, false);
        assertNull(shapes.bindPipeline(CB, GRAPHICS, dynamicTriangles));
        assertNotNull(shapes.ready(CB, GRAPHICS), "the dynamic topology is not set");
        assertNull(shapes.setTopology(CB, points));
        assertNull(shapes.ready(CB, GRAPHICS), "points and triangles are of one class");
        assertNull(shapes.setTopology(CB, patches));
        assertNotNull(shapes.ready(CB, GRAPHICS), "vkhostile draw topodyn: patches for a triangle pipeline (SIGFPE)");
        assertNull(shapes.bindPipeline(CB, GRAPHICS, dynamicPatches));
        assertNull(shapes.ready(CB, GRAPHICS), "patches for a patch pipeline");
        assertNull(shapes.setTopology(CB, triangles));
        assertNotNull(shapes.ready(CB, GRAPHICS), "vkhostile draw tesstopo: triangles for a tessellation pipeline");
        assertNull(shapes.bindPipeline(CB, GRAPHICS, staticTriangles));
        assertNull(shapes.ready(CB, GRAPHICS), "a static topology needs none set");
        assertNull(shapes.bindPipeline(CB, GRAPHICS, dynamicTriangles));
        assertNotNull(shapes.ready(CB, GRAPHICS), "a static pipeline's bind left the dynamic topology undefined");
        assertNotNull(shapes.setTopology(CB, 11), "not a VkPrimitiveTopology");
        assertNotNull(shapes.setTopology(CB, -1), "not a VkPrimitiveTopology");
    }

    @Test
    void aDynamicPatchControlPointCountMustBeSetAndInRange() {
        setUp();
        int patches = DescriptorShapes.TOPOLOGY_PATCH_LIST;
        long dynamicPoints = 0x993, staticPoints = 0x994;
        shapes.pipelineCreated(dynamicPoints, GRAPHICS, LAYOUT, new int[0], patches, false, true);
        shapes.pipelineCreated(staticPoints, GRAPHICS, LAYOUT, new int[0], patches, false, false);
        assertNull(shapes.bindPipeline(CB, GRAPHICS, dynamicPoints));
        assertEquals("the pipeline's dynamic patch control point count is not set", shapes.ready(CB, GRAPHICS),
                "vkhostile draw tessdyn: never set (SIGFPE in lavapipe's draw)");
        assertNotNull(shapes.setPatchPoints(CB, 0, 32), "no points");
        assertNotNull(shapes.setPatchPoints(CB, 33, 32), "past maxTessellationPatchSize");
        assertNotNull(shapes.setPatchPoints(CB, -1, 32), "2^32 - 1");
        assertNotNull(shapes.ready(CB, GRAPHICS), "a refused count sets nothing");
        assertNull(shapes.setPatchPoints(CB, 3, 32));
        assertNull(shapes.ready(CB, GRAPHICS));
        assertNull(shapes.bindPipeline(CB, GRAPHICS, staticPoints));
        assertNull(shapes.ready(CB, GRAPHICS), "a static count needs none set");
        assertNull(shapes.bindPipeline(CB, GRAPHICS, dynamicPoints));
        assertNotNull(shapes.ready(CB, GRAPHICS), "a static pipeline's bind left the dynamic count undefined");
        assertNull(shapes.setPatchPoints(CB, 32, 32));
        assertNull(shapes.ready(CB, GRAPHICS));
        areas.begin(CB, 0);
        assertNull(shapes.bindPipeline(CB, GRAPHICS, dynamicPoints));
        assertNotNull(shapes.ready(CB, GRAPHICS), "a new recording starts with no count set");
    }

    @Test
    void beginAndExecuteCommandsForgetWhatWasBound() {
        setUp();
        assertNull(shapes.bindPipeline(CB, COMPUTE, PIPE));
        assertNull(bind(CB, COMPUTE, LAYOUT, 0, SET3));
        assertNull(shapes.ready(CB, COMPUTE));
        shapes.executed(CB);
        assertNotNull(shapes.ready(CB, COMPUTE), "undefined after vkCmdExecuteCommands");
        assertNull(shapes.bindPipeline(CB, COMPUTE, PIPE));
        assertNull(bind(CB, COMPUTE, LAYOUT, 0, SET3));
        areas.begin(CB, 0);
        assertNotNull(shapes.ready(CB, COMPUTE), "a new recording starts with nothing bound");
        areas.allocated(SEC, RenderAreas.LEVEL_SECONDARY);
        areas.begin(SEC, 0);
        assertNotNull(shapes.ready(SEC, COMPUTE), "a secondary inherits nothing");
    }

    @Test
    void aPipelineLayoutKeepsItsSetLayoutsAsTheyWere() {
        setUp();
        objects.attach(VnInfo.H_VkDescriptorSetLayout, THREE, null); // destroyed after the pipeline layout
        assertEquals(3, shapes.pipelineLayout(LAYOUT).bindings()[0]);
        assertEquals(shapes.setLayout(THREE_AGAIN).shape(), shapes.pipelineLayout(LAYOUT).shapes()[0]);
    }

    /** A VkWriteDescriptorSet of count bytes into set's inline uniform block binding 0, with dataSize (-1: none). */
    private long inlineWrite(long set, int count, int dataSize) {
        long w = mem.zeroed(64);
        p64(w + 16, set);
        p32(w + 32, count);
        p32(w + 36, (int) DescriptorShapes.INLINE_UNIFORM_BLOCK);
        if (dataSize >= 0) {
            long chained = mem.zeroed(32);
            p32(chained, DescriptorShapes.STYPE_WRITE_INLINE_UNIFORM_BLOCK);
            p32(chained + 16, dataSize);
            p64(w + 8, chained);
        }
        return w;
    }

    @Test
    void inlineUniformBlockWritesCarryTheirCountInWords() {
        shapes.setLayoutCreated(0x120, layoutInfo(0, new int[] {0, (int) DescriptorShapes.INLINE_UNIFORM_BLOCK, 16,
                0x20}));
        allocate(0x420, 0x120);
        assertNull(shapes.writeRefused(inlineWrite(0x420, 16, 16)));
        assertNotNull(shapes.writeRefused(inlineWrite(0x420, 16, 1 << 20)), "vkhostile inline: 1 MiB of data");
        assertNotNull(shapes.writeRefused(inlineWrite(0x420, 1 << 20, 1 << 20)), "vkhostile inline count");
        assertNotNull(shapes.writeRefused(inlineWrite(0x420, 16, -1)), "no data");
        assertNotNull(shapes.writeRefused(inlineWrite(0x420, 6, 6)), "not in words");
    }

    /** A VkWriteDescriptorSet (no dstSet) of count descriptors of type from element of binding. */
    private long pushWrite(int binding, int element, int count, int type) {
        long w = mem.zeroed(64);
        p32(w + 24, binding);
        p32(w + 28, element);
        p32(w + 32, count);
        p32(w + 36, type);
        return w;
    }

    private static final int PUSH = (int) DescriptorShapes.PUSH_DESCRIPTOR, COMBINED = 1;

    /** vkhostile push big and the types, flags and samplers a push descriptor layout must not have. */
    @Test
    void pushDescriptorLayoutsHoldAtMostMaxPushDescriptorsOfPlainTypes() {
        int[][] many = new int[33][];
        for (int i = 0; i < many.length; i++) {
            many[i] = new int[] {i, STORAGE_BUFFER, 1, 0x20};
        }
        assertEquals("a push descriptor layout of 33 descriptors, the device's maxPushDescriptors 32",
                shapes.layoutRefused(layoutInfo(PUSH, many), 32));
        assertNull(shapes.layoutRefused(layoutInfo(0, many), 32), "not a push layout");
        assertNull(shapes.layoutRefused(layoutInfo(PUSH, new int[] {0, COMBINED, 2, 0x20},
                new int[] {2, STORAGE_BUFFER, 30, 0x20}), 32));
        for (int type : new int[] {8, 9, (int) DescriptorShapes.INLINE_UNIFORM_BLOCK,
            (int) DescriptorShapes.MUTABLE, 1000150000}) {
            assertNotNull(shapes.layoutRefused(layoutInfo(PUSH, new int[] {0, type, 1, 0x20}), 32), "type " + type);
        }
        assertNotNull(shapes.layoutRefused(layoutInfo(PUSH, new int[] {0, STORAGE_BUFFER, 1, 0x20}), 0),
                "a host without VK_KHR_push_descriptor");
        long immutable = layoutInfo(PUSH, new int[] {0, COMBINED, 1, 0x20});
        p64(org.virtgpu.context.venus.wire.VnMem.g64(immutable + 24) + 16, mem.zeroed(8));
        assertEquals("push descriptor layout binding 0 has immutable samplers (not offered)",
                shapes.layoutRefused(immutable, 32));
    }

    /**
     * vkhostile push notpush, setpast and range are refused; unset and foreign push where the server writes the
     * whole set first, ok and later pushes of the same layout do not.
     */
    @Test
    void aPushNamesAPushLayoutsSetAndFitsItAndIsFilledUnlessTheSameShapeIsBound() {
        setUp();
        long push = 0x130, pushLayout = 0x230, pushPipe = 0x330;
        shapes.setLayoutCreated(push, layoutInfo(PUSH, new int[] {0, COMBINED, 1, 0x20},
                new int[] {1, COMBINED, 1, 0x20}, new int[] {2, STORAGE_BUFFER, 1, 0x20}));
        pipelineLayout(pushLayout, push);
        shapes.pipelineCreated(pushPipe, pushLayout, new int[] {0});
        assertEquals("set 0 of the layout is not a push descriptor set layout", shapes.pushTarget(COMPUTE, LAYOUT, 0));
        assertEquals("set 5 past the layout's 1", shapes.pushTarget(COMPUTE, pushLayout, 5));
        assertEquals("bind point 1000165000", shapes.pushTarget(1000165000, pushLayout, 0));
        DescriptorShapes.PushTarget target = (DescriptorShapes.PushTarget) shapes.pushTarget(COMPUTE, pushLayout, 0);
        long[] words = target.words();
        assertEquals("binding 2 is of descriptor type 7, not 1",
                DescriptorShapes.writeRefused(words, pushWrite(0, 1, 4, COMBINED)));
        assertNull(DescriptorShapes.writeRefused(words, pushWrite(0, 0, 2, COMBINED)));
        assertNull(DescriptorShapes.writeRefused(words, pushWrite(2, 0, 1, STORAGE_BUFFER)));
        assertTrue(shapes.pushLayout(push));
        assertFalse(shapes.pushLayout(THREE));

        assertTrue(shapes.pushBind(CB, COMPUTE, 0, target), "nothing bound yet");
        assertFalse(shapes.pushBind(CB, COMPUTE, 0, target), "its own earlier push");
        assertNull(bind(CB, COMPUTE, LAYOUT, 0, SET3));
        assertTrue(shapes.pushBind(CB, COMPUTE, 0, target), "a set of another layout bound there");
        assertTrue(shapes.pushBind(CB, GRAPHICS, 0, target), "the other bind point");
        assertNull(shapes.bindPipeline(CB, COMPUTE, pushPipe));
        assertNull(shapes.ready(CB, COMPUTE), "the pushed set counts as bound");
        areas.begin(CB, 0);
        assertTrue(shapes.pushBind(CB, COMPUTE, 0, target), "a new recording");
    }
}
