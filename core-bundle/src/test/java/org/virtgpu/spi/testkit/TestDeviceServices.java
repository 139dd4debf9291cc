package org.virtgpu.spi.testkit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.Memfd;
import org.virtgpu.core.nativeio.Mman;
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
            int fd = Memfd.create(name, rounded);
            Arena arena = Arena.ofShared();
            MemorySegment seg;
            try {
                seg = Mman.mapShared(fd, 0, rounded, arena);
            } catch (NativeException e) {
                arena.close();
                Fds.closeQuietly(fd);
                throw e;
            }
            live.incrementAndGet();
            return new Memory(fd, seg, arena, rounded);
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
        return live.get();
    }

    private final class Memory implements SharedMemory {
        private final int fd;
        private final MemorySegment segment;
        private final Arena arena;
        private final long size;
        private final AtomicInteger refs = new AtomicInteger(1);

        Memory(int fd, MemorySegment segment, Arena arena, long size) {
            this.fd = fd;
            this.segment = segment;
            this.arena = arena;
            this.size = size;
        }

        @Override
        public MemorySegment segment() {
            return segment;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public int fd() {
            return fd;
        }

        @Override
        public SharedMemory retain() {
            if (refs.getAndIncrement() <= 0) {
                throw new IllegalStateException("retain after the last release");
            }
            return this;
        }

        @Override
        public void release() {
            int left = refs.decrementAndGet();
            if (left == 0) {
                arena.close();
                Fds.closeQuietly(fd);
                live.decrementAndGet();
            } else if (left < 0) {
                throw new IllegalStateException("released more often than retained");
            }
        }
    }
}
