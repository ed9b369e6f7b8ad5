package dev.nightshift.store.postgres;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import java.time.Instant;

/**
 * The child process of {@code ConfiguredPostgresAgentStoreTest}: opens the store from its settings
 * (system properties and environment, as an engine finding it by class name would) and saves an
 * agent record named by its argument.
 */
public final class ConfiguredStoreMain {
    private ConfiguredStoreMain() {
    }

    public static void main(String[] args) {
        try (ConfiguredPostgresAgentStore store = new ConfiguredPostgresAgentStore()) {
            store.put(AgentInfo.creating(args[0], AgentRequest.builder("x", "file:///repo.git").id(args[0]).build(),
                    Instant.parse("2026-12-01T10:00:00Z")));
            System.out.println("SAVED");
        }
    }
}
