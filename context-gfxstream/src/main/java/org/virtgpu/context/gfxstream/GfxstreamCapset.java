package org.virtgpu.context.gfxstream;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;

/**
 * gfxstream's capsets (gfxstream {@code host/virtgpu_gfxstream_protocol.h}, fact sheet context-types.md §2.5):
 * 3 "gfxstream-vulkan" ({@code vulkanCapset}, 104 bytes), 8 "gfxstream-gles" and 9 "gfxstream-composer"
 * ({@code glesCapset} / {@code composerCapset}, 16 bytes). Little-endian u32 fields.
 * <p>
 * Max version 0: the gfxstream host never writes max_ver (rutabaga pre-zeroes it) and ignores the requested
 * version, so guests ask for 0. The payload carries {@code blobAlignment} = the host page size in effect (the
 * configured one when the device acts as a 16 KiB or 64 KiB host): the one capset field by which a gfxstream guest
 * learns host granularity ({@link #blobAlignment}; Mesa: alignment = max(blobAlignment, guest page); ASG blob = ALIGN(ringSize + bufferSize)).
 */
record GfxstreamCapset(int id, String name, int size) implements Capset {
    static final GfxstreamCapset VULKAN = new GfxstreamCapset(3, "gfxstream-vulkan", 104);
    static final GfxstreamCapset GLES = new GfxstreamCapset(8, "gfxstream-gles", 16);
    static final GfxstreamCapset COMPOSER = new GfxstreamCapset(9, "gfxstream-composer", 16);

    /** protocolVersion: 1 is the only version gfxstream defines. */
    static final int PROTOCOL_VERSION = 1;
    /** Page of the Address Space Graphics layout (kAsgPageSize): the ASG rings are laid out in 4 KiB pages. */
    static final int ASG_PAGE = 4096;
    /**
     * ringSize: {@code asg_ring_storage} = three 4 KiB pages (to_host, to_host_large_xfer, from_host_large_xfer
     * rings, each a 2308-byte {@code ring_buffer}). Fixed by the ASG layout, independent of the host page.
     */
    static final int RING_SIZE = 3 * ASG_PAGE;
    /** bufferSize: the ASG transfer buffer that follows the ring storage in the same blob (1 MiB, as gfxstream). */
    static final int BUFFER_SIZE = 1 << 20;

    // vulkanCapset offsets
    static final int OFF_PROTOCOL_VERSION = 0;
    static final int OFF_RING_SIZE = 4;
    static final int OFF_BUFFER_SIZE = 8;
    static final int OFF_COLOR_BUFFER_MEMORY_INDEX = 12;
    static final int OFF_DEFERRED_MAPPING = 16;
    static final int OFF_BLOB_ALIGNMENT = 20;
    static final int OFF_NO_RENDER_CONTROL_ENC = 24;
    static final int OFF_ALWAYS_BLOB = 28;
    static final int OFF_EXTERNAL_SYNC = 32;
    static final int OFF_VIRGL_SUPPORTED_FORMATS = 36;
    static final int OFF_VULKAN_BATCHED_DESCRIPTOR_SET_UPDATE = 100;
    // glesCapset / composerCapset offsets
    static final int OFF_SMALL_BLOB_ALIGNMENT = 12;

    @Override
    public int maxVersion() {
        return 0;
    }

    @Override
    public byte[] payload(int version, HostInfo host) throws GpuException {
        if (version != 0) {
            throw GpuException.invalidParameter("capset " + id + " (" + name + ") version " + version
                    + " is above its maximum 0");
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_PROTOCOL_VERSION, PROTOCOL_VERSION);
        b.putInt(OFF_RING_SIZE, RING_SIZE);
        b.putInt(OFF_BUFFER_SIZE, BUFFER_SIZE);
        if (id == VULKAN.id) {
            // No Vulkan emulation runs behind this bundle, so: no color-buffer memory type (0), no deferred
            // mapping (0), alwaysBlob 0 and externalSync 0 (build options of the real host), no renderable
            // virgl formats (mask all zero), no batched descriptor-set updates (0).
            b.putInt(OFF_COLOR_BUFFER_MEMORY_INDEX, 0);
            b.putInt(OFF_DEFERRED_MAPPING, 0);
            b.putInt(OFF_BLOB_ALIGNMENT, blobAlignment(host));
            // The guest must not use the renderControl encoder: the real host also sets 1 here.
            b.putInt(OFF_NO_RENDER_CONTROL_ENC, 1);
            b.putInt(OFF_ALWAYS_BLOB, 0);
            b.putInt(OFF_EXTERNAL_SYNC, 0);
            b.putInt(OFF_VULKAN_BATCHED_DESCRIPTOR_SET_UPDATE, 0);
        } else {
            b.putInt(OFF_SMALL_BLOB_ALIGNMENT, blobAlignment(host));
        }
        return b.array();
    }

    /**
     * The value of {@code blobAlignment}: the device's blob_alignment, which is the host page in effect (gfxstream's
     * {@code getpagesize()}) unless another loaded type requires more; a guest that followed a smaller value would
     * have its CREATE_BLOB refused by the core. With the bundles of this project it is the host page.
     */
    static int blobAlignment(HostInfo host) {
        return Math.toIntExact(host.blobAlignment());
    }

    /** The offset of {@code blobAlignment} in this capset's payload. */
    int blobAlignmentOffset() {
        return id == VULKAN.id ? OFF_BLOB_ALIGNMENT : OFF_SMALL_BLOB_ALIGNMENT;
    }

    /** The size of the ASG blob a guest creates for this capset: ALIGN(ringSize + bufferSize, alignment). */
    static long asgBlobSize(long alignment) {
        long a = alignment - 1;
        return (RING_SIZE + BUFFER_SIZE + a) & ~a;
    }
}
