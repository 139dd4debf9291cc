/**
 * The few Linux system calls Java lacks, on the Java 25 FFM API (no JNI, no extra native library).
 * <p>
 * One class per syscall family ({@link org.virtgpu.core.nativeio.Fds}, {@link org.virtgpu.core.nativeio.Memfd},
 * {@link org.virtgpu.core.nativeio.Mman}, {@link org.virtgpu.core.nativeio.UnixSockets},
 * {@link org.virtgpu.core.nativeio.EventFd}, {@link org.virtgpu.core.nativeio.Poll},
 * {@link org.virtgpu.core.nativeio.Sched}). Each downcall handle is a
 * {@code static final name$mh} built once by {@link org.virtgpu.core.nativeio.Native}; errno is captured into
 * the calling thread's own state segment (allocated once per thread, never a shared static one), read right after
 * the call on that thread, and turned into a
 * {@link org.virtgpu.core.nativeio.NativeException} naming the call and the errno text. EINTR is retried by the
 * wrappers.
 * <p>
 * Exported for context bundles: the core bundle is never hot-swapped, so context bundles importing this package
 * (instead of making their own libc downcalls) are never refreshed because of it. Every type here is provided by
 * the core and only called by others ({@code @ProviderType}): adding a method is a minor version step, changing or
 * removing one a major step.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.virtgpu.core.nativeio;
