package org.virtgpu.context.venus.wire;

/**
 * Client object ids to host handles, per handle type, both ways (replies carry ids of host handles the driver
 * returned, e.g. physical devices in a device group). Shared by the context stream and every ring of a context, so
 * each handle type's pair of maps is guarded by its own lock: uncontended in the common case of one busy ring, and
 * allocation-free (primitive maps), which matters more here than lock-freedom.
 */
public final class VnObjects {
    private final LongLongMap[] toHost;
    private final LongLongMap[] toId;

    public VnObjects(int types) {
        toHost = new LongLongMap[types];
        toId = new LongLongMap[types];
        for (int i = 0; i < types; i++) {
            toHost[i] = new LongLongMap();
            toId[i] = new LongLongMap();
        }
    }

    /** The host handle for id; 0 for id 0 and for an unknown id (host handles of live objects are never 0). */
    public long host(int type, long id) {
        if (id == 0) {
            return 0;
        }
        LongLongMap m = toHost[type];
        synchronized (m) {
            return m.get(id);
        }
    }

    /** The client id of a host handle, 0 if it has none. */
    public long id(int type, long host) {
        if (host == 0) {
            return 0;
        }
        LongLongMap m = toHost[type];
        synchronized (m) {
            return toId[type].get(host);
        }
    }

    public void bind(int type, long id, long host) {
        if (id == 0 || host == 0) {
            return;
        }
        LongLongMap m = toHost[type];
        synchronized (m) {
            long old = m.put(id, host);
            if (old != 0 && old != host && toId[type].get(old) == id) {
                toId[type].remove(old);
            }
            toId[type].put(host, id);
        }
    }

    public void unbindHost(int type, long host) {
        if (host == 0) {
            return;
        }
        LongLongMap m = toHost[type];
        synchronized (m) {
            long id = toId[type].remove(host);
            if (id != 0 && m.get(id) == host) {
                m.remove(id);
            }
        }
    }

    /** Host handles of one type (a snapshot, for teardown). */
    public long[] hosts(int type) {
        LongLongMap m = toHost[type];
        synchronized (m) {
            return m.values();
        }
    }

    public int count() {
        int n = 0;
        for (LongLongMap m : toHost) {
            synchronized (m) {
                n += m.size();
            }
        }
        return n;
    }
}
