package dev.nightshift.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.AgentStoreConformanceTest;
import org.junit.jupiter.api.Test;

/** The engine's wrapper around every store passes every call on; none is left to the SPI's defaults. */
class UninterruptibleStoreTest {
    /** The control case: a store with only the abstract methods leaves the defaults. */
    abstract static class OnlyTheAbstractMethods implements AgentStore {
    }

    @Test
    void everyCallReachesTheWrappedStore() throws Exception {
        assertThat(AgentStoreConformanceTest.leftToDefaults(OnlyTheAbstractMethods.class))
                .contains("supportsControls", "purgeControls");
        assertThat(AgentStoreConformanceTest.leftToDefaults(UninterruptibleStore.class))
                .as("a default here would hide the wrapped store's feature from the engine").isEmpty();
    }
}
