package org.virtgpu.context.venus.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Client object ids to host handles, per handle type, both ways (replies carry ids of host handles the driver
 * returned, e.g. physical devices in a device group). Shared by the context stream and every ring of a context, so it
 * is guarded by one lock: uncontended in the common case of one busy ring, and every path is allocation-free
 * (primitive maps and arrays), which matters more here than lock-freedom.
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
 *
 * <p>One record per host object, in parallel arrays indexed by a slot number: its type, id, host handle, device,
 * the executor's value and object ({@link #extra}, {@link #attach}), and its place in the parent's list of children
 * (an intrusive doubly linked list of slots). Two maps per handle type find a record: id -> slot and host -> slot.
 * Binding or unbinding a buffer is then two map updates and a list splice; five to six maps per object before made
 * the object table about a fifth of the ring's time in a buffer churn (docs/venus-performance.md "Session 10"). A lookup by id
 * reads the host handle and its device from the one record. A record can exist before its object is bound (an
 * executor's value kept between the driver's create and the bind), with id 0.
 */
public final class VnObjects {
    private final int types;
    private final int deviceType;
    /** per type: client id -> slot + 1 (bound records only) */
    private final LongLongMap[] slotOfId;
    /** per type: host handle -> slot + 1 (every record) */
    private final LongLongMap[] slotOfHost;

    // ---- records, by slot; slot links are slot + 1 (0 = none)
    private int[] type;
    private long[] id;
    private long[] host;
    private long[] device;
    private long[] extra;
    private Object[] attached;
    private int[] parent;
    private int[] firstChild;
    private int[] next; // the next sibling; the free list's link for a free slot
    private int[] prev;
    private int used;
    private int free; // head of the free list (+1), 0 when none
    /**
     * per type: a count that moves (under the lock, published with release) whenever a binding of that type is made,
     * changed or forgotten, so a reader that saw the same count twice knows its earlier lookup of that type still
     * holds (see {@link #bindings})
     */
    private final long[] bindings;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final Sizes sizes;

    /**
     * The sizes tables grew to, shared by the tables of one process (one per context): a new table starts at them, so
     * a server whose clients create thousands of buffers in a burst stops growing (and rehashing) each new context's
     * maps from 16 entries on the way (measured in docs/venus-performance.md "Session 18"). Sizes only grow, up to
     * {@link #MAX_CAPACITY} slots per map and record arrays, so a table starts at most at what one earlier context
     * of that process needed for each handle type, capped; racy updates only lose a hint. The most a table can start
     * with, after clients that made 2048 objects of every handle type, is two 64 KiB maps per type (6 MiB for
     * Vulkan's 48 types) and 4096 records (about 300 KiB).
     */
    public static final class Sizes {
        /** the largest start: 4096 slots per map (2048 objects), 4096 records; 64 KiB a map */
        static final int MAX_CAPACITY = 4096;
        private final int[] map;
        private int records = 64;

        public Sizes(int types) {
            map = new int[types];
            java.util.Arrays.fill(map, 16);
        }

        int map(int type) {
            return map[type];
        }

        void mapGrew(int type, int capacity) {
            if (capacity > map[type]) {
                map[type] = Math.min(capacity, MAX_CAPACITY);
            }
        }

        int records() {
            return records;
        }

        void recordsGrew(int length) {
            if (length > records) {
                records = Math.min(length, MAX_CAPACITY);
            }
        }
    }

    /**
     * @param types      number of handle types (type ids are 0..types-1)
     * @param deviceType the type id of VkDevice (objects below a device record it)
     */
    public VnObjects(int types, int deviceType) {
        this(types, deviceType, new Sizes(types));
    }

    /** A table that starts at, and reports its growth to, sizes shared with other tables (see {@link Sizes}). */
    public VnObjects(int types, int deviceType, Sizes sizes) {
        this.types = types;
        this.deviceType = deviceType;
        this.sizes = sizes;
        bindings = new long[types];
        slotOfId = new LongLongMap[types];
        slotOfHost = new LongLongMap[types];
        for (int i = 0; i < types; i++) {
            slotOfId[i] = new LongLongMap(sizes.map(i));
            slotOfHost[i] = new LongLongMap(sizes.map(i));
        }
        int n = sizes.records();
        type = new int[n];
        id = new long[n];
        host = new long[n];
        device = new long[n];
        extra = new long[n];
        attached = new Object[n];
        parent = new int[n];
        firstChild = new int[n];
        next = new int[n];
        prev = new int[n];
    }

    /**
     * A count of the changes to type's bindings so far, read without the lock (acquire): while it stays the same, a
     * lookup of an id of that type made after an earlier read of it gives the same host handle and device.
     * {@link VnCtx#dispatch} keeps its last lookup this way, so a stream of commands on one device or command buffer
     * takes the lock once.
     */
    public long bindings(int type) {
        return (long) LONGS.getAcquire(bindings, type);
    }

