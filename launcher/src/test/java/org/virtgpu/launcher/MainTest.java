package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The launcher's reading of the JVM options it checks at start (launcher/jvm.args). */
class MainTest {
    @Test
    void readsAHotSpotOptionAndNullForAnUnknownOne() {
        String limit = Main.vmOption("PerMethodTrapLimit");
        assertTrue(limit != null && limit.matches("\\d+"), "PerMethodTrapLimit = " + limit);
        assertNull(Main.vmOption("NoSuchOptionAnywhere"));
    }
}
