package org.virtgpu.context.venus.wire;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client object ids to host handles, per handle type, both ways (replies carry ids of host handles the driver
 * returned, e.g. physical devices in a device group). Shared by the context stream and every ring of a context.
 *
 * <p>Every handle the decoder passes to the host driver comes from here, so this table is what keeps a guest from
 * handing the driver a pointer it did not create. Three rules make that hold for objects the driver frees:
 * <ul>
 * <li>One id per live host handle: binding a host handle again under a new id (vkGetDeviceQueue twice) forgets the
 * old id, so no id outlives the handle's unbinding.</li>
 * <li>Each object remembers its parent (vk.xml's {@code parent} of its handle type: a queue's device, a command
 * buffer's pool...). Unbinding an object unbinds its descendants, because the driver frees those with it
 * (vkDestroyCommandPool frees its command buffers, vkDestroyDevice its queues); without this their ids would point at
 * freed memory.</li>
 * <li>Each object knows its VkDevice. {@link VnCtx} refuses a handle of another device than the one the command is
 * dispatched on (Vulkan: "must have been created, allocated, or retrieved from device").</li>
 * </ul>
 */
public final class VnObjects {
    /** A bound object. {@code device} is the host VkDevice it belongs to (itself for a device, 0 above devices). */
    public static final class Entry {
        final int type;
        volatile long id;
        public final long host;
        public final long device;
        final Entry parent;
        final Set<Entry> children = ConcurrentHashMap.newKeySet();

        Entry(int type, long id, long host, long device, Entry parent) {
            this.type = type;
            this.id = id;
            this.host = host;
            this.device = device;
            this.parent = parent;
        }
    }

    /** The entry for id 0: VK_NULL_HANDLE, belongs to no device. */
    static final Entry NULL = new Entry(0, 0, 0, 0, null);

    private final ConcurrentHashMap<Long, Entry>[] byId;
    private final ConcurrentHashMap<Long, Entry>[] byHost;
    private final int deviceType;

    /**
     * @param types      number of handle types (type ids are 1..types-1)
     * @param deviceType the type id of VkDevice (objects below a device record it)
     */
    @SuppressWarnings("unchecked")
    public VnObjects(int types, int deviceType) {
        byId = new ConcurrentHashMap[types];
        byHost = new ConcurrentHashMap[types];
        for (int i = 0; i < types; i++) {
            byId[i] = new ConcurrentHashMap<>();
            byHost[i] = new ConcurrentHashMap<>();
        }
        this.deviceType = deviceType;
    }

    /** The entry for id ({@link #NULL} for id 0), or null when the id is unknown. */
    public Entry entry(int type, long id) {
        return id == 0 ? NULL : byId[type].get(id);
    }

    /** The host handle for id, 0 for id 0, or null when the id is unknown. */
    public Long host(int type, long id) {
        Entry e = entry(type, id);
        return e == null ? null : e.host;
    }

    public long id(int type, long host) {
        if (host == 0) {
            return 0;
        }
        Entry e = byHost[type].get(host);
        return e == null ? 0 : e.id;
    }

    /** Binds without a parent (an object of the top level, or one whose parent the caller does not know). */
    public void bind(int type, long id, long host) {
        bind(type, id, host, 0, 0);
    }

    /**
     * Binds id to host as a child of the object {@code parentHost} of {@code parentType} (0 for none). An id that
     * named another object before names this one now; a host handle known under another id loses that id.
     */
    public void bind(int type, long id, long host, int parentType, long parentHost) {
        if (id == 0 || host == 0) {
            return;
        }
        Entry e = byHost[type].get(host);
        if (e != null) {
            // the same host object under a new id (vkGetDeviceQueue twice): the old id must not outlive it
            byId[type].remove(e.id, e);
            e.id = id;
        } else {
            Entry parent = parentHost == 0 ? null : byHost[parentType].get(parentHost);
            long device = type == deviceType ? host : parent == null ? 0 : parent.device;
            e = new Entry(type, id, host, device, parent);
            byHost[type].put(host, e);
            if (parent != null) {
                parent.children.add(e);
            }
        }
        Entry sameId = byId[type].put(id, e);
        if (sameId != null && sameId != e) {
            // the guest reused a live id: the old object stays alive on the host but can no longer be named
            forget(sameId);
            detach(sameId);
        }
    }

    /** Forgets host and, recursively, every object bound as its descendant. */
    public void unbindHost(int type, long host) {
        Entry e = byHost[type].get(host);
        if (e != null) {
            forget(e);
            detach(e);
        }
    }

    /** Forgets the descendants of host but keeps it (vkResetDescriptorPool frees the pool's sets). */
    public void unbindChildren(int type, long host) {
        Entry e = byHost[type].get(host);
        if (e != null) {
            forgetChildren(e);
        }
    }

    private void forget(Entry e) {
        byHost[e.type].remove(e.host, e);
        byId[e.type].remove(e.id, e);
        forgetChildren(e);
    }

    private void forgetChildren(Entry e) {
        for (Entry child : e.children) {
            forget(child); // depth is bounded by vk.xml's parent chain (instance > ... > pool > set)
        }
        e.children.clear();
    }

    private static void detach(Entry e) {
        if (e.parent != null) {
            e.parent.children.remove(e);
        }
    }

    /** Host handles of one type (for teardown). */
    public Iterable<Long> hosts(int type) {
        return byHost[type].keySet();
    }

    public int count() {
        int n = 0;
        for (var m : byId) {
            n += m.size();
        }
        return n;
    }
}