    /** Moves type's count (see {@link #bindings}); callers hold this. */
    private void changed(int type) {
        LONGS.setRelease(bindings, type, bindings[type] + 1);
    }

    /** The host handle for id; 0 for id 0 and for an unknown id (host handles of live objects are never 0). */
    public long host(int type, long id) {
        if (id == 0) {
            return 0;
        }
        synchronized (this) {
            int s = (int) slotOfId[type].get(id);
            return s == 0 ? 0 : host[s - 1];
        }
    }

    /**
     * The host handle for id (as {@link #host(int, long)}) and, in {@code deviceOut[0]}, the host VkDevice it belongs
     * to (0 above device level or for an unknown id): one lookup for the decoder's checked handles.
     */
    public long host(int type, long id, long[] deviceOut) {
        deviceOut[0] = 0;
        if (id == 0) {
            return 0;
        }
        synchronized (this) {
            int s = (int) slotOfId[type].get(id);
            if (s == 0) {
                return 0;
            }
            deviceOut[0] = device[s - 1];
            return host[s - 1];
        }
    }

    /** The host VkDevice a host handle belongs to (itself for a device), 0 above device level or when unknown. */
    public long device(int type, long host) {
        synchronized (this) {
            int s = slot(type, host);
            return s == 0 ? 0 : device[s - 1];
        }
    }

    /** The client id of a host handle, 0 if it has none. */
    public long id(int type, long host) {
        if (host == 0) {
            return 0;
        }
        synchronized (this) {
            int s = slot(type, host);
            return s == 0 ? 0 : id[s - 1];
        }
    }

    /** The host handle of the object host was bound under (its pool, for a command buffer or descriptor set), or 0. */
    public long parent(int type, long host) {
        synchronized (this) {
            int s = slot(type, host);
            if (s == 0 || parent[s - 1] == 0) {
                return 0;
            }
            return this.host[parent[s - 1] - 1];
        }
    }

    /** Binds without a parent (an object of the top level, or one whose parent the caller does not know). */
    public void bind(int type, long id, long host) {
        bind(type, id, host, 0, 0);
    }

    /**
     * Binds id to host as a child of the object {@code parentHost} of {@code parentType} (0 for none; a parent not in
     * the table, which another ring may have just destroyed, counts as none). An id that named another object before
     * names this one now (the old one, still alive on the host, can no longer be named, nor can its descendants); a
     * host handle known under another id loses that id.
     */
    public void bind(int type, long id, long host, int parentType, long parentHost) {
        if (id == 0 || host == 0) {
            return;
        }
        synchronized (this) {
            changed(type);
            int s = slot(type, host);
            if (s == 0) {
                s = newRecord(type, host);
            }
            int r = s - 1;
            long oldId = this.id[r];
            if (oldId != 0 && oldId != id && slotOfId[type].get(oldId) == s) {
                slotOfId[type].remove(oldId); // the same host object under a new id (vkGetDeviceQueue twice)
            }
            this.id[r] = id;
            int displaced = (int) slotOfId[type].put(id, s);
            sizes.mapGrew(type, slotOfId[type].capacity());
            int p = parentType > 0 && parentType < types && parentHost != 0 ? slot(parentType, parentHost) : 0;
            long dev = type == deviceType ? host : p == 0 ? 0 : device[p - 1];
            if (dev != 0) {
                device[r] = dev;
            }
            // a record without children is no ancestor of p: only p == s would make a cycle (every fresh record)
            if (p != 0 && parent[r] != p && (firstChild[r] == 0 ? p != s : !withinOrSelf(p, s))) {
                unlink(s);
                link(s, p);
            }
            if (displaced != 0 && displaced != s) {
                drop(displaced); // the guest reused a live id
            }
        }
    }

    /** Forgets host and, recursively, every object bound as its descendant. */
    public void unbindHost(int type, long host) {
        if (host == 0) {
            return;
        }
        synchronized (this) {
            int s = slot(type, host);
            if (s != 0) {
                drop(s);
            }
        }
    }

    /** Forgets the descendants of host but keeps it (vkResetDescriptorPool frees the pool's sets). */
    public void unbindChildren(int type, long host) {
        synchronized (this) {
            int s = slot(type, host);
            if (s != 0) {
                dropChildren(s);
            }
        }
    }

    /**
     * The object kept with a host object by {@link #attach} (an image's shape, say), null when none. Like
     * {@link #extra(int, long)}, it is forgotten with the object's binding. For the few objects that need more than
     * one long.
     */
    public Object attached(int type, long host) {
        synchronized (this) {
            int s = slot(type, host);
            return s == 0 ? null : attached[s - 1];
        }
    }

    /** Keeps value (null: none) with host, which may be bound after this. */
    public void attach(int type, long host, Object value) {
        if (host == 0) {
            return;
        }
        synchronized (this) {
            int s = slot(type, host);
            if (s == 0) {
                if (value == null) {
                    return;
                }
                s = newRecord(type, host);
            }
            attached[s - 1] = value;
        }
    }

