package org.virtgpu.core.registry;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextType;

/**
 * The device's capset table: which context type serves which capset id.
 * <p>
 * Capset ids are unique (there is no registry for ids above 6 and forks have collided before): a context type
 * that claims an id another type already serves is refused as a whole, with a log line naming both bundles,
 * and kept waiting. When the owner goes away, waiting types are reconsidered in arrival order, so a stopped
 * bundle's replacement takes over without a restart. Thread-safe; changes are rare (bundle events), lookups
 * copy nothing.
 */
public final class CapsetRegistry {
    private static final System.Logger LOG = System.getLogger(CapsetRegistry.class.getName());

    /** A registered context type with the bundle that provides it. */
    public record Provider(ContextType type, String bundle) {
    }

    /** A served capset and its provider. */
    public record Entry(Capset capset, Provider provider) {
    }

    private final Map<ContextType, Provider> active = new LinkedHashMap<>();
    private final List<Provider> waiting = new ArrayList<>();
    private volatile Map<Integer, Entry> byId = Map.of();
    private volatile List<Entry> ordered = List.of();

    /**
     * Adds a context type.
     *
     * @return true when it now serves its capsets, false when refused (a taken or invalid capset)
     */
    public synchronized boolean add(ContextType type, String bundle) {
        Provider p = new Provider(type, bundle);
        Optional<String> conflict = conflict(p);
        if (conflict.isPresent()) {
            LOG.log(Level.ERROR, conflict.get());
            waiting.add(p);
            return false;
        }
        active.put(type, p);
        rebuild();
        return true;
    }

    /** Removes a context type; returns the capsets it served (empty if it was waiting or unknown). */
    public synchronized List<Capset> remove(ContextType type) {
        waiting.removeIf(p -> p.type() == type);
        Provider gone = active.remove(type);
        if (gone == null) {
            return List.of();
        }
        List<Capset> freed = List.copyOf(gone.type().capsets());
        // conflict() looks at byId: drop the gone type's ids first, or a waiting type would still see them taken
        rebuild();
        // a refused type may fit now
        for (var it = waiting.iterator(); it.hasNext(); ) {
            Provider w = it.next();
            if (conflict(w).isEmpty()) {
                it.remove();
                active.put(w.type(), w);
                rebuild();
                LOG.log(Level.INFO, "context type {0} from {1} now serves capsets {2}", w.type().name(), w.bundle(), ids(w.type()));
            }
        }
        return freed;
    }

    private Optional<String> conflict(Provider p) {
        Set<Integer> own = new HashSet<>();
        for (Capset c : p.type().capsets()) {
            if (c.id() < 0 || c.id() > 63) {
                return Optional.of("context type " + p.type().name() + " from bundle " + p.bundle()
                        + " refused: capset id " + c.id() + " is outside 0..63 (the guest's capset mask is 64 bits)");
            }
            if (c.size() <= 0 || c.maxVersion() < 0) {
                return Optional.of("context type " + p.type().name() + " from bundle " + p.bundle()
                        + " refused: capset " + c.id() + " has size " + c.size() + " and max version " + c.maxVersion());
            }
            if (!own.add(c.id())) {
                return Optional.of("context type " + p.type().name() + " from bundle " + p.bundle()
                        + " refused: it lists capset " + c.id() + " twice");
            }
            Entry taken = byId.get(c.id());
            if (taken != null) {
                return Optional.of("context type " + p.type().name() + " from bundle " + p.bundle()
                        + " refused: capset " + c.id() + " (" + c.name() + ") is already served by context type "
                        + taken.provider().type().name() + " from bundle " + taken.provider().bundle());
            }
        }
        return Optional.empty();
    }

    private void rebuild() {
        Map<Integer, Entry> m = new TreeMap<>();
        for (Provider p : active.values()) {
            for (Capset c : p.type().capsets()) {
                m.put(c.id(), new Entry(c, p));
            }
        }
        byId = Map.copyOf(m);
        ordered = List.copyOf(m.values()); // the TreeMap is in ascending capset id order
    }

    private static String ids(ContextType t) {
        return t.capsets().stream().map(c -> Integer.toString(c.id())).toList().toString();
    }

    /** Served capsets by ascending id: GET_CAPSET_INFO index i is element i. */
    public List<Entry> entries() {
        return ordered;
    }

    public Optional<Entry> byId(int capsetId) {
        return Optional.ofNullable(byId.get(capsetId));
    }

    /** Active providers in arrival order. */
    public synchronized List<Provider> providers() {
        return List.copyOf(active.values());
    }

    /** Types refused for a taken capset, waiting for it to be freed. */
    public synchronized List<Provider> waiting() {
        return List.copyOf(waiting);
    }

    /** Capset ids served, ascending. */
    public int[] ids() {
        return ordered.stream().mapToInt(e -> e.capset().id()).toArray();
    }
}
