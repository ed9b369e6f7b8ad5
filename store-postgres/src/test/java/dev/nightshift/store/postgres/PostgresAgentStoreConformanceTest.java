package dev.nightshift.store.postgres;

import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.AgentStoreConformanceTest;
import java.time.Clock;

/**
 * The PostgreSQL store through the {@link AgentStore} conformance suite on a real server, each
 * test on a fresh database; {@link #openAgain} is a second store (its own pool and listening
 * connection, as another engine process would have) on the same database.
 */
class PostgresAgentStoreConformanceTest extends AgentStoreConformanceTest {
    private String url;

    @Override
    protected AgentStore open(Clock clock) {
        url = TestPostgres.get().newDatabase();
        return TestPostgres.get().store(url).clock(clock).open();
    }

    @Override
    protected AgentStore openAgain(Clock clock) {
        return TestPostgres.get().store(url).clock(clock).open();
    }
}
