package org.virtgpu.context.venus;

import static org.virtgpu.context.venus.wire.VnMem.g32;
import static org.virtgpu.context.venus.wire.VnMem.g64;

import org.virtgpu.context.venus.gen.VnFormats;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

/**
 * Shapes of one context's images, so that image commands whose regions, subresources or memory leave their images
 * (or buffers) never reach the host driver. lavapipe trusts them: an image bound to less memory than it needs and
 * then cleared, a copy of a whole image into a smaller buffer, a region past its image and an image copy past both
 * images each killed the server's JVM with the first submit ({@code e2e/venus/vkhostile.c}: SIGSEGV in lavapipe),
 * and a copy from a smaller buffer into an image reads server memory the client can then read back. Valid usage
 * keeps all of them inside (VUID-vkBindImageMemory-size-01049, VUID-vkCmdCopyBufferToImage-pRegions-00171,
 * VUID-vkCmdCopyImage-srcOffset-00144 and their siblings), so only a broken or hostile client is refused.
 *
 * <p>Host handles. A shape is what vkCreateImage said (type, format, extent, mip levels, array layers), kept in the
 * context's object table with the image ({@link VnObjects#attach}) and gone with it; its memory counts as bound once
 * every plane the image binds is bound inside its allocation (sparse images: from creation). Texel block sizes come
 * from vk.xml's format table ({@link VnFormats}, generated). Each check answers why a command is refused, or null.
 */
final class Images {
    static final int ASPECT_COLOR = 0x1, ASPECT_DEPTH = 0x2, ASPECT_STENCIL = 0x4;
    static final int ASPECT_PLANE_0 = 0x10, ASPECT_PLANE_1 = 0x20, ASPECT_PLANE_2 = 0x40;
    /** VK_REMAINING_MIP_LEVELS and VK_REMAINING_ARRAY_LAYERS (~0U) */
    static final int REMAINING = -1;
    static final int TYPE_1D = 0, TYPE_2D = 1, TYPE_3D = 2;
    static final int CREATE_SPARSE_BINDING = 0x1, CREATE_MUTABLE_FORMAT = 0x8, CREATE_BLOCK_TEXEL_VIEW_COMPATIBLE = 0x80,
            CREATE_DISJOINT = 0x200;
    static final int VIEW_2D = 1, VIEW_CUBE = 3, VIEW_2D_ARRAY = 5, VIEW_CUBE_ARRAY = 6;
    /** VK_COMPONENT_SWIZZLE_A, the last VkComponentSwizzle */
    static final int SWIZZLE_A = 6;

    /** What vkCreateImage said, and which memory planes are bound so far. */
    static final class Shape {
        final int type, format, width, height, depth, mipLevels, arrayLayers;
        /** VkImageCreateInfo.usage and .flags */
        int usage, flags;
        /** index into VnFormats' arrays */
        final int f;
        /** bit i: plane i must be bound before the image is usable (one bit unless disjoint) */
        final int planesToBind;
        private int boundPlanes;

        Shape(int type, int format, int width, int height, int depth, int mipLevels, int arrayLayers, int f,
                int planesToBind, boolean sparse) {
            this.type = type;
            this.format = format;
            this.width = width;
            this.height = height;
            this.depth = depth;
            this.mipLevels = mipLevels;
            this.arrayLayers = arrayLayers;
            this.f = f;
            this.planesToBind = planesToBind;
            this.boundPlanes = sparse ? planesToBind : 0;
        }

        synchronized boolean bound() {
            return (boundPlanes & planesToBind) == planesToBind;
        }

        synchronized void bound(int plane) {
            boundPlanes |= 1 << plane;
        }

        int planes() {
            return VnFormats.PLANES[f];
        }

