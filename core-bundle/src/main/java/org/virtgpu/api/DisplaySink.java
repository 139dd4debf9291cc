package org.virtgpu.api;

import java.lang.foreign.MemorySegment;

/**
 * Receives what the guest shows: scanout configuration, flushed pixels and the cursor. Called on the session's
 * dispatcher thread; segments are valid only during the call. Pixels are 32 bits per pixel in the resource's
 * virtio-gpu format (B8G8R8X8 for a Linux console).
 */
public interface DisplaySink {
    /** SET_SCANOUT(_BLOB): scanout now shows a {@code width} x {@code height} image; 0 x 0 means disabled. */
    default void scanout(int scanoutId, int width, int height, int format) {
    }

    /**
     * RESOURCE_FLUSH: the rectangle changed. {@code pixels} starts at (x, y) of the scanout image, rows are
     * {@code stride} bytes apart.
     */
    default void update(int scanoutId, int x, int y, int width, int height, MemorySegment pixels, long stride) {
    }

    /**
     * UPDATE_CURSOR (image != null, 64x64 32 bpp) or MOVE_CURSOR (image == null); {@code visible} false hides it.
     */
    default void cursor(int scanoutId, int x, int y, int hotX, int hotY, MemorySegment image, boolean visible) {
    }

    DisplaySink NONE = new DisplaySink() {
    };
}
