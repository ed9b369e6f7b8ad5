package dev.nightshift.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.core.Nightshift;
import dev.nightshift.docker.DockerRuntime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention and delete leave no rows behind in PostgreSQL: an engine on the store expires an agent
 * past the retention window ({@code gc()}) down to its tombstone row, and deletes another outright;
 * their events, messages and leases are gone, while a third agent (the control, recent) keeps all
 * of its rows.
 */
class PurgeRowsIT {
    @TempDir
    Path dir;

    @Test
    void retentionAndDeletePurgeEveryRowOfTheAgent() throws Exception {
        DockerRuntime runtime = PostgresStoreEngineIT.docker();
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase();
        Instant old = Instant.now().minus(Duration.ofDays(30));
        try (runtime; PostgresAgentStore store = pg.store(url).open()) {
            for (String id : List.of("old", "doomed", "recent")) {
                Instant at = id.equals("old") ? old : Instant.now();
                AgentInfo info = AgentInfo.creating(id, AgentRequest.builder("echo " + id, "file:///r.git").id(id).build(), at)
                        .withStatus(AgentStatus.FINISHED, at).withLastSequence(2);
                store.put(info);
                store.append(new AgentEvent.Warning(id, 1, at, "test", "one"));
                store.append(new AgentEvent.Warning(id, 2, at, "test", "two"));
                store.appendMessage(id, new ConversationMessage("m-" + id, ConversationMessage.Type.USER_MESSAGE, "hello", at));
                assertThat(store.acquireLease(id, "a-dead-engine", Duration.ofMillis(1))).isTrue();
            }
            assertThat(rows(pg, url, "old")).as("the fixture").containsValues(1L, 2L, 1L, 1L);

            Nightshift ns = Nightshift.builder().runtime(runtime).store(store).stateDirectory(dir.resolve("state")).build();
            try {
                assertThat(ns.gc().agentsExpired()).as("agents expired by gc").isEqualTo(1);
                ns.agent("doomed").delete();
            } finally {
                ns.closeAndRemoveMachines();
            }
            assertThat(rows(pg, url, "old")).as("rows of the expired agent: its tombstone only")
                    .isEqualTo(Map.of("agents", 1L, "events", 0L, "messages", 0L, "leases", 0L));
            assertThat(store.get("old").orElseThrow().status()).isEqualTo(AgentStatus.EXPIRED);
            assertThat(rows(pg, url, "doomed")).as("rows of the deleted agent")
                    .isEqualTo(Map.of("agents", 0L, "events", 0L, "messages", 0L, "leases", 0L));
            assertThat(rows(pg, url, "recent")).as("rows of the recent agent (the control)")
                    .isEqualTo(Map.of("agents", 1L, "events", 2L, "messages", 1L, "leases", 1L));
        }
    }

    /** How many rows each table holds for {@code agentId}. */
    private static Map<String, Long> rows(TestPostgres pg, String url, String agentId) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(url, pg.credentials())) {
            for (String table : List.of("agents", "events", "messages", "leases")) {
                String column = table.equals("agents") ? "id" : "agent_id";
                try (PreparedStatement ps = c.prepareStatement("select count(*) from " + table + " where " + column + " = ?")) {
                    ps.setString(1, agentId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        out.put(table, rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }
}
