package org.virtgpu.api;

/**
 * One served capset as GET_CAPSET_INFO reports it.
 *
 * @param id         capset id
 * @param name       short name ("venus")
 * @param maxVersion capset_max_version
 * @param size       capset_max_size in bytes
 * @param provider   symbolic name of the bundle that serves it
 */
public record CapsetInfo(int id, String name, int maxVersion, int size, String provider) {
}
