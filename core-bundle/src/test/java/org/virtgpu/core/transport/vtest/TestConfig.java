package org.virtgpu.core.transport.vtest;

import java.lang.annotation.Annotation;

/** A {@link VtestConfig} for tests (DS builds the real one from ConfigAdmin). */
record TestConfig(String socketPath, int maxClients, long maxBytes, int maxMessageBytes, int warmupRounds)
        implements VtestConfig {
    /** Without the warm-up: these tests count connections and sessions; {@code VtestWarmupTest} runs it. */
    static TestConfig at(String path) {
        return new TestConfig(path, 16, 64L << 20, 1 << 20, 0);
    }

    TestConfig withMaxClients(int n) {
        return new TestConfig(socketPath, n, maxBytes, maxMessageBytes, warmupRounds);
    }

    TestConfig withMaxBytes(long n) {
        return new TestConfig(socketPath, maxClients, n, maxMessageBytes, warmupRounds);
    }

    TestConfig withWarmupRounds(int n) {
        return new TestConfig(socketPath, maxClients, maxBytes, maxMessageBytes, n);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public int maxResources() {
        return 1024;
    }

    @Override
    public int maxSyncs() {
        return 64;
    }

    @Override
    public int maxPendingWaits() {
        return 16;
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return VtestConfig.class;
    }
}
