/**
 * The device: {@link org.virtgpu.core.device.DeviceComponent} (the OSGi component, capset registry, hot-swap) and
 * {@link org.virtgpu.core.device.DeviceSession}, one per client, whose {@code control} runs each request through
 * decode, one exhaustive switch, reply and fence. Rules and choices: {@code docs/device.md}.
 */
package org.virtgpu.core.device;