        /** Extent of mip level mip in dimension dim (0-2) of the aspect's plane: at least 1. */
        long extent(int dim, int mip, int aspect) {
            int e = dim == 0 ? width : dim == 1 ? height : depth;
            long m = mip >= 31 ? 1 : Math.max(1L, Integer.toUnsignedLong(e) >>> mip);
            int plane = plane(aspect);
            if (plane >= 0 && dim < 2) {
                int div = dim == 0 ? VnFormats.PLANE_WIDTH_DIVISOR[plane][f] : VnFormats.PLANE_HEIGHT_DIVISOR[plane][f];
                m = Math.max(1L, m / Math.max(1, div));
            }
            return m;
        }
    }

    private final VnObjects objects;
    private final Bounds bounds;

    Images(VnObjects objects, Bounds bounds) {
        this.objects = objects;
        this.bounds = bounds;
    }

    /**
     * Why a VkImageCreateInfo cannot describe an image that the checks here can keep inside (null when it can): the
     * extent, levels and layers valid usage requires (VUID-VkImageCreateInfo-extent-00944, -mipLevels-00947,
     * -imageType-00956 and their siblings) and a format vk.xml describes.
     */
    static String invalid(long info) {
        int type = g32(info + 20);
        int format = g32(info + 24);
        int w = g32(info + 28), h = g32(info + 32), d = g32(info + 36);
        int mips = g32(info + 40), layers = g32(info + 44);
        if (VnFormats.index(format) < 0) {
            return "format " + format + " is not one vk.xml describes";
        }
        if (type < TYPE_1D || type > TYPE_3D) {
            return "image type " + type;
        }
        if (w <= 0 || h <= 0 || d <= 0 || (type == TYPE_1D && (h != 1 || d != 1)) || (type == TYPE_2D && d != 1)) {
            return "extent " + Integer.toUnsignedString(w) + "x" + Integer.toUnsignedString(h) + "x"
                    + Integer.toUnsignedString(d) + " for image type " + type;
        }
        int largest = Math.max(w, Math.max(h, d));
        if (mips <= 0 || mips > 32 - Integer.numberOfLeadingZeros(largest)) {
            return Integer.toUnsignedString(mips) + " mip levels for a largest extent of " + largest;
        }
        if (layers <= 0 || (type == TYPE_3D && layers != 1)) {
            return Integer.toUnsignedString(layers) + " array layers for image type " + type;
        }
        return null;
    }

    /** After the driver created image from the (valid, see {@link #invalid}) VkImageCreateInfo at info. */
    void created(long image, long info) {
        int flags = g32(info + 16);
        int format = g32(info + 24);
        int f = VnFormats.index(format);
        int planes = (flags & CREATE_DISJOINT) != 0 && VnFormats.PLANES[f] > 1 ? (1 << VnFormats.PLANES[f]) - 1 : 1;
        Shape s = new Shape(g32(info + 20), format, g32(info + 28), g32(info + 32), g32(info + 36), g32(info + 40),
                g32(info + 44), f, planes, (flags & CREATE_SPARSE_BINDING) != 0);
        s.usage = g32(info + 56);
        s.flags = flags;
        objects.attach(VnInfo.H_VkImage, image, s);
    }

    /** The shape of a live image, null when unknown. */
    Shape shape(long image) {
        return objects.attached(VnInfo.H_VkImage, image) instanceof Shape s ? s : null;
    }

    /** Why binding size bytes of image (plane planeAspect, 0 for the whole image) at offset of mem is refused. */
    String bind(long image, int planeAspect, long size, long mem, long offset) {
        Shape s = shape(image);
        if (s == null) {
            return "unknown image";
        }
        if (planeAspect != 0 && (s.planesToBind == 1 || plane(planeAspect) < 0 || plane(planeAspect) >= s.planes())) {
            return "plane aspect " + planeAspect + " of an image that does not bind planes";
        }
        if (planeAspect == 0 && s.planesToBind != 1) {
            return "a disjoint image binds each plane on its own";
        }
        if (!bounds.memoryHolds(mem, offset, size)) {
            return "the image needs " + size + " bytes from offset " + offset + " of its memory";
        }
        return null;
    }

