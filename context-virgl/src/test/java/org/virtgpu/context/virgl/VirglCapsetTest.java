package org.virtgpu.context.virgl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;

class VirglCapsetTest {
    private static HostInfo host(int page) {
        return new HostInfo(page, page, 0);
    }

    @Test
    void capsetOneIsVersionOneAnd308BytesWithMaxVersionOneAtOffsetZero() throws GpuException {
        assertEquals(1, VirglCapset.VIRGL.id());
        assertEquals(1, VirglCapset.VIRGL.maxVersion());
        assertEquals(308, VirglCapset.VIRGL.size());
        ByteBuffer b = le(VirglCapset.VIRGL.payload(1, host(4096)));
        assertEquals(308, b.capacity());
        assertEquals(1, b.getInt(0));
    }

    @Test
    void capsetTwoIsVersionTwoAnd1408BytesEmbeddingV1() throws GpuException {
        assertEquals(2, VirglCapset.VIRGL2.id());
        assertEquals(2, VirglCapset.VIRGL2.maxVersion());
        assertEquals(1408, VirglCapset.VIRGL2.size());
        ByteBuffer b = le(VirglCapset.VIRGL2.payload(2, host(4096)));
        assertEquals(2, b.getInt(0), "max_version of capset 2");
        // the struct's last member, max_shader_storage_blocks[6], ends exactly at the size
        assertEquals(1408, VirglCaps.OFF_MAX_SHADER_STORAGE_BLOCKS + 6 * 4);
        // offsets the fact sheet pins (context-types.md §2.2)
        assertEquals(392, VirglCaps.OFF_CAPABILITY_BITS);
        assertEquals(688, VirglCaps.OFF_CAPABILITY_BITS_V2);
        assertEquals(692, VirglCaps.OFF_MAX_VIDEO_MEMORY);
        assertEquals(696, VirglCaps.OFF_RENDERER);
        assertEquals(860, VirglCaps.OFF_VIDEO_CAPS);
        assertEquals(VirglCaps.OFF_VIDEO_CAPS + 32 * 16 + 3 * 4, VirglCaps.OFF_MAX_SHADER_STORAGE_BLOCKS);
    }

    @Test
    void noRendererMeansNoFormatsNoFeaturesAndGlslLevelZero() throws GpuException {
        ByteBuffer b = le(VirglCapset.VIRGL2.payload(2, host(4096)));
        for (int off : new int[] {VirglCaps.OFF_SAMPLER_FORMATS, VirglCaps.OFF_RENDER_FORMATS,
                VirglCaps.OFF_DEPTHSTENCIL_FORMATS, VirglCaps.OFF_VERTEXBUFFER_FORMATS,
                VirglCaps.OFF_SUPPORTED_READBACK_FORMATS, VirglCaps.OFF_SCANOUT_FORMATS,
                VirglCaps.OFF_SUPPORTED_MULTISAMPLE_FORMATS}) {
            for (int i = 0; i < 16; i++) {
                assertEquals(0, b.getInt(off + 4 * i), "format mask word at " + (off + 4 * i));
            }
        }
        assertEquals(0, b.getInt(VirglCaps.OFF_BSET));
        assertEquals(0, b.getInt(VirglCaps.OFF_GLSL_LEVEL));
        assertEquals(0, b.getInt(VirglCaps.OFF_MAX_RENDER_TARGETS));
        assertEquals(0, b.getInt(VirglCaps.OFF_CAPABILITY_BITS));
        assertEquals(0, b.getInt(VirglCaps.OFF_CAPABILITY_BITS_V2));
        assertEquals(0, b.getInt(VirglCaps.OFF_NUM_VIDEO_CAPS));
        byte[] name = new byte[VirglCaps.RENDERER_LEN];
        b.get(VirglCaps.OFF_RENDERER, name);
        int nul = 0;
        while (name[nul] != 0) {
            nul++;
        }
        assertEquals(VirglCaps.RENDERER, new String(name, 0, nul, StandardCharsets.US_ASCII));
    }

    @Test
    void v1FieldsOfCapsetTwoMatchCapsetOneExceptMaxVersion() throws GpuException {
        byte[] v1 = VirglCapset.VIRGL.payload(1, host(4096));
        byte[] v2 = VirglCapset.VIRGL2.payload(2, host(4096));
        assertArrayEquals(Arrays.copyOfRange(v1, 4, 308), Arrays.copyOfRange(v2, 4, 308));
    }

    @ParameterizedTest(name = "host page {0}")
    @ValueSource(ints = {4096, 16384, 65536})
    void payloadDoesNotDependOnTheHostPageBecauseVirglHasNoPageField(int page) throws GpuException {
        assertArrayEquals(VirglCapset.VIRGL2.payload(2, host(4096)), VirglCapset.VIRGL2.payload(2, host(page)));
        assertEquals(PageSizePolicy.none(), new VirglContextType().pageSizePolicy());
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
