package org.virtgpu.context.crossdomain;

import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.testkit.ContextTypeContract;

class CrossDomainContractTest extends ContextTypeContract {
    @Override
    protected ContextType newType() {
        return new CrossDomainContextType();
    }
}
