package org.virtgpu.core.device;

import java.util.List;

/** A read-only view of one session for the shell ({@code virtgpu:sessions}). */
public record SessionSnapshot(String name, List<ContextRow> contexts, List<ResourceRow> resources) {
    public SessionSnapshot {
        contexts = List.copyOf(contexts);
        resources = List.copyOf(resources);
    }
}
