package org.virtgpu.context.virgl;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import org.virtgpu.spi.GpuContext;
import org.virtgpu.spi.GpuError;
import org.virtgpu.spi.GpuException;

/**
 * A virgl context (capset 1 or 2) without a GL renderer.
 * <p>
 * The SUBMIT_3D payload is a stream of little-endian dwords; each command starts with the header
 * {@code cmd | object << 8 | length << 16} (virglrenderer {@code virgl_protocol.h}, {@code VIRGL_CMD0}) followed
 * by {@code length} dwords. The whole stream is checked for framing first, so a malformed stream is refused
 * before any of it runs. Commands that need no renderer are executed (NOP, debug flags, string markers, tweaks,
 * and sub-context bookkeeping, which the guest sends at start-up); every command that would need GL is refused
 * with UNSPEC and a message that says so, so the guest sees the error on its first real draw instead of
 * silently wrong output.
 */
final class VirglContext implements GpuContext {
    private static final System.Logger LOG = System.getLogger(VirglContext.class.getName());

    // virgl_context_cmd (virgl_protocol.h)
    static final int CCMD_NOP = 0;
    static final int CCMD_SET_SUB_CTX = 28;
    static final int CCMD_CREATE_SUB_CTX = 29;
    static final int CCMD_DESTROY_SUB_CTX = 30;
    static final int CCMD_SET_DEBUG_FLAGS = 41;
    static final int CCMD_SET_TWEAKS = 46;
    static final int CCMD_SEND_STRING_MARKER = 51;
    /** vrend keeps sub-context ids in a small table; 64 is far above what Mesa uses (one per pipe context). */
    static final int MAX_SUB_CTX = 64;

    private final int ctxId;
    private final BitSet subContexts = new BitSet(MAX_SUB_CTX);
    private int currentSubCtx;
    private boolean destroyed;

    VirglContext(int ctxId) {
        this.ctxId = ctxId;
        subContexts.set(0); // sub-context 0 exists from creation, as in vrend
    }

    @Override
    public void submit(MemorySegment commands, int ringIdx) throws GpuException {
        if (destroyed) {
            throw new GpuException(GpuError.UNSPEC, "virgl context " + ctxId + " is destroyed");
        }
        long len = commands.byteSize();
        if (len % 4 != 0) {
            throw GpuException.invalidParameter("virgl command stream of " + len + " bytes is not a whole number of dwords");
        }
        long dwords = len / 4;
        // pass 1: framing and support, nothing executed yet
        for (long at = 0; at < dwords; ) {
            int header = commands.get(ValueLayout.JAVA_INT_UNALIGNED, at * 4);
            int cmd = header & 0xff;
            int cmdLen = header >>> 16;
            if (cmdLen > dwords - at - 1) {
                throw GpuException.invalidParameter("virgl command " + cmd + " at dword " + at + " claims " + cmdLen
                        + " dwords, only " + (dwords - at - 1) + " follow");
            }
            if (!supported(cmd)) {
                throw new GpuException(GpuError.UNSPEC, "virgl command " + cmd + " needs a host GL renderer, which this"
                        + " virgl bundle does not have (its capsets advertise no formats and GLSL level 0)");
            }
            at += 1 + cmdLen;
        }
        // pass 2: execute
        for (long at = 0; at < dwords; ) {
            int header = commands.get(ValueLayout.JAVA_INT_UNALIGNED, at * 4);
            int cmd = header & 0xff;
            int cmdLen = header >>> 16;
            execute(cmd, commands, (at + 1) * 4, cmdLen);
            at += 1 + cmdLen;
        }
    }

    private static boolean supported(int cmd) {
        return switch (cmd) {
            case CCMD_NOP, CCMD_SET_SUB_CTX, CCMD_CREATE_SUB_CTX, CCMD_DESTROY_SUB_CTX, CCMD_SET_DEBUG_FLAGS,
                 CCMD_SET_TWEAKS, CCMD_SEND_STRING_MARKER -> true;
            default -> false;
        };
    }

    private void execute(int cmd, MemorySegment s, long payload, int dwords) throws GpuException {
        switch (cmd) {
            case CCMD_CREATE_SUB_CTX -> {
                int id = subCtxId(s, payload, dwords, "CREATE_SUB_CTX");
                if (subContexts.get(id)) {
                    throw GpuException.invalidParameter("virgl sub-context " + id + " already exists");
                }
                subContexts.set(id);
            }
            case CCMD_SET_SUB_CTX -> {
                int id = subCtxId(s, payload, dwords, "SET_SUB_CTX");
                if (!subContexts.get(id)) {
                    throw GpuException.invalidParameter("virgl sub-context " + id + " does not exist");
                }
                currentSubCtx = id;
            }
            case CCMD_DESTROY_SUB_CTX -> {
                int id = subCtxId(s, payload, dwords, "DESTROY_SUB_CTX");
                if (id == 0 || !subContexts.get(id)) {
                    throw GpuException.invalidParameter("virgl sub-context " + id + " cannot be destroyed");
                }
                subContexts.clear(id);
                if (currentSubCtx == id) {
                    currentSubCtx = 0;
                }
            }
            case CCMD_SEND_STRING_MARKER -> {
                if (LOG.isLoggable(Level.DEBUG) && dwords >= 1) {
                    int n = s.get(ValueLayout.JAVA_INT_UNALIGNED, payload);
                    int max = Math.max(0, Math.min(n, (dwords - 1) * 4));
                    byte[] text = s.asSlice(payload + 4, max).toArray(ValueLayout.JAVA_BYTE);
                    LOG.log(Level.DEBUG, "virgl context {0} marker: {1}", ctxId, new String(text, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            default -> {
                // NOP, SET_DEBUG_FLAGS, SET_TWEAKS: hints for a renderer; with none there is nothing to do.
            }
        }
    }

    private static int subCtxId(MemorySegment s, long payload, int dwords, String what) throws GpuException {
        if (dwords != 1) {
            throw GpuException.invalidParameter("virgl " + what + " has " + dwords + " dwords, expected 1");
        }
        int id = s.get(ValueLayout.JAVA_INT_UNALIGNED, payload);
        if (id < 0 || id >= MAX_SUB_CTX) {
            throw GpuException.invalidParameter("virgl sub-context id " + Integer.toUnsignedString(id)
                    + " outside 0.." + (MAX_SUB_CTX - 1));
        }
        return id;
    }

    int currentSubContext() {
        return currentSubCtx;
    }

    @Override
    public void destroy() {
        // NOTE: no host objects exist without a renderer; only the bookkeeping goes.
        destroyed = true;
        subContexts.clear();
    }
}
