package org.virtgpu.core.device;

/**
 * One resource: id, kind ("2d", "3d", "blob-guest", "blob-host3d", "blob-host3d-guest"), size in bytes, width and
 * height (0 for blobs), and whether it is mapped into the host-visible region.
 */
public record ResourceRow(int id, String kind, long size, int width, int height, boolean mapped) {
}
