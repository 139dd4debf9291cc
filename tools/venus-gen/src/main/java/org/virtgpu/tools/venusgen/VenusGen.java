package org.virtgpu.tools.venusgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Generates the Java decoder/encoder of the Venus wire format from the Vulkan registry.
 * <p>
 * Inputs: vk.xml (the registry the host headers came from), {@code command-types.txt} (VkCommandTypeEXT numbers,
 * which vk.xml does not carry), {@code extensions.txt} (the extensions we may advertise) and {@code mesa-structs.xml}
 * (VK_MESA_venus_protocol structs chained into Vulkan structs).
 * <p>
 * Output: Java classes that decode each command's parameters straight into C-layout memory (x86-64 SysV rules), so the
 * executor can hand them to the host driver unchanged, and encode replies from that memory. The encoding rules
 * follow venus-protocol's generator (vn_protocol.py): every item is a multiple of 4 bytes, pointers are u64 presence
 * markers, arrays carry a u64 element count, handles are u64 object ids, pNext chains are encoded depth-first, and
 * output structs arrive "partial" (only sType/pNext, counts, handles and nested structs).
 * <p>
 * Usage: {@code VenusGen <vk.xml> <dir with command-types.txt, extensions.txt, mesa-structs.xml> <output src dir>}
 */
public final class VenusGen {
    static final String PKG = "org.virtgpu.context.venus.gen";

    enum Kind { I8, I16, I32, F32, I64, F64, HANDLE, STRUCT, UNION, VOID, CHAR, BAD }

    static final class Member {
        String name, type, len, altlen;
        boolean isConst, optional, noauto, bitfield;
        int ptr;
        List<Integer> dims = new ArrayList<>();
        String values;
        int offset;
    }

    static final class TypeDef {
        String name, category, alias, typedefOf;
        List<Member> members = new ArrayList<>();
        boolean dispatchable, host = true;
        /** vk.xml {@code parent} of a handle type: the object types it is created from or freed with */
        List<String> parents = List.of();
        /** vk.xml {@code objtypeenum} of a handle type: its VkObjectType, by name */
        String objectType;
        List<String> structExtends = new ArrayList<>();
        int sType = -1;
        int size, align;
        Boolean ok;
        String why;
    }

    static final class Command {
        String name, ret, alias;
        List<Member> params = new ArrayList<>();
        int typeId = -1;
        String why;
    }

