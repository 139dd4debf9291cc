package org.virtgpu.context.venus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * e2e/venus/vkclient.c (built by {@link E2eClients} with gcc and glslangValidator) through Mesa's Venus ICD and
 * our vtest server, and straight on lavapipe for comparison: instance and device, 2000 buffers, 64 MiB host-visible coherent memory
 * copied device-side, submit round trips, a compute shader adding two 4M-float arrays; the client checks every
 * result and this test checks that it said so.
 */
class VkClientThroughVenusTest {
    @TempDir
    static Path tmp;
    static Path client;

    @BeforeAll
    static void buildClient() throws Exception {
        client = E2eClients.client("vkclient");
    }

    /** The "step name ms" lines of a client's output, in order. */
    static Map<String, Double> steps(String output) {
        Map<String, Double> steps = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 3 && f[0].equals("step")) {
                steps.put(f[1], Double.parseDouble(f[2]));
            }
        }
        return steps;
    }

    @Test
    void computeCopyAndBufferChurnPassThroughVenusAsOnLavapipe() throws Exception {
        VenusClient.Result direct = VenusClient.direct(tmp, 300, client.toString());
        assertEquals(0, direct.exit(), direct.output());
        assertTrue(direct.output().contains("result PASS"), direct.output());

        VenusClient.Result venus;
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            venus = VenusClient.run(server.socket, tmp, 300, client.toString());
        }
        assertEquals(0, venus.exit(), venus.output());
        assertTrue(venus.output().contains("device Virtio-GPU Venus (llvmpipe"), venus.output());
        assertTrue(venus.output().contains("result PASS"), venus.output());

        Map<String, Double> lvp = steps(direct.output());
        Map<String, Double> vn = steps(venus.output());
        assertEquals(lvp.keySet(), vn.keySet(), "both runs report the same steps");
        System.out.printf("%-16s %12s %12s%n", "step", "lavapipe ms", "venus ms");
        lvp.forEach((k, v) -> System.out.printf("%-16s %12.3f %12.3f%n", k, v, vn.get(k)));
    }
}
