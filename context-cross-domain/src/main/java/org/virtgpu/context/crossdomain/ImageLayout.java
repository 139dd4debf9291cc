package org.virtgpu.context.crossdomain;

import org.virtgpu.spi.GpuException;

/**
 * Linear image layouts for GET_IMAGE_REQUIREMENTS: per-plane strides and offsets and the total size for the DRM
 * fourcc formats this host can allocate in system memory. Sizes are rounded up to the host page by the caller.
 *
 * @param strides bytes per row of each plane (unused planes 0)
 * @param offsets byte offset of each plane from the start of the allocation
 * @param bytes   bytes the planes need, before page rounding
 */
record ImageLayout(int[] strides, int[] offsets, long bytes) {
    /**
     * Row pitch alignment for every plane: 256 bytes satisfies the linear-import pitch rules of the common GPU
     * drivers (AMD needs 256, Intel 64, Mali 64) and Android's YV12 rule (luma 16, chroma = luma / 2 aligned 16).
     */
    static final int STRIDE_ALIGN = 256;
    /** Largest width or height accepted; 16384 is the largest texture size current GPUs import. */
    static final int MAX_DIMENSION = 16384;

    static int fourcc(String code) {
        return code.charAt(0) | code.charAt(1) << 8 | code.charAt(2) << 16 | code.charAt(3) << 24;
    }

    // DRM fourcc codes (include/uapi/drm/drm_fourcc.h)
    static final int ARGB8888 = fourcc("AR24");
    static final int XRGB8888 = fourcc("XR24");
    static final int ABGR8888 = fourcc("AB24");
    static final int XBGR8888 = fourcc("XB24");
    static final int ARGB2101010 = fourcc("AR30");
    static final int XRGB2101010 = fourcc("XR30");
    static final int ABGR2101010 = fourcc("AB30");
    static final int XBGR2101010 = fourcc("XB30");
    static final int ABGR16161616F = fourcc("AB4H");
    static final int RGB565 = fourcc("RG16");
    static final int BGR888 = fourcc("BG24");
    static final int RGB888 = fourcc("RG24");
    static final int R8 = fourcc("R8  ");
    static final int R16 = fourcc("R16 ");
    static final int GR88 = fourcc("GR88");
    static final int NV12 = fourcc("NV12");
    static final int YVU420 = fourcc("YV12");

    /** Bytes per pixel of a single-plane format, or 0 when the format is not single-plane or unknown. */
    private static int singlePlaneBpp(int format) {
        if (format == ARGB8888 || format == XRGB8888 || format == ABGR8888 || format == XBGR8888
                || format == ARGB2101010 || format == XRGB2101010 || format == ABGR2101010 || format == XBGR2101010) {
            return 4;
        }
        if (format == ABGR16161616F) {
            return 8;
        }
        if (format == BGR888 || format == RGB888) {
            return 3;
        }
        if (format == RGB565 || format == R16 || format == GR88) {
            return 2;
        }
        if (format == R8) {
            return 1;
        }
        return 0;
    }

    /**
     * The linear layout of a {@code width} x {@code height} image of {@code format}.
     *
     * @throws GpuException INVALID_PARAMETER for a zero or too large dimension or a format this host cannot lay out
     */
    static ImageLayout of(int width, int height, int format) throws GpuException {
        if (width <= 0 || height <= 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
            throw GpuException.invalidParameter("image " + Integer.toUnsignedString(width) + "x"
                    + Integer.toUnsignedString(height) + " outside 1.." + MAX_DIMENSION);
        }
        int bpp = singlePlaneBpp(format);
        if (bpp != 0) {
            int stride = align(width * bpp);
            return new ImageLayout(new int[] {stride, 0, 0, 0}, new int[4], (long) stride * height);
        }
        if (format == NV12) {
            // Y plane, then interleaved CbCr at half height (odd heights round up)
            int stride = align(width);
            long y = (long) stride * height;
            long uv = (long) stride * ((height + 1) / 2);
            return new ImageLayout(new int[] {stride, stride, 0, 0}, new int[] {0, (int) y, 0, 0}, y + uv);
        }
        if (format == YVU420) {
            // Y, then Cr (V), then Cb (U), chroma at half width and height; chroma stride = luma stride / 2
            int stride = align(width);
            int cStride = stride / 2;
            long y = (long) stride * height;
            long c = (long) cStride * ((height + 1) / 2);
            return new ImageLayout(new int[] {stride, cStride, cStride, 0},
                    new int[] {0, (int) y, (int) (y + c), 0}, y + 2 * c);
        }
        throw GpuException.invalidParameter("DRM format 0x" + Integer.toHexString(format) + " ('" + name(format)
                + "') cannot be allocated by this host");
    }

    private static int align(int bytes) {
        return (bytes + STRIDE_ALIGN - 1) & -STRIDE_ALIGN;
    }

    private static String name(int format) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            char ch = (char) ((format >>> (8 * i)) & 0xff);
            s.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        }
        return s.toString();
    }
}
