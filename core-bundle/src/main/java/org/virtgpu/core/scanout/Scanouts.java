package org.virtgpu.core.scanout;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.virtgpu.api.DisplaySink;
import org.virtgpu.core.protocol.GpuCommand.Rect;
import org.virtgpu.core.resource.Backing;
import org.virtgpu.core.resource.PixelFormat;
import org.virtgpu.core.resource.Resource;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * The scanouts (heads) of one session: what each shows, the cursor, and the {@link DisplaySink} calls.
 * <p>
 * Lifetime choices (see docs/device.md):
 * <ul>
 *   <li>A 2D resource is shown from its host pixels. DETACH_BACKING of a shown 2D resource leaves the scanout
 *       showing the last transferred image (the host copy is the scanout's image; only TRANSFER needs guest pages).</li>
 *   <li>A GUEST blob is shown from a scanout-owned shadow copy that RESOURCE_FLUSH refreshes from the guest pages.
 *       DETACH_BACKING of a shown guest blob freezes the scanout on the last flushed image: later flushes re-send
 *       the shadow and never read guest pages.</li>
 *   <li>RESOURCE_UNREF of a shown resource disables every scanout showing it (as QEMU does).</li>
 * </ul>
 * Mutations come from the dispatcher thread; {@link #png} may come from any thread, so lifetime changes and
 * snapshots share one monitor (flushes, the hot path, do not take it).
 */
public final class Scanouts {
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final int CURSOR_SIZE = 64;

    /** What one scanout shows. */
    static final class Scanout {
        final int id;
        Resource resource;
        Rect rect;
        boolean blob;
        int fbWidth;
        int fbHeight;
        int format;
        long stride;
        long offset;
        /** Guest blobs: the last flushed image, fbWidth x fbHeight, packed, in its own arena. */
        MemorySegment shadow;
        Arena shadowArena;
        boolean frozen;

        Scanout(int id) {
            this.id = id;
        }

        boolean enabled() {
            return resource != null;
        }
    }

    private final Scanout[] heads;
    private final DisplaySink sink;
    /** Credits the session's byte count when a shadow image is freed (the session charged it). */
    private final java.util.function.LongConsumer shadowFreed;
    private final int preferredWidth;
    private final int preferredHeight;
    private final byte[][] edids;
    private int cursorHotX;
    private int cursorHotY;
    private int cursorResource;
    private final MemorySegment cursorImage = Arena.ofAuto().allocate((long) CURSOR_SIZE * CURSOR_SIZE * 4, 64);

    public Scanouts(int count, int preferredWidth, int preferredHeight, DisplaySink sink,
                    java.util.function.LongConsumer shadowFreed) {
        this.shadowFreed = shadowFreed;
        heads = new Scanout[count];
        edids = new byte[count][];
        for (int i = 0; i < count; i++) {
            heads[i] = new Scanout(i);
            edids[i] = Edid.block(i, preferredWidth, preferredHeight);
        }
        this.sink = sink;
        this.preferredWidth = preferredWidth;
        this.preferredHeight = preferredHeight;
    }

    public int count() {
        return heads.length;
    }

    public int preferredWidth() {
        return preferredWidth;
    }

    public int preferredHeight() {
        return preferredHeight;
    }

    public byte[] edid(int scanout) {
        return edids[scanout];
    }

    public void checkId(int scanoutId, String command) throws GpuException {
        if (Integer.compareUnsigned(scanoutId, heads.length) >= 0) {
            throw new GpuException(GpuError.INVALID_SCANOUT_ID, command + ": scanout " + Integer.toUnsignedString(scanoutId)
                    + " >= num_scanouts " + heads.length);
        }
    }

    /** SET_SCANOUT of a 2D resource (already validated). */
    public void show2d(int scanoutId, Resource r, Rect rect) {
        Scanout s = heads[scanoutId];
        synchronized (this) {
            s.resource = r;
            s.rect = rect;
            s.blob = false;
            s.format = r.format();
            s.fbWidth = r.width();
            s.fbHeight = r.height();
            s.stride = r.hostStride();
            s.offset = 0;
            freeShadow(s);
            s.frozen = false;
        }
        sink.scanout(scanoutId, rect.width(), rect.height(), r.format());
    }

    /** SET_SCANOUT_BLOB (already validated). */
    public void showBlob(int scanoutId, Resource r, Rect rect, int width, int height, int format, long stride, long offset) {
        Scanout s = heads[scanoutId];
        synchronized (this) {
            s.resource = r;
            s.rect = rect;
            s.blob = true;
            s.format = format;
            s.fbWidth = width;
            s.fbHeight = height;
            s.stride = stride;
            s.offset = offset;
            s.frozen = false;
            freeShadow(s);
            if (r.kind() == Resource.Kind.BLOB_GUEST) {
                s.shadowArena = Arena.ofShared();
                s.shadow = s.shadowArena.allocate(shadowBytes(width, height), 64);
            }
        }
        sink.scanout(scanoutId, rect.width(), rect.height(), format);
    }

    /** Bytes of the shadow image a guest blob scanout of this framebuffer size needs (the session charges them). */
    public static long shadowBytes(int width, int height) {
        return (long) width * height * 4;
    }

    private void freeShadow(Scanout s) {
        if (s.shadowArena != null) {
            long n = s.shadow.byteSize();
            s.shadowArena.close();
            s.shadowArena = null;
            s.shadow = null;
            shadowFreed.accept(n);
        }
    }

    /** SET_SCANOUT with resource 0. */
    public void disable(int scanoutId) {
        Scanout s = heads[scanoutId];
        boolean was;
        synchronized (this) {
            was = s.enabled();
            s.resource = null;
            freeShadow(s);
            s.rect = null;
        }
        if (was) {
            sink.scanout(scanoutId, 0, 0, 0);
        }
    }

    /** RESOURCE_UNREF: every scanout showing {@code r} is disabled before the reply. */
    public void resourceGone(Resource r) {
        for (Scanout s : heads) {
            if (s.resource == r) {
                disable(s.id);
            }
        }
        if (cursorResource == r.id()) {
            cursorResource = 0;
        }
    }

    /** DETACH_BACKING: guest blob scanouts stop reading guest pages and keep showing their last image. */
    public void backingGone(Resource r) {
        synchronized (this) {
            for (Scanout s : heads) {
                if (s.resource == r && s.blob && s.shadow != null) {
                    s.frozen = true;
                }
            }
        }
    }

    /** ATTACH_BACKING of a frozen guest blob: flushes read the new pages again. */
    public void backingBack(Resource r) {
        synchronized (this) {
            for (Scanout s : heads) {
                if (s.resource == r) {
                    s.frozen = false;
                }
            }
        }
    }

    /**
     * RESOURCE_FLUSH: every scanout that shows {@code r} gets the part of {@code rect} (resource coordinates) it
     * shows. Dispatcher thread.
     */
    public void flush(Resource r, Rect rect) throws GpuException {
        for (Scanout s : heads) {
            if (s.resource != r) {
                continue;
            }
            Rect v = s.rect;
            long x0 = Math.max(Integer.toUnsignedLong(rect.x()), Integer.toUnsignedLong(v.x()));
            long y0 = Math.max(Integer.toUnsignedLong(rect.y()), Integer.toUnsignedLong(v.y()));
            long x1 = Math.min(Integer.toUnsignedLong(rect.x()) + Integer.toUnsignedLong(rect.width()),
                    Integer.toUnsignedLong(v.x()) + Integer.toUnsignedLong(v.width()));
            long y1 = Math.min(Integer.toUnsignedLong(rect.y()) + Integer.toUnsignedLong(rect.height()),
                    Integer.toUnsignedLong(v.y()) + Integer.toUnsignedLong(v.height()));
            if (x1 <= x0 || y1 <= y0) {
                continue;
            }
            int w = (int) (x1 - x0);
            int h = (int) (y1 - y0);
            MemorySegment px;
            long stride;
            if (!s.blob) {
                stride = s.stride;
                px = r.host().asSlice(y0 * stride + x0 * 4);
            } else if (r.shm() != null) {
                stride = s.stride;
                px = r.shm().segment().asSlice(s.offset + y0 * stride + x0 * 4);
            } else {
                stride = (long) s.fbWidth * 4;
                if (!s.frozen) {
                    Backing b = r.backing();
                    if (b != null) {
                        for (long y = y0; y < y1; y++) {
                            b.read(s.offset + y * s.stride + x0 * 4, s.shadow, y * stride + x0 * 4, (long) w * 4);
                        }
                    }
                }
                px = s.shadow.asSlice(y0 * stride + x0 * 4);
            }
            sink.update(s.id, (int) (x0 - v.x()), (int) (y0 - v.y()), w, h, px, stride);
        }
    }

    /** UPDATE_CURSOR: {@code image} is the cursor resource (null hides the cursor). */
    public void updateCursor(int scanoutId, int x, int y, Resource image, int hotX, int hotY) {
        cursorHotX = hotX;
        cursorHotY = hotY;
        if (image == null) {
            cursorResource = 0;
            sink.cursor(scanoutId, x, y, hotX, hotY, null, false);
            return;
        }
        cursorResource = image.id();
        cursorImage.fill((byte) 0);
        int rows = Math.min(CURSOR_SIZE, image.height());
        long rowBytes = Math.min(CURSOR_SIZE, image.width()) * 4L;
        for (int row = 0; row < rows; row++) {
            MemorySegment.copy(image.host(), row * image.hostStride(), cursorImage, row * CURSOR_SIZE * 4L, rowBytes);
        }
        sink.cursor(scanoutId, x, y, hotX, hotY, cursorImage, true);
    }

    /** MOVE_CURSOR: only the position changes. */
    public void moveCursor(int scanoutId, int x, int y) {
        sink.cursor(scanoutId, x, y, cursorHotX, cursorHotY, null, cursorResource != 0);
    }

    /** The scanout's visible image as a PNG, if enabled. Any thread. */
    public Optional<byte[]> png(int scanoutId) {
        if (scanoutId < 0 || scanoutId >= heads.length) {
            return Optional.empty();
        }
        BufferedImage img;
        synchronized (this) {
            Scanout s = heads[scanoutId];
            if (!s.enabled()) {
                return Optional.empty();
            }
            Rect v = s.rect;
            MemorySegment src;
            long stride;
            long base;
            if (!s.blob) {
                src = s.resource.host();
                stride = s.stride;
                base = 0;
            } else if (s.resource.shm() != null) {
                src = s.resource.shm().segment();
                stride = s.stride;
                base = s.offset;
            } else {
                src = s.shadow;
                stride = (long) s.fbWidth * 4;
                base = 0;
            }
            boolean alpha = PixelFormat.hasAlpha(s.format);
            img = new BufferedImage(v.width(), v.height(), alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            int[] row = new int[v.width()];
            try {
                for (int y = 0; y < v.height(); y++) {
                    long at = base + (long) (v.y() + y) * stride + (long) v.x() * 4;
                    for (int x = 0; x < row.length; x++) {
                        row[x] = PixelFormat.toArgb(s.format, src.get(LE_INT, at + 4L * x));
                    }
                    img.setRGB(0, y, row.length, 1, row, 0, row.length);
                }
            } catch (IllegalStateException closed) {
                return Optional.empty(); // the resource went away between our checks; nothing to show
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return Optional.of(out.toByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Lock that orders resource lifetime changes against {@link #png}. */
    public Object lock() {
        return this;
    }
}
