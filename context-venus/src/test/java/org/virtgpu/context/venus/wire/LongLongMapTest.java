package org.virtgpu.context.venus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongLongMapTest {
    @Test
    void randomChurnAgreesWithHashMapIncludingRemovalsInsideProbeRuns() {
        LongLongMap m = new LongLongMap();
        Map<Long, Long> ref = new HashMap<>();
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            // a small key space forces collisions, long probe runs and removals in their middle
            long k = 1 + r.nextInt(3000);
            if (r.nextInt(3) == 0) {
                Long old = ref.remove(k);
                assertEquals(old == null ? 0 : old, m.remove(k), "remove " + k);
            } else {
                long v = 1 + r.nextLong(Long.MAX_VALUE - 1);
                Long old = ref.put(k, v);
                assertEquals(old == null ? 0 : old, m.put(k, v), "put " + k);
            }
            if (i % 10_000 == 0) {
                assertEquals(ref.size(), m.size());
                for (long q = 1; q <= 3000; q++) {
                    assertEquals(ref.getOrDefault(q, 0L), m.get(q), "get " + q);
                }
            }
        }
        assertEquals(ref.size(), m.values().length);
    }

    @Test
    void zeroKeysAndValuesAreRefusedBecauseZeroMeansAbsent() {
        LongLongMap m = new LongLongMap();
        assertThrows(IllegalArgumentException.class, () -> m.put(0, 1));
        assertThrows(IllegalArgumentException.class, () -> m.put(1, 0));
        assertEquals(0, m.get(0));
        assertEquals(0, m.remove(7));
    }

    @Test
    void objectsMapIdsBothWaysAndForgetBothOnUnbind() {
        VnObjects o = new VnObjects(2, 0);
        o.bind(1, 10, 0xABC0);
        assertEquals(0xABC0, o.host(1, 10));
        assertEquals(10, o.id(1, 0xABC0));
        assertEquals(0, o.host(0, 10), "handle types are separate");
        o.bind(1, 10, 0xDEF0); // the client reuses an id: the old host handle no longer maps back to it
        assertEquals(0, o.id(1, 0xABC0));
        o.unbindHost(1, 0xDEF0);
        assertEquals(0, o.host(1, 10));
        assertEquals(0, o.count());
    }
}
