package org.virtgpu.spi;

import java.lang.foreign.MemorySegment;

/**
 * One live context of a context type. The core calls it from the session's dispatcher thread, one call at a
 * time; a context completes fences from its own threads through {@link ContextSpec#fences()}.
 * Every method but {@link #submit} and {@link #destroy} has a default, so a context overrides only what it supports.
 */
public interface GpuContext {

    /**
     * Executes a SUBMIT_3D command stream. {@code commands} is valid only during the call.
     *
     * @throws GpuException the spec's error for a malformed stream; the context stays usable unless it says otherwise
     */
    void submit(MemorySegment commands, int ringIdx) throws GpuException;

    /**
     * A fenced command on {@code ringIdx}: the fence must signal only after every piece of work submitted
     * before it on that ring is done.
     *
     * @return true when the fence is already complete (the default: work submitted so far ran synchronously);
     *         false when the context will call {@link FenceSink#signal} later
     */
    default boolean createFence(int ringIdx, long fenceId) {
        return true;
    }

    /** CTX_ATTACH_RESOURCE: the context may use the resource until it is detached. */
    default void attachResource(ResourceView resource) throws GpuException {
    }

    /** CTX_DETACH_RESOURCE or the resource's UNREF: forget every view of it before returning. */
    default void detachResource(int resourceId) {
    }

    /**
     * RESOURCE_CREATE_BLOB of HOST3D / HOST3D_GUEST memory for this context. The returned memory is owned by the
     * core from then on (it keeps the reference it is given); allocate it with {@link DeviceServices#allocate}.
     */
    default SharedMemory createBlob(BlobRequest request) throws GpuException {
        throw GpuException.unsupported("RESOURCE_CREATE_BLOB");
    }

    /** CTX_DESTROY, session end, or the context type went away: free everything this context holds. */
    void destroy();
}
