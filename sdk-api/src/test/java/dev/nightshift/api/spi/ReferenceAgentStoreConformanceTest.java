package dev.nightshift.api.spi;

import java.time.Clock;

class ReferenceAgentStoreConformanceTest extends AgentStoreConformanceTest {
    @Override
    protected AgentStore open(Clock clock) {
        return new ReferenceAgentStore(clock);
    }
}
