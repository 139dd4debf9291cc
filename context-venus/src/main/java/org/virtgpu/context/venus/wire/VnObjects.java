package org.virtgpu.context.venus.wire;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Client object ids to host handles, per handle type, both ways (replies carry ids of host handles the driver
 * returned, e.g. physical devices in a device group). Shared by the context stream and every ring of a context.
 */
public final class VnObjects {
    private final ConcurrentHashMap<Long, Long>[] toHost;
    private final ConcurrentHashMap<Long, Long>[] toId;

    @SuppressWarnings("unchecked")
    public VnObjects(int types) {
        toHost = new ConcurrentHashMap[types];
        toId = new ConcurrentHashMap[types];
        for (int i = 0; i < types; i++) {
            toHost[i] = new ConcurrentHashMap<>();
            toId[i] = new ConcurrentHashMap<>();
        }
    }

    /** The host handle for id, 0 for id 0, or null when the id is unknown. */
    public Long host(int type, long id) {
        return id == 0 ? Long.valueOf(0) : toHost[type].get(id);
    }

    public long id(int type, long host) {
        if (host == 0) {
            return 0;
        }
        Long id = toId[type].get(host);
        return id == null ? 0 : id;
    }

    public void bind(int type, long id, long host) {
        if (id == 0 || host == 0) {
            return;
        }
        Long old = toHost[type].put(id, host);
        if (old != null && old != host) {
            toId[type].remove(old, id);
        }
        toId[type].put(host, id);
    }

    public void unbindHost(int type, long host) {
        Long id = toId[type].remove(host);
        if (id != null) {
            toHost[type].remove(id, host);
        }
    }

    /** Host handles of one type (for teardown). */
    public Iterable<Long> hosts(int type) {
        return toHost[type].values();
    }

    public int count() {
        int n = 0;
        for (var m : toHost) {
            n += m.size();
        }
        return n;
    }
}
