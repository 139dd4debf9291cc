package org.virtgpu.core.testing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.virtgpu.api.DisplaySink;

/** Records every DisplaySink call; updates keep the first pixel of each row they carry. */
public final class RecordingSink implements DisplaySink {
    public record ScanoutCall(int scanoutId, int width, int height, int format) {
    }

    /** An update with the little-endian pixel words of its rectangle, row-major. */
    public record Update(int scanoutId, int x, int y, int width, int height, int[] pixels) {
        public int pixel(int px, int py) {
            return pixels[py * width + px];
        }
    }

    public record CursorCall(int scanoutId, int x, int y, int hotX, int hotY, int firstPixel, boolean hasImage,
                             boolean visible) {
    }

    public final List<ScanoutCall> scanouts = new CopyOnWriteArrayList<>();
    public final List<Update> updates = new CopyOnWriteArrayList<>();
    public final List<CursorCall> cursors = new CopyOnWriteArrayList<>();

    private static final ValueLayout.OfInt LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void scanout(int scanoutId, int width, int height, int format) {
        scanouts.add(new ScanoutCall(scanoutId, width, height, format));
    }

    @Override
    public void update(int scanoutId, int x, int y, int width, int height, MemorySegment pixels, long stride) {
        int[] px = new int[width * height];
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                px[row * width + col] = pixels.get(LE, row * stride + col * 4L);
            }
        }
        updates.add(new Update(scanoutId, x, y, width, height, px));
    }

    @Override
    public void cursor(int scanoutId, int x, int y, int hotX, int hotY, MemorySegment image, boolean visible) {
        cursors.add(new CursorCall(scanoutId, x, y, hotX, hotY, image == null ? 0 : image.get(LE, 0), image != null, visible));
    }

    public Update lastUpdate() {
        return updates.getLast();
    }
}
