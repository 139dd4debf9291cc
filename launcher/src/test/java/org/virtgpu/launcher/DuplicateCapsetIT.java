package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.virtgpu.launcher.testing.OsgiHarness;

/**
 * A second bundle whose context type claims a capset id that is already served is refused with a message naming
 * both bundles, and the first keeps serving. The second is a copy of the venus bundle under another symbolic
 * name: the same code claiming capset 4, as a fork of a vendor bundle would.
 */
class DuplicateCapsetIT {
    private static final String VENUS = "org.virtgpu.context.venus";
    private static final String FORK = "org.virtgpu.test.venusfork";
    private static final int[] ALL = {1, 2, 3, 4, 5, 8, 9};

    @TempDir
    Path storage;
    @TempDir
    Path jars;

    @Test
    void secondBundleClaimingTakenCapsetIsRefusedNamingBothBundlesAndTheFirstKeepsServing() throws Exception {
        Path fork = OsgiHarness.renamedCopy(OsgiHarness.jar(VENUS), FORK, "9.0.0", jars);
        try (OsgiHarness h = OsgiHarness.with(storage).boot()) {
            assertArrayEquals(ALL, h.capsets());
            Bundle b = h.installAndStart(fork);
            assertEquals(Bundle.ACTIVE, b.getState(), "the refused bundle itself runs; only its context type is refused");

            List<String> errors = h.logs(Level.SEVERE);
            assertEquals(1, errors.size(), errors.toString());
            String line = errors.getFirst();
            assertTrue(line.contains(FORK + " 9.0.0") && line.contains(VENUS + " ") && line.contains("capset 4"), line);

            assertArrayEquals(ALL, h.capsets());
            var shell = h.service("(osgi.command.scope=virtgpu)");
            String capsets = (String) h.invoke(shell, "capsets");
            assertTrue(capsets.lines().anyMatch(l -> l.matches("\\s*4\\s+venus\\s.*" + VENUS.replace(".", "\\.") + ".*")), capsets);
            assertTrue(capsets.contains("refused") && capsets.contains(FORK), capsets);
        }
    }

    @Test
    void refusedBundleTakesOverWhenTheOriginalStops() throws Exception {
        Path fork = OsgiHarness.renamedCopy(OsgiHarness.jar(VENUS), FORK, "9.0.0", jars);
        try (OsgiHarness h = OsgiHarness.with(storage).contexts("venus").boot()) {
            h.installAndStart(fork);
            h.stop(VENUS);
            // capset 4 never disappears: the waiting fork is reconsidered as soon as venus is gone
            assertArrayEquals(new int[] {4}, h.capsets());
            String capsets = (String) h.invoke(h.service("(osgi.command.scope=virtgpu)"), "capsets");
            assertTrue(capsets.contains(FORK) && !capsets.contains(VENUS), capsets);
            h.start(VENUS);
            assertArrayEquals(new int[] {4}, h.capsets());
            assertTrue(h.logs(Level.SEVERE).getLast().contains(VENUS), "now the original is the refused one");
        }
    }
}
