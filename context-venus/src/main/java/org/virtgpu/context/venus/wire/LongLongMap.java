package org.virtgpu.context.venus.wire;

/**
 * An open-addressing map from non-zero {@code long} keys to {@code long} values (0 = absent), with linear probing
 * and backward-shift deletion (no tombstones, so create/destroy churn never degrades it). Object ids and host
 * handles are looked up for every decoded command; boxed maps made the ring thread allocate on each one and the
 * resulting young collections stalled clients for tens of milliseconds. Not thread-safe: {@link VnObjects} guards it.
 */
public final class LongLongMap {
    private static final long PHI = 0x9E3779B97F4A7C15L;
    private long[] keys;
    private long[] values;
    private int mask;
    private int size;
    private int shift;

    public LongLongMap() {
        alloc(16);
    }

    /** A map with room for capacity / 2 entries before it grows (capacity: a power of two, at least 16). */
    public LongLongMap(int capacity) {
        if (capacity < 16 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        alloc(capacity);
    }

    /** The length of the slot arrays (it doubles when half full). */
    public int capacity() {
        return keys.length;
    }

    private void alloc(int capacity) {
        keys = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private int slot(long key) {
        return (int) ((key * PHI) >>> shift);
    }

    public int size() {
        return size;
    }

    /** The value for key, 0 when absent. */
    public long get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == 0) {
                return 0;
            }
        }
    }

    /** Stores key -> value (key and value non-zero); returns the previous value or 0. */
    public long put(long key, long value) {
        if (key == 0 || value == 0) {
            throw new IllegalArgumentException("zero key or value");
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                long old = values[i];
                values[i] = value;
                return old;
            }
            if (k == 0) {
                keys[i] = key;
                values[i] = value;
                size++;
                return 0;
            }
        }
    }

    /** Removes key; returns its value or 0. */
    public long remove(long key) {
        int i = slot(key);
        while (keys[i] != key) {
            if (keys[i] == 0) {
                return 0;
            }
            i = (i + 1) & mask;
        }
        long old = values[i];
        // backward-shift: move later entries of the probe run into the gap when their home slot allows it
        int gap = i;
        for (int j = (gap + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        keys[gap] = 0;
        values[gap] = 0;
        size--;
        return old;
    }

    /** The keys, in no particular order. */
    public long[] keys() {
        return collect(keys);
    }

    /** The values, in no particular order. */
    public long[] values() {
        return collect(values);
    }

    /** The entries of {@code from} (keys or values) in the slots that hold a key. */
    private long[] collect(long[] from) {
        long[] out = new long[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                out[n++] = from[i];
            }
        }
        return out;
    }

    private void grow() {
        long[] k = keys;
        long[] v = values;
        alloc(k.length * 2);
        for (int i = 0; i < k.length; i++) {
            if (k[i] != 0) {
                for (int j = slot(k[i]); ; j = (j + 1) & mask) {
                    if (keys[j] == 0) {
                        keys[j] = k[i];
                        values[j] = v[i];
                        break;
                    }
                }
            }
        }
    }
}
