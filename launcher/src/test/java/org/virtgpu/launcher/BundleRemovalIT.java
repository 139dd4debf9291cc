package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtgpu.launcher.testing.OsgiHarness;

/** Taking a context bundle away (from the directory, or at run time) removes exactly its capsets, without an error. */
class BundleRemovalIT {
    private static final int[] ALL = {1, 2, 3, 4, 5, 8, 9};
    private static final Map<String, int[]> OWN = Map.of("virgl", new int[] {1, 2}, "venus", new int[] {4},
            "gfxstream", new int[] {3, 8, 9}, "crossdomain", new int[] {5});

    @TempDir
    Path storage;
    @TempDir
    Path dir;

    private static int[] allBut(String context) {
        int[] own = OWN.get(context);
        return IntStream.of(ALL).filter(c -> IntStream.of(own).noneMatch(o -> o == c)).toArray();
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"virgl", "venus", "gfxstream", "crossdomain"})
    void bundleDirectoryWithoutAContextBundleServesEverythingButItsCapsets(String context) throws Exception {
        // the launcher's bundle directory minus one jar
        try (var jars = Files.list(OsgiHarness.bundleDir())) {
            for (Path jar : jars.toList()) {
                if (!jar.equals(OsgiHarness.jar(OsgiHarness.contextBsn(context)))) {
                    Files.copy(jar, dir.resolve(jar.getFileName()));
                }
            }
        }
        try (OsgiHarness h = OsgiHarness.with(storage).bundleDir(dir).boot()) {
            assertArrayEquals(allBut(context), h.capsets());
            assertEquals(List.of(), h.logs(Level.WARNING));
        }
    }

    @ParameterizedTest(name = "uninstall {0}")
    @ValueSource(strings = {"virgl", "venus", "gfxstream", "crossdomain"})
    void uninstallingAContextBundleAtRunTimeRemovesExactlyItsCapsetsAndStartingItAgainRestoresThem(String context)
            throws Exception {
        try (OsgiHarness h = OsgiHarness.with(storage).boot()) {
            assertArrayEquals(ALL, h.capsets());
            String bsn = OsgiHarness.contextBsn(context);
            h.stop(bsn);
            assertArrayEquals(allBut(context), h.awaitCapsets(allBut(context)));
            h.start(bsn);
            assertArrayEquals(ALL, h.awaitCapsets(ALL));
            h.uninstall(bsn);
            assertArrayEquals(allBut(context), h.awaitCapsets(allBut(context)));
            h.refresh();
            assertArrayEquals(allBut(context), h.capsets());
            assertEquals(List.of(), h.logs(Level.WARNING));
        }
    }
}
