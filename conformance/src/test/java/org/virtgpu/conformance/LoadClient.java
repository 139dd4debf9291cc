package org.virtgpu.conformance;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.virtgpu.api.GpuSession;
import org.virtgpu.api.SessionOptions;
import org.virtgpu.api.VirtGpuDevice;
import org.virtgpu.spi.SharedMemory;
import org.virtgpu.spi.testkit.WireGuest;
import org.virtgpu.spi.testkit.WireGuest.Reply;

/**
 * One guest that keeps one context type busy: its own session, a context of its type, a guest-memory blob with a
 * pattern in its pages, a host blob mapped into the host-visible region with a pattern, and a loop of fenced
 * submits the type executes (virgl NOP, gfxstream PLACEHOLDER_COMMAND_VK, cross-domain GET_IMAGE_REQUIREMENTS
 * followed by CREATE_BLOB of the returned size and UNREF). Outcomes are counted per phase, a phase being one step
 * of the swap sequence the test runs. When its context fails (lost), it counts that and keeps trying to create a
 * new context, which works again once a bundle serves the capset.
 */
final class LoadClient implements Runnable {
    enum Kind {
        VIRGL("virgl", 2), GFXSTREAM("gfxstream", 3), CROSS_DOMAIN("cross-domain", 5);

        final String typeName;
        final int capset;

        Kind(String typeName, int capset) {
            this.typeName = typeName;
            this.capset = capset;
        }
    }

    static final int PHASES = 64;
    static final long FEATURES = PageSizeMatrixTest.FEATURES;
    static final int RES_GUEST = 1;
    static final int RES_HOST = 2;
    static final int RES_RING = 3;
    static final long PATTERN = 0x1234_5678_9abc_def0L;

    final Kind kind;
    final GpuSession session;
    final WireGuest g;
    final long align;
    volatile boolean stop;
    volatile int phase;
    final AtomicLongArray ok = new AtomicLongArray(PHASES);
    final AtomicLongArray lost = new AtomicLongArray(PHASES);
    final AtomicLongArray recreated = new AtomicLongArray(PHASES);
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private int ctxId;
    private int nextCtxId = 1;
    private boolean live;
    private long guestAddr;
    private long ringAddr;
    private long nextResource = 100;
    private final VirtGpuDevice device;

