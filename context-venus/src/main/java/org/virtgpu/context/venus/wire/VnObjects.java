package org.virtgpu.context.venus.wire;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Client object ids to host handles, per handle type, both ways (replies carry ids of host handles the driver
 * returned, e.g. physical devices in a device group). Shared by the context stream and every ring of a context, so
 * each handle type's maps are guarded by that type's lock: uncontended in the common case of one busy ring, and the
 * lookup path is allocation-free (primitive maps), which matters more here than lock-freedom.
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
 * <li>Each object knows its VkDevice ({@link #device}); {@link VnCtx} refuses a handle of another device than the one
 * the command is dispatched on (Vulkan: "must have been created, allocated, or retrieved from device").</li>
 * </ul>
 * Parent links live in a plain map under one lock: they change only when objects are made or destroyed.
 */
public final class VnObjects {
    private final LongLongMap[] toHost;
    private final LongLongMap[] toId;
    /** host handle -> its VkDevice's host handle (itself for a device); absent above device level */
    private final LongLongMap[] deviceOf;
    private final int deviceType;
    /** (type, host) -> its children, and child -> parent, for cascading unbinds; guarded by {@code family} */
    // a set, not a list: a device may have thousands of live children, and removing one from a list scanned and
    // shifted them all (buffers_2000 destroys 2000 buffers in a row)
    private final Map<Key, Set<Key>> children = new HashMap<>();
    private final Map<Key, Key> parents = new HashMap<>();
    private final Object family = new Object();

    private record Key(int type, long host) {
    }

    /**
     * @param types      number of handle types (type ids are 1..types-1)
     * @param deviceType the type id of VkDevice (objects below a device record it)
     */
    public VnObjects(int types, int deviceType) {
        toHost = new LongLongMap[types];
        toId = new LongLongMap[types];
        deviceOf = new LongLongMap[types];
        for (int i = 0; i < types; i++) {
            toHost[i] = new LongLongMap();
            toId[i] = new LongLongMap();
            deviceOf[i] = new LongLongMap();
        }
        this.deviceType = deviceType;
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

    /** The host VkDevice a bound host handle belongs to (itself for a device), 0 above device level. */
    public long device(int type, long host) {
        LongLongMap m = toHost[type];
        synchronized (m) {
            return deviceOf[type].get(host);
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

    /** Binds without a parent (an object of the top level, or one whose parent the caller does not know). */
    public void bind(int type, long id, long host) {
        bind(type, id, host, 0, 0);
    }

    /**
     * Binds id to host as a child of the object {@code parentHost} of {@code parentType} (0 for none). An id that
     * named another object before names this one now (the old one, still alive on the host, can no longer be named,
     * nor can its descendants); a host handle known under another id loses that id.
     */
    public void bind(int type, long id, long host, int parentType, long parentHost) {
        if (id == 0 || host == 0) {
            return;
        }
        long device = type == deviceType ? host : parentHost == 0 ? 0 : device(parentType, parentHost);
        long displaced;
        LongLongMap m = toHost[type];
        synchronized (m) {
            long oldId = toId[type].put(host, id);
            if (oldId != 0 && oldId != id && m.get(oldId) == host) {
                m.remove(oldId); // the same host object under a new id (vkGetDeviceQueue twice)
            }
            displaced = m.put(id, host);
            if (displaced == host) {
                displaced = 0;
            }
            if (device != 0) {
                deviceOf[type].put(host, device);
            }
        }
        if (displaced != 0) {
            unbindHost(type, displaced); // the guest reused a live id
        }
        if (parentHost != 0) {
            Key child = new Key(type, host);
            Key parent = new Key(parentType, parentHost);
            synchronized (family) {
                Key was = parents.put(child, parent);
                if (was == null) {
                    children.computeIfAbsent(parent, k -> new LinkedHashSet<>()).add(child);
                }
            }
        }
    }

    /** Forgets host and, recursively, every object bound as its descendant. */
    public void unbindHost(int type, long host) {
        if (host == 0) {
            return;
        }
        forget(type, host);
        Set<Key> kids;
        synchronized (family) {
            Key k = new Key(type, host);
            Key parent = parents.remove(k);
            if (parent != null) {
                Set<Key> siblings = children.get(parent);
                if (siblings != null) {
                    siblings.remove(k);
                }
            }
            kids = children.remove(k);
        }
        forgetAll(kids);
    }

    /** Forgets the descendants of host but keeps it (vkResetDescriptorPool frees the pool's sets). */
    public void unbindChildren(int type, long host) {
        Set<Key> kids;
        synchronized (family) {
            kids = children.remove(new Key(type, host));
        }
        forgetAll(kids);
    }

    private void forgetAll(Set<Key> kids) {
        if (kids == null) {
            return;
        }
        for (Key k : kids) {
            synchronized (family) {
                parents.remove(k);
            }
            unbindHost(k.type(), k.host()); // depth is bounded by vk.xml's parent chain (instance > ... > set)
        }
    }

    private void forget(int type, long host) {
        LongLongMap m = toHost[type];
        synchronized (m) {
            long id = toId[type].remove(host);
            if (id != 0 && m.get(id) == host) {
                m.remove(id);
            }
            deviceOf[type].remove(host);
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
