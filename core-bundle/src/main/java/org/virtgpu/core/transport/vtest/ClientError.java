package org.virtgpu.core.transport.vtest;

/**
 * A client broke the protocol or a command failed: the connection ends with one log line carrying this
 * message (virglrenderer's vtest server also drops a client whose command fails). No stack trace: bad input is
 * normal input.
 */
final class ClientError extends Exception {
    private static final long serialVersionUID = 1L;

    ClientError(String message) {
        super(message, null, false, false);
    }
}