    LoadClient(Kind kind, VirtGpuDevice device) throws Exception {
        this.kind = kind;
        this.device = device;
        MemorySegment ram = WireGuest.newRam(16L << 20);
        this.session = device.openSession(SessionOptions.of("load-" + kind.typeName, WireGuest.memory(ram), FEATURES));
        this.g = new WireGuest(session, ram);
        this.align = device.info().blobAlignment();
        // resources that must survive every swap
        guestAddr = g.allocGuestPages(align);
        g.guestView(guestAddr, 8).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, PATTERN);
        must(g.createBlob(0, RES_GUEST, 1, 1, 0, align, guestAddr, align), "GUEST blob");
        must(g.createBlob(0, RES_HOST, 2, 1, 0, align), "HOST3D blob");
        must(g.mapBlob(RES_HOST, 0), "MAP_BLOB");
        hostMemory().segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, PATTERN);
        if (kind == Kind.CROSS_DOMAIN) {
            ringAddr = g.allocGuestPages(align);
            must(g.createBlob(0, RES_RING, 1, 1, 0, align, ringAddr, align), "query ring");
        }
        if (!newContext()) {
            throw new AssertionError(kind + ": no context at start");
        }
    }

    private SharedMemory hostMemory() {
        return session.blobMemory(RES_HOST).orElseThrow(() -> new AssertionError(kind + ": host blob memory gone"));
    }

    private static void must(Reply r, String what) {
        if (!r.ok()) {
            throw new AssertionError(what + ": " + r);
        }
    }

    /** Creates a context of this client's type and attaches its resources; false while no bundle serves it. */
    private boolean newContext() {
        int id = nextCtxId++;
        Reply c = g.ctxCreate(id, kind.capset, "load");
        if (!c.ok()) {
            return false;
        }
        if (ctxId != 0) {
            // the lost context stays in the session (as lost) until the guest destroys it, as a driver would
            Reply d = g.ctxDestroy(ctxId);
            if (!d.ok()) {
                failures.add(kind + ": CTX_DESTROY of lost context " + ctxId + ": " + d);
            }
        }
        ctxId = id;
        live = true;
        for (int res : kind == Kind.CROSS_DOMAIN ? new int[] {RES_GUEST, RES_HOST, RES_RING} : new int[] {RES_GUEST, RES_HOST}) {
            Reply a = g.attach(id, res);
            if (!a.ok()) {
                failures.add(kind + ": attach " + res + " to new context " + id + ": " + a);
            }
        }
        if (kind == Kind.CROSS_DOMAIN) {
            ByteBuffer init = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
            init.put(0, (byte) 1).putShort(2, (short) 36).putInt(8, RES_RING).putInt(12, RES_RING);
            Reply r = g.submit(id, init.array(), 0);
            if (!r.ok()) {
                failures.add(kind + ": INIT on new context " + id + ": " + r);
            }
        }
        return true;
    }

    /** One unit of work on the current context; true when every command of it succeeded. */
    private boolean work() {
        switch (kind) {
            case VIRGL -> {
                return g.submit(ctxId, new byte[4], 0).ok(); // one NOP header: cmd 0, length 0
            }
            case GFXSTREAM -> {
                byte[] placeholder = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0xf002).array();
                return g.submit(ctxId, placeholder, 0).ok();
            }
            default -> {
                // a blob_alignment change between the requirements and CREATE_BLOB (the 64 KiB type coming or
                // going) refuses a size rounded to the old one; a guest then asks again, and so does this one
                for (int attempt = 0; ; attempt++) {
                    long alignment = device.info().blobAlignment();
                    if (crossDomainBlob()) {
                        return true;
                    }
                    if (attempt > 0 || device.info().blobAlignment() == alignment) {
                        return false;
                    }
                }
            }
        }
    }

    /** GET_IMAGE_REQUIREMENTS for a 64x64 XR24 image, then CREATE_BLOB of what it returned and its unref. */
    private boolean crossDomainBlob() {
        ByteBuffer gir = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        gir.put(0, (byte) 2).putShort(2, (short) 24).putInt(8, 64).putInt(12, 64)
                .putInt(16, 'X' | 'R' << 8 | '2' << 16 | '4' << 24);
        if (!g.submit(ctxId, gir.array(), 0).ok()) {
            return false;
        }
        // the reply is in the query ring's guest pages
        MemorySegment view = g.guestView(ringAddr, 64);
        long size = view.get(ValueLayout.JAVA_LONG_UNALIGNED, 40);
        long blobId = Integer.toUnsignedLong(view.get(ValueLayout.JAVA_INT_UNALIGNED, 48));
        int res = (int) nextResource++;
        if (!g.createBlob(ctxId, res, 2, 1, blobId, size).ok()) {
            return false;
        }
        return g.unref(res).ok();
    }

    @Override
    public void run() {
        try {
            // The phase is read after each outcome: the test switches the phase before it acts, so an outcome
            // caused by that action is always counted under it (an outcome right before it may be counted under
            // it too, which only ever adds to "ok").
            while (!stop) {
                if (!live) {
                    if (newContext()) {
                        recreated.incrementAndGet(phase);
                    } else {
                        Thread.sleep(1);
                    }
                    continue;
                }
                boolean done = work();
                int p = phase;
                if (done) {
                    ok.incrementAndGet(p);
                } else {
                    lost.incrementAndGet(p);
                    live = false;
                }
            }
        } catch (Throwable t) {
            failures.add(kind + ": " + t);
        }
    }

    /** After the load stopped: every resource, backing, blob and mapping is still there with its contents. */
    List<String> verifyResources() {
        List<String> out = new ArrayList<>();
        if (g.guestView(guestAddr, 8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != PATTERN) {
            out.add(kind + ": guest pages of the GUEST blob changed");
        }
        if (hostMemory().segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != PATTERN) {
            out.add(kind + ": host blob contents changed");
        }
        Reply unmap = g.unmapBlob(RES_HOST);
        if (!unmap.ok()) {
            out.add(kind + ": host blob was no longer mapped: " + unmap);
        }
        Reply map = g.mapBlob(RES_HOST, 0);
        if (map.type() != WireGuest.RESP_OK_MAP_INFO) {
            out.add(kind + ": host blob cannot be mapped again: " + map);
        }
        Reply attach = g.attach(ctxId, RES_GUEST);
        if (!attach.ok() && attach.error() == org.virtgpu.spi.GpuError.INVALID_RESOURCE_ID) {
            out.add(kind + ": GUEST blob resource is gone");
        }
        return out;
    }

    void close() {
        session.close();
    }
}
