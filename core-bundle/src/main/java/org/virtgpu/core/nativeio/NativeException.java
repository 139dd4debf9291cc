package org.virtgpu.core.nativeio;

import java.io.IOException;

/** A system call failed: carries the call's name, errno and its text ("memfd_create: EMFILE (Too many open files)"). */
@org.osgi.annotation.versioning.ProviderType
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    public NativeException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