    /** After the driver bound a plane (planeAspect, 0 for all) of image that {@link #bind} accepted. */
    void bound(long image, int planeAspect) {
        Shape s = shape(image);
        if (s != null) {
            if (planeAspect == 0) {
                for (int p = 0; p < 3; p++) {
                    s.bound(p);
                }
            } else {
                s.bound(plane(planeAspect));
            }
        }
    }

    /** A live, bound image's shape, or null (logged by the caller through why). */
    private Shape usable(long image) {
        Shape s = shape(image);
        return s != null && s.bound() ? s : null;
    }

    /** 0-2 for a plane aspect, -1 for the others */
    static int plane(int aspect) {
        return switch (aspect) {
            case ASPECT_PLANE_0 -> 0;
            case ASPECT_PLANE_1 -> 1;
            case ASPECT_PLANE_2 -> 2;
            default -> -1;
        };
    }

    /** Whether every bit of aspects names an aspect the image's format has. */
    private static boolean aspectsOf(Shape s, int aspects) {
        if (aspects == 0 || (aspects & ~(ASPECT_COLOR | ASPECT_DEPTH | ASPECT_STENCIL | ASPECT_PLANE_0 | ASPECT_PLANE_1
                | ASPECT_PLANE_2)) != 0) {
            return false;
        }
        boolean ds = VnFormats.DEPTH_BYTES[s.f] != 0 || VnFormats.STENCIL_BYTES[s.f] != 0;
        int planes = s.planes();
        if ((aspects & ASPECT_COLOR) != 0 && ds) {
            return false;
        }
        if ((aspects & ASPECT_DEPTH) != 0 && VnFormats.DEPTH_BYTES[s.f] == 0) {
            return false;
        }
        if ((aspects & ASPECT_STENCIL) != 0 && VnFormats.STENCIL_BYTES[s.f] == 0) {
            return false;
        }
        int planeBits = aspects & (ASPECT_PLANE_0 | ASPECT_PLANE_1 | ASPECT_PLANE_2);
        return planeBits == 0 || (planeBits >>> 4) < (1 << planes);
    }

    /** Whether [base, base + count) lies in [0, total); count REMAINING means to the end (base must be inside). */
    static boolean span(int base, int count, long total) {
        long b = Integer.toUnsignedLong(base);
        if (count == REMAINING) {
            return b < total;
        }
        long n = Integer.toUnsignedLong(count);
        return n >= 1 && b < total && n <= total - b;
    }

    /** VkImageSubresourceRange (20 bytes) at range: clears (and views, with their own layer rules). */
    String subresourceRange(long image, long range) {
        Shape s = usable(image);
        if (s == null) {
            return "the image is unknown or not bound to memory";
        }
        if (!aspectsOf(s, g32(range))) {
            return "aspects " + g32(range) + " for format " + s.format;
        }
        if (!span(g32(range + 4), g32(range + 8), s.mipLevels)) {
            return "mip levels " + g32(range + 4) + "+" + g32(range + 8) + " of " + s.mipLevels;
        }
        if (!span(g32(range + 12), g32(range + 16), s.arrayLayers)) {
            return "array layers " + g32(range + 12) + "+" + g32(range + 16) + " of " + s.arrayLayers;
        }
        return null;
    }

