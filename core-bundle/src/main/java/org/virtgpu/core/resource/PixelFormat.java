package org.virtgpu.core.resource;

import static org.virtgpu.core.protocol.VirtioGpu.*;

/**
 * The eight virtio-gpu 2D formats (all 32 bpp) and how their bytes map to ARGB. Byte orders follow QEMU's pixman
 * mapping on a little-endian host (research/virtio-gpu.md section 6.1).
 */
public final class PixelFormat {
    public static final int BYTES_PER_PIXEL = 4;

    private PixelFormat() {
    }

    public static boolean isKnown(int format) {
        return switch (format) {
            case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM,
                 VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM,
                 VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM -> true;
            default -> false;
        };
    }

    public static boolean hasAlpha(int format) {
        return format == VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM || format == VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM
                || format == VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM || format == VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM;
    }

    /**
     * Converts the pixel whose four memory bytes, read as a little-endian int, are {@code le} to 0xAARRGGBB
     * (alpha forced to 0xFF for X formats).
     */
    public static int toArgb(int format, int le) {
        int b0 = le & 0xff;
        int b1 = (le >>> 8) & 0xff;
        int b2 = (le >>> 16) & 0xff;
        int b3 = le >>> 24;
        int a;
        int r;
        int g;
        int b;
        switch (format) {
            case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM -> { b = b0; g = b1; r = b2; a = b3; }
            case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM -> { a = b0; r = b1; g = b2; b = b3; }
            case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM -> { r = b0; g = b1; b = b2; a = b3; }
            default -> { a = b0; b = b1; g = b2; r = b3; } // X8B8G8R8, A8B8G8R8
        }
        if (!hasAlpha(format)) {
            a = 0xff;
        }
        return a << 24 | r << 16 | g << 8 | b;
    }
}
