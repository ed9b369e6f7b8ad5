package dev.nightshift.core;

import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.AgentStoreConformanceTest;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The file store through the {@link AgentStore} conformance suite, including a second store on the same folder. */
class FileAgentStoreConformanceTest extends AgentStoreConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected AgentStore open(Clock clock) {
        return FileAgentStore.open(dir, clock);
    }

    @Override
    protected AgentStore openAgain(Clock clock) {
        return FileAgentStore.open(dir, clock);
    }
}
