/**
 * Host shared memory: ref-counted memfd mappings ({@link org.virtgpu.core.memory.MemfdMemory}) and the host-visible
 * region (shm id 1) where MAP_BLOB places them ({@link org.virtgpu.core.memory.HostVisibleRegion}).
 */
package org.virtgpu.core.memory;
