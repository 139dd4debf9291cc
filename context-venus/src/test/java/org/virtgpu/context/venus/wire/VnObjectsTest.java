package org.virtgpu.context.venus.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The object table's lifetime and ownership rules, without a driver (host handles are plain numbers here). */
class VnObjectsTest {
    static final int INSTANCE = 1, PHYSICAL = 2, DEVICE = 3, QUEUE = 4, CMD = 5, POOL = 7, BUFFER = 8;

    final VnObjects objects = new VnObjects(10, DEVICE);

    VnObjects twoDevices() {
        objects.bind(INSTANCE, 1, 0x1000);
        objects.bind(PHYSICAL, 2, 0x2000, INSTANCE, 0x1000);
        objects.bind(DEVICE, 3, 0x3000, PHYSICAL, 0x2000);
        objects.bind(DEVICE, 4, 0x4000, PHYSICAL, 0x2000);
        objects.bind(POOL, 10, 0xa000, DEVICE, 0x3000);
        objects.bind(CMD, 11, 0xb000, POOL, 0xa000);
        objects.bind(BUFFER, 12, 0xc000, DEVICE, 0x4000);
        return objects;
    }

    @Test
    void destroyingAnObjectForgetsItsDescendants() {
        twoDevices().unbindHost(DEVICE, 0x3000);
        assertEquals(0L, objects.host(POOL, 10));
        assertEquals(0L, objects.host(CMD, 11));
        assertEquals(0xc000L, objects.host(BUFFER, 12), "the other device's objects stay");
        objects.unbindHost(INSTANCE, 0x1000);
        assertEquals(0, objects.count());
    }

    @Test
    void resettingAPoolForgetsItsChildrenButKeepsThePool() {
        twoDevices().unbindChildren(POOL, 0xa000);
        assertEquals(0L, objects.host(CMD, 11));
        assertEquals(0xa000L, objects.host(POOL, 10));
    }

    @Test
    void aHostHandleBoundAgainLosesItsOldId() {
        twoDevices().bind(QUEUE, 20, 0xd000, DEVICE, 0x3000);
        objects.bind(QUEUE, 21, 0xd000, DEVICE, 0x3000);
        assertEquals(0L, objects.host(QUEUE, 20));
        assertEquals(21, objects.id(QUEUE, 0xd000));
        objects.unbindHost(DEVICE, 0x3000);
        assertEquals(0L, objects.host(QUEUE, 21));
    }

    @Test
    void aReusedIdForgetsTheObjectItNamedBefore() {
        twoDevices().bind(BUFFER, 12, 0xe000, DEVICE, 0x4000);
        assertEquals(0, objects.id(BUFFER, 0xc000));
        assertEquals(0xe000L, objects.host(BUFFER, 12));
        objects.unbindHost(BUFFER, 0xc000); // the old host handle is no longer in the table: nothing happens
        assertEquals(0xe000L, objects.host(BUFFER, 12));
    }

    @Test
    void everyObjectKnowsItsDevice() {
        twoDevices();
        assertEquals(0x3000L, objects.device(CMD, 0xb000));
        assertEquals(0x3000L, objects.device(DEVICE, 0x3000));
        assertEquals(0L, objects.device(PHYSICAL, 0x2000));
    }

    @Test
    void aCommandRefusesHandlesOfAnotherDeviceAndNullWhereAHandleIsRequired() {
        VnCtx c = new VnCtx(twoDevices(), (device, type) -> 0);
        assertEquals(0x3000L, c.dispatch(DEVICE, 3));
        assertEquals(0xa000L, c.hostValid(POOL, 10));
        VnProtocolException e = assertThrows(VnProtocolException.class, () -> c.hostValid(BUFFER, 12));
        assertTrue(e.getMessage().contains("another device"), e.getMessage());
        assertThrows(VnProtocolException.class, () -> c.host(BUFFER, 12, true), "lenient lookups check the device too");
        e = assertThrows(VnProtocolException.class, () -> c.hostValid(POOL, 0));
        assertTrue(e.getMessage().contains("VK_NULL_HANDLE"), e.getMessage());
        assertEquals(0L, c.host(POOL, 0, false), "an optional handle may be NULL");
        c.endCommand();
        assertEquals(0xc000L, c.hostValid(BUFFER, 12), "the next command has its own device");
        c.close();
    }

