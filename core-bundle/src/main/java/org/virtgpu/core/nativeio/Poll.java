package org.virtgpu.core.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** poll(2) over a handful of fds (a transport's socket plus its wake-up eventfd, or a queue's kick fds). */
@org.osgi.annotation.versioning.ProviderType
public final class Poll {
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    private static final MethodHandle poll$mh = Native.downcall("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private Poll() {
    }

    /**
     * Waits until one of {@code fds} has one of its {@code events}, or {@code timeoutMs} passes (-1 = forever).
     * Writes each fd's returned events into {@code revents}. Retries EINTR with the full timeout.
     *
     * @return the number of fds with events, 0 on timeout
     */
    public static int poll(int[] fds, short[] events, short[] revents, int timeoutMs) throws NativeException {
        int n = fds.length;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.errnoState();
            // struct pollfd { int fd; short events; short revents; } = 8 bytes
            MemorySegment p = a.allocate(8L * n, 4);
            for (int i = 0; i < n; i++) {
                p.set(ValueLayout.JAVA_INT, 8L * i, fds[i]);
                p.set(ValueLayout.JAVA_SHORT, 8L * i + 4, events[i]);
            }
            int r;
            while (true) {
                r = (int) poll$mh.invokeExact(st, p, (long) n, timeoutMs);
                if (r >= 0) {
                    break;
                }
                int e = Native.errno(st);
                if (e != Errno.EINTR) {
                    throw new NativeException("poll", e);
                }
            }
            for (int i = 0; i < n; i++) {
                revents[i] = p.get(ValueLayout.JAVA_SHORT, 8L * i + 6);
            }
            return r;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.bug("poll", t);
        }
    }
}
