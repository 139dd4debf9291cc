package org.virtgpu.spi.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;

/**
 * The contract every {@link ContextType} bundle runs (subclass it in the bundle's tests and return a fresh
 * instance from {@link #newType()}). It checks what the core and the guest rely on whatever the type does:
 * stable capsets (the Linux guest caches them at probe, fact sheet context-types.md §5.13), sizes above 0 and
 * versions within the maximum (§5.5), payloads of exactly the advertised size at every host page size, contexts
 * that are created and destroyed without leaking fds or shared memory, and hostile command streams answered
 * with a {@link GpuException} rather than any other throwable. (It does not ask for a second destroy to be
 * harmless: the core calls destroy exactly once per context.)
 */
public abstract class ContextTypeContract {
    /** The host page sizes the device can act as (DeviceConfig.hostPageSize). */
    protected static final int[] HOST_PAGES = {4096, 16384, 65536};

    /** A fresh, unshared instance of the type under test (as DS would activate it). */
    protected abstract ContextType newType();

    protected static HostInfo host(int page) {
        return new HostInfo(page, page, 256L << 20);
    }

    @Test
    void capsetsAreStableAcrossCallsAndInstances() {
        ContextType a = newType();
        ContextType b = newType();
        assertEquals(describe(a.capsets()), describe(a.capsets()), "capsets() changed between two calls");
        assertEquals(describe(a.capsets()), describe(b.capsets()), "two instances disagree on their capsets");
        assertEquals(a.pageSizePolicy(), b.pageSizePolicy());
        assertEquals(a.pageSizePolicy(), a.pageSizePolicy());
    }

    @Test
    void everyCapsetHasAUniqueIdInRangeAPositiveSizeAndANonNegativeMaxVersion() {
        ContextType t = newType();
        assertFalse(t.capsets().isEmpty(), "a context type must serve at least one capset");
        Set<Integer> ids = new HashSet<>();
        for (Capset c : t.capsets()) {
            assertTrue(c.id() > 0 && c.id() < 64, "capset id " + c.id() + " outside 1..63 (the guest mask is 64 bits)");
            assertTrue(ids.add(c.id()), "capset " + c.id() + " listed twice");
            assertTrue(c.size() > 0, "capset " + c.id() + " has size " + c.size());
            assertTrue(c.maxVersion() >= 0, "capset " + c.id() + " max version " + c.maxVersion());
            assertNotNull(c.name());
            assertFalse(c.name().isBlank());
        }
        assertNotNull(t.name());
    }

    @ParameterizedTest(name = "host page {0}")
    @ValueSource(ints = {4096, 16384, 65536})
    void everyVersionUpToTheMaximumYieldsExactlySizeBytesDeterministically(int page) throws GpuException {
        for (Capset c : newType().capsets()) {
            for (int v = 0; v <= c.maxVersion(); v++) {
                byte[] p = c.payload(v, host(page));
                assertEquals(c.size(), p.length, "capset " + c.id() + " v" + v + " payload length");
                assertArrayEquals(p, c.payload(v, host(page)), "capset " + c.id() + " v" + v + " payload not deterministic");
            }
        }
    }

    @Test
    void aVersionAboveTheMaximumIsRefusedWithInvalidParameter() {
        for (Capset c : newType().capsets()) {
            GpuException e = assertThrows(GpuException.class, () -> c.payload(c.maxVersion() + 1, host(4096)));
            assertEquals(GpuError.INVALID_PARAMETER, e.error());
        }
    }

    @Test
    void pageSizePolicyRequiresZeroOrAPowerOfTwo() {
        PageSizePolicy p = newType().pageSizePolicy();
        assertNotNull(p);
        assertNotNull(p.reporting());
        assertTrue(p.requiredAlignment() == 0 || Long.bitCount(p.requiredAlignment()) == 1);
    }

    @Test
    void contextsOfEveryCapsetAreCreatedAndDestroyedWithoutLeakingFdsOrMemory() throws GpuException {
        ContextType t = newType();
        TestDeviceServices services = TestDeviceServices.withHostPage(4096);
        // Round 0 is a warm-up: the first context of a JVM may initialise host libraries once (the Vulkan loader
        // and driver open their files then and keep them). The baseline is taken after it; 20 more rounds must
        // not add a single fd.
        int fdsBefore = -1;
        for (int round = 0; round <= 20; round++) {
            if (round == 1) {
                fdsBefore = Fds.openCount();
            }
            List<GpuContext> contexts = new ArrayList<>();
            int ctxId = 1;
            for (Capset c : t.capsets()) {
                contexts.add(t.createContext(new ContextSpec(ctxId++, c.id(), "contract", (ring, fence) -> { }), services));
            }
            for (GpuContext ctx : contexts) {
                ctx.destroy();
            }
        }
        assertEquals(0, services.liveAllocations(), "shared memory kept after destroy");
        assertEquals(fdsBefore, Fds.openCount(), "fds leaked by create/destroy");
    }

    /**
     * Random and truncated command streams (a hostile guest) end in a normal return or a {@link GpuException};
     * never another throwable, and the context still accepts destroy afterwards.
     */
    @Test
    void hostileCommandStreamsEndInAGpuExceptionOrSuccessNeverAnotherThrowable() throws GpuException {
        ContextType t = newType();
        TestDeviceServices services = TestDeviceServices.withHostPage(4096);
        Random rnd = new Random(0x5eed);
        for (Capset c : t.capsets()) {
            GpuContext ctx = t.createContext(new ContextSpec(3, c.id(), "fuzz", (ring, fence) -> { }), services);
            try (Arena arena = Arena.ofConfined()) {
                for (int i = 0; i < 2000; i++) {
                    int len = switch (i % 4) {
                        case 0 -> rnd.nextInt(8);
                        case 1 -> rnd.nextInt(64);
                        default -> rnd.nextInt(512);
                    };
                    byte[] bytes = new byte[len];
                    rnd.nextBytes(bytes);
                    if (len >= 4 && rnd.nextBoolean()) {
                        // small command numbers reach the real decoders more often than random words do
                        bytes[0] = (byte) rnd.nextInt(16);
                        bytes[1] = (byte) rnd.nextInt(2);
                    }
                    MemorySegment seg = arena.allocate(Math.max(1, len)).asSlice(0, len);
                    MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, 0, len);
                    try {
                        ctx.submit(seg, rnd.nextInt(4));
                    } catch (GpuException expected) {
                        assertNotNull(expected.error());
                    } catch (Throwable other) {
                        fail("capset " + c.id() + ": submit of " + len + " bytes threw " + other, other);
                    }
                }
            }
            ctx.destroy();
        }
        assertEquals(0, services.liveAllocations());
    }

    private static List<String> describe(List<Capset> capsets) {
        List<String> out = new ArrayList<>();
        for (Capset c : capsets) {
            out.add(c.id() + "/" + c.name() + "/" + c.maxVersion() + "/" + c.size());
        }
        return out;
    }
}
