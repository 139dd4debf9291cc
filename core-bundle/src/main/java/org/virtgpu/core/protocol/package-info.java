/**
 * The virtio-gpu wire protocol (virtio 1.3 {@code device-types/gpu/description.tex}, Linux
 * {@code include/uapi/linux/virtio_gpu.h}): spec constants ({@link org.virtgpu.core.protocol.VirtioGpu}), one record
 * per command in the sealed {@link org.virtgpu.core.protocol.GpuCommand}, decoded once by
 * {@link org.virtgpu.core.protocol.CommandDecoder} from a little-endian {@link org.virtgpu.core.protocol.ByteStream}
 * that may be split anywhere, replies built by {@link org.virtgpu.core.protocol.ReplyWriter}. Little-endian conversion
 * happens only here. {@link org.virtgpu.core.protocol.Requests} is the encoder for anything that must produce
 * requests (the vtest transport, tools, tests).
 */
package org.virtgpu.core.protocol;
