package org.virtgpu.api;

import java.util.List;

/**
 * What the device offers.
 *
 * @param features        device feature bits offered (VIRTIO_GPU_F_*; transport bits are the transport's)
 * @param numScanouts     num_scanouts (1..16)
 * @param capsets         served capsets in GET_CAPSET_INFO index order
 * @param hostPageSize    the host page size in effect (OS or configured)
 * @param blobAlignment   blob_alignment (config offset 16): max(host page, every context type's requirement)
 * @param hostVisibleSize size of the host-visible shared memory region (shm id 1), 0 if none
 */
public record DeviceInfo(long features, int numScanouts, List<CapsetInfo> capsets, int hostPageSize,
                         long blobAlignment, long hostVisibleSize) {
    public static final int F_VIRGL = 0;
    public static final int F_EDID = 1;
    public static final int F_RESOURCE_UUID = 2;
    public static final int F_RESOURCE_BLOB = 3;
    public static final int F_CONTEXT_INIT = 4;
    public static final int F_BLOB_ALIGNMENT = 5;

    public DeviceInfo {
        capsets = List.copyOf(capsets);
    }

    public boolean offers(int featureBit) {
        return (features & (1L << featureBit)) != 0;
    }
}
