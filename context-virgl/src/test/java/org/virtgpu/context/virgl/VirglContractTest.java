package org.virtgpu.context.virgl;

import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.testkit.ContextTypeContract;

class VirglContractTest extends ContextTypeContract {
    @Override
    protected ContextType newType() {
        return new VirglContextType();
    }
}
