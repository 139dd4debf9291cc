package org.virtgpu.spi;

/**
 * A command failed with a virtio-gpu error code. Thrown by the device model and by contexts; the
 * dispatcher turns it into the error response and a rate-limited log line. It carries no stack trace
 * unless asked: a guest sending bad input is normal input, not an exceptional event for the host.
 */
public class GpuException extends Exception {
    private static final long serialVersionUID = 1L;
    private final GpuError error;

    public GpuException(GpuError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public GpuException(GpuError error, String message, Throwable cause) {
        super(message, cause, false, true);
        this.error = error;
    }

    public GpuError error() {
        return error;
    }

    public static GpuException invalidParameter(String message) {
        return new GpuException(GpuError.INVALID_PARAMETER, message);
    }

    public static GpuException unsupported(String what) {
        return new GpuException(GpuError.UNSPEC, what + " is not supported by this context");
    }

    public static GpuException outOfMemory(String message) {
        return new GpuException(GpuError.OUT_OF_MEMORY, message);
    }

    @Override
    public String toString() {
        return error + ": " + getMessage();
    }
}
