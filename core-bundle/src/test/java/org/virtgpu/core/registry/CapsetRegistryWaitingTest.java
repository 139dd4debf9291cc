package org.virtgpu.core.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;

/** A context type refused for a taken capset id waits, and takes over as soon as the owner goes away. */
class CapsetRegistryWaitingTest {
    record Cap(int id) implements Capset {
        public String name() {
            return "c" + id;
        }

        public int maxVersion() {
            return 0;
        }

        public int size() {
            return 4;
        }

        public byte[] payload(int version, HostInfo host) {
            return new byte[4];
        }
    }

    record Type(String name, List<Capset> capsets) implements ContextType {
        public PageSizePolicy pageSizePolicy() {
            return PageSizePolicy.none();
        }

        public GpuContext createContext(ContextSpec spec, DeviceServices services) throws GpuException {
            throw GpuException.unsupported("test");
        }
    }

    @Test
    void refusedTypeServesItsCapsetOnceTheOwnerIsRemoved() {
        CapsetRegistry r = new CapsetRegistry();
        Type venus = new Type("venus", List.of(new Cap(4)));
        Type fork = new Type("fork", List.of(new Cap(4)));
        assertTrue(r.add(venus, "a 1.0"));
        assertFalse(r.add(fork, "b 1.0"));
        assertEquals(1, r.waiting().size());

        r.remove(venus);
        assertArrayEquals(new int[] {4}, r.ids());
        assertEquals("b 1.0", r.byId(4).orElseThrow().provider().bundle());
        assertTrue(r.waiting().isEmpty());
    }

    @Test
    void ofTwoWaitingTypesClaimingTheSameIdOnlyTheFirstToArriveTakesOver() {
        CapsetRegistry r = new CapsetRegistry();
        Type owner = new Type("owner", List.of(new Cap(4), new Cap(5)));
        Type first = new Type("first", List.of(new Cap(4)));
        Type second = new Type("second", List.of(new Cap(4)));
        r.add(owner, "o 1");
        r.add(first, "f 1");
        r.add(second, "s 1");

        r.remove(owner);
        assertArrayEquals(new int[] {4}, r.ids());
        assertEquals("f 1", r.byId(4).orElseThrow().provider().bundle());
        assertEquals(List.of("s 1"), r.waiting().stream().map(CapsetRegistry.Provider::bundle).toList());
    }
}
