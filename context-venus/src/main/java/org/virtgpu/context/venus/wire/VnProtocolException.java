package org.virtgpu.context.venus.wire;

/**
 * A malformed or unsupported Venus stream. Fatal for the stream that carried it (the ring gets its FATAL bit), never
 * for the process: it carries no stack trace because hostile input is normal input.
 */
public final class VnProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VnProtocolException(String message) {
        super(message, null, false, false);
    }
}
