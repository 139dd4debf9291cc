package org.virtgpu.context.crossdomain;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;

/**
 * Capset 5 "cross-domain": {@code CrossDomainCapabilities}, 16 bytes (fact sheet §2.6). Max version 0, as
 * rutabaga reports; the protocol level is the payload's {@code version} field.
 *
 * @param supportedChannels bit (1 << channel_type) for each channel this host can connect
 */
record CrossDomainCapset(int supportedChannels) implements Capset {
    /**
     * Payload {@code version} 1: commands 1..7. This host implements INIT and GET_IMAGE_REQUIREMENTS always, and
     * POLL, SEND, RECEIVE and WRITE when the Wayland channel is offered ({@code supported_channels} bit 1 << 1).
     * SEND of READ_PIPE identifiers (clipboard reads) is refused.
     */
    static final int PROTOCOL_VERSION = 1;

    @Override
    public int id() {
        return 5;
    }

    @Override
    public String name() {
        return "cross-domain";
    }

    @Override
    public int maxVersion() {
        return 0;
    }

    @Override
    public int size() {
        return CrossDomainProtocol.CAPS_SIZE;
    }

    @Override
    public byte[] payload(int version, HostInfo host) throws GpuException {
        if (version != 0) {
            throw GpuException.invalidParameter("capset 5 (cross-domain) version " + version + " is above its maximum 0");
        }
        ByteBuffer b = ByteBuffer.allocate(size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(CrossDomainProtocol.CAPS_VERSION, PROTOCOL_VERSION);
        b.putInt(CrossDomainProtocol.CAPS_SUPPORTED_CHANNELS, supportedChannels);
        // Image memory is a memfd (CACHED), not a dmabuf, and no GPU allocator (minigbm, Vulkan) is behind it:
        // both flags 0. Note: minigbm's cross-domain backend refuses to run with external GPU memory 0 when 3D
        // is present; that refusal is the correct outcome for a host that cannot allocate GPU memory.
        b.putInt(CrossDomainProtocol.CAPS_SUPPORTS_DMABUF, 0);
        b.putInt(CrossDomainProtocol.CAPS_SUPPORTS_EXTERNAL_GPU_MEMORY, 0);
        return b.array();
    }
}
