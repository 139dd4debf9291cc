package org.virtgpu.core.transport.vtest;

/**
 * Sees what clients do, for tests and diagnostics: one call per handled command (after its checks passed) and
 * one when a client ends. Called on the client's connection thread; must be quick and must not throw.
 */
@FunctionalInterface
interface VtestObserver {
    /**
     * @param client the connection number (1, 2, ...)
     * @param event  a command name ("GET_CAPSET") or "END"
     * @param detail the command's decoded arguments ("4 0"), or for END the reason ("disconnected")
     */
    void observed(int client, String event, String detail);

    /** False when {@link #observed} does nothing, so callers may skip building its detail strings. */
    default boolean listening() {
        return this != NONE;
    }

    VtestObserver NONE = (c, e, d) -> {
    };
}
