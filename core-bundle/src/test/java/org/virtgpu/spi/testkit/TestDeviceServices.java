package org.virtgpu.spi.testkit;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.core.memory.MemfdMemory;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/**
 * A {@link DeviceServices} for context-bundle unit tests: real memfd-backed shared memory (so fd leaks show in
 * {@link Fds#openCount()}), a resource table the test fills, and a count of live allocations so a test can check
 * that a context released what it kept for itself.
 */
public final class TestDeviceServices implements DeviceServices {
    private final HostInfo host;
    private final Map<Integer, ResourceView> resources = new ConcurrentHashMap<>();
    private final AtomicInteger live = new AtomicInteger();

    public TestDeviceServices(HostInfo host) {
        this.host = host;
    }

    /** A device acting as a host with {@code pageSize} pages and no context requirement above it. */
    public static TestDeviceServices withHostPage(int pageSize) {
        return new TestDeviceServices(new HostInfo(pageSize, pageSize, 256L << 20));
    }

    @Override
    public HostInfo host() {
        return host;
    }

    @Override
    public SharedMemory allocate(String name, long size) throws GpuException {
        if (size <= 0) {
            throw GpuException.invalidParameter("allocation of " + size + " bytes");
        }
        long rounded = host.roundUpToPage(size);
        try {
            // the core's own memfd memory (sealed size, reference counted), so contexts are tested against it
            SharedMemory memory = MemfdMemory.allocate(name, rounded, live::decrementAndGet);
            live.incrementAndGet();
            return memory;
        } catch (NativeException e) {
            throw GpuException.outOfMemory(name + ": " + e.getMessage());
        }
    }

    @Override
    public Optional<ResourceView> resource(int resourceId) {
        return Optional.ofNullable(resources.get(resourceId));
    }

    /** Makes {@code view} visible through {@link #resource(int)}. */
    public void put(ResourceView view) {
        resources.put(view.id(), view);
    }

    /** Shared memory allocated through this object and not yet released to zero. */
    public int liveAllocations() {
        MemfdMemory.awaitReclaimed(5_000); // large ones are freed on the reclaim thread after their last release
        return live.get();
    }
}
