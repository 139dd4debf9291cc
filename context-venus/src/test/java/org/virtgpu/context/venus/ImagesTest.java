package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtgpu.context.venus.wire.VnMem.p32;
import static org.virtgpu.context.venus.wire.VnMem.p64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtgpu.context.venus.gen.VnFormats;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.context.venus.wire.VnObjects;

class ImagesTest {
    static final int R8G8B8A8_UNORM = 37, D24_UNORM_S8_UINT = 129, BC1_RGB_UNORM_BLOCK = 131;
    static final int G8_B8R8_2PLANE_420_UNORM = 1000156003;
    private static final long MEM = 0x2000, BUF = 0x1000;
    private final TestStructs mem = new TestStructs();
    private final VnObjects objects = new VnObjects(VnInfo.HANDLE_TYPES, VnInfo.H_VkDevice);
    private final Bounds bounds = new Bounds(objects);
    private final Images images = new Images(objects, bounds);
    private long nextImage = 0x10000;

    @AfterEach
    void close() {
        mem.close();
    }

    private long zeroed(long bytes) {
        return mem.zeroed(bytes);
    }

    /** A VkImageCreateInfo (88 bytes). */
    private long info(int flags, int type, int format, int w, int h, int d, int mips, int layers) {
        long i = zeroed(88);
        p32(i + 16, flags);
        p32(i + 20, type);
        p32(i + 24, format);
        p32(i + 28, w);
        p32(i + 32, h);
        p32(i + 36, d);
        p32(i + 40, mips);
        p32(i + 44, layers);
        return i;
    }

    /** A created image, bound whole to MEM (which is as large as asked). */
    private long image(int type, int format, int w, int h, int d, int mips, int layers) {
        return image(0, type, format, w, h, d, mips, layers);
    }

    private long image(int flags, int type, int format, int w, int h, int d, int mips, int layers) {
        long info = info(flags, type, format, w, h, d, mips, layers);
        assertNull(Images.invalid(info));
        long image = nextImage++;
        images.created(image, info);
        bounds.memoryAllocated(MEM, 1L << 30);
        assertNull(images.bind(image, 0, 1 << 20, MEM, 0));
        images.bound(image, 0);
        return image;
    }

    private void buffer(long size) {
        bounds.memoryAllocated(MEM + 1, size);
        assertTrue(bounds.fits(BUF, size, MEM + 1, 0));
        bounds.bound(BUF);
    }

    private long sub(int aspect, int mip, int base, int count) {
        return mem.ints(aspect, mip, base, count);
    }

    private long xyz(int x, int y, int z) {
        return mem.ints(x, y, z);
    }

    private String toBuffer(long image, long offset, int rowLength, int imageHeight, long sub, long off, long ext) {
        return images.bufferImage(BUF, image, offset, rowLength, imageHeight, sub, off, ext);
    }

    @Test
    void theFormatTableComesFromVkXml() {
        int rgba = VnFormats.index(R8G8B8A8_UNORM), bc1 = VnFormats.index(BC1_RGB_UNORM_BLOCK);
        int ds = VnFormats.index(D24_UNORM_S8_UINT), nv12 = VnFormats.index(G8_B8R8_2PLANE_420_UNORM);
        assertArrayEquals(new int[] {4, 1, 1}, new int[] {VnFormats.BLOCK_BYTES[rgba], VnFormats.BLOCK_WIDTH[rgba],
            VnFormats.BLOCK_HEIGHT[rgba]});
        assertArrayEquals(new int[] {8, 4, 4}, new int[] {VnFormats.BLOCK_BYTES[bc1], VnFormats.BLOCK_WIDTH[bc1],
            VnFormats.BLOCK_HEIGHT[bc1]});
        assertArrayEquals(new int[] {4, 1}, new int[] {VnFormats.DEPTH_BYTES[ds], VnFormats.STENCIL_BYTES[ds]});
        assertArrayEquals(new int[] {2, 1, 2, 2, 2}, new int[] {VnFormats.PLANES[nv12], VnFormats.PLANE_BYTES[0][nv12],
            VnFormats.PLANE_BYTES[1][nv12], VnFormats.PLANE_WIDTH_DIVISOR[1][nv12],
            VnFormats.PLANE_HEIGHT_DIVISOR[1][nv12]});
        assertTrue(VnFormats.index(0) < 0, "VK_FORMAT_UNDEFINED describes no texels");
    }

