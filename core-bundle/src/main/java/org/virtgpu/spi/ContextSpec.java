package org.virtgpu.spi;

/**
 * What the guest asked for in CTX_CREATE.
 *
 * @param ctxId      the guest's context id (non-zero)
 * @param capsetId   the capset the guest picked with context_init, or the type's first capset when it gave none
 * @param debugName  the guest's debug name (may be empty)
 * @param fences     where the context reports completed fences
 */
public record ContextSpec(int ctxId, int capsetId, String debugName, FenceSink fences) {
}