    @Test
    void aTypesBindingCountMovesWithEveryChangeToItsBindingsOnly() {
        twoDevices();
        long devices = objects.bindings(DEVICE), commandBuffers = objects.bindings(CMD);
        objects.bind(BUFFER, 30, 0xf000, DEVICE, 0x3000);
        objects.unbindHost(BUFFER, 0xf000);
        assertEquals(devices, objects.bindings(DEVICE), "buffers come and go without touching the devices' count");
        objects.unbindHost(DEVICE, 0x3000);
        assertTrue(objects.bindings(DEVICE) != devices);
        assertTrue(objects.bindings(CMD) != commandBuffers, "a command buffer forgotten with its device moves it");
        long queues = objects.bindings(QUEUE);
        objects.bind(QUEUE, 20, 0xd000, DEVICE, 0x4000);
        assertTrue(objects.bindings(QUEUE) != queues);
    }

    @Test
    void dispatchNeverAnswersFromALookupThatABindingChangeMadeStale() {
        VnCtx c = new VnCtx(twoDevices(), (device, type) -> 0);
        assertEquals(0xb000L, c.dispatch(CMD, 11));
        c.endCommand();
        assertEquals(0xb000L, c.dispatch(CMD, 11), "the same answer again");
        c.endCommand();
        objects.bind(CMD, 11, 0xb100, POOL, 0xa000); // the guest reuses the id for another command buffer
        assertEquals(0xb100L, c.dispatch(CMD, 11));
        c.endCommand();
        objects.unbindHost(POOL, 0xa000); // frees the pool's command buffers
        VnProtocolException e = assertThrows(VnProtocolException.class, () -> c.dispatch(CMD, 11));
        assertTrue(e.getMessage().contains("unknown object id 11"), e.getMessage());
        c.endCommand();
        assertEquals(0x4000L, c.dispatch(DEVICE, 4));
        assertEquals(0xc000L, c.hostValid(BUFFER, 12), "the device comes with a remembered lookup too");
        c.endCommand();
        assertEquals(0x4000L, c.dispatch(DEVICE, 4));
        assertEquals(0xc000L, c.hostValid(BUFFER, 12));
        assertThrows(VnProtocolException.class, () -> c.hostValid(POOL, 10), "pool 10 is gone");
        c.close();
    }

    @Test
    void aTableStartsAtTheSizesAnEarlierTableOfItsProcessGrewToCapped() {
        VnObjects.Sizes sizes = new VnObjects.Sizes(10);
        VnObjects first = new VnObjects(10, DEVICE, sizes);
        assertArrayEquals(new int[] {16, 64}, first.capacities(BUFFER));
        for (int i = 0; i < 1500; i++) {
            first.bind(BUFFER, 100 + i, 0x100000L + 0x140L * i);
        }
        assertArrayEquals(new int[] {4096, 2048}, first.capacities(BUFFER));
        VnObjects second = new VnObjects(10, DEVICE, sizes);
        assertArrayEquals(new int[] {4096, 2048}, second.capacities(BUFFER), "starts where the first one got to");
        assertArrayEquals(new int[] {16, 2048}, second.capacities(POOL), "types the first did not grow stay small");
        for (int i = 0; i < 5000; i++) {
            second.bind(BUFFER, 100 + i, 0x100000L + 0x140L * i);
        }
        assertEquals(0x100000L + 0x140L * 4999, second.host(BUFFER, 5099));
        assertArrayEquals(new int[] {4096, 4096}, new VnObjects(10, DEVICE, sizes).capacities(BUFFER),
                "capped: 16384 slots and 8192 records in the second, 4096 for the next");
        assertArrayEquals(new int[] {16, 64}, new VnObjects(10, DEVICE).capacities(BUFFER), "no shared sizes");
    }