    @Test
    void createInfosOutsideValidUsageAreRefused() {
        assertNull(Images.invalid(info(0, Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 5, 6)));
        assertNotNull(Images.invalid(info(0, Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 6, 1)), "6 levels of 16");
        assertNotNull(Images.invalid(info(0, Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 2, 1, 1)), "2D with depth 2");
        assertNotNull(Images.invalid(info(0, Images.TYPE_3D, R8G8B8A8_UNORM, 16, 16, 16, 1, 2)), "3D with layers");
        assertNotNull(Images.invalid(info(0, Images.TYPE_1D, R8G8B8A8_UNORM, 16, 2, 1, 1, 1)), "1D with height");
        assertNotNull(Images.invalid(info(0, Images.TYPE_2D, R8G8B8A8_UNORM, 0, 16, 1, 1, 1)), "empty");
        assertNotNull(Images.invalid(info(0, Images.TYPE_2D, R8G8B8A8_UNORM, -1, 16, 1, 1, 1)), "2^32-1 wide");
        assertNotNull(Images.invalid(info(0, Images.TYPE_2D, 0, 16, 16, 1, 1, 1)), "undefined format");
    }

    @Test
    void anImageIsUsableOnlyOnceBoundInsideItsMemory() {
        long info = info(0, Images.TYPE_2D, R8G8B8A8_UNORM, 1024, 1024, 1, 1, 1);
        long image = 0x5000;
        images.created(image, info);
        bounds.memoryAllocated(MEM, 4096);
        buffer(1 << 22);
        long s = sub(Images.ASPECT_COLOR, 0, 0, 1);
        assertNotNull(images.bind(image, 0, 4 << 20, MEM, 0), "e2e/venus/vkhostile imagebind: 4 MiB on 4 KiB");
        assertNotNull(toBuffer(image, 0, 0, 0, s, xyz(0, 0, 0), xyz(16, 16, 1)), "not bound");
        assertNotNull(images.bind(image, Images.ASPECT_PLANE_1, 4096, MEM, 0), "a single-plane image has no planes");
        assertNull(images.bind(image, 0, 4096, MEM, 0));
        images.bound(image, 0);
        assertNull(toBuffer(image, 0, 0, 0, s, xyz(0, 0, 0), xyz(16, 16, 1)));
        objects.bind(VnInfo.H_VkImage, 3, image);
        objects.unbindHost(VnInfo.H_VkImage, image);
        assertNotNull(toBuffer(image, 0, 0, 0, s, xyz(0, 0, 0), xyz(16, 16, 1)), "destroyed: its shape goes with it");
    }

    @Test
    void disjointImagesBindEachPlane() {
        long info = info(Images.CREATE_DISJOINT, Images.TYPE_2D, G8_B8R8_2PLANE_420_UNORM, 64, 64, 1, 1, 1);
        long image = 0x6000;
        images.created(image, info);
        bounds.memoryAllocated(MEM, 1 << 20);
        buffer(1 << 20);
        assertNotNull(images.bind(image, 0, 4096, MEM, 0), "a disjoint image binds its planes one by one");
        assertNull(images.bind(image, Images.ASPECT_PLANE_0, 4096, MEM, 0));
        images.bound(image, Images.ASPECT_PLANE_0);
        long plane1 = sub(Images.ASPECT_PLANE_1, 0, 0, 1);
        assertNotNull(toBuffer(image, 0, 0, 0, plane1, xyz(0, 0, 0), xyz(32, 32, 1)), "plane 1 not bound yet");
        assertNull(images.bind(image, Images.ASPECT_PLANE_1, 4096, MEM, 8192));
        images.bound(image, Images.ASPECT_PLANE_1);
        assertNull(toBuffer(image, 0, 0, 0, plane1, xyz(0, 0, 0), xyz(32, 32, 1)), "plane 1 is 32x32");
        assertNotNull(toBuffer(image, 0, 0, 0, plane1, xyz(0, 0, 0), xyz(64, 64, 1)), "not 64x64");
    }

