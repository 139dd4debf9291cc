/**
 * Fence timelines: the session's global one and one per (context, ring_idx); a fenced reply returns only after every
 * earlier fenced reply of its timeline. Per-timeline and per-context monitors, no session lock.
 */
package org.virtgpu.core.fence;