    /**
     * VkImageViewCreateInfo at info: the image is bound (VUID-VkImageViewCreateInfo-image-01020), and the range lies
     * in it; a 2D or 2D-array view of a 3D image takes its layers from the level's depth slices, cube views take 6
     * layers (arrays a multiple of 6). The view type and component swizzles (@40, four) must be of their enums: a
     * swizzle of 1000 made lavapipe die with SIGSEGV ({@code vkhostile sampler 1 swizzle}).
     */
    String view(long info) {
        long image = g64(info + 24);
        int viewType = g32(info + 32);
        long range = info + 56;
        if (viewType < 0 || viewType > VIEW_CUBE_ARRAY) {
            return "view type " + viewType;
        }
        for (int k = 0; k < 4; k++) {
            int swizzle = g32(info + 40 + 4L * k);
            if (swizzle < 0 || swizzle > SWIZZLE_A) {
                return "component swizzle " + swizzle;
            }
        }
        Shape s = usable(image);
        if (s == null) {
            return "the image is unknown or not bound to memory";
        }
        String why = formatRefused(s, g32(info + 36), g32(range));
        if (why != null) {
            return why;
        }
        if (!aspectsOf(s, g32(range))) {
            return "aspects " + g32(range) + " for format " + s.format;
        }
        int baseMip = g32(range + 4);
        if (!span(baseMip, g32(range + 8), s.mipLevels)) {
            return "mip levels " + baseMip + "+" + g32(range + 8) + " of " + s.mipLevels;
        }
        long layers = s.type == TYPE_3D && (viewType == VIEW_2D || viewType == VIEW_2D_ARRAY)
                ? s.extent(2, baseMip, 0) : s.arrayLayers;
        int base = g32(range + 12), count = g32(range + 16);
        if (!span(base, count, layers)) {
            return "array layers " + base + "+" + count + " of " + layers;
        }
        long n = count == REMAINING ? layers - Integer.toUnsignedLong(base) : Integer.toUnsignedLong(count);
        if ((viewType == VIEW_CUBE && n != 6) || (viewType == VIEW_CUBE_ARRAY && n % 6 != 0)) {
            return n + " layers for a cube view";
        }
        return null;
    }

    /**
     * A view's format against its image's. lavapipe addresses a view's texels with the view format's size and the
     * image's row pitch: an R32G32B32A32_SFLOAT storage view of a 4096x2 RGBA8 image took a store to texel (4095, 1)
     * 48 KiB past the image's memory and died with SIGSEGV ({@code vkhostile storefmt}). Valid usage: another format
     * only for an image made with VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT (VUID-VkImageViewCreateInfo-image-01762), and
     * then of the same texel block size (-image-01761), of a plane's size for a plane of a multi-planar image
     * (-image-01586), uncompressed for a compressed image only with BLOCK_TEXEL_VIEW_COMPATIBLE (-image-01583), never
     * compressed for an uncompressed one, and depth/stencil formats only as themselves. Why not, or null.
     */
    static String formatRefused(Shape s, int format, int aspect) {
        if (format == s.format) {
            return null;
        }
        int v = VnFormats.index(format);
        if (v < 0) {
            return "view format " + format + " is not one vk.xml describes";
        }
        if ((s.flags & CREATE_MUTABLE_FORMAT) == 0) {
            return "view format " + format + " of an image of format " + s.format
                    + " made without VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT";
        }
        if (VnFormats.DEPTH_BYTES[v] + VnFormats.STENCIL_BYTES[v] + VnFormats.DEPTH_BYTES[s.f]
                + VnFormats.STENCIL_BYTES[s.f] > 0) {
            return "view format " + format + " of a depth/stencil image of format " + s.format + ", or the reverse";
        }
        int plane = s.planes() > 0 ? plane(aspect) : -1;
        if (s.planes() > 0 && plane < 0) {
            return "view format " + format + " of a multi-planar image without a plane aspect";
        }
        long bytes = plane >= 0 ? VnFormats.PLANE_BYTES[plane][s.f] : VnFormats.BLOCK_BYTES[s.f];
        boolean compressed = VnFormats.BLOCK_WIDTH[s.f] > 1 || VnFormats.BLOCK_HEIGHT[s.f] > 1;
        boolean viewCompressed = VnFormats.BLOCK_WIDTH[v] > 1 || VnFormats.BLOCK_HEIGHT[v] > 1;
        if (VnFormats.BLOCK_BYTES[v] != bytes) {
            return "view format " + format + " of " + VnFormats.BLOCK_BYTES[v] + "-byte texel blocks on an image of "
                    + bytes + "-byte ones";
        }
        if (viewCompressed ? !compressed || VnFormats.BLOCK_WIDTH[v] != VnFormats.BLOCK_WIDTH[s.f]
                || VnFormats.BLOCK_HEIGHT[v] != VnFormats.BLOCK_HEIGHT[s.f]
                : compressed && (s.flags & CREATE_BLOCK_TEXEL_VIEW_COMPATIBLE) == 0) {
            return "view format " + format + " and image format " + s.format + " differ in their block extents";
        }
        return null;
    }

