package org.virtgpu.context.gfxstream;

import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.testkit.ContextTypeContract;

class GfxstreamContractTest extends ContextTypeContract {
    @Override
    protected ContextType newType() {
        return new GfxstreamContextType();
    }
}
