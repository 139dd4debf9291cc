/** Scanouts, cursor, EDID and PNG snapshots; what reaches a {@link org.virtgpu.api.DisplaySink}. */
package org.virtgpu.core.scanout;