    @Test
    void bufferImageCopiesFollowTheSpecsAddressing() {
        long rgba = image(Images.TYPE_2D, R8G8B8A8_UNORM, 256, 256, 1, 1, 4);
        long color = sub(Images.ASPECT_COLOR, 0, 0, 1);
        buffer(1024);
        assertNotNull(toBuffer(rgba, 0, 0, 0, color, xyz(0, 0, 0), xyz(256, 256, 1)),
                "e2e/venus/vkhostile buftoimg/imgtobuf: 256 KiB of texels in 1 KiB");
        assertNull(toBuffer(rgba, 0, 0, 0, color, xyz(0, 0, 0), xyz(16, 16, 1)), "exactly 1 KiB");
        assertNotNull(toBuffer(rgba, 4, 0, 0, color, xyz(0, 0, 0), xyz(16, 16, 1)), "1 KiB from offset 4");
        assertNull(toBuffer(rgba, 0, 32, 0, color, xyz(0, 0, 0), xyz(16, 8, 1)), "rows 128 bytes apart: 7*128+64");
        assertNotNull(toBuffer(rgba, 0, 32, 0, color, xyz(0, 0, 0), xyz(16, 9, 1)), "8*128+64 > 1024");
        assertNull(toBuffer(rgba, 0, 0, 0, sub(Images.ASPECT_COLOR, 0, 0, 4), xyz(0, 0, 0), xyz(8, 8, 1)),
                "4 layers of 256 bytes");
        assertNotNull(toBuffer(rgba, 0, 0, 0, sub(Images.ASPECT_COLOR, 0, 0, 4), xyz(0, 0, 0), xyz(8, 9, 1)));
        assertNotNull(toBuffer(rgba, 0, 0, 0, sub(Images.ASPECT_COLOR, 0, 2, 4), xyz(0, 0, 0), xyz(1, 1, 1)),
                "layers 2-5 of 4");
        assertNotNull(toBuffer(rgba, 0, 0, 0, sub(Images.ASPECT_DEPTH, 0, 0, 1), xyz(0, 0, 0), xyz(1, 1, 1)),
                "a color format has no depth");
        assertNotNull(toBuffer(rgba, 0, 0, 0, color, xyz(0, 0, 1), xyz(1, 1, 1)), "z on a 2D image");

        buffer(64L << 20);
        assertNotNull(toBuffer(image(Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 1, 1), 0, 0, 0, color, xyz(0, 0, 0),
                xyz(4096, 4096, 1)), "e2e/venus/vkhostile imgregion: 4096x4096 into 16x16");
        long mipped = image(Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 5, 1);
        assertNull(toBuffer(mipped, 0, 0, 0, sub(Images.ASPECT_COLOR, 4, 0, 1), xyz(0, 0, 0), xyz(1, 1, 1)));
        assertNotNull(toBuffer(mipped, 0, 0, 0, sub(Images.ASPECT_COLOR, 3, 0, 1), xyz(1, 0, 0), xyz(2, 2, 1)),
                "level 3 is 2x2");
        assertNotNull(toBuffer(mipped, 0, 0, 0, sub(Images.ASPECT_COLOR, 5, 0, 1), xyz(0, 0, 0), xyz(1, 1, 1)));
        assertNotNull(toBuffer(mipped, 0, 0, 0, color, xyz(-1, 0, 0), xyz(1, 1, 1)), "negative offset");
    }

    @Test
    void compressedDepthStencilAnd3dCopiesCountTheirOwnBytes() {
        long bc1 = image(Images.TYPE_2D, BC1_RGB_UNORM_BLOCK, 16, 16, 1, 1, 1);
        long color = sub(Images.ASPECT_COLOR, 0, 0, 1);
        buffer(128);
        assertNull(toBuffer(bc1, 0, 0, 0, color, xyz(0, 0, 0), xyz(16, 16, 1)), "4x4 blocks of 8 bytes");
        assertNotNull(toBuffer(bc1, 8, 0, 0, color, xyz(0, 0, 0), xyz(16, 16, 1)));
        long ds = image(Images.TYPE_2D, D24_UNORM_S8_UINT, 8, 8, 1, 1, 1);
        buffer(256);
        assertNull(toBuffer(ds, 0, 0, 0, sub(Images.ASPECT_DEPTH, 0, 0, 1), xyz(0, 0, 0), xyz(8, 8, 1)), "4 bytes");
        assertNull(toBuffer(ds, 192, 0, 0, sub(Images.ASPECT_STENCIL, 0, 0, 1), xyz(0, 0, 0), xyz(8, 8, 1)),
                "1 byte");
        assertNotNull(toBuffer(ds, 0, 0, 0, sub(Images.ASPECT_DEPTH | Images.ASPECT_STENCIL, 0, 0, 1), xyz(0, 0, 0),
                xyz(1, 1, 1)), "a buffer copy takes one aspect");
        long vol = image(Images.TYPE_3D, R8G8B8A8_UNORM, 4, 4, 4, 1, 1);
        buffer(256);
        assertNull(toBuffer(vol, 0, 0, 0, color, xyz(0, 0, 0), xyz(4, 4, 4)));
        assertNotNull(toBuffer(vol, 0, 0, 0, color, xyz(0, 0, 1), xyz(4, 4, 4)), "slices 1-4 of 4");
        assertNotNull(toBuffer(vol, 0, 0, 5, color, xyz(0, 0, 0), xyz(4, 4, 4)), "5-row slices: 3*80+3*16+16 > 256");
    }

