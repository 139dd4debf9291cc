package org.virtgpu.core.device;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The host page size, from the OS ({@code getpagesize(2)}) or a configured override. */
public final class HostPage {
    private static final int OS_PAGE_SIZE = queryOs();

    private HostPage() {
    }

    @SuppressWarnings("restricted")
    private static int queryOs() {
        Linker linker = Linker.nativeLinker();
        MethodHandle mh = linker.downcallHandle(linker.defaultLookup().find("getpagesize").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        try {
            return (int) mh.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("getpagesize", t);
        }
    }

    public static int osPageSize() {
        return OS_PAGE_SIZE;
    }

    /**
     * The page size in effect: {@code configured} when non-zero (must be 4096, 16384 or 65536), else the OS's.
     */
    public static int effective(int configured) {
        if (configured == 0) {
            return OS_PAGE_SIZE;
        }
        if (configured != 4096 && configured != 16384 && configured != 65536) {
            throw new IllegalArgumentException("hostPageSize must be 0 (OS), 4096, 16384 or 65536, not " + configured);
        }
        if (configured < OS_PAGE_SIZE) {
            throw new IllegalArgumentException("hostPageSize " + configured + " is below the OS page size " + OS_PAGE_SIZE);
        }
        return configured;
    }
}