    @Test
    void aValueKeptBeforeTheBindStaysWithTheObjectAndGoesWithIt() {
        twoDevices().extra(BUFFER, 0xf000, 65536);
        objects.attach(BUFFER, 0xf000, "shape");
        assertEquals(0, objects.id(BUFFER, 0xf000), "kept, not bound");
        assertEquals(7, objects.count());
        objects.bind(BUFFER, 13, 0xf000, DEVICE, 0x4000);
        assertEquals(65536L, objects.extra(BUFFER, 0xf000));
        assertEquals("shape", objects.attached(BUFFER, 0xf000));
        assertEquals(0x4000L, objects.device(BUFFER, 0xf000));
        objects.unbindHost(DEVICE, 0x4000);
        assertEquals(0L, objects.extra(BUFFER, 0xf000));
        assertEquals(null, objects.attached(BUFFER, 0xf000));
        assertEquals(0L, objects.host(BUFFER, 13));
    }

    @Test
    void aParentNotInTheTableLinksNothing() {
        twoDevices().bind(BUFFER, 30, 0x30000, DEVICE, 0x9999000);
        assertEquals(0L, objects.parent(BUFFER, 0x30000));
        assertEquals(0L, objects.device(BUFFER, 0x30000));
        objects.bind(DEVICE, 31, 0x9999000); // a new device at that address does not inherit the buffer
        objects.unbindHost(DEVICE, 0x9999000);
        assertEquals(0x30000L, objects.host(BUFFER, 30));
    }

    @Test
    void aBindThatWouldMakeACycleKeepsTheOldParent() {
        twoDevices();
        objects.bind(DEVICE, 3, 0x3000, POOL, 0xa000); // the pool is the device's child
        assertEquals(0x2000L, objects.parent(DEVICE, 0x3000));
        objects.unbindHost(DEVICE, 0x3000);
        assertEquals(0L, objects.host(POOL, 10));
        assertEquals(0L, objects.host(CMD, 11));
    }

    @Test
    void reparentingMovesAnObjectBetweenParents() {
        twoDevices().bind(CMD, 11, 0xb000, DEVICE, 0x4000);
        assertEquals(0x4000L, objects.parent(CMD, 0xb000));
        objects.unbindChildren(POOL, 0xa000);
        assertEquals(0xb000L, objects.host(CMD, 11), "no longer the pool's");
        objects.unbindHost(DEVICE, 0x4000);
        assertEquals(0L, objects.host(CMD, 11));
    }

    @Test
    void churnReusesRecordsAndForgetsEveryId() {
        twoDevices();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 5000; i++) {
                objects.bind(BUFFER, 1000 + i, 0x100000L + 0x140L * i, DEVICE, 0x3000);
            }
            assertEquals(5007, objects.count());
            assertEquals(5001, objects.hosts(BUFFER).length);
            for (int i = 0; i < 5000; i += 2) {
                objects.unbindHost(BUFFER, 0x100000L + 0x140L * i);
            }
            objects.unbindHost(DEVICE, 0x3000); // the odd ones go with their device
            for (int i = 0; i < 5000; i++) {
                assertEquals(0L, objects.host(BUFFER, 1000 + i));
            }
            assertEquals(4, objects.count());
            assertEquals(0xc000L, objects.host(BUFFER, 12));
            objects.bind(DEVICE, 3, 0x3000, PHYSICAL, 0x2000);
            objects.bind(POOL, 10, 0xa000, DEVICE, 0x3000);
            objects.bind(CMD, 11, 0xb000, POOL, 0xa000);
        }
        long[] device = new long[1];
        assertEquals(0xb000L, objects.host(CMD, 11, device));
        assertEquals(0x3000L, device[0]);
    }
}
