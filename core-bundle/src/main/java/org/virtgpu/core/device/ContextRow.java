package org.virtgpu.core.device;

/** One live context: its id, the capset it was created for, its type's name and whether it was lost. */
public record ContextRow(int ctxId, int capsetId, String type, boolean lost) {
}