    /**
     * The extent of a view's base level and the layers it spans ({@link #view} accepted its VkImageViewCreateInfo):
     * {width, height, layers}; a 2D view of a 3D image spans depth slices.
     */
    long[] viewSize(long info) {
        Shape s = shape(g64(info + 24));
        int viewType = g32(info + 32);
        long range = info + 56;
        int aspect = g32(range), baseMip = g32(range + 4), base = g32(range + 12), count = g32(range + 16);
        int one = Integer.lowestOneBit(aspect);
        long layers = s.type == TYPE_3D && (viewType == VIEW_2D || viewType == VIEW_2D_ARRAY)
                ? s.extent(2, baseMip, 0) : s.arrayLayers;
        long n = count == REMAINING ? layers - Integer.toUnsignedLong(base) : Integer.toUnsignedLong(count);
        return new long[] {s.extent(0, baseMip, one), s.extent(1, baseMip, one), n};
    }

    /**
     * One side of a copy, blit or resolve: the image's VkImageSubresourceLayers at sub, then the texel box
     * [x, x + w) x [y, y + h) x [z, z + d) of its level. A 3D image takes one layer and the box's depth; the other
     * types take z = 0 and a depth of depthOfLayered (1, or the layer count when the other side is 3D).
     */
    String box(Shape s, long sub, long x, long y, long z, long w, long h, long d, long depthOfLayered) {
        int aspects = g32(sub), mip = g32(sub + 4), base = g32(sub + 8), count = g32(sub + 12);
        if (!aspectsOf(s, aspects)) {
            return "aspects " + aspects + " for format " + s.format;
        }
        if (Integer.compareUnsigned(mip, s.mipLevels) >= 0) {
            return "mip level " + Integer.toUnsignedString(mip) + " of " + s.mipLevels;
        }
        if (!span(base, count, s.arrayLayers)) {
            return "array layers " + base + "+" + count + " of " + s.arrayLayers;
        }
        if (s.type != TYPE_3D && (z != 0 || d != depthOfLayered)) {
            return "depth " + z + "+" + d + " of a layered image";
        }
        long texelDepth = s.type == TYPE_3D ? d : 1; // a layered image's depth counts layers, checked above
        for (int bit = 1; bit <= ASPECT_PLANE_2; bit <<= 1) {
            if ((aspects & bit) != 0 && (!inside(x, w, s.extent(0, mip, bit)) || !inside(y, h, s.extent(1, mip, bit))
                    || !inside(z, texelDepth, s.extent(2, mip, bit)))) {
                return "region " + x + "," + y + "," + z + " + " + w + "x" + h + "x" + d + " leaves level " + mip + " ("
                        + s.extent(0, mip, bit) + "x" + s.extent(1, mip, bit) + "x" + s.extent(2, mip, bit) + ")";
            }
        }
        return null;
    }

    /** 0 <= offset and offset + length <= extent (offset is a signed texel coordinate, length unsigned) */
    private static boolean inside(long offset, long length, long extent) {
        return offset >= 0 && offset <= extent && length <= extent - offset;
    }

