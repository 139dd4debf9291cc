package org.virtgpu.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.osgi.framework.Bundle;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The configuration keys each PID accepts, read from the bundles' metatype descriptors
 * ({@code OSGI-INF/metatype/*.xml}, which bnd writes from {@code @ObjectClassDefinition} + {@code @Designate}).
 * <p>
 * The launcher cannot load bundle classes, and copying every key list into the launcher would drift as
 * components grow, so it validates the JSON against what the bundles themselves declare. Reads entries without
 * resolving the bundles, so it works before anything starts.
 */
public final class Metatype {
    /**
     * One attribute: its key, OSGi metatype type name (Integer, Long, String, Boolean, ...), cardinality and
     * default (as written in the descriptor; null if none).
     */
    public record Attribute(String key, String type, int cardinality, String defaultValue) {
        public Attribute(String key, String type) {
            this(key, type, 0, null);
        }
    }

    /** The attributes of one PID and the bundle that declared them. */
    public record Pid(String pid, String bundle, Map<String, Attribute> attributes) {
    }

    private Metatype() {
    }

    /** Every designated PID found in {@code bundles}. */
    public static Map<String, Pid> read(Iterable<Bundle> bundles) throws IOException {
        Map<String, Pid> out = new HashMap<>();
        for (Bundle b : bundles) {
            Enumeration<String> paths = b.getEntryPaths("OSGI-INF/metatype/");
            for (String path : paths == null ? Collections.<String>emptyList() : Collections.list(paths)) {
                URL url = b.getEntry(path);
                if (url != null && path.endsWith(".xml")) {
                    try (InputStream in = url.openStream()) {
                        parse(in, b.getSymbolicName()).forEach(out::putIfAbsent);
                    }
                }
            }
        }
        return out;
    }

    static Map<String, Pid> parse(InputStream in, String bundle) throws IOException {
        Element root;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            root = f.newDocumentBuilder().parse(in).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("bad metatype descriptor in " + bundle + ": " + e.getMessage(), e);
        }
        Map<String, Map<String, Attribute>> ocds = new HashMap<>();
        for (Element ocd : children(root, "OCD")) {
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            for (Element ad : children(ocd, "AD")) {
                String card = ad.getAttribute("cardinality");
                attrs.put(ad.getAttribute("id"), new Attribute(ad.getAttribute("id"),
                        ad.getAttribute("type").isEmpty() ? "String" : ad.getAttribute("type"),
                        card.isEmpty() ? 0 : Integer.parseInt(card), ad.hasAttribute("default") ? ad.getAttribute("default") : null));
            }
            ocds.put(ocd.getAttribute("id"), attrs);
        }
        Map<String, Pid> out = new HashMap<>();
        for (Element d : children(root, "Designate")) {
            String pid = d.getAttribute("pid");
            for (Element o : children(d, "Object")) {
                Map<String, Attribute> attrs = ocds.get(o.getAttribute("ocdref"));
                if (!pid.isEmpty() && attrs != null) {
                    out.put(pid, new Pid(pid, bundle, attrs));
                }
            }
        }
        return out;
    }

    /** Child elements by local name; OCD/AD/Designate carry no namespace in bnd's output, MetaData does. */
    private static Iterable<Element> children(Element parent, String localName) {
        NodeList nodes = parent.getChildNodes();
        java.util.List<Element> out = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && localName.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
                out.add(e);
            }
        }
        return out;
    }
}
