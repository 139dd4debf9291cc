package org.virtgpu.core.resource;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * The resources of one session by guest id. Written only by the session's dispatcher thread; read by the shell
 * and by contexts (hence a concurrent map). The last lookup is cached because a frame is a burst of commands on one
 * resource (TRANSFER, SET_SCANOUT, FLUSH).
 */
public final class ResourceTable {
    private final ConcurrentHashMap<Integer, Resource> byId = new ConcurrentHashMap<>();
    private Resource last;

    /** The resource, or INVALID_RESOURCE_ID naming the command. */
    public Resource get(int id, String command) throws GpuException {
        Resource l = last;
        if (l != null && l.id() == id) {
            return l;
        }
        Resource r = byId.get(id);
        if (r == null) {
            throw new GpuException(GpuError.INVALID_RESOURCE_ID, command + ": no resource " + Integer.toUnsignedString(id));
        }
        last = r;
        return r;
    }

    public Resource find(int id) {
        return byId.get(id);
    }

    /** Checks an id a create may use: non-zero and not taken. */
    public void checkNew(int id, String command) throws GpuException {
        if (id == 0) {
            throw new GpuException(GpuError.INVALID_RESOURCE_ID, command + ": resource id 0 is invalid");
        }
        if (byId.containsKey(id)) {
            throw new GpuException(GpuError.INVALID_RESOURCE_ID, command + ": resource " + Integer.toUnsignedString(id)
                    + " already exists");
        }
    }

    public void put(Resource r) {
        byId.put(r.id(), r);
    }

    public Resource remove(int id) {
        if (last != null && last.id() == id) {
            last = null;
        }
        return byId.remove(id);
    }

    public int size() {
        return byId.size();
    }

    public Collection<Resource> all() {
        return byId.values();
    }
}
