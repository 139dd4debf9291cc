package org.virtgpu.core.scanout;

import java.nio.charset.StandardCharsets;

/**
 * A VESA EDID 1.4 base block (128 bytes, no extensions) describing one virtual monitor whose preferred mode is the
 * configured display size at up to 60 Hz with CVT reduced-blanking timings. The guest (Linux drm_edid.c) checks
 * the header and the checksum of every block; byte 126 (extension count) is 0.
 */
public final class Edid {
    public static final int BLOCK = 128;
    private static final byte[] HEADER = {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0};
    /** sRGB primaries and D65 white point, as monitors that claim sRGB report them (bytes 25..34). */
    private static final byte[] SRGB_CHROMA = {(byte) 0xee, (byte) 0x91, (byte) 0xa3, 0x54, 0x4c, (byte) 0x99, 0x26, 0x0f, 0x50, 0x54};
    /** CVT reduced blanking: fixed horizontal blank 160 = front 48 + sync 32 + back 80. */
    private static final int H_BLANK = 160;
    private static final int H_FRONT = 48;
    private static final int H_SYNC = 32;
    private static final int V_FRONT = 3;
    private static final int V_SYNC = 6;
    /** Minimum vertical blank of CVT-RB (460 us) expressed in lines below; at least this many lines. */
    private static final int V_BLANK_MIN = 23;

    private Edid() {
    }

    /** The largest width/height one detailed timing descriptor can carry (12 bits). */
    public static final int MAX_ACTIVE = 4095;

    /**
     * Builds the block for scanout {@code index} with preferred mode {@code width} x {@code height}
     * (1..{@value #MAX_ACTIVE} each).
     */
    public static byte[] block(int index, int width, int height) {
        if (width < 1 || height < 1 || width > MAX_ACTIVE || height > MAX_ACTIVE) {
            throw new IllegalArgumentException("EDID mode " + width + "x" + height + " outside 1.." + MAX_ACTIVE);
        }
        byte[] e = new byte[BLOCK];
        System.arraycopy(HEADER, 0, e, 0, 8);
        int mfg = ('V' - '@') << 10 | ('G' - '@') << 5 | ('P' - '@'); // "VGP", 5-bit letters, big-endian
        e[8] = (byte) (mfg >> 8);
        e[9] = (byte) mfg;
        e[10] = (byte) (index + 1); // product code, little-endian
        e[12] = (byte) (index + 1); // serial number, little-endian
        e[16] = 1; // week
        e[17] = (byte) (2026 - 1990); // model year
        e[18] = 1;
        e[19] = 4; // EDID 1.4
        e[20] = (byte) 0xa5; // digital, 8 bits per colour, DisplayPort
        int wmm = (int) Math.round(width * 25.4 / 96.0); // size at 96 dpi
        int hmm = (int) Math.round(height * 25.4 / 96.0);
        e[21] = (byte) Math.clamp(Math.round(wmm / 10.0), 1, 255);
        e[22] = (byte) Math.clamp(Math.round(hmm / 10.0), 1, 255);
        e[23] = 120; // gamma 2.2 = (2.2 * 100) - 100
        e[24] = 0x06; // sRGB default colour space, preferred timing includes native mode, RGB 4:4:4
        System.arraycopy(SRGB_CHROMA, 0, e, 25, SRGB_CHROMA.length);
        // 35..37 established timings: none; 38..53 standard timings: all unused (0x01 0x01)
        for (int i = 38; i < 54; i++) {
            e[i] = 1;
        }
        int hTotal = width + H_BLANK;
        int vBlank = Math.max(V_BLANK_MIN, (int) Math.ceil(height * 0.03));
        int vTotal = height + vBlank;
        int refresh = (int) Math.min(60, 655_350_000L / ((long) hTotal * vTotal));
        refresh = Math.max(refresh, 1);
        long clockHz = (long) hTotal * vTotal * refresh;
        int clock10k = (int) Math.min(65535, (clockHz + 9_999) / 10_000);
        dtd(e, 54, clock10k, width, height, vBlank, Math.min(wmm, 4095), Math.min(hmm, 4095));
        rangeLimits(e, 72, refresh, clockHz, hTotal);
        text(e, 90, 0xfc, "virtgpu");
        text(e, 108, 0xff, "virtgpu-" + index);
        e[126] = 0; // extensions
        e[127] = checksum(e, 0);
        return e;
    }

    private static void dtd(byte[] e, int o, int clock10k, int w, int h, int vBlank, int wmm, int hmm) {
        e[o] = (byte) clock10k;
        e[o + 1] = (byte) (clock10k >> 8);
        e[o + 2] = (byte) w;
        e[o + 3] = (byte) H_BLANK;
        e[o + 4] = (byte) ((w >> 8) << 4 | (H_BLANK >> 8));
        e[o + 5] = (byte) h;
        e[o + 6] = (byte) vBlank;
        e[o + 7] = (byte) ((h >> 8) << 4 | (vBlank >> 8));
        e[o + 8] = (byte) H_FRONT;
        e[o + 9] = (byte) H_SYNC;
        e[o + 10] = (byte) ((V_FRONT & 0xf) << 4 | (V_SYNC & 0xf));
        e[o + 11] = (byte) ((H_FRONT >> 8) << 6 | (H_SYNC >> 8) << 4 | (V_FRONT >> 4) << 2 | (V_SYNC >> 4));
        e[o + 12] = (byte) wmm;
        e[o + 13] = (byte) hmm;
        e[o + 14] = (byte) ((wmm >> 8) << 4 | (hmm >> 8));
        e[o + 17] = 0x1a; // digital separate sync, +hsync, -vsync (CVT-RB)
    }

    private static void rangeLimits(byte[] e, int o, int refresh, long clockHz, int hTotal) {
        e[o + 3] = (byte) 0xfd;
        e[o + 5] = (byte) Math.min(refresh, 50);
        e[o + 6] = (byte) Math.max(refresh, 75);
        long hKhz = clockHz / hTotal / 1000;
        e[o + 7] = (byte) Math.clamp(hKhz - 1, 1, 255);
        e[o + 8] = (byte) Math.clamp(hKhz + 1, 1, 255);
        e[o + 9] = (byte) Math.clamp(clockHz / 10_000_000 + 1, 1, 255);
        e[o + 10] = 0x01; // range limits only
        e[o + 11] = 0x0a;
        for (int i = o + 12; i < o + 18; i++) {
            e[i] = 0x20;
        }
    }

    /** A display descriptor with up to 13 characters of text, newline-terminated and space-padded. */
    private static void text(byte[] e, int o, int tag, String s) {
        e[o + 3] = (byte) tag;
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(13, b.length);
        System.arraycopy(b, 0, e, o + 5, n);
        if (n < 13) {
            e[o + 5 + n] = 0x0a;
            for (int i = o + 6 + n; i < o + 18; i++) {
                e[i] = 0x20;
            }
        }
    }

    /** The byte that makes a block's bytes sum to 0 mod 256. */
    public static byte checksum(byte[] e, int off) {
        int sum = 0;
        for (int i = off; i < off + BLOCK - 1; i++) {
            sum += e[i] & 0xff;
        }
        return (byte) ((256 - (sum & 0xff)) & 0xff);
    }
}
