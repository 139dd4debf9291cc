package org.virtgpu.conformance;

import org.junit.jupiter.api.Nested;
import org.virtgpu.context.crossdomain.CrossDomainContextType;
import org.virtgpu.context.gfxstream.GfxstreamContextType;
import org.virtgpu.context.venus.VenusContextType;
import org.virtgpu.context.virgl.VirglContextType;
import org.virtgpu.spi.ContextType;
import org.virtgpu.spi.testkit.ContextTypeContract;

/**
 * The ContextType contract kit run against every real context type in one place (each context module also runs
 * it for itself where its owner added it), so a type that breaks the contract fails here whatever its module does.
 */
class AllTypesContractTest {
    @Nested
    class Virgl extends ContextTypeContract {
        @Override
        protected ContextType newType() {
            return new VirglContextType();
        }
    }

    @Nested
    class Venus extends ContextTypeContract {
        @Override
        protected ContextType newType() {
            return new VenusContextType();
        }
    }

    @Nested
    class Gfxstream extends ContextTypeContract {
        @Override
        protected ContextType newType() {
            return new GfxstreamContextType();
        }
    }

    @Nested
    class CrossDomain extends ContextTypeContract {
        @Override
        protected ContextType newType() {
            return new CrossDomainContextType();
        }
    }
}
