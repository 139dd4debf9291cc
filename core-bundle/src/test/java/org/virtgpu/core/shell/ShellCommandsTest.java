package org.virtgpu.core.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtgpu.core.protocol.Requests;
import org.virtgpu.core.testing.GpuHarness;
import org.virtgpu.core.testing.TestContextType;

/** The Gogo commands render the device's live state (no framework: the device reference is set directly). */
class ShellCommandsTest {
    private static ShellCommands commands(GpuHarness g) {
        ShellCommands c = new ShellCommands(null);
        c.device = g.device;
        return c;
    }

    @Test
    void capsetsListsServedCapsetsWithTheirBundleAndTheRefusedTypes() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            g.device.addContextType(new TestContextType("fork", 4), "fork.bundle 2.0");
            List<String> lines = commands(g).capsets().lines().toList();
            assertTrue(lines.getFirst().matches("ID\\s+NAME\\s+VERSION\\s+SIZE\\s+BUNDLE"), lines.getFirst());
            assertTrue(lines.get(1).matches("\\s*2\\s+\\S+\\s+\\d+\\s+\\d+\\s+test\\.bundle 1\\.0"), lines.get(1));
            assertTrue(lines.get(2).matches("\\s*4\\s+\\S+\\s+\\d+\\s+\\d+\\s+test\\.bundle 1\\.0"), lines.get(2));
            assertTrue(lines.contains("refused, waiting for their capset ids to be free:"), lines.toString());
            assertTrue(lines.getLast().matches("fork\\s+4\\s+fork\\.bundle 2\\.0"), lines.getLast());
        }
    }

    @Test
    void contextsAndResourcesShowEachSessionsLiveObjects() throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            g.ctx(3, 4);
            g.resource2d(7, 64, 32);
            g.ok(Requests.ctxAttachResource(3, 7));
            ShellCommands c = commands(g);

            List<String> ctx = c.contexts().lines().toList();
            assertTrue(ctx.get(1).matches("test\\s+3\\s+4\\s+test\\s+live"), ctx.toString());
            assertEquals("1 open session(s)", ctx.getLast());

            List<String> res = c.resources().lines().toList();
            assertTrue(res.getFirst().matches("SESSION\\s+ID\\s+KIND\\s+SIZE\\s+WIDTH\\s+HEIGHT\\s+MAPPED"), res.getFirst());
            assertTrue(res.get(1).matches("test\\s+7\\s+2d\\s+8192\\s+64\\s+32\\s+no"), res.toString());
            assertEquals("1 resource(s), 8192 bytes; 1 open session(s)", res.getLast());
        }
    }

    @Test
    void withoutADeviceEveryCommandSaysSo() {
        ShellCommands c = new ShellCommands(null);
        assertEquals("no virtgpu device is running\n", c.capsets());
        assertEquals("no virtgpu device is running\n", c.contexts());
        assertEquals("no virtgpu device is running\n", c.resources());
    }
    @Test
    void snapshotWritesTheScanoutImageAsAPngWithTheGuestsPixels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (GpuHarness g = new GpuHarness()) {
            long addr = g.resource2d(1, 64, 32);
            // B8G8R8X8 in guest memory: blue 0x30, green 0x60, red 0x90
            java.lang.foreign.MemorySegment px = g.guest.at(addr, 64 * 32 * 4);
            for (long i = 0; i < 64 * 32; i++) {
                px.set(java.lang.foreign.ValueLayout.JAVA_INT, i * 4, 0x00906030);
            }
            g.ok(Requests.transferToHost2d(1, 0, 0, 64, 32, 0));
            g.ok(Requests.setScanout(0, 1, 0, 0, 64, 32));
            ShellCommands c = commands(g);
            java.nio.file.Path file = dir.resolve("screen.png");
            String said = c.snapshot("test", 0, file.toString());
            assertTrue(said.startsWith("wrote " + file), said);
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(file.toFile());
            assertEquals(64, img.getWidth());
            assertEquals(32, img.getHeight());
            assertEquals(0x906030, img.getRGB(10, 10) & 0xffffff);
            assertTrue(c.snapshot("test", 1, file.toString()).contains("not enabled"));
            assertTrue(c.snapshot("nobody", 0, file.toString()).startsWith("no open session called nobody"));
        }
    }
}