    private long imageCopy(long src, long srcOff, long dst, long dstOff, long extent) {
        long r = zeroed(68);
        copy(src, r, 16);
        copy(srcOff, r + 16, 12);
        copy(dst, r + 28, 16);
        copy(dstOff, r + 44, 12);
        copy(extent, r + 56, 12);
        return r;
    }

    private static void copy(long from, long to, long bytes) {
        TestStructs.copy(from, to, bytes);
    }

    @Test
    void imageCopiesStayInBothImages() {
        long a = image(Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 1, 4);
        long b = image(Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 1, 1);
        long c0 = sub(Images.ASPECT_COLOR, 0, 0, 1);
        assertNull(images.imageCopy(a, b, imageCopy(c0, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(16, 16, 1))));
        assertNotNull(images.imageCopy(a, b, imageCopy(c0, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(4096, 4096, 1))),
                "e2e/venus/vkhostile copyimage");
        assertNotNull(images.imageCopy(a, b, imageCopy(c0, xyz(0, 0, 0), c0, xyz(8, 0, 0), xyz(16, 1, 1))),
                "in the source, past the destination");
        assertNotNull(images.imageCopy(a, b, imageCopy(c0, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(1, 1, 2))),
                "depth 2 between 2D images");
        long vol = image(Images.TYPE_3D, R8G8B8A8_UNORM, 16, 16, 4, 1, 1);
        long four = sub(Images.ASPECT_COLOR, 0, 0, 4);
        assertNull(images.imageCopy(a, vol, imageCopy(four, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(16, 16, 4))),
                "4 layers into 4 slices");
        assertNotNull(images.imageCopy(a, vol, imageCopy(four, xyz(0, 0, 0), c0, xyz(0, 0, 1), xyz(16, 16, 4))),
                "slices 1-4 of 4");
        assertNotNull(images.imageCopy(a, vol, imageCopy(four, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(16, 16, 3))),
                "depth must match the layers");
        long bc1 = image(Images.TYPE_2D, BC1_RGB_UNORM_BLOCK, 64, 64, 1, 1, 1);
        assertNotNull(images.imageCopy(bc1, b, imageCopy(c0, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(64, 64, 1))),
                "8-byte BC1 blocks into 4-byte texels: not size-compatible");
        long wide = image(Images.TYPE_2D, 109, 16, 16, 1, 1, 1); // R32G32B32A32_SFLOAT
        assertNotNull(images.imageCopy(wide, b, imageCopy(c0, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(16, 16, 1))),
                "vkhostile copyimage fmt: 16-byte texels into 4-byte ones");
        int r32g32Uint = 101;
        long small = image(Images.TYPE_2D, r32g32Uint, 16, 16, 1, 1, 1); // one 8-byte texel per 4x4 block
        assertNull(images.imageCopy(bc1, small, imageCopy(c0, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(64, 64, 1))),
                "64x64 texels of BC1 are 16x16 blocks");
        assertNull(images.imageCopy(small, bc1, imageCopy(c0, xyz(0, 0, 0), c0, xyz(0, 0, 0), xyz(16, 16, 1))),
                "16x16 uncompressed texels are 16x16 blocks: 64x64 texels");
        assertNotNull(images.imageCopy(small, bc1, imageCopy(c0, xyz(0, 0, 0), c0, xyz(4, 0, 0), xyz(16, 16, 1))),
                "64 texels from x 4 of 64");
    }

