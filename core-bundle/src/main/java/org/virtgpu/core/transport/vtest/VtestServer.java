package org.virtgpu.core.transport.vtest;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.core.device.RateLimitedLog;
import org.virtgpu.core.nativeio.Errno;
import org.virtgpu.core.nativeio.EventFd;
import org.virtgpu.core.nativeio.Fds;
import org.virtgpu.core.nativeio.NativeException;
import org.virtgpu.core.nativeio.Poll;
import org.virtgpu.core.nativeio.UnixSockets;

/**
 * A drop-in replacement for virglrenderer's {@code virgl_test_server}: listens on an AF_UNIX socket (Mesa's
 * default {@code /tmp/.virgl_test}) and serves every vtest client on its own platform thread with its own
 * device session. Mesa's Venus ICD connects with {@code VN_DEBUG=vtest VTEST_SOCKET_NAME=<path>}.
 * <p>
 * The accept loop polls the listening socket together with an eventfd, so deactivation wakes it at once;
 * deactivation then shuts every client socket down and waits briefly for the client threads to free their
 * sessions. Once listening it runs {@link VtestWarmup} in the background (config {@code warmupRounds}).
 */
@Component(immediate = true, service = {}, configurationPid = VtestConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = VtestConfig.class)
public final class VtestServer {
    private static final System.Logger LOG = System.getLogger(VtestServer.class.getName());
    private static final long JOIN_MS = 5000;

    private final VirtGpuDevice device;
    private final Map<Integer, VtestConnection> clients = new ConcurrentHashMap<>();
    private final Map<Integer, Thread> threads = new ConcurrentHashMap<>();
    private final AtomicInteger numbers = new AtomicInteger();
    private volatile VtestObserver observer = VtestObserver.NONE;
    /** What every connection calls: the observer set now. */
    private final VtestObserver currentObserver = new VtestObserver() {
        @Override
        public void observed(int client, String event, String detail) {
            observer.observed(client, event, detail);
        }

        @Override
        public boolean listening() {
            return observer.listening();
        }
    };
    private final RateLimitedLog clientLog = new RateLimitedLog("vtest ", 20);
    private VtestConfig config;
    private int listenFd = -1;
    private int wakeFd = -1;
    private Thread acceptor;
    private Thread warmup;
    private volatile boolean stopping;
    private long lastRefusalLog;

    @Activate
    public VtestServer(@Reference(name = "device") VirtGpuDevice device, VtestConfig config) throws NativeException {
        this.device = device;
        this.config = config;
        if (!config.enabled()) {
            LOG.log(Level.INFO, "vtest server disabled by configuration");
            return;
        }
        start();
    }

    private void start() throws NativeException {
        String path = config.socketPath();
        if (someoneListens(path)) {
            // listen() replaces a stale socket file; a live one belongs to another server (virgl_test_server, a
            // second virtgpu) whose clients must not be cut off
            LOG.log(Level.ERROR, "vtest cannot listen on {0}: another server is listening there", path);
            throw new NativeException("listen(" + path + ")", Errno.EADDRINUSE);
        }
        wakeFd = EventFd.create();
        try {
            listenFd = UnixSockets.listen(path, 16, true);
        } catch (NativeException e) {
            Fds.closeQuietly(wakeFd);
            wakeFd = -1;
            LOG.log(Level.ERROR, "vtest cannot listen on {0}: {1}", path, e.getMessage());
            throw e;
        }
        acceptor = Thread.ofPlatform().name("vtest-accept").daemon().start(this::acceptLoop);
        LOG.log(Level.INFO, "vtest listening on {0}", path);
        if (config.warmupRounds() > 0) {
            warmup = VtestWarmup.start(config, () -> stopping);
        }
    }

    private static boolean someoneListens(String path) {
        if (!java.nio.file.Files.exists(java.nio.file.Path.of(path))) {
            return false;
        }
        try {
            Fds.closeQuietly(UnixSockets.connect(path));
            return true;
        } catch (NativeException e) {
            return false; // ECONNREFUSED: a stale file nobody listens on
        }
    }

    /** For tests and diagnostics: sees every handled command. */
    void observer(VtestObserver o) {
        observer = o == null ? VtestObserver.NONE : o;
    }

    /** Clients connected now. */
    int clientCount() {
        return clients.size();
    }

    private void acceptLoop() {
        int[] fds = {listenFd, wakeFd};
        short[] events = {Poll.POLLIN, Poll.POLLIN};
        short[] revents = new short[2];
        while (!stopping) {
            try {
                Poll.poll(fds, events, revents, -1);
                if (stopping || revents[1] != 0) {
                    break;
                }
                if ((revents[0] & Poll.POLLIN) == 0) {
                    continue;
                }
                int fd = UnixSockets.accept(listenFd);
                if (fd >= 0) {
                    admit(fd);
                }
            } catch (NativeException e) {
                // EMFILE and friends: log, back off briefly, keep serving the clients already connected
                LOG.log(Level.WARNING, "vtest accept: {0}", e.getMessage());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "vtest accept loop", e);
            }
        }
    }

    private void admit(int fd) {
        if (clients.size() >= config.maxClients()) {
            long now = System.nanoTime();
            if (now - lastRefusalLog > 1_000_000_000L) { // a connect storm must not flood the log
                lastRefusalLog = now;
                LOG.log(Level.WARNING, "vtest refuses a client: {0} clients already connected (maxClients)",
                        config.maxClients());
            }
            Fds.closeQuietly(fd);
            return;
        }
        int n = numbers.incrementAndGet();
        try {
            VtestConnection c = new VtestConnection(n, fd, device, config, currentObserver, clientLog, () -> {
                clients.remove(n);
                threads.remove(n);
            });
            clients.put(n, c);
            Thread t = Thread.ofPlatform().name("vtest-client-" + n).daemon().unstarted(c);
            threads.put(n, t);
            t.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            // e.g. no thread could be started: the connection thread never ran, so its fd is ours to close
            clients.remove(n);
            threads.remove(n);
            Fds.closeQuietly(fd);
            LOG.log(Level.ERROR, "vtest could not serve client " + n, e);
        }
    }

    @Deactivate
    public void stop() {
        stopping = true;
        if (wakeFd >= 0) {
            try {
                EventFd.signal(wakeFd, 1);
            } catch (NativeException e) {
                LOG.log(Level.WARNING, "vtest wake-up: {0}", e.getMessage());
            }
        }
        join(acceptor);
        join(warmup); // stops within one round
        List<Thread> running = new ArrayList<>(threads.values());
        for (VtestConnection c : clients.values()) {
            c.shutdown();
        }
        for (Thread t : running) {
            join(t);
        }
        if (listenFd >= 0) {
            Fds.closeQuietly(listenFd);
            listenFd = -1;
            try {
                java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(config.socketPath()));
            } catch (java.io.IOException e) {
                LOG.log(Level.WARNING, "vtest could not remove {0}: {1}", config.socketPath(), e.getMessage());
            }
        }
        if (wakeFd >= 0) {
            Fds.closeQuietly(wakeFd);
            wakeFd = -1;
        }
        if (acceptor != null) {
            LOG.log(Level.INFO, "vtest stopped listening on {0}", config.socketPath());
        }
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(JOIN_MS);
            if (t.isAlive()) {
                LOG.log(Level.WARNING, "vtest thread {0} still busy after {1} ms (blocked in the device?)", t.getName(), JOIN_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
