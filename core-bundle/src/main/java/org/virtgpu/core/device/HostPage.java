package org.virtgpu.core.device;

import org.virtgpu.core.nativeio.Mman;

/** The host page size, from the OS ({@code getpagesize(2)}) or a configured override. */
public final class HostPage {
    private static final int OS_PAGE_SIZE = Mman.pageSize();

    private HostPage() {
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