    private long blit(long src, int[] so, long dst, int[] d) {
        long r = zeroed(80);
        copy(src, r, 16);
        for (int i = 0; i < 6; i++) {
            p32(r + 16 + 4L * i, so[i]);
        }
        copy(dst, r + 40, 16);
        for (int i = 0; i < 6; i++) {
            p32(r + 56 + 4L * i, d[i]);
        }
        return r;
    }

    @Test
    void blitCornersLieInTheirLevels() {
        long a = image(Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 1, 1);
        long b = image(Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 1, 1);
        long c0 = sub(Images.ASPECT_COLOR, 0, 0, 1);
        assertNull(images.blit(a, b, blit(c0, new int[] {0, 0, 0, 16, 16, 1}, c0, new int[] {16, 16, 0, 0, 0, 1})),
                "mirrored corners");
        assertNotNull(images.blit(a, b, blit(c0, new int[] {0, 0, 0, 16, 16, 1}, c0,
                new int[] {0, 0, 0, 4096, 4096, 1})), "e2e/venus/vkhostile blit");
        assertNotNull(images.blit(a, b, blit(c0, new int[] {-1, 0, 0, 16, 16, 1}, c0,
                new int[] {0, 0, 0, 16, 16, 1})));
        assertNotNull(images.blit(a, b, blit(c0, new int[] {0, 0, 0, 16, 16, 2}, c0,
                new int[] {0, 0, 0, 16, 16, 1})), "z 0..2 on a 2D image");
    }

    private long range(int aspect, int baseMip, int levels, int baseLayer, int layers) {
        return mem.ints(aspect, baseMip, levels, baseLayer, layers);
    }

    @Test
    void subresourceRangesAndViewsStayInTheImage() {
        long a = image(Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 5, 6);
        assertNull(images.subresourceRange(a, range(Images.ASPECT_COLOR, 0, Images.REMAINING, 0, Images.REMAINING)));
        assertNull(images.subresourceRange(a, range(Images.ASPECT_COLOR, 4, 1, 5, 1)));
        assertNotNull(images.subresourceRange(a, range(Images.ASPECT_COLOR, 5, 1, 0, 1)), "e2e: clearmip");
        assertNotNull(images.subresourceRange(a, range(Images.ASPECT_COLOR, 4, 2, 0, 1)));
        assertNotNull(images.subresourceRange(a, range(Images.ASPECT_COLOR, 0, 1, 6, Images.REMAINING)));
        assertNotNull(images.subresourceRange(a, range(Images.ASPECT_COLOR, 0, 0, 0, 1)), "no levels");
        long v = zeroed(80);
        p64(v + 24, a);
        p32(v + 32, Images.VIEW_CUBE);
        p32(v + 36, R8G8B8A8_UNORM);
        copy(range(Images.ASPECT_COLOR, 1, 1, 0, 6), v + 56, 20);
        assertNull(images.view(v));
        assertArrayEquals(new long[] {8, 8, 6}, images.viewSize(v));
        copy(range(Images.ASPECT_COLOR, 0, 1, 1, Images.REMAINING), v + 56, 20);
        assertNotNull(images.view(v), "a cube of 5 layers");
        copy(range(Images.ASPECT_COLOR, 7, 1, 9, 2), v + 56, 20);
        assertNotNull(images.view(v), "e2e/venus/vkhostile view");
        long vol = image(Images.TYPE_3D, R8G8B8A8_UNORM, 16, 16, 8, 1, 1);
        p64(v + 24, vol);
        p32(v + 32, Images.VIEW_2D_ARRAY);
        copy(range(Images.ASPECT_COLOR, 0, 1, 2, 6), v + 56, 20);
        assertNull(images.view(v), "slices 2-7 of a 3D image as layers");
        assertArrayEquals(new long[] {16, 16, 6}, images.viewSize(v));
        copy(range(Images.ASPECT_COLOR, 0, 1, 3, 6), v + 56, 20);
        assertNotNull(images.view(v), "slices 3-8 of 8");
    }

