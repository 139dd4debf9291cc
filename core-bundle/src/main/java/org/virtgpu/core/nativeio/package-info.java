/**
 * The few Linux system calls Java lacks, on the Java 25 FFM API (no JNI, no extra native library).
 * <p>
 * One class per syscall family ({@link org.virtgpu.core.nativeio.Memfd}, {@link org.virtgpu.core.nativeio.Mman},
 * {@link org.virtgpu.core.nativeio.UnixSockets}, {@link org.virtgpu.core.nativeio.EventFd},
 * {@link org.virtgpu.core.nativeio.Poll}). Each downcall handle is a {@code static final name$mh} built once by
 * {@link org.virtgpu.core.nativeio.Native#downcall}; errno is captured per call into a per-call state segment
 * (never a shared static one) and turned into a {@link org.virtgpu.core.nativeio.NativeException} naming the
 * call and the errno text. EINTR is retried by the wrappers.
 */
package org.virtgpu.core.nativeio;
