package org.virtgpu.core.transport.vhostuser;

import java.lang.System.Logger.Level;
import org.virtgpu.api.Limits;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.core.nativeio.EventFd;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;

/**
 * Listens on a Unix socket for vhost-user front-ends and serves one at a time (a vhost-user device has one
 * driver); the next one is accepted after the current one disconnects and its session is freed.
 * QEMU is the client: start this first (research/vhost-user.md 0.1).
 */
public final class VhostUserServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VhostUserServer.class.getName());

    private final String path;
    private final VirtGpuDevice device;
    private final int maxQueueSize;
    private final Limits limits;
    private final int listenFd;
    private final int stopFd;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile int served;

    public VhostUserServer(String path, VirtGpuDevice device, int maxQueueSize, Limits limits) throws NativeException {
        if (maxQueueSize < 1 || maxQueueSize > VhostUserProtocol.MAX_QUEUE_SIZE || (maxQueueSize & (maxQueueSize - 1)) != 0) {
            throw new IllegalArgumentException("maxQueueSize must be a power of 2 up to 32768, not " + maxQueueSize);
        }
        this.path = path;
        this.device = device;
        this.maxQueueSize = maxQueueSize;
        this.limits = limits;
        this.stopFd = EventFd.create();
        try {
            this.listenFd = UnixSockets.listen(path, 1, true);
        } catch (NativeException e) {
            Fds.closeQuietly(stopFd);
            throw e;
        }
        thread = Thread.ofPlatform().name("vhost-user " + path).daemon().start(this::acceptLoop);
        LOG.log(Level.INFO, "vhost-user back-end listening on {0}", path);
    }

    /** Front-ends served to the end so far (for tests). */
    public int served() {
        return served;
    }

    private void acceptLoop() {
        int[] fds = {listenFd, stopFd};
        short[] ev = {Poll.POLLIN, Poll.POLLIN};
        short[] re = new short[2];
        int n = 0;
        while (!stopping) {
            try {
                Poll.poll(fds, ev, re, -1);
                if (re[1] != 0 || stopping) {
                    return;
                }
                int conn = UnixSockets.accept(listenFd);
                if (conn < 0) {
                    continue;
                }
                String name = "vhost-user:" + path + "#" + (++n);
                LOG.log(Level.INFO, "{0}: front-end connected", name);
                try (VhostUserConnection c = new VhostUserConnection(conn, name, device, maxQueueSize, limits)) {
                    c.serve(stopFd);
                }
                served++;
                LOG.log(Level.INFO, "{0}: session freed; listening again", name);
            } catch (NativeException | RuntimeException e) {
                LOG.log(Level.ERROR, "vhost-user " + path + ": accept loop", e);
                try {
                    Thread.sleep(100); // do not spin on a persistent error
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        try {
            EventFd.signal(stopFd, 1);
        } catch (NativeException e) {
            LOG.log(Level.ERROR, "stopping vhost-user {0}: {1}", path, e.getMessage());
        }
        try {
            thread.join(15000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Fds.closeQuietly(listenFd);
        Fds.closeQuietly(stopFd);
        try {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(path));
        } catch (java.io.IOException e) {
            LOG.log(Level.WARNING, "removing {0}: {1}", path, e.getMessage());
        }
    }
}
