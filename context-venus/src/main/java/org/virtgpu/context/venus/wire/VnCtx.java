package org.virtgpu.context.venus.wire;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * One decoding stream (the context's vtest stream, or one ring): its read position, its reply stream and its scratch
 * memory. The object table and function table are shared by all streams of a context. Used by one thread at a time.
 */
public final class VnCtx {
    /**
     * The host functions of a context: the function for a command type on a host device (0 above device level), 0
     * when the host has none there.
     */
    @FunctionalInterface
    public interface Functions {
        long function(long device, int commandType);
    }

    /** Deepest pNext chain accepted (hostile chains must not exhaust the stack). */
    static final int MAX_CHAIN = 64;

    private final VnObjects objects;
    private final Functions functions;
    private final Scratch scratch = new Scratch();
    private MemorySegment in = MemorySegment.NULL;
    private long pos;
    private long limit;
    private MemorySegment reply;
    private long replyPos;
    private int chainDepth;
    /** The host VkDevice of the current command's dispatchable handle, 0 above device level. */
    private long device;
    /** the Venus command type of the command being run (see {@link #commandType(int)}) */
    private int commandType = -1;
    /**
     * {@link #dispatch}'s last lookup: the handle type and id, the type's {@link VnObjects#bindings} count read before
     * it, and the host handle and device it gave (lastId 0: none; id 0 is never valid, so never matched)
     */
    private int lastType = -1;
    private long lastId, lastBindings, lastHost, lastDevice;
    /** the device of the handle a lookup just resolved (filled by VnObjects.host, read at once) */
    private final long[] deviceOf = new long[1];
    private final MemorySegment[] fnCache = new MemorySegment[512];
    /** set from another thread when this stream's ring is stopping: bounded host waits end at their next slice */
    private volatile boolean cancelled;
    /** the stream whose vkExecuteCommandStreamsMESA runs this one, null for a top-level stream */
    private VnCtx outer;
    /** the stream that runs this one's vkExecuteCommandStreamsMESA streams (see {@link #nested}), null until then */
    private VnCtx nested;

    public VnCtx(VnObjects objects, Functions functions) {
        this.objects = objects;
        this.functions = functions;
    }

    /**
     * The stream that runs the streams of a vkExecuteCommandStreamsMESA on this one: it shares this stream's objects,
     * functions and cancellation ({@link #root}). One per stream, made on first use and closed with this one (a new
     * stream costs a shared arena, whose close synchronizes with every thread); each call returns it as a new stream
     * starts: no input, no reply stream, empty scratch, no chain depth and no device.
     */
    public VnCtx nested() {
        VnCtx n = nested;
        if (n == null) {
            n = new VnCtx(objects, functions);
            n.outer = this;
            nested = n;
        }
        n.references = references;
        n.commandBufferType = commandBufferType;
        n.restart();
        return n;
    }

    /** Back to the state of a new stream (what this stream's use of it left is forgotten). */
    private void restart() {
        in = MemorySegment.NULL;
        pos = 0;
        limit = 0;
        reply = null;
        replyPos = 0;
        endCommand();
    }

    /** The top-level stream (context stream or ring) this one runs for. */
    public VnCtx root() {
        VnCtx c = this;
        while (c.outer != null) {
            c = c.outer;
        }
        return c;
    }

    /** Asks host waits of this stream (and of streams nested in it) to end; callable from any thread. */
    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return root().cancelled;
    }

    // ---- input

    /** Decodes from {@code stream} starting at its offset 0. */
    public void input(MemorySegment stream) {
        in = stream;
        pos = 0;
        limit = stream.byteSize();
    }

    public long position() {
        return pos;
    }

    public boolean hasMore() {
        return pos < limit;
    }

    /** Names the command about to run (its header's type), for hooks that call its host function themselves. */
    public void commandType(int type) {
        commandType = type;
    }

    /** The type of the command being run, -1 before the first. */
    public int commandType() {
        return commandType;
    }

    /** Frees the previous command's arguments. */
    public void endCommand() {
        scratch.reset();
        chainDepth = 0;
        device = 0;
        recording = null;
    }

    /**
     * Told the objects each command recorded into a command buffer names (see {@link #references}), so that a command
     * buffer that names an object destroyed since it was recorded is never submitted.
     */
    public interface References {
        /** What to tell {@link #named} about commandBuffer's commands; null to be told nothing. */
        Object recording(long commandBuffer);

        /** A command recorded into recording named the host object host of type. */
        void named(Object recording, int type, long host);
    }

    private References references;
    private int commandBufferType = -1;
    /** the command buffer the current command records into, as references made it; null for other commands */
    private Object recording;

    /** Reports every object a command whose dispatchable handle is of commandBufferType names to references. */
    public void references(References references, int commandBufferType) {
        this.references = references;
        this.commandBufferType = commandBufferType;
    }

    private void need(long n) {
        if (n < 0 || pos + n > limit) {
            throw new VnProtocolException("truncated command stream at byte " + pos + " (need " + n + ")");
        }
    }

    public int r32() {
        need(4);
        int v = in.get(JAVA_INT_UNALIGNED, pos);
        pos += 4;
        return v;
    }

    /** The next u32 without consuming it. */
    public int peek32() {
        need(4);
        return in.get(JAVA_INT_UNALIGNED, pos);
    }

    public long r64() {
        need(8);
        long v = in.get(JAVA_LONG_UNALIGNED, pos);
        pos += 8;
        return v;
    }

    /** A "simple pointer" presence marker. */
    public boolean rPtr() {
        return r64() != 0;
    }

    /** An array size; bounded by what the stream could still carry plus the scratch limit. */
    public long rSize() {
        long n = r64();
        if (n < 0 || n > Scratch.LIMIT) {
            throw new VnProtocolException("array size " + Long.toUnsignedString(n));
        }
        return n;
    }

    public void expectSize(long n) {
        long got = rSize();
        if (got != n) {
            throw new VnProtocolException("fixed array of " + n + " sent with size " + got);
        }
    }

    public void expectSType(int sType) {
        int got = r32();
        if (got != sType) {
            throw new VnProtocolException("sType " + got + " where " + sType + " was expected");
        }
    }

    /** n bytes into C memory at dst, then skip the padding to 4 bytes. */
    public void rBytes(long dst, long n) {
        long padded = (n + 3) & ~3L;
        need(padded);
        MemorySegment.copy(in, pos, VnMem.ALL, dst, n);
        pos += padded;
    }

    /** A string: u64 length including NUL (0 = NULL), then the bytes; always NUL-terminated in C memory. */
    public long rString(boolean mustHave) {
        long n = rSize();
        if (n == 0) {
            if (mustHave) {
                throw new VnProtocolException("NULL string");
            }
            return 0;
        }
        long p = alloc(n + 1, 1);
        rBytes(p, n);
        VnMem.p8(p + n, (byte) 0);
        return p;
    }

    public long alloc(long n, long size) {
        return scratch.alloc(n, size);
    }

    public void enterChain() {
        if (++chainDepth > MAX_CHAIN) {
            throw new VnProtocolException("pNext chain deeper than " + MAX_CHAIN);
        }
    }

    public void leaveChain() {
        chainDepth--;
    }

    // ---- objects

    /**
     * The host handle for a handle the host may receive as VK_NULL_HANDLE (vk.xml {@code optional}, or
     * {@code noautovalidity} where the spec allows NULL in some states): id 0 is NULL; an unknown id is a protocol
     * error, or NULL when {@code lenient}.
     */
    public long host(int type, long id, boolean lenient) {
        long h = objects.host(type, id, deviceOf);
        if (h == 0 && id != 0) {
            if (lenient) {
                return 0;
            }
            throw new VnProtocolException("unknown object id " + id + " (handle type " + type + ")");
        }
        checkDevice(type, id, h);
        if (recording != null && h != 0) {
            named(type, h);
        }
        return h;
    }

    /**
     * The host handle for a handle the host dereferences (vk.xml: neither optional nor noautovalidity, so "must be a
     * valid handle"): VK_NULL_HANDLE or an unknown id is a protocol error. A NULL dispatchable handle in particular
     * makes the Vulkan loader's trampoline abort the whole process.
     */
    public long hostValid(int type, long id) {
        long h = objects.host(type, id, deviceOf);
        if (h == 0) {
            throw new VnProtocolException((id == 0 ? "VK_NULL_HANDLE" : "unknown object id " + id)
                    + " where a valid handle is required (handle type " + type + ")");
        }
        checkDevice(type, id, h);
        if (recording != null) {
            named(type, h);
        }
        return h;
    }

    /** Out of line, so that the lookups every decoder inlines stay small. */
    private void named(int type, long h) {
        references.named(recording, type, h);
    }

    /**
     * The command's dispatchable first parameter: every later handle of this command that belongs to a device must
     * belong to this one (a host driver reaches into its device's state through them).
     */
    public long dispatch(int type, long id) {
        recording = null;
        long h;
        long bindings = objects.bindings(type);
        if (id == lastId && type == lastType && bindings == lastBindings) {
            h = lastHost; // no binding of this type changed since the lookup below: the same answer
            device = lastDevice;
        } else {
            h = hostValid(type, id);
            device = deviceOf[0];
            lastType = type;
            lastId = id;
            lastBindings = bindings;
            lastHost = h;
            lastDevice = device;
        }
        if (references != null && type == commandBufferType) {
            recording = references.recording(h);
        }
        return h;
    }

    /** Checks the device of the handle just looked up (its device is in {@code deviceOf[0]}). */
    private void checkDevice(int type, long id, long h) {
        if (device != 0 && h != 0) {
            long d = deviceOf[0];
            if (d != 0 && d != device) {
                throw new VnProtocolException("object id " + id + " (handle type " + type + ") belongs to another device");
            }
        }
    }

    public long id(int type, long host) {
        return objects.id(type, host);
    }

    public void bind(int type, long id, long host) {
        objects.bind(type, id, host);
    }

    /** Binds a created object under its vk.xml parent (so that destroying the parent forgets it). */
    public void bind(int type, long id, long host, int parentType, long parentHost) {
        objects.bind(type, id, host, parentType, parentHost);
    }

    public void unbind(int type, long host) {
        objects.unbindHost(type, host);
    }

    /** Forgets what the host freed implicitly with host (vkResetDescriptorPool: the pool's sets). */
    public void unbindChildren(int type, long host) {
        objects.unbindChildren(type, host);
    }

    /**
     * The host function for a command type on the device of the command's dispatchable handle (see {@link #dispatch}):
     * a device-level command resolves on its device, so that a command of an extension the device was not created
     * with is a protocol error here and not a call through the loader's trampoline into a NULL dispatch table entry.
     */
    public MemorySegment fn(int commandType) {
        long f = functions.function(device, commandType);
        if (f == 0) {
            throw new VnProtocolException("the host driver has no function for command type " + commandType
                    + (device != 0 ? " on this device (an extension the device was not created with?)" : ""));
        }
        // one segment per function and stream instead of one per call (the downcall takes a MemorySegment)
        if (commandType >= 0 && commandType < fnCache.length) {
            MemorySegment s = fnCache[commandType];
            if (s == null || s.address() != f) {
                s = MemorySegment.ofAddress(f);
                fnCache[commandType] = s;
            }
            return s;
        }
        return MemorySegment.ofAddress(f);
    }

    // ---- replies

    /** vkSetReplyCommandStreamMESA: replies go to this window of a shared-memory resource. */
    public void replyStream(MemorySegment window) {
        reply = window;
        replyPos = 0;
    }

    public void seekReply(long position) {
        if (reply == null || position < 0 || position > reply.byteSize()) {
            throw new VnProtocolException("reply seek to " + position + " outside the reply stream");
        }
        replyPos = position;
    }

    public void beginReply(int commandType) {
        if (reply == null) {
            throw new VnProtocolException("reply requested without a reply stream");
        }
        w32(commandType);
    }

    private void room(long n) {
        if (reply == null || replyPos + n > reply.byteSize()) {
            throw new VnProtocolException("reply overflows the reply stream");
        }
    }

    public void w32(int v) {
        room(4);
        reply.set(JAVA_INT_UNALIGNED, replyPos, v);
        replyPos += 4;
    }

    public void w64(long v) {
        room(8);
        reply.set(JAVA_LONG_UNALIGNED, replyPos, v);
        replyPos += 8;
    }

    public void wPtr(boolean present) {
        w64(present ? 1 : 0);
    }

    public void wBytes(long src, long n) {
        long padded = (n + 3) & ~3L;
        room(padded);
        MemorySegment.copy(VnMem.ALL, src, reply, replyPos, n);
        replyPos += padded;
    }

    public void wString(long p) {
        if (p == 0) {
            w64(0);
            return;
        }
        long n = VnMem.strlen(p) + 1;
        w64(n);
        wBytes(p, n);
    }

    public VnProtocolException fail(String message) {
        return new VnProtocolException(message);
    }

    /** Frees this stream's memory, and its {@link #nested} stream's. */
    public void close() {
        scratch.close();
        if (nested != null) {
            nested.close();
        }
    }
}
