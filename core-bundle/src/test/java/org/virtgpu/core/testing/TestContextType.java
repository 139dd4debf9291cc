package org.virtgpu.core.testing;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.virtgpu.spi.BlobRequest;
import org.virtgpu.spi.Capset;
import org.virtgpu.spi.ContextSpec;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.DeviceServices;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuException;
import org.virtgpu.spi.HostInfo;
import org.virtgpu.spi.PageSizePolicy;
import org.virtgpu.spi.ResourceView;
import org.virtgpu.spi.SharedMemory;

/**
 * A null context type for device tests: records what the core hands it, completes fences synchronously or (with
 * {@link #asyncFences}) only when the test calls {@link TestContext#signal}.
 */
public final class TestContextType implements ContextType {
    private final String name;
    private final List<Capset> capsets;
    private final PageSizePolicy policy;
    public final List<TestContext> contexts = new CopyOnWriteArrayList<>();
    public volatile boolean asyncFences;

    public TestContextType(String name, int... capsetIds) {
        this(name, PageSizePolicy.none(), capsetIds);
    }

    public TestContextType(String name, PageSizePolicy policy, int... capsetIds) {
        this.name = name;
        this.policy = policy;
        List<Capset> l = new ArrayList<>();
        for (int id : capsetIds) {
            l.add(new TestCapset(id, name + id));
        }
        this.capsets = List.copyOf(l);
    }

    /** Payload: 16 bytes, first int = capset id, second = version, third = host page size. */
    public record TestCapset(int id, String name) implements Capset {
        @Override
        public int maxVersion() {
            return 2;
        }

        @Override
        public int size() {
            return 16;
        }

        @Override
        public byte[] payload(int version, HostInfo host) throws GpuException {
            if (version > maxVersion()) {
                throw GpuException.invalidParameter("version " + version);
            }
            return java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(id).putInt(version)
                    .putInt(host.hostPageSize()).array();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Capset> capsets() {
        return capsets;
    }

    @Override
    public PageSizePolicy pageSizePolicy() {
        return policy;
    }

    @Override
    public GpuContext createContext(ContextSpec spec, DeviceServices services) {
        TestContext c = new TestContext(spec, services);
        contexts.add(c);
        return c;
    }

    public TestContext context(int ctxId) {
        return contexts.stream().filter(c -> c.spec.ctxId() == ctxId).reduce((a, b) -> b).orElseThrow();
    }

    /** One context: what it was given. */
    public final class TestContext implements GpuContext {
        public final ContextSpec spec;
        public final DeviceServices services;
        public final List<byte[]> submitted = new CopyOnWriteArrayList<>();
        public final List<Integer> submitRings = new CopyOnWriteArrayList<>();
        public final List<long[]> fences = new CopyOnWriteArrayList<>();
        public final List<Integer> attached = new CopyOnWriteArrayList<>();
        public final List<Integer> detached = new CopyOnWriteArrayList<>();
        public volatile int destroyed;
        public volatile GpuException failNextSubmit;

        TestContext(ContextSpec spec, DeviceServices services) {
            this.spec = spec;
            this.services = services;
        }

        @Override
        public void submit(MemorySegment commands, int ringIdx) throws GpuException {
            GpuException f = failNextSubmit;
            if (f != null) {
                failNextSubmit = null;
                throw f;
            }
            submitted.add(commands.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            submitRings.add(ringIdx);
        }

        @Override
        public boolean createFence(int ringIdx, long fenceId) {
            fences.add(new long[] {ringIdx, fenceId});
            return !asyncFences;
        }

        @Override
        public void attachResource(ResourceView resource) {
            attached.add(resource.id());
        }

        @Override
        public void detachResource(int resourceId) {
            detached.add(resourceId);
        }

        @Override
        public SharedMemory createBlob(BlobRequest request) throws GpuException {
            SharedMemory m = services.allocate("blob" + request.blobId(), request.size());
            m.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, request.blobId());
            return m;
        }

        @Override
        public void destroy() {
            destroyed++;
        }

        /** Completes fence {@code fenceId} on {@code ring} as the context's own thread would. */
        public void signal(int ring, long fenceId) {
            spec.fences().signal(ring, fenceId);
        }
    }
}