    @Test
    void viewTypesAndSwizzlesAreOfTheirEnums() {
        long a = image(Images.TYPE_2D, R8G8B8A8_UNORM, 16, 16, 1, 1, 1);
        long v = zeroed(80);
        p64(v + 24, a);
        p32(v + 32, Images.VIEW_2D);
        p32(v + 36, R8G8B8A8_UNORM);
        copy(range(Images.ASPECT_COLOR, 0, 1, 0, 1), v + 56, 20);
        for (int k = 0; k < 4; k++) {
            p32(v + 40 + 4L * k, Images.SWIZZLE_A);
        }
        assertNull(images.view(v), "every component from alpha");
        p32(v + 48, 1000);
        assertNotNull(images.view(v), "vkhostile sampler swizzle (SIGSEGV)");
        p32(v + 48, 0);
        p32(v + 32, 7);
        assertNotNull(images.view(v), "view type 7");
    }

    @Test
    void viewFormatsKeepTheImagesTexelSize() {
        int rgba32f = 109, r32f = 100, bgra8 = 44, bc1Srgb = 132, bc2 = 135, r8 = 9, r8g8 = 16;
        int mutable = Images.CREATE_MUTABLE_FORMAT;
        Images.Shape plain = images.shape(image(Images.TYPE_2D, R8G8B8A8_UNORM, 4096, 2, 1, 1, 1));
        assertNull(Images.formatRefused(plain, R8G8B8A8_UNORM, Images.ASPECT_COLOR));
        assertNotNull(Images.formatRefused(plain, bgra8, Images.ASPECT_COLOR), "another format, not mutable");
        Images.Shape m = images.shape(image(mutable, Images.TYPE_2D, R8G8B8A8_UNORM, 4096, 2, 1, 1, 1));
        assertNull(Images.formatRefused(m, bgra8, Images.ASPECT_COLOR), "4 bytes as 4 bytes");
        assertNull(Images.formatRefused(m, r32f, Images.ASPECT_COLOR), "4 bytes as 4 bytes");
        assertNotNull(Images.formatRefused(m, rgba32f, Images.ASPECT_COLOR), "vkhostile storefmt (SIGSEGV)");
        assertNotNull(Images.formatRefused(m, bc1Srgb, Images.ASPECT_COLOR), "compressed view, uncompressed image");
        assertNotNull(Images.formatRefused(m, 1000, Images.ASPECT_COLOR), "not a format");
        Images.Shape bc = images.shape(image(mutable, Images.TYPE_2D, BC1_RGB_UNORM_BLOCK, 16, 16, 1, 1, 1));
        assertNull(Images.formatRefused(bc, bc1Srgb, Images.ASPECT_COLOR), "BC1 as BC1");
        assertNotNull(Images.formatRefused(bc, bc2, Images.ASPECT_COLOR), "8-byte blocks as 16-byte ones");
        assertNotNull(Images.formatRefused(bc, 91, Images.ASPECT_COLOR), "R16G16B16A16_UNORM without BLOCK_TEXEL_VIEW");
        Images.Shape texel = images.shape(image(mutable | Images.CREATE_BLOCK_TEXEL_VIEW_COMPATIBLE, Images.TYPE_2D,
                BC1_RGB_UNORM_BLOCK, 16, 16, 1, 1, 1));
        assertNull(Images.formatRefused(texel, 91, Images.ASPECT_COLOR), "an 8-byte block as an 8-byte texel");
        Images.Shape ds = images.shape(image(mutable, Images.TYPE_2D, D24_UNORM_S8_UINT, 16, 16, 1, 1, 1));
        assertNotNull(Images.formatRefused(ds, R8G8B8A8_UNORM, Images.ASPECT_COLOR), "depth/stencil as colour");
        Images.Shape yuv = images.shape(image(mutable, Images.TYPE_2D, G8_B8R8_2PLANE_420_UNORM, 16, 16, 1, 1, 1));
        assertNull(Images.formatRefused(yuv, r8, Images.ASPECT_PLANE_0), "the luma plane as R8");
        assertNull(Images.formatRefused(yuv, r8g8, Images.ASPECT_PLANE_1), "the chroma plane as R8G8");
        assertNotNull(Images.formatRefused(yuv, r8g8, Images.ASPECT_PLANE_0), "the luma plane as R8G8");
        assertNotNull(Images.formatRefused(yuv, r8, Images.ASPECT_COLOR), "no plane aspect");
    }
}
