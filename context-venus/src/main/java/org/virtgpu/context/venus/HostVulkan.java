package org.virtgpu.context.venus;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;
import org.lwjgl.vulkan.VK;

/**
 * The host Vulkan loader, reached through LWJGL (which finds libvulkan and honours VK_ICD_FILENAMES); every other
 * entry point is resolved from {@code vkGetInstanceProcAddr} (a device's from {@code vkGetDeviceProcAddr}) and
 * called through FFM downcalls with the argument memory the decoder already laid out in C form. LWJGL is loaded once
 * per JVM from the launcher class path.
 */
final class HostVulkan {
    private static final MethodHandle GET_PROC = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS));
    /** the loader's vkGetInstanceProcAddr, null until the loader is loaded */
    private static volatile MemorySegment getInstanceProcAddr;
    /** the loader's vkGetDeviceProcAddr, set with getInstanceProcAddr */
    private static volatile MemorySegment getDeviceProcAddr;
    private static final ConcurrentHashMap<String, MemorySegment> C_NAMES = new ConcurrentHashMap<>();

    private HostVulkan() {
    }

    /** Loads the host Vulkan loader once (LWJGL); @return its vkGetInstanceProcAddr */
    static long getInstanceProcAddr() {
        return getInstanceProcAddrSegment().address();
    }

    private static MemorySegment getInstanceProcAddrSegment() {
        MemorySegment s = getInstanceProcAddr;
        return s != null ? s : loadLoader();
    }

    private static synchronized MemorySegment loadLoader() {
        if (getInstanceProcAddr == null) {
            try {
                VK.getFunctionProvider();
            } catch (IllegalStateException notYet) {
                VK.create();
            }
            getDeviceProcAddr = MemorySegment.ofAddress(
                    VK.getFunctionProvider().getFunctionAddress("vkGetDeviceProcAddr"));
            getInstanceProcAddr = MemorySegment.ofAddress(
                    VK.getFunctionProvider().getFunctionAddress("vkGetInstanceProcAddr"));
        }
        return getInstanceProcAddr;
    }

    /**
     * vkGetInstanceProcAddr(instance, name); instance 0 for the global commands. Each context resolves each command
     * it uses on first use (see {@code VenusExecutor.function}), some sixty per client, so the names are kept as C
     * strings here instead of an arena, a copy and a free per call (names come from the generated command table and
     * the executor's constants: a bounded set).
     */
    static long proc(long instance, String name) {
        try {
            return (long) GET_PROC.invokeExact(getInstanceProcAddrSegment(), instance, cName(name));
        } catch (Throwable t) {
            throw new IllegalStateException("vkGetInstanceProcAddr(" + name + ")", t);
        }
    }

    /**
     * vkGetDeviceProcAddr(device, name): the device's own entry point, 0 for a command of an extension (or a core
     * version) the device was not created with. Through vkGetInstanceProcAddr such a command is the loader's
     * trampoline, which jumps to the NULL entry of the device's dispatch table.
     */
    static long deviceProc(long device, String name) {
        getInstanceProcAddrSegment(); // loads the loader, and with it getDeviceProcAddr
        try {
            return (long) GET_PROC.invokeExact(getDeviceProcAddr, device, cName(name));
        } catch (Throwable t) {
            throw new IllegalStateException("vkGetDeviceProcAddr(" + name + ")", t);
        }
    }

    private static MemorySegment cName(String name) {
        MemorySegment s = C_NAMES.get(name);
        return s != null ? s : C_NAMES.computeIfAbsent(name, n -> Arena.ofAuto().allocateFrom(n));
    }
}
