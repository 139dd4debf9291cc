package org.virtgpu.launcher;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The launcher's JSON configuration (see docs/launcher.md), turned into ConfigAdmin dictionaries per PID.
 * <p>
 * Sections: {@code device} (PID {@value #DEVICE_PID}), {@code limits} (merged into the device PID), {@code vtest}
 * ({@value #VTEST_PID}), {@code vhostUser} ({@value #VHOST_USER_PID}), {@code contexts.<name>}
 * ({@code org.virtgpu.context.<name>}) and {@code bundles} ({@code include}/{@code exclude} by symbolic name).
 * Keys are checked against the metatype the bundles declare, so a typo is an error rather than a silently ignored
 * setting. Command-line options are applied on top of the file before validation.
 */
public final class LaunchConfig {
    public static final String DEVICE_PID = "org.virtgpu.core";
    public static final String VTEST_PID = "org.virtgpu.transport.vtest";
    public static final String VHOST_USER_PID = "org.virtgpu.transport.vhostuser";
    public static final String CONTEXT_BSN_PREFIX = "org.virtgpu.context.";
    /** Where Mesa's vtest client looks when VTEST_SOCKET_NAME is unset (virglrenderer's VTEST_DEFAULT_SOCKET_NAME). */
    public static final String DEFAULT_VTEST_SOCKET = "/tmp/.virgl_test";

    private static final Set<String> SECTIONS = Set.of("device", "limits", "vtest", "vhostUser", "contexts", "bundles");
    private static final Set<String> LIMIT_KEYS = Set.of("maxResources", "maxBytes", "maxContexts");
    private static final Pattern CONTEXT_NAME = Pattern.compile("[a-z0-9]+");

    /** Keys the launcher itself knows for the transports, used when no transport bundle declares metatype. */
    private static final Map<String, Map<String, Metatype.Attribute>> TRANSPORT_KEYS = Map.of(
            VTEST_PID, attrs(new Metatype.Attribute("enabled", "Boolean"), new Metatype.Attribute("socketPath", "String"),
                    new Metatype.Attribute("maxClients", "Integer")),
            VHOST_USER_PID, attrs(new Metatype.Attribute("enabled", "Boolean"), new Metatype.Attribute("socketPath", "String")));

    /** Built on first use: databind's start-up cost (~0.2 s) is paid only when there is a file to read. */
    private static final class Json {
        static final JsonMapper MAPPER = JsonMapper.builder()
                .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    private final ObjectNode root;

    private LaunchConfig(ObjectNode root) {
        this.root = root;
    }

    /** No file: every default. */
    public static LaunchConfig defaults() {
        return new LaunchConfig(JsonNodeFactory.instance.objectNode());
    }

    public static LaunchConfig parse(String json, String source) throws ConfigException {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        if (!(n instanceof ObjectNode o)) {
            throw new ConfigException(source + ": the top level must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        o.fieldNames().forEachRemaining(k -> {
            if (!SECTIONS.contains(k)) {
                problems.add(source + ": unknown section \"" + k + "\" (known: " + new TreeSet<>(SECTIONS) + ")");
            } else if (!o.get(k).isObject()) {
                problems.add(source + ": section \"" + k + "\" must be a JSON object");
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new LaunchConfig(o);
    }

    public static LaunchConfig read(Path file) throws ConfigException {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e);
        }
    }

    private ObjectNode section(String name) {
        return root.has(name) ? (ObjectNode) root.get(name) : root.putObject(name);
    }

    // --- command-line overrides ------------------------------------------------------------------------------

    public void vtestSocket(String path) {
        section("vtest").put("enabled", true).put("socketPath", path);
    }

    public void noVtest() {
        section("vtest").put("enabled", false);
    }

    public void vhostUserSocket(String path) {
        section("vhostUser").put("enabled", true).put("socketPath", path);
    }

    public void hostPageSize(int size) {
        section("device").put("hostPageSize", size);
    }

    // --- bundle selection --------------------------------------------------------------------------------------

    /** Which of the bundle symbolic names found in the bundle directory to install. */
    public Set<String> select(Collection<String> available) throws ConfigException {
        List<String> problems = new ArrayList<>();
        Set<String> include = names("include", problems);
        Set<String> exclude = names("exclude", problems);
        JsonNode b = root.get("bundles");
        if (b != null) {
            b.fieldNames().forEachRemaining(k -> {
                if (!k.equals("include") && !k.equals("exclude")) {
                    problems.add("bundles." + k + ": unknown key (known: include, exclude)");
                }
            });
        }
        for (String bsn : include) {
            if (!available.contains(bsn)) {
                problems.add("bundles.include: no bundle " + bsn + " in the bundle directory (found: " + new TreeSet<>(available) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String bsn : available) {
            // an include list names our bundles; the OSGi infrastructure (SCR, ConfigAdmin, ...) stays unless excluded
            boolean wanted = include.isEmpty() || include.contains(bsn) || !bsn.startsWith("org.virtgpu.");
            if (wanted && !exclude.contains(bsn)) {
                out.add(bsn);
            }
        }
        return out;
    }

    /** {@code bundles.exclude} entries that match no bundle (a warning, not an error: excluding the absent is harmless). */
    public List<String> unmatchedExcludes(Collection<String> available) {
        List<String> out = new ArrayList<>();
        JsonNode ex = root.path("bundles").path("exclude");
        ex.forEach(n -> {
            if (!available.contains(n.asText())) {
                out.add(n.asText());
            }
        });
        return out;
    }

    private Set<String> names(String key, List<String> problems) {
        Set<String> out = new LinkedHashSet<>();
        JsonNode n = root.path("bundles").get(key);
        if (n == null) {
            return out;
        }
        if (!n.isArray()) {
            problems.add("bundles." + key + ": must be an array of bundle symbolic names");
            return out;
        }
        n.forEach(e -> {
            if (e.isTextual()) {
                out.add(e.asText());
            } else {
                problems.add("bundles." + key + ": " + e + " is not a bundle symbolic name (string)");
            }
        });
        return out;
    }

    // --- ConfigAdmin dictionaries -----------------------------------------------------------------------------

    /**
     * The configuration per PID, typed and checked.
     *
     * @param schema      PIDs declared by the installed bundles' metatype
     * @param contextBsns every {@code org.virtgpu.context.*} symbolic name in the bundle directory (installed or not)
     */
    public Map<String, Map<String, Object>> toPids(Map<String, Metatype.Pid> schema, Collection<String> contextBsns)
            throws ConfigException {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();

        Metatype.Pid device = schema.get(DEVICE_PID);
        Map<String, Object> dev = new LinkedHashMap<>();
        JsonNode devNode = root.get("device");
        JsonNode limNode = root.get("limits");
        if ((devNode != null && !devNode.isEmpty()) || (limNode != null && !limNode.isEmpty())) {
            if (device == null) {
                problems.add("device/limits: no installed bundle declares PID " + DEVICE_PID
                        + " (is the core bundle in the bundle directory and selected?)");
            } else {
                convert("device", devNode, device.attributes(), dev, problems);
                if (limNode != null) {
                    Map<String, Metatype.Attribute> limitAttrs = new LinkedHashMap<>();
                    device.attributes().forEach((k, a) -> {
                        if (LIMIT_KEYS.contains(k)) {
                            limitAttrs.put(k, a);
                        }
                    });
                    Map<String, Object> lim = new LinkedHashMap<>();
                    convert("limits", limNode, limitAttrs, lim, problems);
                    lim.forEach((k, v) -> {
                        if (dev.containsKey(k)) {
                            problems.add("limits." + k + ": also set in device." + k + "; set it in one place");
                        }
                        dev.put(k, v);
                    });
                }
            }
        }
        if (!dev.isEmpty()) {
            out.put(DEVICE_PID, dev);
        }

        Map<String, Object> vtest = transport("vtest", VTEST_PID, schema, problems);
        vtest.putIfAbsent("enabled", Boolean.TRUE);
        vtest.putIfAbsent("socketPath", declaredDefault(schema, VTEST_PID, "socketPath", DEFAULT_VTEST_SOCKET));
        if (Boolean.TRUE.equals(vtest.get("enabled")) && vtest.get("socketPath") instanceof String s && s.isBlank()) {
            problems.add("vtest.socketPath: must not be empty while vtest is enabled");
        }
        out.put(VTEST_PID, vtest);

        Map<String, Object> vhost = transport("vhostUser", VHOST_USER_PID, schema, problems);
        vhost.putIfAbsent("enabled", Boolean.FALSE);
        if (Boolean.TRUE.equals(vhost.get("enabled")) && !vhost.containsKey("socketPath")) {
            String d = declaredDefault(schema, VHOST_USER_PID, "socketPath", null);
            if (d != null) {
                vhost.put("socketPath", d);
            }
        }
        if (Boolean.TRUE.equals(vhost.get("enabled")) && !(vhost.get("socketPath") instanceof String s && !s.isBlank())) {
            problems.add("vhostUser.enabled is true but vhostUser.socketPath is not set and no bundle declares a default"
                    + " (or use --vhost-user-socket)");
        }
        out.put(VHOST_USER_PID, vhost);

        JsonNode contexts = root.get("contexts");
        if (contexts != null) {
            for (var it = contexts.fields(); it.hasNext(); ) {
                var e = it.next();
                String name = e.getKey();
                String pid = CONTEXT_BSN_PREFIX + name;
                String where = "contexts." + name;
                if (!CONTEXT_NAME.matcher(name).matches() || !contextBsns.contains(pid)) {
                    problems.add(where + ": no context bundle " + pid + " in the bundle directory (known: "
                            + contextBsns.stream().map(b -> b.substring(CONTEXT_BSN_PREFIX.length())).sorted().toList() + ")");
                    continue;
                }
                if (!e.getValue().isObject()) {
                    problems.add(where + ": must be a JSON object");
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                Metatype.Pid declared = schema.get(pid);
                if (declared != null) {
                    convert(where, e.getValue(), declared.attributes(), m, problems);
                } else {
                    // the bundle declares no metatype: pass the values through with their JSON types
                    e.getValue().fields().forEachRemaining(f -> {
                        Object v = untyped(f.getValue());
                        if (v == null) {
                            problems.add(where + "." + f.getKey() + ": only strings, numbers, booleans and arrays of strings are supported");
                        } else {
                            m.put(f.getKey(), v);
                        }
                    });
                }
                out.put(pid, m);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return out;
    }

    private Map<String, Object> transport(String section, String pid, Map<String, Metatype.Pid> schema, List<String> problems) {
        Map<String, Metatype.Attribute> keys = new LinkedHashMap<>(TRANSPORT_KEYS.get(pid));
        Metatype.Pid declared = schema.get(pid);
        if (declared != null) {
            keys.putAll(declared.attributes());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        convert(section, root.get(section), keys, m, problems);
        return m;
    }

    private static void convert(String where, JsonNode node, Map<String, Metatype.Attribute> attrs, Map<String, Object> into,
            List<String> problems) {
        if (node == null) {
            return;
        }
        node.fields().forEachRemaining(f -> {
            Metatype.Attribute a = attrs.get(f.getKey());
            if (a == null) {
                problems.add(where + "." + f.getKey() + ": unknown key (known: " + new TreeSet<>(attrs.keySet()) + ")");
                return;
            }
            if (a.cardinality() != 0) {
                if (!f.getValue().isArray()) {
                    problems.add(where + "." + f.getKey() + ": expected an array of " + a.type());
                    return;
                }
                List<Object> list = new ArrayList<>();
                for (JsonNode e : f.getValue()) {
                    Object v = scalar(e, a.type());
                    if (v == null) {
                        problems.add(where + "." + f.getKey() + ": expected " + a.type() + " elements, got " + e);
                        return;
                    }
                    list.add(v);
                }
                into.put(f.getKey(), list);
                return;
            }
            Object v = scalar(f.getValue(), a.type());
            if (v == null) {
                problems.add(where + "." + f.getKey() + ": expected " + a.type() + ", got " + f.getValue());
            } else {
                into.put(f.getKey(), v);
            }
        });
    }

    /** The JSON value as the metatype type ({@code null} if it is not one). */
    static Object scalar(JsonNode n, String type) {
        return switch (type) {
            case "Integer" -> n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null;
            case "Long" -> n.isIntegralNumber() && n.canConvertToLong() ? n.longValue() : null;
            case "Short" -> n.isIntegralNumber() && n.canConvertToInt() && n.intValue() == (short) n.intValue() ? (short) n.intValue() : null;
            case "Byte" -> n.isIntegralNumber() && n.canConvertToInt() && n.intValue() == (byte) n.intValue() ? (byte) n.intValue() : null;
            case "Double" -> n.isNumber() ? n.doubleValue() : null;
            case "Float" -> n.isNumber() ? n.floatValue() : null;
            case "Boolean" -> n.isBoolean() ? n.booleanValue() : null;
            case "Char" -> n.isTextual() && n.asText().length() == 1 ? n.asText().charAt(0) : null;
            default -> n.isTextual() ? n.asText() : null; // String, Password
        };
    }

    private static Object untyped(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.canConvertToInt() ? (Object) n.intValue() : n.canConvertToLong() ? n.longValue() : null;
        } else if (n.isNumber()) {
            return n.doubleValue();
        } else if (n.isBoolean()) {
            return n.booleanValue();
        } else if (n.isTextual()) {
            return n.asText();
        } else if (n.isArray()) {
            String[] a = new String[n.size()];
            for (int i = 0; i < a.length; i++) {
                if (!n.get(i).isTextual()) {
                    return null;
                }
                a[i] = n.get(i).asText();
            }
            return a;
        }
        return null;
    }

    /** The default a bundle's metatype declares for {@code pid}/{@code key}, else {@code fallback}. */
    private static String declaredDefault(Map<String, Metatype.Pid> schema, String pid, String key, String fallback) {
        Metatype.Pid p = schema.get(pid);
        Metatype.Attribute a = p == null ? null : p.attributes().get(key);
        return a != null && a.defaultValue() != null ? a.defaultValue() : fallback;
    }

    private static Map<String, Metatype.Attribute> attrs(Metatype.Attribute... as) {
        Map<String, Metatype.Attribute> m = new LinkedHashMap<>();
        for (var a : as) {
            m.put(a.key(), a);
        }
        return Map.copyOf(m);
    }
}
