package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.osgi.framework.Bundle;
import org.virtgpu.launcher.testing.OsgiHarness;

/** The device reports exactly the capsets of the context bundles in the subset it was booted with. */
class CapsetSubsetIT {
    @TempDir
    Path storage;

    static Stream<Arguments> subsets() {
        return Stream.of(
                Arguments.of(new String[] {}, new int[] {}),
                Arguments.of(new String[] {"venus"}, new int[] {4}),
                Arguments.of(new String[] {"crossdomain"}, new int[] {5}),
                Arguments.of(new String[] {"virgl"}, new int[] {1, 2}),
                Arguments.of(new String[] {"gfxstream"}, new int[] {3, 8, 9}),
                Arguments.of(new String[] {"virgl", "venus"}, new int[] {1, 2, 4}),
                Arguments.of(new String[] {"venus", "crossdomain"}, new int[] {4, 5}),
                Arguments.of(new String[] {"virgl", "venus", "gfxstream", "crossdomain"}, new int[] {1, 2, 3, 4, 5, 8, 9}));
    }

    @ParameterizedTest(name = "core + {0} serves {1}")
    @MethodSource("subsets")
    void deviceServesExactlyTheCapsetsOfTheBootedSubset(String[] contexts, int[] expected) throws Exception {
        try (OsgiHarness h = OsgiHarness.with(storage).contexts(contexts).boot()) {
            assertArrayEquals(expected, h.capsets());
            assertEquals(java.util.List.of(), h.logs(Level.WARNING), "a clean subset logs no warning or error");
            for (Bundle b : h.context().getBundles()) {
                assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName() + " is active");
            }
            long contextBundles = java.util.Arrays.stream(h.context().getBundles())
                    .filter(b -> b.getSymbolicName().startsWith("org.virtgpu.context.")).count();
            assertEquals(contexts.length, contextBundles, "only the chosen context bundles are installed");
        }
    }

    @Test
    void everyBundleOfTheBundleDirectoryServesCapsetsOneToFiveEightAndNine() throws Exception {
        try (OsgiHarness h = OsgiHarness.with(storage).boot()) {
            assertArrayEquals(new int[] {1, 2, 3, 4, 5, 8, 9}, h.capsets());
        }
    }

    @Test
    void aContextBundleWithoutTheCoreFailsToResolveOnTheSpiAndNoDeviceAppears() throws Exception {
        try (OsgiHarness h = OsgiHarness.with(storage).only("org.virtgpu.context.virgl").tolerateStartFailures().boot()) {
            assertFalse(h.hasDevice());
            assertEquals(1, h.startFailures().size());
            String why = h.startFailures().getFirst().getMessage();
            assertTrue(why.contains("org.virtgpu.context.virgl") && why.contains("org.virtgpu.spi"), why);
            assertEquals(Bundle.INSTALLED, h.bundle("org.virtgpu.context.virgl").getState());
        }
    }
}