    final Map<String, TypeDef> types = new LinkedHashMap<>();
    final Map<String, Command> commands = new LinkedHashMap<>();
    final Map<String, Long> constants = new HashMap<>();
    final Map<String, Long> enumValues = new HashMap<>();
    final Map<String, String> enumAliases = new HashMap<>();
    final Set<String> wantedTypes = new LinkedHashSet<>();
    final Set<String> wantedCommands = new LinkedHashSet<>();
    /**
     * extensions.txt lines marked {@code partial}: advertised although some of their commands have no Venus command
     * type (VK_EXT_extended_dynamic_state3's NV ones); those are protocol errors, and the executor withholds their
     * features.
     */
    final Set<String> partialExt = new LinkedHashSet<>();
    /**
     * command-types.txt lines marked {@code withheld}: recorded commands whose features the executor withholds. They
     * are decoded like any other and handed to {@code VnHooks.withheldCommand} instead of the host.
     */
    final Set<String> withheldCommands = new LinkedHashSet<>();
    /** Commands of core Vulkan 1.0-1.3 (vk.xml's feature blocks). */
    final Set<String> coreCommands = new LinkedHashSet<>();
    final Map<String, Integer> commandTypes = new LinkedHashMap<>();
    final List<String[]> advertised = new ArrayList<>(); // name, number
    /**
     * extensions.txt lines marked {@code emulated}: advertised (capset mask, the device's extension list) although
     * the decoder carries none of their commands, because the client implements those itself and only asks the
     * renderer for what the executor emulates (name, vk.xml spec version)
     */
    final List<String[]> emulated = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    /** vk.xml's {@code <format>} entries, for {@link #emitFormats} */
    final List<Element> formats = new ArrayList<>();
    int vkXmlVersion;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: VenusGen <vk.xml> <venus dir> <output dir>");
        }
        VenusGen g = new VenusGen();
        g.load(Path.of(args[0]), Path.of(args[1]));
        g.emit(Path.of(args[2]));
        for (String l : g.log) {
            System.out.println("[venus-gen] " + l);
        }
    }

    // ---------------------------------------------------------------- registry loading

    static List<Element> children(Element e, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && (tag == null || c.getTagName().equals(tag))) {
                out.add(c);
            }
        }
        return out;
    }

    static List<Element> all(Element e, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nl = e.getElementsByTagName(tag);
        for (int i = 0; i < nl.getLength(); i++) {
            out.add((Element) nl.item(i));
        }
        return out;
    }

    static String attr(Element e, String a) {
        return e.hasAttribute(a) ? e.getAttribute(a) : null;
    }

    static Element parse(Path p) throws Exception {
        var f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(p.toFile()).getDocumentElement();
    }

    void load(Path vkXml, Path dir) throws Exception {
        Element reg = parse(vkXml);
        Element mesa = parse(dir.resolve("mesa-structs.xml"));
        for (Element enums : all(reg, "enums")) {
            for (Element en : children(enums, "enum")) {
                String name = attr(en, "name");
                if (attr(en, "alias") != null) {
                    enumAliases.put(name, attr(en, "alias"));
                } else if (attr(en, "value") != null) {
                    Long v = parseNumber(attr(en, "value"));
                    if (v != null) {
                        constants.put(name, v);
                        enumValues.put(name, v);
                    }
                } else if (attr(en, "bitpos") != null) {
                    enumValues.put(name, 1L << Integer.parseInt(attr(en, "bitpos")));
                }
            }
        }
        for (Element types : all(reg, "types")) {
            for (Element t : children(types, "type")) {
                loadType(t);
            }
        }
        for (Element t : children(all(mesa, "types").getFirst(), "type")) {
            TypeDef td = loadType(t);
            td.host = !"false".equals(attr(t, "host"));
            td.sType = Integer.parseInt(attr(t, "stype"));
            wantedTypes.add(td.name);
        }
        for (Element c : children(all(reg, "commands").getFirst(), "command")) {
            if (attr(c, "alias") != null) {
                Command cmd = new Command();
                cmd.name = attr(c, "name");
                cmd.alias = attr(c, "alias");
                commands.put(cmd.name, cmd);
                continue;
            }
            Element proto = children(c, "proto").getFirst();
            Command cmd = new Command();
            cmd.name = text(children(proto, "name").getFirst());
            cmd.ret = text(children(proto, "type").getFirst());
            for (Element p : children(c, "param")) {
                String api = attr(p, "api");
                if (api != null && !api.contains("vulkan,") && !api.equals("vulkan")) {
                    continue;
                }
                cmd.params.add(member(p));
            }
            commands.put(cmd.name, cmd);
        }
        // extension-defined enum values (sTypes)
        for (Element feat : all(reg, "feature")) {
            collectRequires(feat, 0, true);
        }
        Set<String> wantedExt = new LinkedHashSet<>();
        Set<String> emulatedExt = new LinkedHashSet<>();
        for (String l : Files.readAllLines(dir.resolve("extensions.txt"))) {
            if (!l.isBlank() && !l.startsWith("#")) {
                String[] words = l.trim().split("\\s+");
                if (words.length > 1 && !words[1].equals("emulated") && !words[1].equals("partial")) {
                    throw new IllegalArgumentException("extensions.txt: unknown marker in \"" + l.trim() + "\"");
                }
                (words.length > 1 && words[1].equals("emulated") ? emulatedExt : wantedExt).add(words[0]);
                if (words.length > 1 && words[1].equals("partial")) {
                    partialExt.add(words[0]);
                }
            }
        }
        Map<String, Element> extByName = new HashMap<>();
        for (Element ext : all(reg, "extension")) {
            int number = Integer.parseInt(attr(ext, "number"));
            extByName.put(attr(ext, "name"), ext);
            collectRequires(ext, number, false);
        }
        for (String l : Files.readAllLines(dir.resolve("command-types.txt"))) {
            if (!l.isBlank() && !l.startsWith("#")) {
                String[] kv = l.trim().split("\\s+");
                commandTypes.put(kv[0], Integer.parseInt(kv[1]));
                if (kv.length > 2) {
                    if (!kv[2].equals("withheld") || !kv[0].startsWith("vkCmd")) {
                        throw new IllegalArgumentException("command-types.txt: \"" + l.trim()
                                + "\": only a vkCmd* command may be marked, and only \"withheld\"");
                    }
                    withheldCommands.add(kv[0]);
                }
            }
        }
        for (TypeDef td : types.values()) {
            if ("struct".equals(td.category) && td.sType < 0 && !td.members.isEmpty()
                    && td.members.getFirst().name.equals("sType") && td.members.getFirst().values != null) {
                Long v = enumValue(td.members.getFirst().values);
                if (v != null) {
                    td.sType = v.intValue();
                }
            }
        }
        // what we want: core 1.0-1.3 plus the listed extensions
        for (Element feat : all(reg, "feature")) {
            addRequired(feat);
            for (Element req : children(feat, "require")) {
                for (Element c : children(req, "command")) {
                    coreCommands.add(attr(c, "name"));
                }
            }
        }
        for (String name : wantedExt) {
            switch (name) {
                // Venus' own extensions are not in vk.xml (placeholders 384 and 385 there).
                case "VK_EXT_command_serialization" -> advertised.add(new String[] {name, "384"});
                case "VK_MESA_venus_protocol" -> advertised.add(new String[] {name, "385"});
                default -> {
                    Element ext = extByName.get(name);
                    if (ext == null) {
                        log.add("extension " + name + " is not in this vk.xml: not advertised");
                        continue;
                    }
                    String why = extensionProblem(ext);
                    if (why != null) {
                        log.add("extension " + name + " not advertised: " + why);
                        continue;
                    }
                    addRequired(ext);
                    advertised.add(new String[] {name, attr(ext, "number")});
                }
            }
        }
        for (String name : emulatedExt) {
            Element ext = extByName.get(name);
            if (ext == null) {
                throw new IllegalArgumentException("emulated extension " + name + " is not in this vk.xml");
            }
            advertised.add(new String[] {name, attr(ext, "number")});
            emulated.add(new String[] {name, String.valueOf(specVersion(ext))});
        }
        formats.addAll(all(reg, "format"));
        String hv = null;
        for (Element t : all(reg, "type")) {
            if ("define".equals(attr(t, "category")) && t.getTextContent().contains("VK_HEADER_VERSION ")
                    && !t.getTextContent().contains("COMPLETE")) {
                hv = t.getTextContent().replaceAll(".*VK_HEADER_VERSION\\s+(\\d+).*", "$1").trim();
            }
        }
        int patch = Integer.parseInt(hv.replaceAll("(?s).*?(\\d+)\\s*$", "$1"));
        vkXmlVersion = (1 << 22) | (3 << 12) | patch;
    }

    /** An extension's {@code VK_..._SPEC_VERSION} enum from its first require block. */
    static int specVersion(Element ext) {
        for (Element req : children(ext, "require")) {
            for (Element e : children(req, "enum")) {
                String n = attr(e, "name");
                if (n != null && n.endsWith("_SPEC_VERSION") && attr(e, "value") != null) {
                    return Integer.parseInt(attr(e, "value"));
                }
            }
        }
        throw new IllegalArgumentException("no spec version for " + attr(ext, "name"));
    }

    /** Why an extension cannot be advertised: a command without a Venus number or a type we cannot decode. */
    String extensionProblem(Element ext) {
        for (Element req : children(ext, "require")) {
            if (attr(req, "extension") != null || attr(req, "depends") != null || attr(req, "feature") != null) {
                continue; // interactions with other extensions/versions are optional
            }
            for (Element c : children(req, "command")) {
                String n = canonicalCommand(attr(c, "name"));
                // a core command the protocol does not number (vkUpdateDescriptorSetWithTemplate) is one every Venus
                // driver implements itself, for the core version and the extension alike
                if (!commandTypes.containsKey(n) && !coreCommands.contains(n)) {
                    if (!partialExt.contains(attr(ext, "name"))) {
                        return "command " + attr(c, "name") + " has no Venus command type in command-types.txt";
                    }
                    log.add("extension " + attr(ext, "name") + " is partial: " + n + " not carried");
                }
            }
            for (Element t : children(req, "type")) {
                TypeDef td = resolve(attr(t, "name"));
                if (td != null && ("struct".equals(td.category) || "union".equals(td.category)) && !typeOk(td)) {
                    return "type " + td.name + ": " + td.why;
                }
            }
        }
        return null;
    }

    void addRequired(Element featOrExt) {
        for (Element req : children(featOrExt, "require")) {
            for (Element t : children(req, "type")) {
                wantedTypes.add(attr(t, "name"));
            }
            for (Element c : children(req, "command")) {
                wantedCommands.add(attr(c, "name"));
            }
        }
    }

    void collectRequires(Element featOrExt, int extNumber, boolean core) {
        for (Element req : children(featOrExt, "require")) {
            for (Element en : children(req, "enum")) {
                String name = attr(en, "name");
                if (attr(en, "alias") != null) {
                    enumAliases.put(name, attr(en, "alias"));
                } else if (attr(en, "offset") != null) {
                    int num = attr(en, "extnumber") != null ? Integer.parseInt(attr(en, "extnumber")) : extNumber;
                    long v = 1_000_000_000L + (num - 1) * 1000L + Long.parseLong(attr(en, "offset"));
                    if ("-".equals(attr(en, "dir"))) {
                        v = -v;
                    }
                    enumValues.put(name, v);
                } else if (attr(en, "value") != null && attr(en, "extends") != null) {
                    Long v = parseNumber(attr(en, "value"));
                    if (v != null) {
                        enumValues.put(name, v);
                    }
                } else if (attr(en, "bitpos") != null) {
                    enumValues.put(name, 1L << Integer.parseInt(attr(en, "bitpos")));
                }
            }
        }
    }

    Long enumValue(String name) {
        for (int i = 0; i < 8 && name != null; i++) {
            Long v = enumValues.get(name);
            if (v != null) {
                return v;
            }
            name = enumAliases.get(name);
        }
        return null;
    }

    static Long parseNumber(String s) {
        s = s.trim().replace("U", "").replace("L", "").replace("\"", "");
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String text(Element e) {
        return e.getTextContent().trim();
    }

    TypeDef loadType(Element t) {
        TypeDef td = new TypeDef();
        td.category = attr(t, "category");
        td.name = attr(t, "name");
        td.alias = attr(t, "alias");
        if (td.name == null) {
            List<Element> n = children(t, "name");
            td.name = n.isEmpty() ? null : text(n.getFirst());
        }
        if (td.name == null) {
            return td;
        }
        if ("handle".equals(td.category) && td.alias == null) {
            td.dispatchable = t.getTextContent().contains("VK_DEFINE_HANDLE");
            if (attr(t, "parent") != null) {
                td.parents = List.of(attr(t, "parent").split(","));
            }
            td.objectType = attr(t, "objtypeenum");
        }
        if (("bitmask".equals(td.category) || "basetype".equals(td.category)) && td.alias == null) {
            List<Element> ty = children(t, "type");
            td.typedefOf = ty.isEmpty() ? null : text(ty.getFirst());
        }
        if (attr(t, "structextends") != null) {
            td.structExtends = List.of(attr(t, "structextends").split(","));
        }
        for (Element m : children(t, "member")) {
            String api = attr(m, "api");
            if (api != null && !api.contains("vulkan,") && !api.equals("vulkan")) {
                continue;
            }
            td.members.add(member(m));
        }
        types.putIfAbsent(td.name, td);
        return td;
    }

    Member member(Element m) {
        Member mm = new Member();
        mm.name = text(children(m, "name").getFirst());
        mm.type = text(children(m, "type").getFirst());
        mm.len = attr(m, "len");
        mm.altlen = attr(m, "altlen");
        mm.optional = attr(m, "optional") != null && attr(m, "optional").startsWith("true");
        mm.noauto = attr(m, "noautovalidity") != null;
        mm.values = attr(m, "values");
        StringBuilder before = new StringBuilder(), between = new StringBuilder(), after = new StringBuilder();
        int phase = 0;
        for (Node n = m.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                switch (e.getTagName()) {
                    case "type" -> phase = 1;
                    case "name" -> phase = 2;
                    case "enum" -> after.append(text(e));
                    default -> { }
                }
            } else if (n.getNodeType() == Node.TEXT_NODE) {
                (phase == 0 ? before : phase == 1 ? between : after).append(n.getNodeValue());
            }
        }
        mm.isConst = before.toString().contains("const");
        mm.ptr = (int) between.chars().filter(ch -> ch == '*').count();
        String a = after.toString().trim();
        if (a.startsWith(":")) {
            mm.bitfield = true;
        }
        Matcher mt = Pattern.compile("\\[([^\\]]+)\\]").matcher(a);
        while (mt.find()) {
            String d = mt.group(1).trim();
            Long v = parseNumber(d);
            if (v == null) {
                v = constants.get(d);
            }
            mm.dims.add(v == null ? -1 : v.intValue());
        }
        return mm;
    }

    TypeDef resolve(String name) {
        TypeDef td = types.get(name);
        for (int i = 0; i < 8 && td != null && td.alias != null; i++) {
            td = types.get(td.alias);
        }
        return td;
    }

    String canonicalCommand(String name) {
        Command c = commands.get(name);
        for (int i = 0; i < 8 && c != null && c.alias != null; i++) {
            name = c.alias;
            c = commands.get(name);
        }
        return name;
    }

    // ---------------------------------------------------------------- type model

    Kind kind(String type) {
        switch (type) {
            case "uint8_t", "int8_t": return Kind.I8;
            case "uint16_t", "int16_t": return Kind.I16;
            case "uint32_t", "int32_t": return Kind.I32;
            case "float": return Kind.F32;
            case "uint64_t", "int64_t", "size_t": return Kind.I64;
            case "double": return Kind.F64;
            case "char": return Kind.CHAR;
            case "void": return Kind.VOID;
            default: break;
        }
        TypeDef td = resolve(type);
        if (td == null) {
            return Kind.BAD;
        }
        return switch (td.category == null ? "" : td.category) {
            case "enum" -> Kind.I32;
            case "bitmask" -> "VkFlags64".equals(td.typedefOf) ? Kind.I64 : Kind.I32;
            case "basetype" -> td.typedefOf == null ? Kind.BAD : kind(td.typedefOf);
            case "handle" -> Kind.HANDLE;
            case "struct" -> Kind.STRUCT;
            case "union" -> Kind.UNION;
            default -> Kind.BAD;
        };
    }

    static int scalarSize(Kind k) {
        return switch (k) {
            case I8, CHAR, VOID -> 1;
            case I16 -> 2;
            case I32, F32 -> 4;
            case I64, F64, HANDLE -> 8;
            default -> throw new IllegalStateException(k.toString());
        };
    }

    /** Whether the struct/union can be generated; computes its C layout. */
    boolean typeOk(TypeDef td) {
        if (td.ok != null) {
            return td.ok;
        }
        td.ok = true; // recursion guard (self-referencing structs only through pointers)
        String why = null;
        int off = 0, align = 1, size = 0;
        boolean union = "union".equals(td.category);
        for (Member m : td.members) {
            if (m.bitfield) {
                why = "bitfield " + m.name;
                break;
            }
            if (m.dims.size() > 1 || m.dims.contains(-1)) {
                why = "multi-dimensional array " + m.name;
                break;
            }
            Kind k = kind(m.type);
            int msize, malign;
            if (m.ptr > 0) {
                msize = 8;
                malign = 8;
                String w = pointerProblem(m, k);
                if (w != null) {
                    if (m.optional || m.name.equals("pNext")) {
                        continue; // an optional pointer to something unserialisable: must arrive NULL
                    }
                    why = w;
                    break;
                }
            } else if (k == Kind.STRUCT || k == Kind.UNION) {
                TypeDef sub = resolve(m.type);
                if (!typeOk(sub)) {
                    why = "member " + m.name + " -> " + sub.why;
                    break;
                }
                msize = sub.size;
                malign = sub.align;
            } else if (k == Kind.BAD || k == Kind.VOID) {
                why = "member " + m.name + " of type " + m.type;
                break;
            } else {
                msize = scalarSize(k);
                malign = msize;
            }
            if (!m.dims.isEmpty()) {
                msize *= m.dims.getFirst();
            }
            if (m.len != null && m.ptr > 0 && lenProblem(td.members, m) != null) {
                why = lenProblem(td.members, m);
                break;
            }
            align = Math.max(align, malign);
            if (union) {
                m.offset = 0;
                size = Math.max(size, msize);
            } else {
                off = (off + malign - 1) / malign * malign;
                m.offset = off;
                off += msize;
                size = off;
            }
        }
        if (why != null) {
            td.ok = false;
            td.why = why;
            return false;
        }
        td.align = align;
        td.size = (size + align - 1) / align * align;
        return true;
    }

    String pointerProblem(Member m, Kind k) {
        if (m.name.equals("pNext")) {
            return null;
        }
        if (k == Kind.BAD) {
            return "pointer " + m.name + " to " + m.type;
        }
        if (k == Kind.VOID && (m.len == null || m.ptr != 1)) {
            return "untyped pointer " + m.name;
        }
        if (m.ptr == 2 && !(k == Kind.CHAR && m.len != null && m.len.endsWith("null-terminated"))) {
            return "double pointer " + m.name;
        }
        if (m.ptr > 2) {
            return "pointer depth " + m.name;
        }
        if ((k == Kind.STRUCT || k == Kind.UNION) && !typeOk(resolve(m.type))) {
            return "pointer " + m.name + " -> " + resolve(m.type).why;
        }
        return null;
    }

    String lenProblem(List<Member> siblings, Member m) {
        String l = lenExpr(m);
        if (l.equals("null-terminated")) {
            return null;
        }
        if (l.startsWith("latexmath")) {
            return "length of " + m.name + " is only latexmath";
        }
        for (String id : identifiers(l)) {
            if (siblings.stream().noneMatch(s -> s.name.equals(id)) && !id.contains("->") && !constants.containsKey(id)) {
                return "length " + l + " of " + m.name;
            }
        }
        return null;
    }

    static String lenExpr(Member m) {
        String first = m.len.split(",")[0].trim();
        if (m.altlen != null) {
            return m.altlen.split(",")[0].trim();
        }
        return first;
    }

    static List<String> identifiers(String expr) {
        List<String> out = new ArrayList<>();
        Matcher mt = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*(->[A-Za-z_][A-Za-z_0-9]*)?").matcher(expr);
        while (mt.find()) {
            out.add(mt.group());
        }
        return out;
    }

    boolean commandOk(Command c) {
        if (c.why != null) {
            return false;
        }
        Integer id = commandTypes.get(c.name);
        if (id == null) {
            c.why = "no command type";
            return false;
        }
        c.typeId = id;
        Kind rk = kind(c.ret);
        if (!c.ret.equals("void") && rk != Kind.I32 && rk != Kind.I64) {
            c.why = "return type " + c.ret;
            return false;
        }
        for (Member p : c.params) {
            Kind k = kind(p.type);
            if (p.type.equals("VkAllocationCallbacks")) {
                continue;
            }
            if (p.ptr > 0 || !p.dims.isEmpty()) {
                String w = pointerProblem(p, k);
                if (w != null) {
                    c.why = w;
                    return false;
                }
                if (p.len != null && lenProblem(c.params, p) != null) {
                    c.why = lenProblem(c.params, p);
                    return false;
                }
            } else if (k == Kind.BAD || k == Kind.VOID || k == Kind.STRUCT || k == Kind.UNION) {
                c.why = "parameter " + p.name + " of type " + p.type;
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- emission

    final Map<String, Integer> handleIds = new TreeMap<>();
    final List<TypeDef> emitted = new ArrayList<>();
    final Map<String, String> structClass = new HashMap<>();
    static final int STRUCTS_PER_CLASS = 60;

    int handleId(String type) {
        TypeDef td = resolve(type);
        return handleIds.computeIfAbsent(td.name, k -> handleIds.size() + 1);
    }

    void emit(Path out) throws IOException {
        Path dir = out.resolve(PKG.replace('.', '/'));
        Files.createDirectories(dir);
        // every handle type gets an index (the object table is per type)
        for (TypeDef td : types.values()) {
            if ("handle".equals(td.category) && td.alias == null) {
                handleId(td.name);
            }
        }
        // structs: everything wanted + everything reachable
        Set<String> seen = new LinkedHashSet<>();
        for (String n : wantedTypes) {
            TypeDef td = resolve(n);
            if (td != null && ("struct".equals(td.category) || "union".equals(td.category))) {
                collect(td, seen);
            }
        }
        List<Command> cmds = new ArrayList<>();
        Set<String> cmdSeen = new LinkedHashSet<>();
        for (String n : wantedCommands) {
            String cn = canonicalCommand(n);
            Command c = commands.get(cn);
            if (c == null || !cmdSeen.add(cn)) {
                continue;
            }
            if (commandOk(c)) {
                cmds.add(c);
                for (Member p : c.params) {
                    TypeDef td = resolve(p.type);
                    if (td != null && ("struct".equals(td.category) || "union".equals(td.category))) {
                        collect(td, seen);
                    }
                }
            } else if (commandTypes.containsKey(cn)) {
                log.add("command " + cn + " not generated: " + c.why);
            }
        }
        for (int i = 0; i < emitted.size(); i++) {
            structClass.put(emitted.get(i).name, "VnStructs" + (i / STRUCTS_PER_CLASS));
        }
        for (int start = 0; start < emitted.size(); start += STRUCTS_PER_CLASS) {
            StringBuilder sb = new StringBuilder();
            String cls = "VnStructs" + (start / STRUCTS_PER_CLASS);
            header(sb, cls, "Struct decoders/encoders (C layout) generated from vk.xml.");
            for (TypeDef td : emitted.subList(start, Math.min(emitted.size(), start + STRUCTS_PER_CLASS))) {
                emitStruct(sb, td);
            }
            sb.append("}\n");
            Files.writeString(dir.resolve(cls + ".java"), sb.toString());
        }
        emitChain(dir);
        emitCommands(dir, cmds);
        emitInfo(dir);
        emitFormats(dir);
        log.add("generated " + emitted.size() + " structs/unions, " + cmds.size() + " commands, "
                + advertised.size() + " advertised extensions, vk.xml " + (vkXmlVersion >> 22) + "."
                + ((vkXmlVersion >> 12) & 0x3ff) + "." + (vkXmlVersion & 0xfff));
    }

    void collect(TypeDef td, Set<String> seen) {
        if (!seen.add(td.name)) {
            return;
        }
        if (!typeOk(td)) {
            log.add("struct " + td.name + " not generated: " + td.why);
            return;
        }
        for (Member m : td.members) {
            TypeDef sub = resolve(m.type);
            if (sub != null && ("struct".equals(sub.category) || "union".equals(sub.category))
                    && !m.name.equals("pNext") && (m.ptr == 0 || pointerProblem(m, kind(m.type)) == null)) {
                collect(sub, seen);
            }
        }
        emitted.add(td);
        // structs that may be chained onto this one
        for (TypeDef other : types.values()) {
            if (other.alias == null && other.structExtends.contains(td.name)
                    && (wantedTypes.contains(other.name) || !other.host) && typeOk(other)) {
                collect(other, seen);
            }
        }
    }

    static void header(StringBuilder sb, String cls, String doc) {
        sb.append("// GENERATED by tools/venus-gen from vk.xml. Do not edit.\n");
        sb.append("package ").append(PKG).append(";\n\n");
        sb.append("import static org.virtgpu.context.venus.wire.VnMem.*;\n\n");
        sb.append("import org.virtgpu.context.venus.wire.VnCtx;\n\n");
        sb.append("/** ").append(doc).append(" */\n");
        sb.append("@SuppressWarnings({\"unused\", \"checkstyle:all\"})\n");
        sb.append("public final class ").append(cls).append(" {\n");
        sb.append("    private ").append(cls).append("() {\n    }\n\n");
    }

    String sref(String type) {
        TypeDef td = resolve(type);
        return structClass.get(td.name) + ".";
    }

    String cname(String type) {
        return resolve(type).name;
    }

    void emitStruct(StringBuilder sb, TypeDef td) {
        String n = td.name;
        boolean chained = td.sType >= 0;
        sb.append("    public static final int SIZE_").append(n).append(" = ").append(td.size).append(";\n");
        if ("union".equals(td.category)) {
            // unions: u32 member index, then that member (venus-protocol types_union.h)
            sb.append("    public static void d_").append(n).append("(VnCtx c, long a, boolean partial) {\n");
            sb.append("        int tag = c.r32();\n        switch (tag) {\n");
            for (int i = 0; i < td.members.size(); i++) {
                sb.append("            case ").append(i).append(" -> {\n");
                decodeMember(sb, td.members, td.members.get(i), "a", "                ", false);
                sb.append("            }\n");
            }
            sb.append("            default -> throw c.fail(\"").append(n).append(": bad union tag \" + tag);\n");
            sb.append("        }\n    }\n\n");
            sb.append("    public static void e_").append(n).append("(VnCtx c, long a) {\n");
            sb.append("        throw c.fail(\"").append(n).append(" cannot be encoded in a reply\");\n    }\n\n");
            return;
        }
        if (chained) {
            sb.append("    public static final int STYPE_").append(n).append(" = ").append(td.sType).append(";\n");
            sb.append("    public static void d_").append(n).append("(VnCtx c, long a, boolean partial) {\n");
            sb.append("        c.expectSType(").append(td.sType).append(");\n");
            sb.append("        p32(a, ").append(td.sType).append(");\n");
            sb.append("        p64(a + 8, VnChain.decode(c, partial));\n");
            sb.append("        ds_").append(n).append("(c, a, partial);\n    }\n\n");
            sb.append("    public static void e_").append(n).append("(VnCtx c, long a) {\n");
            sb.append("        c.w32(").append(td.sType).append(");\n");
            sb.append("        VnChain.encode(c, g64(a + 8));\n");
            sb.append("        es_").append(n).append("(c, a);\n    }\n\n");
        }
        String dname = chained ? "ds_" : "d_";
        String ename = chained ? "es_" : "e_";
        List<Member> body = td.members.stream().filter(m -> !(chained && (m.name.equals("sType") || m.name.equals("pNext")))).toList();
        sb.append("    public static void ").append(dname).append(n).append("(VnCtx c, long a, boolean partial) {\n");
        sb.append("        if (!partial) {\n");
        for (Member m : body) {
            decodeMember(sb, td.members, m, "a", "            ", false);
        }
        sb.append("            return;\n        }\n");
        for (Member m : body) {
            decodeMember(sb, td.members, m, "a", "        ", true);
        }
        sb.append("    }\n\n");
        sb.append("    public static void ").append(ename).append(n).append("(VnCtx c, long a) {\n");
        for (Member m : body) {
            encodeMember(sb, td.members, m, "a", "        ");
        }
        sb.append("    }\n\n");
    }

    /** Whether another member's length names this one (then it is sent even in partial structs). */
    static boolean isCountOf(List<Member> siblings, Member m) {
        for (Member o : siblings) {
            if (o != m && o.len != null) {
                for (String id : identifiers(lenExpr(o))) {
                    if (id.equals(m.name)) {
                        return true;
                    }
                }
                for (String part : o.len.split(",")) {
                    if (part.trim().equals(m.name)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Java expression for a member's element count, reading siblings from C memory at base. */
    String countJava(List<Member> siblings, Member m, String base) {
        String expr = lenExpr(m);
        if (expr.equals("null-terminated")) {
            return "(0L)";
        }
        StringBuilder out = new StringBuilder();
        Matcher mt = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*(->[A-Za-z_][A-Za-z_0-9]*)?").matcher(expr);
        int last = 0;
        while (mt.find()) {
            out.append(expr, last, mt.start());
            String id = mt.group();
            Member s = siblings.stream().filter(x -> x.name.equals(id)).findFirst().orElse(null);
            if (s != null) {
                out.append(readScalar(s, base + " + " + s.offset));
            } else if (constants.containsKey(id)) {
                out.append(constants.get(id)).append("L");
            } else {
                throw new IllegalStateException("cannot evaluate " + expr);
            }
            last = mt.end();
        }
        out.append(expr.substring(last));
        return "(" + out + ")";
    }

    String readScalar(Member s, String addr) {
        return switch (kind(s.type)) {
            case I8 -> "(g8(" + addr + ") & 0xffL)";
            case I16 -> "(g16(" + addr + ") & 0xffffL)";
            case I32, F32 -> "(g32(" + addr + ") & 0xffffffffL)";
            case I64 -> "g64(" + addr + ")";
            default -> throw new IllegalStateException("count type " + s.type);
        };
    }

    /** Decodes one element of type m.type from the wire into C memory at addr (single, not array). */
    void decodeElem(StringBuilder sb, Member m, String addr, String ind, boolean partial) {
        Kind k = kind(m.type);
        switch (k) {
            case I8 -> sb.append(ind).append("p8(").append(addr).append(", (byte) c.r32());\n");
            case I16 -> sb.append(ind).append("p16(").append(addr).append(", (short) c.r32());\n");
            case I32, F32 -> sb.append(ind).append("p32(").append(addr).append(", c.r32());\n");
            case I64, F64 -> sb.append(ind).append("p64(").append(addr).append(", c.r64());\n");
            case HANDLE -> {
                if (partial) {
                    sb.append(ind).append("c.r64(); // handle ids in output structs are filled by the host\n");
                } else {
                    sb.append(ind).append("p64(").append(addr).append(", ").append(handleLookup(m, m.ptr == 0 && m.dims.isEmpty(), false))
                            .append(");\n");
                }
            }
            case STRUCT, UNION -> sb.append(ind).append(sref(m.type)).append("d_").append(cname(m.type)).append("(c, ")
                    .append(addr).append(", ").append(partial).append(");\n");
            default -> throw new IllegalStateException(m.name + " " + k);
        }
    }

    /**
     * The lookup of a handle id the decoder is about to pass to the host. Vulkan's implicit valid usage ("must be a
     * valid X handle") applies to a handle that vk.xml marks neither {@code optional} nor {@code noautovalidity}, and
     * to every element of a handle array without {@code noautovalidity} (an array's {@code optional} is about its
     * pointer): those must name a live object ({@code hostValid}), never VK_NULL_HANDLE, which the host would
     * dereference (the loader aborts the process on a NULL dispatchable handle). The others may be NULL; an unknown id
     * is then NULL only under noautovalidity (as before). The command's dispatchable first parameter also fixes the
     * device every later handle must belong to.
     */
    String handleLookup(Member m, boolean scalar, boolean dispatchParam) {
        boolean mayBeNull = m.noauto || scalar && m.optional;
        int t = handleId(m.type);
        if (mayBeNull) {
            return "c.host(" + t + ", c.r64(), " + m.noauto + ")";
        }
        return (dispatchParam ? "c.dispatch(" : "c.hostValid(") + t + ", c.r64())";
    }

    /**
     * Where a command's created handle {@code out} finds its vk.xml parent: a handle parameter of a parent type, else a
     * handle member of a parent type in the command's create/allocate info (a command buffer's pool in
     * VkCommandBufferAllocateInfo). Returns {type id, Java expression of the parent's host handle}, or null.
     */
    String[] parentOf(Command cmd, Member out) {
        List<String> parents = resolve(out.type).parents;
        for (Member q : cmd.params) {
            if (q != out && q.ptr == 0 && kind(q.type) == Kind.HANDLE && parents.contains(resolve(q.type).name)) {
                return new String[] {String.valueOf(handleId(q.type)), q.name};
            }
        }
        for (Member q : cmd.params) {
            TypeDef st = q.ptr == 1 && q.isConst && q.len == null && kind(q.type) == Kind.STRUCT ? resolve(q.type) : null;
            if (st == null) {
                continue;
            }
            for (Member f : st.members) {
                if (f.ptr == 0 && f.dims.isEmpty() && kind(f.type) == Kind.HANDLE && parents.contains(resolve(f.type).name)) {
                    return new String[] {String.valueOf(handleId(f.type)), "(" + q.name + " == 0 ? 0 : g64(" + q.name + " + " + f.offset + "))"};
                }
            }
        }
        return null;
    }

    void decodeMember(StringBuilder sb, List<Member> sib, Member m, String base, String ind, boolean partialStruct) {
        Kind k = kind(m.type);
        String addr = base + " + " + m.offset;
        if (m.name.equals("pNext")) {
            sb.append(ind).append("p64(").append(addr).append(", VnChain.decode(c, partial));\n");
            return;
        }
        // validity (vn_protocol.py _get_variable_validity)
        boolean valid = !partialStruct || isCountOf(sib, m);
        boolean partialKind = k == Kind.HANDLE || k == Kind.STRUCT;
        if (m.ptr > 0 && pointerProblem(m, k) != null) {
            sb.append(ind).append("if (c.rPtr()) throw c.fail(\"").append(m.name).append(" cannot be decoded\");\n");
            return;
        }
        if (!valid && !partialKind) {
            // INVALID: only the shape travels
            if (m.ptr > 0 && m.len != null) {
                String esz = String.valueOf(elemCSize(m));
                sb.append(ind).append("{ long n = c.rSize();");
                if (!"null-terminated".equals(lenExpr(m))) {
                    sb.append(" if (n != 0 && n != ").append(countJava(sib, m, base)).append(") throw c.fail(\"").append(m.name).append(" count\");");
                }
                sb.append(" p64(").append(addr).append(", n == 0 ? 0 : c.alloc(n, ").append(esz).append(")); }\n");
            } else if (m.ptr > 0) {
                sb.append(ind).append("p64(").append(addr).append(", c.rPtr() ? c.alloc(1, ").append(elemCSize(m)).append(") : 0);\n");
            }
            return; // plain and fixed-size array scalars are skipped entirely
        }
        boolean partial = partialStruct;
        if (!m.dims.isEmpty()) {
            int n = m.dims.getFirst();
            if (k == Kind.STRUCT || k == Kind.HANDLE || k == Kind.UNION) {
                sb.append(ind).append("c.expectSize(").append(n).append(");\n");
                sb.append(ind).append("for (int i = 0; i < ").append(n).append("; i++) {\n");
                decodeElem(sb, m, addr + " + i * " + elemCSize(m) + "L", ind + "    ", partial);
                sb.append(ind).append("}\n");
            } else {
                sb.append(ind).append("c.expectSize(").append(n).append(");\n");
                sb.append(ind).append("c.rBytes(").append(addr).append(", ").append(n * scalarSize(k)).append(");\n");
                if (k == Kind.CHAR) {
                    sb.append(ind).append("p8(").append(addr).append(" + ").append(n - 1).append(", (byte) 0);\n");
                }
            }
            return;
        }
        if (m.ptr == 0) {
            decodeElem(sb, m, addr, ind, partial);
            return;
        }
        boolean mustHave = !m.optional && !m.noauto;
        if (m.len == null) {
            sb.append(ind).append("if (c.rPtr()) {\n");
            sb.append(ind).append("    long p = c.alloc(1, ").append(elemCSize(m)).append(");\n");
            decodeElem(sb, m, "p", ind + "    ", partial);
            sb.append(ind).append("    p64(").append(addr).append(", p);\n");
            sb.append(ind).append("} else {\n");
            sb.append(ind).append("    p64(").append(addr).append(", 0);\n");
            if (mustHave && !partial) {
                sb.append(ind).append("    throw c.fail(\"").append(m.name).append(" must not be NULL\");\n");
            }
            sb.append(ind).append("}\n");
            return;
        }
        decodeArray(sb, m, addr, countJava(sib, m, base), mustHave, partial, ind);
    }

    int elemCSize(Member m) {
        Kind k = kind(m.type);
        if (m.ptr == 2) {
            return 8;
        }
        return switch (k) {
            case STRUCT, UNION -> resolve(m.type).size;
            default -> scalarSize(k);
        };
    }

    /** A dynamic array at pointer slot {@code slot}: u64 count (0 = NULL) then the elements. */
    void decodeArray(StringBuilder sb, Member m, String slot, String countExpr, boolean mustHave, boolean partial, String ind) {
        Kind k = kind(m.type);
        String le = lenExpr(m);
        if (le.equals("null-terminated")) {
            sb.append(ind).append("p64(").append(slot).append(", c.rString(").append(mustHave).append("));\n");
            return;
        }
        sb.append(ind).append("{\n");
        sb.append(ind).append("    long n = c.rSize();\n");
        sb.append(ind).append("    long cnt = ").append(countExpr).append(";\n");
        sb.append(ind).append("    if (n == 0) {\n");
        if (mustHave && !partial) {
            sb.append(ind).append("        if (cnt != 0) throw c.fail(\"").append(m.name).append(" is NULL with count \" + cnt);\n");
        }
        sb.append(ind).append("        p64(").append(slot).append(", 0);\n");
        sb.append(ind).append("    } else {\n");
        sb.append(ind).append("        if (n != cnt) throw c.fail(\"").append(m.name).append(": \" + n + \" elements, count \" + cnt);\n");
        int esz = elemCSize(m);
        sb.append(ind).append("        long p = c.alloc(n, ").append(esz).append(");\n");
        if (m.ptr == 2) {
            sb.append(ind).append("        for (long i = 0; i < n; i++) p64(p + i * 8, c.rString(true));\n");
        } else if (k == Kind.STRUCT || k == Kind.UNION || k == Kind.HANDLE) {
            sb.append(ind).append("        for (long i = 0; i < n; i++) {\n");
            decodeElem(sb, m, "p + i * " + esz + "L", ind + "            ", partial);
            sb.append(ind).append("        }\n");
        } else {
            sb.append(ind).append("        c.rBytes(p, n * ").append(esz).append(");\n");
        }
        sb.append(ind).append("        p64(").append(slot).append(", p);\n");
        sb.append(ind).append("    }\n");
        sb.append(ind).append("}\n");
    }

    void encodeElem(StringBuilder sb, Member m, String addr, String ind) {
        Kind k = kind(m.type);
        switch (k) {
            case I8 -> sb.append(ind).append("c.w32(g8(").append(addr).append(") & 0xff);\n");
            case I16 -> sb.append(ind).append("c.w32(g16(").append(addr).append(") & 0xffff);\n");
            case I32, F32 -> sb.append(ind).append("c.w32(g32(").append(addr).append("));\n");
            case I64, F64 -> sb.append(ind).append("c.w64(g64(").append(addr).append("));\n");
            case HANDLE -> sb.append(ind).append("c.w64(c.id(").append(handleId(m.type)).append(", g64(").append(addr).append(")));\n");
            case STRUCT, UNION -> sb.append(ind).append(sref(m.type)).append("e_").append(cname(m.type)).append("(c, ").append(addr).append(");\n");
            default -> throw new IllegalStateException(m.name + " " + k);
        }
    }

    void encodeMember(StringBuilder sb, List<Member> sib, Member m, String base, String ind) {
        Kind k = kind(m.type);
        String addr = base + " + " + m.offset;
        if (m.name.equals("pNext")) {
            sb.append(ind).append("VnChain.encode(c, g64(").append(addr).append("));\n");
            return;
        }
        if (m.ptr > 0 && pointerProblem(m, k) != null) {
            sb.append(ind).append("c.w64(0);\n");
            return;
        }
        if (!m.dims.isEmpty()) {
            int n = m.dims.getFirst();
            sb.append(ind).append("c.w64(").append(n).append(");\n");
            if (k == Kind.STRUCT || k == Kind.HANDLE || k == Kind.UNION) {
                sb.append(ind).append("for (int i = 0; i < ").append(n).append("; i++) {\n");
                encodeElem(sb, m, addr + " + i * " + elemCSize(m) + "L", ind + "    ");
                sb.append(ind).append("}\n");
            } else {
                sb.append(ind).append("c.wBytes(").append(addr).append(", ").append(n * scalarSize(k)).append(");\n");
            }
            return;
        }
        if (m.ptr == 0) {
            encodeElem(sb, m, addr, ind);
            return;
        }
        encodeArrayOrPointer(sb, m, "g64(" + addr + ")", m.len == null ? null : countJava(sib, m, base), ind);
    }

    void encodeArrayOrPointer(StringBuilder sb, Member m, String ptrExpr, String countExpr, String ind) {
        Kind k = kind(m.type);
        sb.append(ind).append("{\n");
        sb.append(ind).append("    long p = ").append(ptrExpr).append(";\n");
        if (m.len == null) {
            sb.append(ind).append("    c.wPtr(p != 0);\n");
            sb.append(ind).append("    if (p != 0) {\n");
            encodeElem(sb, m, "p", ind + "        ");
            sb.append(ind).append("    }\n");
        } else if (lenExpr(m).equals("null-terminated")) {
            sb.append(ind).append("    c.wString(p);\n");
        } else {
            sb.append(ind).append("    if (p == 0) {\n");
            sb.append(ind).append("        c.w64(0);\n");
            sb.append(ind).append("    } else {\n");
            sb.append(ind).append("        long n = ").append(countExpr).append(";\n");
            sb.append(ind).append("        c.w64(n);\n");
            int esz = elemCSize(m);
            if (m.ptr == 2) {
                sb.append(ind).append("        for (long i = 0; i < n; i++) c.wString(g64(p + i * 8));\n");
            } else if (k == Kind.STRUCT || k == Kind.UNION || k == Kind.HANDLE) {
                sb.append(ind).append("        for (long i = 0; i < n; i++) {\n");
                encodeElem(sb, m, "p + i * " + esz + "L", ind + "            ");
                sb.append(ind).append("        }\n");
            } else {
                sb.append(ind).append("        c.wBytes(p, n * ").append(esz).append(");\n");
            }
            sb.append(ind).append("    }\n");
        }
        sb.append(ind).append("}\n");
    }

    void emitChain(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        header(sb, "VnChain", "pNext chains: u64 marker, sType, the rest of the chain, then the struct body.");
        // One small method per element and a switch that only calls them: with the element bodies inline the switch
        // was 8.5 KB of bytecode, over HotSpot's HugeMethodLimit (8000), so it was never compiled and every pNext
        // chain ran interpreted (MethodSizeTest keeps every generated method under the limit).
        sb.append("    /** Decodes a chain into C memory; returns the first host-visible element (0 when none). */\n");
        sb.append("    public static long decode(VnCtx c, boolean partial) {\n");
        sb.append("        if (!c.rPtr()) return 0;\n");
        sb.append("        int st = c.r32();\n");
        sb.append("        c.enterChain();\n");
        sb.append("        try {\n");
        sb.append("            return switch (st) {\n");
        Set<Integer> done = new LinkedHashSet<>();
        StringBuilder elements = new StringBuilder();
        for (TypeDef td : emitted) {
            if (td.sType < 0 || td.structExtends.isEmpty() || !done.add(td.sType)) {
                continue;
            }
            String cls = structClass.get(td.name);
            sb.append("                case ").append(td.sType).append(" -> d_").append(td.name).append("(c, partial);\n");
            elements.append("    private static long d_").append(td.name).append("(VnCtx c, boolean partial) {\n");
            elements.append("        long p = c.alloc(1, ").append(td.size).append(");\n");
            elements.append("        p32(p, ").append(td.sType).append(");\n");
            elements.append("        long next = decode(c, partial);\n");
            elements.append("        p64(p + 8, next);\n");
            elements.append("        ").append(cls).append(".ds_").append(td.name).append("(c, p, partial);\n");
            if (td.host) {
                elements.append("        return p;\n");
            } else {
                elements.append("        return next; // protocol-only struct: never shown to the host driver\n");
            }
            elements.append("    }\n\n");
        }
        sb.append("                default -> throw c.fail(\"unsupported sType \" + st + \" in a pNext chain\");\n");
        sb.append("            };\n");
        sb.append("        } finally {\n            c.leaveChain();\n        }\n    }\n\n");
        sb.append(elements);
        // The same shape for replies: with each case's four calls inline the switch was 5.5 KB, and C1 took 168 ms to
        // compile it in the middle of a client's run (-XX:+LogCompilation); the per-element methods compile on use.
        sb.append("    /** Encodes the chain starting at p (host memory) for a reply. */\n");
        sb.append("    public static void encode(VnCtx c, long p) {\n");
        sb.append("        while (p != 0) {\n");
        sb.append("            int st = g32(p);\n");
        sb.append("            switch (st) {\n");
        done.clear();
        StringBuilder encoders = new StringBuilder();
        for (TypeDef td : emitted) {
            if (td.sType < 0 || td.structExtends.isEmpty() || !td.host || !done.add(td.sType)) {
                continue;
            }
            sb.append("                case ").append(td.sType).append(" -> { e_").append(td.name).append("(c, p); return; }\n");
            encoders.append("    private static void e_").append(td.name).append("(VnCtx c, long p) {\n");
            encoders.append("        c.w64(1);\n");
            encoders.append("        c.w32(").append(td.sType).append(");\n");
            encoders.append("        encode(c, g64(p + 8));\n");
            encoders.append("        ").append(structClass.get(td.name)).append(".es_").append(td.name).append("(c, p);\n");
            encoders.append("    }\n\n");
        }
        sb.append("                default -> { }\n");
        sb.append("            }\n");
        sb.append("            p = g64(p + 8);\n");
        sb.append("        }\n");
        sb.append("        c.w64(0);\n");
        sb.append("    }\n\n");
        sb.append(encoders);
        sb.setLength(sb.length() - 1);
        sb.append("}\n");
        Files.writeString(dir.resolve("VnChain.java"), sb.toString());
    }

    static String javaType(Kind k) {
        return switch (k) {
            case I32, I8, I16 -> "int";
            case F32 -> "float";
            case F64 -> "double";
            default -> "long";
        };
    }

    static String layout(Kind k) {
        return switch (k) {
            case I32, I8, I16 -> "JAVA_INT";
            case F32 -> "JAVA_FLOAT";
            case F64 -> "JAVA_DOUBLE";
            default -> "JAVA_LONG";
        };
    }

    /** Parameter kind as passed to the host function (pointers and handles are longs). */
    Kind passKind(Member p) {
        if (p.ptr > 0 || !p.dims.isEmpty()) {
            return Kind.I64;
        }
        Kind k = kind(p.type);
        return k == Kind.HANDLE ? Kind.I64 : k;
    }

    void emitCommands(Path dir, List<Command> cmds) throws IOException {
        // signature -> downcall handle name
        Map<String, String> sigs = new LinkedHashMap<>();
        StringBuilder hooks = new StringBuilder();
        hooks.append("// GENERATED by tools/venus-gen from vk.xml. Do not edit.\n");
        hooks.append("package ").append(PKG).append(";\n\n");
        hooks.append("import java.lang.foreign.MemorySegment;\nimport org.virtgpu.context.venus.wire.VnCtx;\n\n");
        hooks.append("/** One method per Vulkan command: the default calls the host function; the executor overrides a few. */\n");
        hooks.append("@SuppressWarnings({\"unused\", \"checkstyle:all\"})\n");
        hooks.append("public interface VnHooks {\n");        hooks.append("    /**\n     * Whether the vkCmd* commands for commandBuffer are dropped instead of recorded (the executor refused a command\n");
        hooks.append("     * that shapes the recording; the reply, if asked for, is still written). Called for every recorded command.\n");
        hooks.append("     */\n    default boolean dropRecording(long commandBuffer) {\n        return false;\n    }\n\n");
        hooks.append("    /**\n     * A recorded command marked withheld in command-types.txt (its feature is not offered): decoded, never\n");
        hooks.append("     * recorded by the host. The default drops it.\n     */\n");
        hooks.append("    default void withheldCommand(long commandBuffer, String command) {\n    }\n\n");

        StringBuilder sb = new StringBuilder();
        header(sb, "VnCommands", "Command decoders: parameters into C memory, host call, bookkeeping, reply.");
        // A table of method handles, not a switch: HotSpot compiled the switch with the decoders of the hot commands
        // inlined into one 33 KB method, 70-190 ms of C2 time, and again after every deoptimization (a command type or
        // branch its profile had not seen), in the middle of a fresh server's first clients (-XX:+LogCompilation).
        // Through the table each decoder is compiled on its own, and only when it is hot.
        int maxType = cmds.stream().mapToInt(cmd -> cmd.typeId).max().orElse(0);
        sb.append("    private static final java.lang.invoke.MethodHandle[] DECODERS = decoders();\n\n");
        sb.append("    private static java.lang.invoke.MethodHandle[] decoders() {\n");
        sb.append("        java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();\n");
        sb.append("        java.lang.invoke.MethodType t = java.lang.invoke.MethodType.methodType(void.class, VnCtx.class, VnHooks.class, int.class);\n");
        sb.append("        java.lang.invoke.MethodHandle[] d = new java.lang.invoke.MethodHandle[").append(maxType + 1).append("];\n");
        sb.append("        try {\n");
        for (Command cmd : cmds) {
            sb.append("            d[").append(cmd.typeId).append("] = l.findStatic(VnCommands.class, \"").append(cmd.name)
                    .append("\", t);\n");
        }
        sb.append("        } catch (ReflectiveOperationException e) {\n");
        sb.append("            throw new ExceptionInInitializerError(e);\n");
        sb.append("        }\n");
        sb.append("        return d;\n");
        sb.append("    }\n\n");
        sb.append("    public static void dispatch(VnCtx c, VnHooks h, int type, int cmdFlags) throws Throwable {\n");
        sb.append("        java.lang.invoke.MethodHandle d = type >= 0 && type < DECODERS.length ? DECODERS[type] : null;\n");
        sb.append("        if (d == null) {\n");
        sb.append("            throw c.fail(\"unsupported command type \" + type);\n");
        sb.append("        }\n");
        sb.append("        d.invokeExact(c, h, cmdFlags);\n");
        sb.append("    }\n\n");
        StringBuilder names = new StringBuilder();
        for (Command cmd : cmds) {
            names.append("            case ").append(cmd.typeId).append(" -> \"").append(cmd.name).append("\";\n");
            emitCommand(sb, hooks, sigs, cmd);
        }
        sb.append("    /** The Vulkan name of a command type (for vkGet*ProcAddr). */\n");
        sb.append("    public static String name(int type) {\n        return switch (type) {\n").append(names)
                .append("            default -> null;\n        };\n    }\n");
        sb.append("}\n");
        hooks.append("}\n");
        Files.writeString(dir.resolve("VnCommands.java"), sb.toString());
        Files.writeString(dir.resolve("VnHooks.java"), hooks.toString());
        StringBuilder dc = new StringBuilder();
        dc.append("// GENERATED by tools/venus-gen from vk.xml. Do not edit.\n");
        dc.append("package ").append(PKG).append(";\n\n");
        dc.append("import static java.lang.foreign.ValueLayout.*;\n\n");
        dc.append("import java.lang.foreign.FunctionDescriptor;\nimport java.lang.foreign.Linker;\nimport java.lang.invoke.MethodHandle;\n\n");
        // one holder class per signature: a handle is linked on its first use (10-25 ms each on a cold JVM), so a
        // client pays for the signatures it calls, not for all of them on its first command
        dc.append("/** Downcall handles by C signature, each created on first use; the function address is the first argument. */\n");
        dc.append("final class VnDowncalls {\n    private VnDowncalls() {\n    }\n\n");
        dc.append("    private static final Linker L = Linker.nativeLinker();\n\n");
        for (Map.Entry<String, String> e : sigs.entrySet()) {
            String[] parts = e.getKey().split(":", -1);
            String ret = parts[0];
            String args = parts[1];
            String fd = ret.equals("V") ? "FunctionDescriptor.ofVoid(" : "FunctionDescriptor.of(" + layout(sigKind(ret.charAt(0)))
                    + (args.isEmpty() ? "" : ", ");
            List<String> ls = new ArrayList<>();
            for (char ch : args.toCharArray()) {
                ls.add(layout(sigKind(ch)));
            }
            dc.append("    static final class ").append(e.getValue()).append(" {\n        static final MethodHandle H = L.downcallHandle(")
                    .append(fd).append(String.join(", ", ls)).append("));\n    }\n");
        }
        dc.append("}\n");
        Files.writeString(dir.resolve("VnDowncalls.java"), dc.toString());
    }

    static char sigChar(Kind k) {
        return switch (k) {
            case I32, I8, I16 -> 'I';
            case F32 -> 'F';
            case F64 -> 'D';
            default -> 'J';
        };
    }

    static Kind sigKind(char c) {
        return switch (c) {
            case 'I' -> Kind.I32;
            case 'F' -> Kind.F32;
            case 'D' -> Kind.F64;
            default -> Kind.I64;
        };
    }

    /** Command count expression for an array parameter (e.g. pPhysicalDeviceCount, pAllocateInfo->commandBufferCount). */
    String paramCount(Command cmd, Member p) {
        String expr = lenExpr(p);
        if (expr.equals("null-terminated")) {
            return "(0L)";
        }
        StringBuilder out = new StringBuilder();
        Matcher mt = Pattern.compile("([A-Za-z_][A-Za-z_0-9]*)(->([A-Za-z_][A-Za-z_0-9]*))?").matcher(expr);
        int last = 0;
        while (mt.find()) {
            out.append(expr, last, mt.start());
            String pn = mt.group(1);
            Member src = cmd.params.stream().filter(x -> x.name.equals(pn)).findFirst().orElse(null);
            if (src == null) {
                Long cv = constants.get(pn);
                if (cv == null) {
                    throw new IllegalStateException("count " + expr + " in " + cmd.name);
                }
                out.append(cv).append("L");
            } else if (mt.group(3) != null) {
                TypeDef st = resolve(src.type);
                typeOk(st);
                Member f = st.members.stream().filter(x -> x.name.equals(mt.group(3))).findFirst().orElseThrow();
                out.append("(").append(pn).append(" == 0 ? 0L : ").append(readScalar(f, pn + " + " + f.offset)).append(")");
            } else if (src.ptr > 0) {
                Member deref = new Member();
                deref.type = src.type;
                out.append("(").append(pn).append(" == 0 ? 0L : ").append(readScalar(deref, pn)).append(")");
            } else {
                out.append(kind(src.type) == Kind.I64 ? pn : "(" + pn + " & 0xffffffffL)");
            }
            last = mt.end();
        }
        out.append(expr.substring(last));
        return "(" + out + ")";
    }

    void emitCommand(StringBuilder sb, StringBuilder hooks, Map<String, String> sigs, Command cmd) {
        Kind rk = cmd.ret.equals("void") ? Kind.VOID : kind(cmd.ret);
        boolean isResult = cmd.ret.equals("VkResult");
        sb.append("    static void ").append(cmd.name).append("(VnCtx c, VnHooks h, int cmdFlags) throws Throwable {\n");
        List<String> argNames = new ArrayList<>();
        List<String> post = new ArrayList<>();
        List<String> reply = new ArrayList<>();
        String ind = "        ";
        boolean destroys = cmd.name.startsWith("vkDestroy") || cmd.name.startsWith("vkFree");
        Member destroyed = null;
        if (destroys) {
            for (Member p : cmd.params) {
                if (kind(p.type) == Kind.HANDLE && p.isConst == (p.ptr > 0)) {
                    destroyed = p; // last handle (or const handle array) parameter is the one freed
                }
            }
        }
        String ok = isResult ? "ret >= 0" : "true";
        for (Member p : cmd.params) {
            Kind k = kind(p.type);
            String v = p.name;
            argNames.add(v);
            if (p.type.equals("VkAllocationCallbacks")) {
                sb.append(ind).append("if (c.rPtr()) throw c.fail(\"pAllocator must be NULL\");\n");
                sb.append(ind).append("final long ").append(v).append(" = 0;\n");
                continue;
            }
            boolean out = p.ptr > 0 && !p.isConst;
            boolean inOut = out && isCountOf(cmd.params, p);
            if (p.ptr == 0 && p.dims.isEmpty()) {
                switch (k) {
                    case HANDLE -> sb.append(ind).append("final long ").append(v).append(" = ")
                            .append(handleLookup(p, true, p == cmd.params.getFirst() && resolve(p.type).dispatchable)).append(";\n");
                    case I32, I8, I16 -> sb.append(ind).append("final int ").append(v).append(" = c.r32();\n");
                    case F32 -> sb.append(ind).append("final float ").append(v).append(" = Float.intBitsToFloat(c.r32());\n");
                    case I64 -> sb.append(ind).append("final long ").append(v).append(" = c.r64();\n");
                    case F64 -> sb.append(ind).append("final double ").append(v).append(" = Double.longBitsToDouble(c.r64());\n");
                    default -> throw new IllegalStateException(cmd.name + " " + p.name);
                }
                continue;
            }
            sb.append(ind).append("long ").append(v).append(";\n");
            if (!p.dims.isEmpty()) {
                // const float blendConstants[4]
                int n = p.dims.getFirst();
                sb.append(ind).append("c.expectSize(").append(n).append(");\n");
                sb.append(ind).append(v).append(" = c.alloc(").append(n).append(", ").append(scalarSize(k)).append(");\n");
                sb.append(ind).append("c.rBytes(").append(v).append(", ").append(n * scalarSize(k)).append(");\n");
                continue;
            }
            boolean mustHave = !p.optional && !p.noauto;
            if (!out || inOut) {
                // VALID input (or in/out count)
                if (p.len == null) {
                    sb.append(ind).append(v).append(" = 0;\n");
                    sb.append(ind).append("if (c.rPtr()) {\n");
                    sb.append(ind).append("    ").append(v).append(" = c.alloc(1, ").append(elemCSize(p)).append(");\n");
                    decodeElem(sb, p, v, ind + "    ", false);
                    if (mustHave) {
                        sb.append(ind).append("} else {\n").append(ind).append("    throw c.fail(\"").append(p.name).append(" must not be NULL\");\n");
                    }
                    sb.append(ind).append("}\n");
                } else {
                    sb.append(ind).append("{\n").append(ind).append("    long slot = c.alloc(1, 8);\n");
                    decodeArray(sb, p, "slot", paramCount(cmd, p), mustHave, false, ind + "    ");
                    sb.append(ind).append("    ").append(v).append(" = g64(slot);\n");
                    sb.append(ind).append("}\n");
                }
                if (out) {
                    reply.add(replyParam(cmd, p));
                }
                continue;
            }
            // outputs
            reply.add(replyParam(cmd, p));
            if (k == Kind.HANDLE) {
                if (p.len == null) {
                    sb.append(ind).append(v).append(" = 0;\n");
                    sb.append(ind).append("long ").append(v).append("Id = 0;\n");
                    sb.append(ind).append("if (c.rPtr()) {\n");
                    sb.append(ind).append("    ").append(v).append(" = c.alloc(1, 8);\n");
                    sb.append(ind).append("    ").append(v).append("Id = c.r64();\n");
                    sb.append(ind).append("} else {\n").append(ind).append("    throw c.fail(\"").append(p.name).append(" must not be NULL\");\n");
                    sb.append(ind).append("}\n");
                    post.add("if (" + ok + ") c.bind(" + handleId(p.type) + ", " + v + "Id, g64(" + v + ")" + parentArgs(cmd, p) + ");");
                } else {
                    sb.append(ind).append(v).append(" = 0;\n");
                    sb.append(ind).append("long ").append(v).append("Ids = 0;\n");
                    sb.append(ind).append("final long ").append(v).append("N = c.rSize();\n");
                    if (mustHave) { // the host writes count handles there: NULL only with a count of 0
                        sb.append(ind).append("if (").append(v).append("N == 0 && ").append(paramCount(cmd, p))
                                .append(" != 0) throw c.fail(\"").append(p.name).append(" must not be NULL\");\n");
                    }
                    sb.append(ind).append("if (").append(v).append("N != 0) {\n");
                    sb.append(ind).append("    if (").append(v).append("N != ").append(paramCount(cmd, p)).append(") throw c.fail(\"")
                            .append(p.name).append(" count\");\n");
                    sb.append(ind).append("    ").append(v).append(" = c.alloc(").append(v).append("N, 8);\n");
                    sb.append(ind).append("    ").append(v).append("Ids = c.alloc(").append(v).append("N, 8);\n");
                    sb.append(ind).append("    c.rBytes(").append(v).append("Ids, ").append(v).append("N * 8);\n");
                    sb.append(ind).append("}\n");
                    post.add("if (" + ok + " && " + v + " != 0) { long n = Math.min(" + v + "N, " + paramCount(cmd, p)
                            + "); for (long i = 0; i < n; i++) c.bind(" + handleId(p.type) + ", g64(" + v + "Ids + i * 8), g64(" + v + " + i * 8)"
                            + parentArgs(cmd, p) + "); }");
                }
                continue;
            }
            if (p.len == null) {
                sb.append(ind).append(v).append(" = 0;\n");
                sb.append(ind).append("if (c.rPtr()) {\n");
                sb.append(ind).append("    ").append(v).append(" = c.alloc(1, ").append(elemCSize(p)).append(");\n");
                if (k == Kind.STRUCT) {
                    decodeElem(sb, p, v, ind + "    ", true);
                }
                if (mustHave) { // the host writes it unconditionally: a NULL one would be a write to address 0
                    sb.append(ind).append("} else {\n").append(ind).append("    throw c.fail(\"").append(p.name).append(" must not be NULL\");\n");
                }
                sb.append(ind).append("}\n");
            } else {
                sb.append(ind).append("{\n").append(ind).append("    long slot = c.alloc(1, 8);\n");
                if (k == Kind.STRUCT) {
                    decodeArray(sb, p, "slot", paramCount(cmd, p), false, true, ind + "    ");
                } else {
                    sb.append(ind).append("    long n = c.rSize();\n");
                    sb.append(ind).append("    if (n != 0 && n != ").append(paramCount(cmd, p)).append(") throw c.fail(\"").append(p.name).append(" count\");\n");
                    sb.append(ind).append("    p64(slot, n == 0 ? 0 : c.alloc(n, ").append(elemCSize(p)).append("));\n");
                }
                if (mustHave) { // the host writes count elements there: NULL only with a count of 0
                    sb.append(ind).append("    if (g64(slot) == 0 && ").append(paramCount(cmd, p)).append(" != 0) throw c.fail(\"")
                            .append(p.name).append(" must not be NULL\");\n");
                }
                sb.append(ind).append("    ").append(v).append(" = g64(slot);\n");
                sb.append(ind).append("}\n");
            }
        }
        if (cmd.name.equals("vkResetDescriptorPool")) {
            // frees every set allocated from the pool (Vulkan 14.2.3): their ids must not outlive them
            post.add("c.unbindChildren(" + handleId("VkDescriptorPool") + ", descriptorPool);");
        }
        if (destroyed != null) {
            String v = destroyed.name;
            if (destroyed.ptr > 0) {
                post.add("if (" + v + " != 0) { long n = " + paramCount(cmd, destroyed) + "; for (long i = 0; i < n; i++) c.unbind("
                        + handleId(destroyed.type) + ", g64(" + v + " + i * 8)); }");
            } else {
                post.add("c.unbind(" + handleId(destroyed.type) + ", " + v + ");");
            }
        }
        // the host call through the hook
        StringBuilder sig = new StringBuilder();
        sig.append(rk == Kind.VOID ? "V" : String.valueOf(sigChar(rk))).append(':');
        StringBuilder params = new StringBuilder("VnCtx c");
        StringBuilder callArgs = new StringBuilder("c.fn(").append(cmd.typeId).append(")");
        for (Member p : cmd.params) {
            Kind pk = passKind(p);
            sig.append(sigChar(pk));
            params.append(", ").append(javaType(pk)).append(' ').append(p.name);
            callArgs.append(", ").append(p.name);
        }
        String mh = sigs.computeIfAbsent(sig.toString(), s -> "MH_" + s.replace(":", "_"));
        String rj = rk == Kind.VOID ? "void" : javaType(rk);
        hooks.append("    default ").append(rj).append(' ').append(cmd.name).append('(').append(params).append(") throws Throwable {\n");
        hooks.append("        ").append(rk == Kind.VOID ? "" : "return (" + rj + ") ").append("VnDowncalls.").append(mh)
                .append(".H.invokeExact(").append(callArgs).append(");\n    }\n\n");
        // a command recorded into a command buffer the executor stopped recording (see VnHooks.dropRecording)
        boolean recorded = cmd.name.startsWith("vkCmd") && rk == Kind.VOID && !cmd.params.isEmpty()
                && cmd.params.getFirst().type.equals("VkCommandBuffer") && cmd.params.getFirst().ptr == 0;
        if (recorded) {
            sb.append(ind).append("if (!h.dropRecording(").append(argNames.getFirst()).append("))\n    ");
        }
        if (withheldCommands.contains(cmd.name)) {
            if (!recorded) {
                throw new IllegalArgumentException(cmd.name + " is marked withheld but is not a recorded command");
            }
            sb.append(ind).append("h.withheldCommand(").append(argNames.getFirst()).append(", \"").append(cmd.name)
                    .append("\");\n");
        } else {
            sb.append(ind).append(rk == Kind.VOID ? "" : rj + " ret = ").append("h.").append(cmd.name).append("(c");
            for (String a : argNames) {
                sb.append(", ").append(a);
            }
            sb.append(");\n");
        }
        for (String s : post) {
            sb.append(ind).append(s).append("\n");
        }
        sb.append(ind).append("if ((cmdFlags & 1) == 0) return;\n");
        sb.append(ind).append("c.beginReply(").append(cmd.typeId).append(");\n");
        if (rk != Kind.VOID) {
            sb.append(ind).append(rj.equals("long") ? "c.w64(ret);\n" : "c.w32(ret);\n");
        }
        for (String r : reply) {
            sb.append(r);
        }
        sb.append("    }\n\n");
    }

    /** ", parentType, parentHost" for a bind of a created handle, or "" (logged) when no parent is found. */
    String parentArgs(Command cmd, Member out) {
        String[] parent = parentOf(cmd, out);
        if (parent == null) {
            if (!resolve(out.type).parents.isEmpty()) {
                log.add("command " + cmd.name + ": no parent " + resolve(out.type).parents + " for " + out.name);
            }
            return "";
        }
        return ", " + parent[0] + ", " + parent[1];
    }

    String replyParam(Command cmd, Member p) {
        StringBuilder sb = new StringBuilder();
        String ind = "        ";
        Kind k = kind(p.type);
        if (p.len != null && !lenExpr(p).equals("null-terminated")) {
            encodeArrayOrPointer(sb, p, p.name, paramCount(cmd, p), ind);
        } else {
            encodeArrayOrPointer(sb, p, p.name, null, ind);
        }
        if (k == Kind.BAD) {
            throw new IllegalStateException();
        }
        return sb.toString();
    }

    /** Two parallel constants: a String[] of each row's first value and an int[] of its second. */
    static void nameAndNumberArrays(StringBuilder sb, String names, String numbers, List<String[]> rows) {
        sb.append("    public static final String[] ").append(names).append(" = {");
        for (String[] e : rows) {
            sb.append("\n        \"").append(e[0]).append("\",");
        }
        sb.append("\n    };\n    public static final int[] ").append(numbers).append(" = {");
        for (String[] e : rows) {
            sb.append(e[1]).append(", ");
        }
        sb.append("};\n");
    }

    void emitInfo(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("// GENERATED by tools/venus-gen from vk.xml. Do not edit.\n");
        sb.append("package ").append(PKG).append(";\n\n");
        sb.append("/** Facts about the generated protocol: what the capset advertises. */\n");
        sb.append("public final class VnInfo {\n    private VnInfo() {\n    }\n\n");
        sb.append("    /** VK_MAKE_API_VERSION of the vk.xml the decoder was generated from. */\n");
        sb.append("    public static final int VK_XML_VERSION = ").append(vkXmlVersion).append(";\n");
        sb.append("    /** Extensions the decoder carries: name and vk.xml number. */\n");
        nameAndNumberArrays(sb, "EXTENSION_NAMES", "EXTENSION_NUMBERS", advertised);
        sb.append("    /**\n     * Of those, the ones the executor emulates (extensions.txt {@code emulated}: the decoder carries none of their\n");
        sb.append("     * commands) and the spec version vk.xml gives each.\n     */\n");
        nameAndNumberArrays(sb, "EMULATED_EXTENSIONS", "EMULATED_SPEC_VERSIONS", emulated);
        sb.append("    /** Handle type indices used by the object table. */\n");
        for (Map.Entry<String, Integer> e : handleIds.entrySet()) {
            sb.append("    public static final int H_").append(e.getKey()).append(" = ").append(e.getValue()).append(";\n");
        }
        sb.append("    public static final int HANDLE_TYPES = ").append(handleIds.size() + 1).append(";\n\n");
        // VkObjectType -> handle type index (vk.xml objtypeenum), for commands that name an object by type and a
        // 64-bit handle (vkSetPrivateData, vkGetPrivateData)
        sb.append("    /** The object table's handle type of a VkObjectType (vk.xml objtypeenum), or -1. */\n");
        sb.append("    public static int handleTypeOf(int objectType) {\n        return switch (objectType) {\n");
        TreeMap<Long, Integer> byObjectType = new TreeMap<>();
        for (Map.Entry<String, Integer> e : handleIds.entrySet()) {
            TypeDef td = types.get(e.getKey());
            Long v = td == null || td.objectType == null ? null : enumValue(td.objectType);
            if (v != null) {
                byObjectType.put(v, e.getValue());
            }
        }
        for (Map.Entry<Long, Integer> e : byObjectType.entrySet()) {
            sb.append("            case ").append(e.getKey()).append(" -> ").append(e.getValue()).append(";\n");
        }
        sb.append("            default -> -1;\n        };\n    }\n");
        sb.append("}\n");
        Files.writeString(dir.resolve("VnInfo.java"), sb.toString());
    }

    /**
     * VnFormats: per VkFormat that vk.xml describes, what copies between buffers and images need to know (texel
     * block bytes and extent; the bytes of the depth and stencil aspects as the spec's copy rules count them: 16-bit
     * depth 2, 24- and 32-bit depth 4, stencil 1; per plane of a multi-planar format its block bytes and divisors).
     */
    void emitFormats(Path dir) throws IOException {
        TreeMap<Long, Element> byValue = new TreeMap<>();
        Map<String, Integer> blockBytesOf = new HashMap<>();
        for (Element f : formats) {
            Long v = enumValue(attr(f, "name"));
            if (v == null) {
                log.add("format " + attr(f, "name") + " has no VkFormat value: not in VnFormats");
                continue;
            }
            byValue.put(v, f);
            blockBytesOf.put(attr(f, "name"), Integer.parseInt(attr(f, "blockSize")));
        }
        StringBuilder value = new StringBuilder(), bytes = new StringBuilder(), bw = new StringBuilder(),
                bh = new StringBuilder(), bd = new StringBuilder(), depth = new StringBuilder(),
                stencil = new StringBuilder(), planes = new StringBuilder();
        StringBuilder[] planeBytes = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        StringBuilder[] planeWdiv = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        StringBuilder[] planeHdiv = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        for (Map.Entry<Long, Element> e : byValue.entrySet()) {
            Element f = e.getValue();
            value.append(e.getKey()).append(", ");
            bytes.append(attr(f, "blockSize")).append(", ");
            String[] ext = attr(f, "blockExtent") == null ? new String[] {"1", "1", "1"} : attr(f, "blockExtent").split(",");
            bw.append(ext[0].trim()).append(", ");
            bh.append(ext[1].trim()).append(", ");
            bd.append(ext[2].trim()).append(", ");
            int d = 0, st = 0;
            for (Element c : children(f, "component")) {
                if ("D".equals(attr(c, "name"))) {
                    d = "16".equals(attr(c, "bits")) ? 2 : 4;
                } else if ("S".equals(attr(c, "name"))) {
                    st = 1;
                }
            }
            depth.append(d).append(", ");
            stencil.append(st).append(", ");
            List<Element> pl = children(f, "plane");
            planes.append(pl.size()).append(", ");
            for (int i = 0; i < 3; i++) {
                Element p = null;
                for (Element x : pl) {
                    if (Integer.parseInt(attr(x, "index")) == i) {
                        p = x;
                    }
                }
                Integer pb = p == null ? null : blockBytesOf.get(attr(p, "compatible"));
                planeBytes[i].append(pb == null ? 0 : pb).append(", ");
                planeWdiv[i].append(p == null ? 1 : Integer.parseInt(attr(p, "widthDivisor"))).append(", ");
                planeHdiv[i].append(p == null ? 1 : Integer.parseInt(attr(p, "heightDivisor"))).append(", ");
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("// GENERATED by tools/venus-gen from vk.xml's <formats>. Do not edit.\n");
        sb.append("package ").append(PKG).append(";\n\n");
        sb.append("/** Texel blocks of each VkFormat vk.xml describes, for the range checks of copies to and from images. */\n");
        sb.append("public final class VnFormats {\n    private VnFormats() {\n    }\n\n");
        // the tables as strings parsed once: array literals made a static initializer of 23 KB of bytecode
        sb.append("    /** VkFormat values, ascending; the other arrays are indexed like this one (see {@link #index}) */\n");
        sb.append("    public static final int[] VALUE = ints(\"").append(value).append("\");\n");
        sb.append("    /** bytes per texel block */\n    public static final byte[] BLOCK_BYTES = bytes(\"").append(bytes).append("\");\n");
        sb.append("    /** texel block width, height and depth in texels */\n");
        sb.append("    public static final byte[] BLOCK_WIDTH = bytes(\"").append(bw).append("\");\n");
        sb.append("    public static final byte[] BLOCK_HEIGHT = bytes(\"").append(bh).append("\");\n");
        sb.append("    public static final byte[] BLOCK_DEPTH = bytes(\"").append(bd).append("\");\n");
        sb.append("    /** bytes per texel of the depth aspect in buffer copies, 0 without depth */\n");
        sb.append("    public static final byte[] DEPTH_BYTES = bytes(\"").append(depth).append("\");\n");
        sb.append("    /** bytes per texel of the stencil aspect in buffer copies, 0 without stencil */\n");
        sb.append("    public static final byte[] STENCIL_BYTES = bytes(\"").append(stencil).append("\");\n");
        sb.append("    /** planes of a multi-planar format, 0 for the others */\n");
        sb.append("    public static final byte[] PLANES = bytes(\"").append(planes).append("\");\n");
        sb.append("    /** per plane (0-2): block bytes of its compatible format, width and height divisors */\n");
        String[] names = {"PLANE_BYTES", "PLANE_WIDTH_DIVISOR", "PLANE_HEIGHT_DIVISOR"};
        StringBuilder[][] tables = {planeBytes, planeWdiv, planeHdiv};
        for (int t = 0; t < 3; t++) {
            sb.append("    public static final byte[][] ").append(names[t]).append(" = {");
            for (StringBuilder x : tables[t]) {
                sb.append("\n        bytes(\"").append(x).append("\"),");
            }
            sb.append("\n    };\n");
        }
        sb.append("\n    private static int[] ints(String list) {\n");
        sb.append("        String[] v = list.split(\", \");\n        int[] a = new int[v.length];\n");
        sb.append("        for (int i = 0; i < v.length; i++) {\n            a[i] = Integer.parseInt(v[i].trim());\n        }\n");
        sb.append("        return a;\n    }\n\n");
        sb.append("    private static byte[] bytes(String list) {\n        int[] v = ints(list);\n");
        sb.append("        byte[] a = new byte[v.length];\n        for (int i = 0; i < v.length; i++) {\n");
        sb.append("            a[i] = (byte) v[i];\n        }\n        return a;\n    }\n\n");
        sb.append("    /** The index of format in these arrays, or -1 when vk.xml does not describe it. */\n");
        sb.append("    public static int index(int format) {\n");
        sb.append("        int i = java.util.Arrays.binarySearch(VALUE, format);\n");
        sb.append("        return i >= 0 ? i : -1;\n    }\n}\n");
        Files.writeString(dir.resolve("VnFormats.java"), sb.toString());
        log.add("VnFormats: " + byValue.size() + " formats");
    }
}