    /**
     * vkCmdCopyBufferToImage / vkCmdCopyImageToBuffer: one VkBufferImageCopy's fields (bufferOffset, bufferRowLength,
     * bufferImageHeight, the VkImageSubresourceLayers at sub, imageOffset and imageExtent) against image and buffer.
     * The buffer's bytes follow the spec's addressing ("Buffer and Image Addressing"): texel blocks of the aspect's
     * size, rows bufferRowLength (or the width) apart, slices bufferImageHeight (or the height) rows apart, layers
     * depth slices apart.
     */
    String bufferImage(long buffer, long image, long bufferOffset, int rowLength, int imageHeight, long sub,
            long imageOffset, long imageExtent) {
        Shape s = usable(image);
        if (s == null) {
            return "the image is unknown or not bound to memory";
        }
        int aspect = g32(sub);
        if (Integer.bitCount(aspect) != 1) {
            return "aspects " + aspect + " (a buffer copy takes one)";
        }
        long w = Integer.toUnsignedLong(g32(imageExtent)), h = Integer.toUnsignedLong(g32(imageExtent + 4));
        long d = Integer.toUnsignedLong(g32(imageExtent + 8));
        String why = box(s, sub, g32(imageOffset), g32(imageOffset + 4), g32(imageOffset + 8), w, h, d, 1);
        if (why != null) {
            return why;
        }
        if (aspect == ASPECT_COLOR && s.planes() > 1) {
            return "the color aspect of a multi-planar format";
        }
        long bytes = aspectBytes(s, aspect);
        long bw = 1, bh = 1, bd = 1;
        if (aspect == ASPECT_COLOR) {
            bw = VnFormats.BLOCK_WIDTH[s.f];
            bh = VnFormats.BLOCK_HEIGHT[s.f];
            bd = VnFormats.BLOCK_DEPTH[s.f];
        }
        int layers = g32(sub + 12);
        long layerCount = layers == REMAINING ? s.arrayLayers - Integer.toUnsignedLong(g32(sub + 8))
                : Integer.toUnsignedLong(layers);
        long size;
        try {
            long rowTexels = Math.max(Integer.toUnsignedLong(rowLength), w);
            long sliceRows = Math.max(Integer.toUnsignedLong(imageHeight), h);
            long rowPitch = Math.multiplyExact(ceil(rowTexels, bw), bytes);
            long slicePitch = Math.multiplyExact(ceil(sliceRows, bh), rowPitch);
            long blocksD = ceil(d, bd);
            long layerPitch = Math.multiplyExact(blocksD, slicePitch);
            if (w == 0 || h == 0 || d == 0 || layerCount == 0) {
                size = 0;
            } else {
                size = Math.addExact(Math.addExact(Math.multiplyExact(layerCount - 1, layerPitch),
                        Math.multiplyExact(blocksD - 1, slicePitch)), Math.addExact(
                                Math.multiplyExact(ceil(h, bh) - 1, rowPitch), Math.multiplyExact(ceil(w, bw), bytes)));
            }
        } catch (ArithmeticException e) {
            return "the buffer range overflows";
        }
        if (bytes <= 0 || !bounds.range(buffer, bufferOffset, size)) {
            return "the buffer range " + bufferOffset + "+" + size + " leaves the buffer";
        }
        return null;
    }

    /** Bytes of a texel block of the aspects a copy names: the format's (colour), a plane's, depth plus stencil. */
    private static long aspectBytes(Shape s, int aspect) {
        int plane = plane(aspect);
        if (plane >= 0) {
            return VnFormats.PLANE_BYTES[plane][s.f];
        }
        return aspect == ASPECT_COLOR ? VnFormats.BLOCK_BYTES[s.f]
                : ((aspect & ASPECT_DEPTH) != 0 ? VnFormats.DEPTH_BYTES[s.f] : 0)
                        + ((aspect & ASPECT_STENCIL) != 0 ? VnFormats.STENCIL_BYTES[s.f] : 0);
    }

    private static long ceil(long n, long block) {
        return (n + block - 1) / block;
    }