    /**
     * The value kept with a host object by {@link #extra(int, long, long)} (a buffer's size, say), 0 when none. It
     * is forgotten with the object's binding.
     */
    public long extra(int type, long host) {
        synchronized (this) {
            int s = slot(type, host);
            return s == 0 ? 0 : extra[s - 1];
        }
    }

    /** Keeps value (0: none) with host, which may be bound after this. */
    public void extra(int type, long host, long value) {
        if (host == 0) {
            return;
        }
        synchronized (this) {
            int s = slot(type, host);
            if (s == 0) {
                if (value == 0) {
                    return;
                }
                s = newRecord(type, host);
            }
            extra[s - 1] = value;
        }
    }

    /** Host handles of one type's bound objects (a snapshot, for teardown). */
    public long[] hosts(int type) {
        synchronized (this) {
            long[] slots = slotOfId[type].values();
            for (int i = 0; i < slots.length; i++) {
                slots[i] = host[(int) slots[i] - 1];
            }
            return slots;
        }
    }

    /** The slot count of type's id map and the record arrays' length (for tests of {@link Sizes}). */
    synchronized int[] capacities(int type) {
        return new int[] {slotOfId[type].capacity(), this.type.length};
    }

    /** The number of bound objects. */
    public synchronized int count() {
        int n = 0;
        for (LongLongMap m : slotOfId) {
            n += m.size();
        }
        return n;
    }

    // ---- records (callers hold this)

    private int slot(int type, long host) {
        return host == 0 ? 0 : (int) slotOfHost[type].get(host);
    }

    private int newRecord(int type, long host) {
        int r;
        if (free != 0) {
            r = free - 1;
            free = next[r];
        } else {
            if (used == this.type.length) {
                grow();
            }
            r = used++;
        }
        this.type[r] = type;
        this.host[r] = host;
        id[r] = 0;
        device[r] = 0;
        extra[r] = 0;
        attached[r] = null;
        parent[r] = 0;
        firstChild[r] = 0;
        next[r] = 0;
        prev[r] = 0;
        slotOfHost[type].put(host, r + 1);
        return r + 1;
    }

    private void grow() {
        int n = type.length * 2;
        sizes.recordsGrew(n);
        type = Arrays.copyOf(type, n);
        id = Arrays.copyOf(id, n);
        host = Arrays.copyOf(host, n);
        device = Arrays.copyOf(device, n);
        extra = Arrays.copyOf(extra, n);
        attached = Arrays.copyOf(attached, n);
        parent = Arrays.copyOf(parent, n);
        firstChild = Arrays.copyOf(firstChild, n);
        next = Arrays.copyOf(next, n);
        prev = Arrays.copyOf(prev, n);
    }

    /** Whether slot a is slot s or one of its descendants (a link s -> a would make a cycle). */
    private boolean withinOrSelf(int a, int s) {
        for (int x = a; x != 0; x = parent[x - 1]) {
            if (x == s) {
                return true;
            }
        }
        return false;
    }

    /** Makes slot s the first child of slot p. */
    private void link(int s, int p) {
        int r = s - 1;
        int head = firstChild[p - 1];
        parent[r] = p;
        prev[r] = 0;
        next[r] = head;
        if (head != 0) {
            prev[head - 1] = s;
        }
        firstChild[p - 1] = s;
    }

    /** Takes slot s out of its parent's children, if it has a parent. */
    private void unlink(int s) {
        int r = s - 1;
        int p = parent[r];
        if (p == 0) {
            return;
        }
        if (prev[r] != 0) {
            next[prev[r] - 1] = next[r];
        } else {
            firstChild[p - 1] = next[r];
        }
        if (next[r] != 0) {
            prev[next[r] - 1] = prev[r];
        }
        parent[r] = prev[r] = next[r] = 0;
    }

    /** Forgets slot s's descendants (depth is bounded by vk.xml's parent chain: instance > ... > set). */
    private void dropChildren(int s) {
        for (int c = firstChild[s - 1]; c != 0; c = firstChild[s - 1]) {
            drop(c); // unlinks c, so the parent's first child moves on
        }
    }

    /** how many objects were forgotten so far (see {@link #forgotten}) */
    private long forgotten;

    /**
     * How many objects this table has forgotten (destroyed, freed, or gone with a parent) so far: a check of objects
     * known alive at some count need not be repeated while the count stays.
     */
    public synchronized long forgotten() {
        return forgotten;
    }

    /** Forgets slot s, its id and value, and its descendants; the slot goes to the free list. */
    private void drop(int s) {
        forgotten++;
        dropChildren(s);
        unlink(s);
        int r = s - 1;
        int t = type[r];
        changed(t);
        if (id[r] != 0 && slotOfId[t].get(id[r]) == s) {
            slotOfId[t].remove(id[r]);
        }
        slotOfHost[t].remove(host[r]);
        attached[r] = null;
        id[r] = 0;
        host[r] = 0;
        next[r] = free;
        free = s;
    }
}
