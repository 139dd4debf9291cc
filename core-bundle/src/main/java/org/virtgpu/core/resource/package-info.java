/** Resources (2D, 3D, blobs), their guest backings as views of guest memory, and the session's resource table. */
package org.virtgpu.core.resource;