    /**
     * vkCmdCopyImage / vkCmdResolveImage: VkImageCopy and VkImageResolve share their layout from at (srcSubresource,
     * srcOffset, dstSubresource, dstOffset, extent; 68 bytes), VkImageCopy2 and VkImageResolve2 at 16. The extent is
     * in source texels; the destination's is scaled by the two formats' block sizes (compressed to uncompressed). The
     * two aspects' texel blocks must be of one size (VUID-vkCmdCopyImage-srcImage-01548; a resolve needs one
     * format): the checks here size the destination in the destination's blocks, the driver copies source blocks.
     */
    String imageCopy(long src, long dst, long at) {
        Shape a = usable(src), b = usable(dst);
        if (a == null || b == null) {
            return "an image is unknown or not bound to memory";
        }
        long w = Integer.toUnsignedLong(g32(at + 56)), h = Integer.toUnsignedLong(g32(at + 60));
        long d = Integer.toUnsignedLong(g32(at + 64));
        // a 3D image against a layered one: the depth of the one is the layers of the other; else a depth of 1
        long srcLayered = b.type == TYPE_3D && a.type != TYPE_3D ? Integer.toUnsignedLong(g32(at + 12)) : 1;
        long dstLayered = a.type == TYPE_3D && b.type != TYPE_3D ? Integer.toUnsignedLong(g32(at + 40)) : 1;
        String why = box(a, at, g32(at + 16), g32(at + 20), g32(at + 24), w, h, d, srcLayered);
        if (why != null) {
            return "source: " + why;
        }
        if (aspectBytes(a, g32(at)) != aspectBytes(b, g32(at + 28))) {
            return "formats " + a.format + " and " + b.format + " are not size-compatible";
        }
        int sp = plane(g32(at)), dp = plane(g32(at + 28));
        long sbw = sp >= 0 ? 1 : VnFormats.BLOCK_WIDTH[a.f], sbh = sp >= 0 ? 1 : VnFormats.BLOCK_HEIGHT[a.f];
        long dbw = dp >= 0 ? 1 : VnFormats.BLOCK_WIDTH[b.f], dbh = dp >= 0 ? 1 : VnFormats.BLOCK_HEIGHT[b.f];
        long dw = ceil(w, sbw) * dbw, dh = ceil(h, sbh) * dbh;
        why = box(b, at + 28, g32(at + 44), g32(at + 48), g32(at + 52), dw, dh, d, dstLayered);
        return why == null ? null : "destination: " + why;
    }

    /**
     * vkCmdBlitImage: VkImageBlit at at (srcSubresource, srcOffsets[2], dstSubresource, dstOffsets[2]; 80 bytes;
     * VkImageBlit2 from offset 16): each corner lies in its level (0 to the extent), z from 0 to 1 on layered images.
     */
    String blit(long src, long dst, long at) {
        Shape a = usable(src), b = usable(dst);
        if (a == null || b == null) {
            return "an image is unknown or not bound to memory";
        }
        String why = corners(a, at, at + 16);
        if (why != null) {
            return "source: " + why;
        }
        why = corners(b, at + 40, at + 56);
        return why == null ? null : "destination: " + why;
    }

    private String corners(Shape s, long sub, long offsets) {
        long x0 = g32(offsets), y0 = g32(offsets + 4), z0 = g32(offsets + 8);
        long x1 = g32(offsets + 12), y1 = g32(offsets + 16), z1 = g32(offsets + 20);
        boolean layered = s.type != TYPE_3D;
        if (layered && Math.min(z0, z1) != 0 || layered && Math.max(z0, z1) != 1) {
            return "z " + z0 + ".." + z1 + " on a layered image";
        }
        long lx = Math.min(x0, x1), ly = Math.min(y0, y1), lz = Math.min(z0, z1);
        return box(s, sub, lx, ly, layered ? 0 : lz, Math.max(x0, x1) - lx, Math.max(y0, y1) - ly,
                layered ? 1 : Math.max(z0, z1) - lz, 1);
    }

    /** vkGetImageSubresourceLayout's VkImageSubresource (aspect, mip level, array layer) at sub. */
    String subresource(long image, long sub) {
        Shape s = shape(image);
        if (s == null) {
            return "unknown image";
        }
        if (!aspectsOf(s, g32(sub)) || Integer.bitCount(g32(sub)) != 1) {
            return "aspect " + g32(sub) + " for format " + s.format;
        }
        if (Integer.compareUnsigned(g32(sub + 4), s.mipLevels) >= 0
                || Integer.compareUnsigned(g32(sub + 8), s.arrayLayers) >= 0) {
            return "mip level " + g32(sub + 4) + ", layer " + g32(sub + 8) + " of " + s.mipLevels + " and "
                    + s.arrayLayers;
        }
        return null;
    }
}
