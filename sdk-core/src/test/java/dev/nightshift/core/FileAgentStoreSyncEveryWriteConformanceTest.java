package dev.nightshift.core;

import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.AgentStoreConformanceTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The file store with a sync interval of zero (every write synced before it returns) through the conformance suite. */
class FileAgentStoreSyncEveryWriteConformanceTest extends AgentStoreConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected AgentStore open(Clock clock) {
        return FileAgentStore.open(dir, clock, Duration.ZERO);
    }

    @Override
    protected AgentStore openAgain(Clock clock) {
        return FileAgentStore.open(dir, clock, Duration.ZERO);
    }
}
