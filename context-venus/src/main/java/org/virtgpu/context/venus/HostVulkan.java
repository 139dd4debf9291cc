package org.virtgpu.context.venus;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import org.lwjgl.vulkan.VK;

/**
 * The host Vulkan loader, reached through LWJGL (which finds libvulkan and honours VK_ICD_FILENAMES); every other
 * entry point is resolved from {@code vkGetInstanceProcAddr} and called through FFM downcalls with the argument
 * memory the decoder already laid out in C form. LWJGL is loaded once per JVM from the launcher class path.
 */
final class HostVulkan {
    private static final MethodHandle GET_PROC = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS));
    private static long getInstanceProcAddr;

    private HostVulkan() {
    }

    static synchronized long getInstanceProcAddr() {
        if (getInstanceProcAddr == 0) {
            try {
                VK.getFunctionProvider();
            } catch (IllegalStateException notYet) {
                VK.create();
            }
            getInstanceProcAddr = VK.getFunctionProvider().getFunctionAddress("vkGetInstanceProcAddr");
        }
        return getInstanceProcAddr;
    }

    /** vkGetInstanceProcAddr(instance, name); instance 0 for the global commands. */
    static long proc(long instance, String name) {
        try (Arena a = Arena.ofConfined()) {
            return (long) GET_PROC.invokeExact(java.lang.foreign.MemorySegment.ofAddress(getInstanceProcAddr()),
                    instance, a.allocateFrom(name));
        } catch (Throwable t) {
            throw new IllegalStateException("vkGetInstanceProcAddr(" + name + ")", t);
        }
    }
}
