package org.virtgpu.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** JSON configuration to ConfigAdmin dictionaries: typing, defaults, unknown keys, bundle selection. */
class LaunchConfigTest {
    /** The shape bnd writes for the core's DeviceConfig. */
    private static final String CORE_METATYPE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.2.0">
              <OCD id="org.virtgpu.core.device.DeviceConfig" name="virtgpu device">
                <AD id="numScanouts" type="Integer" default="1"/>
                <AD id="hostPageSize" type="Integer" default="0"/>
                <AD id="hostVisibleSize" type="Long" default="268435456"/>
                <AD id="maxResources" type="Integer" default="16384"/>
                <AD id="maxBytes" type="Long" default="1073741824"/>
                <AD id="maxContexts" type="Integer" default="64"/>
                <AD id="names" type="String" cardinality="10"/>
              </OCD>
              <Designate pid="org.virtgpu.core"><Object ocdref="org.virtgpu.core.device.DeviceConfig"/></Designate>
            </metatype:MetaData>
            """;
    private static final List<String> CONTEXTS = List.of("org.virtgpu.context.venus", "org.virtgpu.context.virgl");

    private static Map<String, Metatype.Pid> schema() throws Exception {
        return Metatype.parse(new ByteArrayInputStream(CORE_METATYPE.getBytes(StandardCharsets.UTF_8)), "org.virtgpu.core");
    }

    private static Map<String, Map<String, Object>> pids(String json) throws Exception {
        return LaunchConfig.parse(json, "test.json").toPids(schema(), CONTEXTS);
    }

    private static List<String> problems(String json) {
        return assertThrows(ConfigException.class, () -> pids(json)).problems();
    }

    @Test
    void metatypeDescriptorGivesKeysTypesAndCardinality() throws Exception {
        Metatype.Pid core = schema().get("org.virtgpu.core");
        assertEquals("org.virtgpu.core", core.bundle());
        assertEquals("Long", core.attributes().get("maxBytes").type());
        assertEquals(10, core.attributes().get("names").cardinality());
    }

    @Test
    void emptyConfigEnablesVtestOnTheDefaultSocketAndDisablesVhostUser() throws Exception {
        var p = pids("{}");
        assertEquals(Map.of("enabled", true, "socketPath", "/tmp/.virgl_test"), p.get(LaunchConfig.VTEST_PID));
        assertEquals(Map.of("enabled", false), p.get(LaunchConfig.VHOST_USER_PID));
        assertTrue(!p.containsKey(LaunchConfig.DEVICE_PID), "no device keys: the component's defaults apply");
    }

    @Test
    void valuesGetTheMetatypeTypesAndLimitsJoinTheDevicePid() throws Exception {
        var dev = pids("{\"device\":{\"numScanouts\":2,\"hostVisibleSize\":4096,\"names\":[\"a\",\"b\"]},"
                + "\"limits\":{\"maxBytes\":1024,\"maxContexts\":3}}").get(LaunchConfig.DEVICE_PID);
        assertEquals(Integer.valueOf(2), dev.get("numScanouts"));
        assertEquals(Long.valueOf(4096), dev.get("hostVisibleSize"));
        assertEquals(Long.valueOf(1024), dev.get("maxBytes"));
        assertEquals(Integer.valueOf(3), dev.get("maxContexts"));
        assertEquals(List.of("a", "b"), dev.get("names"));
    }

    @Test
    void everyProblemIsReportedAtOnceWithTheKeyAndWhatWasExpected() {
        List<String> p = problems("{\"device\":{\"numScanout\":1,\"hostPageSize\":\"4k\"},\"limits\":{\"numScanouts\":1},"
                + "\"vtest\":{\"enabled\":1},\"contexts\":{\"vnus\":{}}}");
        assertEquals(5, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("device.numScanout: unknown key (known: [hostPageSize, hostVisibleSize, maxBytes"), p.get(0));
        assertTrue(p.contains("device.hostPageSize: expected Integer, got \"4k\""), p.toString());
        assertTrue(p.contains("limits.numScanouts: unknown key (known: [maxBytes, maxContexts, maxResources])"), p.toString());
        assertTrue(p.contains("vtest.enabled: expected Boolean, got 1"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("contexts.vnus: no context bundle org.virtgpu.context.vnus")
                && s.contains("[venus, virgl]")), p.toString());
    }

    @Test
    void integerOutOfRangeIsRefused() {
        assertEquals(List.of("device.numScanouts: expected Integer, got 4294967296"), problems("{\"device\":{\"numScanouts\":4294967296}}"));
    }

    @Test
    void aLimitSetTwiceIsAnError() {
        assertEquals(List.of("limits.maxContexts: also set in device.maxContexts; set it in one place"),
                problems("{\"device\":{\"maxContexts\":1},\"limits\":{\"maxContexts\":2}}"));
    }

    @Test
    void vhostUserNeedsASocketWhenEnabled() {
        assertEquals(List.of("vhostUser.enabled is true but vhostUser.socketPath is not set and no bundle declares a default"
                + " (or use --vhost-user-socket)"), problems("{\"vhostUser\":{\"enabled\":true}}"));
    }

    @Test
    void transportDefaultsComeFromTheTransportsMetatype() throws Exception {
        var schema = new java.util.HashMap<>(schema());
        schema.putAll(Metatype.parse(new ByteArrayInputStream("""
                <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.2.0">
                  <OCD id="vh"><AD id="enabled" type="Boolean" default="false"/><AD id="socketPath" type="String" default="/tmp/vh.sock"/>
                    <AD id="maxQueueSize" type="Integer" default="1024"/></OCD>
                  <OCD id="vt"><AD id="socketPath" type="String" default="/tmp/vt.sock"/></OCD>
                  <Designate pid="org.virtgpu.transport.vhostuser"><Object ocdref="vh"/></Designate>
                  <Designate pid="org.virtgpu.transport.vtest"><Object ocdref="vt"/></Designate>
                </metatype:MetaData>""".getBytes(StandardCharsets.UTF_8)), "org.virtgpu.core"));
        var p = LaunchConfig.parse("{\"vhostUser\":{\"enabled\":true,\"maxQueueSize\":256}}", "f").toPids(schema, CONTEXTS);
        assertEquals(Map.of("enabled", true, "maxQueueSize", 256, "socketPath", "/tmp/vh.sock"), p.get(LaunchConfig.VHOST_USER_PID));
        assertEquals("/tmp/vt.sock", p.get(LaunchConfig.VTEST_PID).get("socketPath"));
    }

    @Test
    void unknownSectionsAndMalformedJsonAreRefusedWhenParsing() {
        var e = assertThrows(ConfigException.class, () -> LaunchConfig.parse("{\"devices\":{}}", "f.json"));
        assertTrue(e.problems().getFirst().startsWith("f.json: unknown section \"devices\""), e.getMessage());
        e = assertThrows(ConfigException.class, () -> LaunchConfig.parse("{\"device\":{\"a\":1,\"a\":2}}", "f.json"));
        assertTrue(e.getMessage().contains("Duplicate field 'a'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> LaunchConfig.parse("{\"device\":", "f.json"));
        assertTrue(e.getMessage().startsWith("f.json: not valid JSON"), e.getMessage());
    }

    @Test
    void commandLineOverridesTheFile() throws Exception {
        LaunchConfig c = LaunchConfig.parse("{\"vtest\":{\"socketPath\":\"/a\"},\"device\":{\"hostPageSize\":4096}}", "f");
        c.vtestSocket("/b");
        c.hostPageSize(16384);
        c.vhostUserSocket("/v");
        var p = c.toPids(schema(), CONTEXTS);
        assertEquals("/b", p.get(LaunchConfig.VTEST_PID).get("socketPath"));
        assertEquals(16384, p.get(LaunchConfig.DEVICE_PID).get("hostPageSize"));
        assertEquals(Map.of("enabled", true, "socketPath", "/v"), p.get(LaunchConfig.VHOST_USER_PID));
        c.noVtest();
        assertEquals(false, c.toPids(schema(), CONTEXTS).get(LaunchConfig.VTEST_PID).get("enabled"));
    }

    @Test
    void includeSelectsVirtgpuBundlesAndKeepsTheInfrastructure() throws Exception {
        Set<String> dir = Set.of("org.virtgpu.core", "org.virtgpu.context.venus", "org.virtgpu.context.virgl",
                "org.apache.felix.scr", "org.apache.felix.configadmin");
        var c = LaunchConfig.parse("{\"bundles\":{\"include\":[\"org.virtgpu.core\",\"org.virtgpu.context.venus\"]}}", "f");
        assertEquals(Set.of("org.virtgpu.core", "org.virtgpu.context.venus", "org.apache.felix.scr", "org.apache.felix.configadmin"),
                c.select(dir));
        c = LaunchConfig.parse("{\"bundles\":{\"exclude\":[\"org.virtgpu.context.virgl\",\"org.example.absent\"]}}", "f");
        assertEquals(Set.of("org.virtgpu.core", "org.virtgpu.context.venus", "org.apache.felix.scr", "org.apache.felix.configadmin"),
                c.select(dir));
        assertEquals(List.of("org.example.absent"), c.unmatchedExcludes(dir));
        var bad = LaunchConfig.parse("{\"bundles\":{\"include\":[\"org.virtgpu.context.nope\"],\"only\":[]}}", "f");
        var p = assertThrows(ConfigException.class, () -> bad.select(dir)).problems();
        assertEquals(2, p.size(), p.toString());
    }
}
