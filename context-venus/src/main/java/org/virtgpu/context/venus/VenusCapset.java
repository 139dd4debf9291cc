package org.virtgpu.context.venus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.virtgpu.context.venus.gen.VnInfo;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;

/**
 * Capset 4, {@code struct virgl_renderer_capset_venus} (160 bytes, vtest-venus.md section 3). Built from what the
 * generated decoder carries: the vk.xml version it was generated from and one mask bit per extension it decodes.
 */
final class VenusCapset implements Capset {
    static final int ID = 4;
    static final int SIZE = 160;
    static final int WIRE_FORMAT_VERSION = 1;
    static final int COMMAND_SERIALIZATION_SPEC_VERSION = 1;
    /** Spec version 2: TLS rings may carry VkRingPriorityInfoMESA (which the ring decoder accepts). */
    static final int VENUS_PROTOCOL_SPEC_VERSION = 2;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "venus";
    }

    @Override
    public int maxVersion() {
        return 0;
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public byte[] payload(int version, HostInfo host) throws GpuException {
        if (version > maxVersion()) {
            throw GpuException.invalidParameter("venus capset version " + version + " > " + maxVersion());
        }
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, WIRE_FORMAT_VERSION);
        b.putInt(4, VnInfo.VK_XML_VERSION);
        b.putInt(8, COMMAND_SERIALIZATION_SPEC_VERSION);
        b.putInt(12, VENUS_PROTOCOL_SPEC_VERSION);
        b.putInt(16, 1); // supports_blob_id_0
        int[] mask = extensionMask();
        for (int i = 0; i < mask.length; i++) {
            b.putInt(20 + 4 * i, mask[i]);
        }
        b.putInt(148, 1); // allow_vk_wait_syncs
        b.putInt(152, 1); // supports_multiple_timelines
        b.putInt(156, 0); // use_guest_vram
        return b.array();
    }

    /** vk_extension_mask1[32]: bit 0 = "the mask is valid", bit N = extension number N is carried. */
    static int[] extensionMask() {
        int[] mask = new int[32];
        mask[0] = 1;
        for (int n : VnInfo.EXTENSION_NUMBERS) {
            if (n > 0 && n < 1024) {
                mask[n / 32] |= 1 << (n % 32);
            }
        }
        return mask;
    }
}
