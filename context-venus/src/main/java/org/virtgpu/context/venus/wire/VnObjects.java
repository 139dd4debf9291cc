package org.virtgpu.context.venus.wire;


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
    /** host -> a value the executor keeps with the object (see {@link #extra}); per type, made on first use */
    private final LongLongMap[] extraOf;
    /** host -> an object the executor keeps with the object (see {@link #attach}); per type, made on first use */
    private final java.util.HashMap<Long, Object>[] attachedOf;
    private final int deviceType;
    /**
     * Parent links for cascading unbinds, guarded by {@code family}: per child type, child host -> parent host and
     * parent type; per parent type, parent host -> its children by type. Primitive maps, so binding and unbinding
     * one of 2000 buffers allocates nothing (records and hash sets per bind cost about 100 ns of each ~270 ns
     * bind+unbind when warm, and much more before the JIT has compiled them).
     */
    private final LongLongMap[] parentHostOf;
    private final LongLongMap[] parentTypeOf;
    private final LongLongMap[] kidsOf; // parent host -> index into kids (+1)
    private Children[] kids = new Children[16];
    private int kidsFree; // head of the free list of kids slots (+1), 0 when none
    private int kidsUsed;
    private final int types;
    private final Object family = new Object();

    /** The children of one parent, by type (a set per type: a LongLongMap with value 1). */
    private static final class Children {
        final LongLongMap[] byType;
        int nextFree;

        Children(int types) {
            byType = new LongLongMap[types];
        }

        LongLongMap set(int type) {
            LongLongMap m = byType[type];
            if (m == null) {
                m = byType[type] = new LongLongMap();
            }
            return m;
        }
    }

    /**
     * @param types      number of handle types (type ids are 1..types-1)
     * @param deviceType the type id of VkDevice (objects below a device record it)
     */
    public VnObjects(int types, int deviceType) {
        this.types = types;
        toHost = new LongLongMap[types];
        toId = new LongLongMap[types];
        deviceOf = new LongLongMap[types];
        extraOf = new LongLongMap[types];
        @SuppressWarnings("unchecked")
        java.util.HashMap<Long, Object>[] a = new java.util.HashMap[types];
        attachedOf = a;
        parentHostOf = new LongLongMap[types];
        parentTypeOf = new LongLongMap[types];
        kidsOf = new LongLongMap[types];
        for (int i = 0; i < types; i++) {
            toHost[i] = new LongLongMap();
            toId[i] = new LongLongMap();
            deviceOf[i] = new LongLongMap();
            parentHostOf[i] = new LongLongMap();
            parentTypeOf[i] = new LongLongMap();
            kidsOf[i] = new LongLongMap();
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

    /** The host handle of the object host was bound under (its pool, for a command buffer or descriptor set), or 0. */
    public long parent(int type, long host) {
        synchronized (family) {
            return parentHostOf[type].get(host);
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
        if (parentHost != 0 && parentType > 0 && parentType < types) {
            synchronized (family) {
                long wasType = parentTypeOf[type].get(host);
                long wasHost = parentHostOf[type].get(host);
                if (wasType != parentType || wasHost != parentHost) {
                    if (wasType != 0) {
                        dropChild((int) wasType, wasHost, type, host);
                    }
                    parentTypeOf[type].put(host, parentType);
                    parentHostOf[type].put(host, parentHost);
                    childrenOf(parentType, parentHost, true).set(type).put(host, 1);
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
        Children mine;
        synchronized (family) {
            long parentType = parentTypeOf[type].remove(host);
            long parentHost = parentHostOf[type].remove(host);
            if (parentType != 0) {
                dropChild((int) parentType, parentHost, type, host);
            }
            mine = takeChildren(type, host);
        }
        forgetAll(mine);
    }

    /** Forgets the descendants of host but keeps it (vkResetDescriptorPool frees the pool's sets). */
    public void unbindChildren(int type, long host) {
        Children mine;
        synchronized (family) {
            mine = takeChildren(type, host);
        }
        forgetAll(mine);
    }

    private void forgetAll(Children mine) {
        if (mine == null) {
            return;
        }
        for (int t = 0; t < mine.byType.length; t++) {
            LongLongMap set = mine.byType[t];
            if (set == null) {
                continue;
            }
            for (long h : set.keys()) {
                synchronized (family) {
                    parentTypeOf[t].remove(h);
                    parentHostOf[t].remove(h);
                }
                unbindHost(t, h); // depth is bounded by vk.xml's parent chain (instance > ... > set)
            }
        }
    }

    // ---- parent -> children index (callers hold family)

    private Children childrenOf(int parentType, long parentHost, boolean create) {
        long slot = kidsOf[parentType].get(parentHost);
        if (slot != 0) {
            return kids[(int) slot - 1];
        }
        if (!create) {
            return null;
        }
        int i;
        if (kidsFree != 0) {
            i = kidsFree - 1;
            kidsFree = kids[i].nextFree;
            kids[i].nextFree = 0;
        } else {
            if (kidsUsed == kids.length) {
                kids = java.util.Arrays.copyOf(kids, kids.length * 2);
            }
            i = kidsUsed++;
            kids[i] = new Children(types);
        }
        kidsOf[parentType].put(parentHost, i + 1L);
        return kids[i];
    }

    private void dropChild(int parentType, long parentHost, int type, long host) {
        Children c = childrenOf(parentType, parentHost, false);
        if (c != null && c.byType[type] != null) {
            c.byType[type].remove(host);
        }
    }

    /** Detaches the children of (type, host) from the index; the returned object is the caller's from now on. */
    private Children takeChildren(int type, long host) {
        long slot = kidsOf[type].remove(host);
        if (slot == 0) {
            return null;
        }
        int i = (int) slot - 1;
        Children c = kids[i];
        kids[i] = new Children(types); // the slot gets fresh sets; c goes to the caller
        kids[i].nextFree = kidsFree;
        kidsFree = i + 1;
        return c;
    }

    private void forget(int type, long host) {
        LongLongMap m = toHost[type];
        synchronized (m) {
            long id = toId[type].remove(host);
            if (id != 0 && m.get(id) == host) {
                m.remove(id);
            }
            deviceOf[type].remove(host);
            if (extraOf[type] != null) {
                extraOf[type].remove(host);
            }
            if (attachedOf[type] != null) {
                attachedOf[type].remove(host);
            }
        }
    }

    /**
     * The object kept with a host object by {@link #attach} (an image's shape, say), null when none. Like
     * {@link #extra(int, long)}, it is forgotten with the object's binding. For the few objects that need more than
     * one long: the values are boxed.
     */
    public Object attached(int type, long host) {
        LongLongMap m = toHost[type];
        synchronized (m) {
            return attachedOf[type] == null ? null : attachedOf[type].get(host);
        }
    }

    /** Keeps value (null: none) with host, which may be bound after this. */
    public void attach(int type, long host, Object value) {
        if (host == 0) {
            return;
        }
        LongLongMap m = toHost[type];
        synchronized (m) {
            if (value == null) {
                if (attachedOf[type] != null) {
                    attachedOf[type].remove(host);
                }
                return;
            }
            if (attachedOf[type] == null) {
                attachedOf[type] = new java.util.HashMap<>();
            }
            attachedOf[type].put(host, value);
        }
    }

    /**
     * The value kept with a host object by {@link #extra(int, long, long)} (a buffer's size, say), 0 when none. It
     * is forgotten with the object's binding.
     */
    public long extra(int type, long host) {
        LongLongMap m = toHost[type];
        synchronized (m) {
            return extraOf[type] == null ? 0 : extraOf[type].get(host);
        }
    }

    /** Keeps value (0: none) with host, which may be bound after this. */
    public void extra(int type, long host, long value) {
        if (host == 0) {
            return;
        }
        LongLongMap m = toHost[type];
        synchronized (m) {
            if (value == 0) {
                if (extraOf[type] != null) {
                    extraOf[type].remove(host);
                }
                return;
            }
            if (extraOf[type] == null) {
                extraOf[type] = new LongLongMap();
            }
            extraOf[type].put(host, value);
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
