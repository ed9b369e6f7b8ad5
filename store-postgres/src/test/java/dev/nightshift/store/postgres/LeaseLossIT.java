package dev.nightshift.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.core.Nightshift;
import dev.nightshift.docker.DockerRuntime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine that finds another engine holding the lease of an agent it drives (it stalled past the
 * lease's expiry and was taken over) lets the agent go instead of driving it alongside: controls
 * through it go to the lease holder through the store's control inbox, as for any agent another
 * engine drives, and are not run here; the machine stays for the lease holder. The other engine is
 * simulated by writing its lease row.
 */
class LeaseLossIT {
    @TempDir
    Path dir;

    @Test
    void anEngineThatLostTheLeaseLetsTheAgentGoAndKeepsItsMachine() throws Exception {
        DockerRuntime runtime = PostgresStoreEngineIT.docker();
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase();
        String remote = PostgresStoreEngineIT.bareRemote(dir);
        String[] agentId = {null};
        try (runtime; PostgresAgentStore store = pg.store(url).open()) {
            Nightshift ns = Nightshift.builder().runtime(runtime).store(store).stateDirectory(dir.resolve("state"))
                    .sweepInterval(Duration.ofMillis(300)).controlTimeout(Duration.ofSeconds(3)).build();
            try {
                Agent agent = ns.spawn(AgentRequest.builder("echo 'SUMMARY: done'", remote).push(false).build());
                agentId[0] = agent.id();
                String machine = agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(4)).machineId().orElseThrow();
                agent.followUp("echo 'SUMMARY: still mine'"); // the control: the engine drives it
                agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(2));

                try (Connection c = DriverManager.getConnection(url, pg.credentials());
                        PreparedStatement ps = c.prepareStatement(
                                "update leases set owner = 'another-engine', expires_ns = ? where agent_id = ?")) {
                    ps.setLong(1, Long.MAX_VALUE);
                    ps.setString(2, agent.id());
                    assertThat(ps.executeUpdate()).as("the engine's lease row").isEqualTo(1);
                }
                // once the sweep lets the agent go, a control is no longer run here: it goes to the
                // lease holder through the store's control inbox, and the simulated holder never
                // answers, so it is withdrawn unrun
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                NightshiftTimeoutException forwarded = null;
                while (forwarded == null && System.nanoTime() < deadline) {
                    try {
                        ns.agent(agent.id()).stop(); // accepted (STOPPED, then a no-op) until the sweep lets the agent go
                        Thread.sleep(50); // polling a condition, with a deadline
                    } catch (NightshiftTimeoutException e) {
                        forwarded = e;
                    }
                }
                assertThat(forwarded).as("a control after the lease was lost").isNotNull()
                        .hasMessageContaining("withdrawn and did not run");
                assertThatThrownBy(() -> ns.agent(agent.id()).followUp("echo again"))
                        .isInstanceOf(NightshiftTimeoutException.class).hasMessageContaining("did not run");
                assertThat(store.get(agent.id()).orElseThrow().status()).as("nothing ran here")
                        .isEqualTo(AgentStatus.STOPPED);
                assertThat(runtime.machines(Map.of("dev.nightshift.agent", agent.id()))).as("the machine stays")
                        .extracting(m -> m.id()).contains(machine);
            } finally {
                ns.closeAndRemoveMachines();
                if (agentId[0] != null) {
                    runtime.machines(Map.of("dev.nightshift.agent", agentId[0]))
                            .forEach(m -> runtime.attach(m.id()).ifPresent(x -> x.close()));
                    runtime.snapshots(Map.of("dev.nightshift.agent", agentId[0])).forEach(s -> runtime.deleteSnapshot(s.id()));
                }
                runtime.snapshots(Map.of("dev.nightshift.env.repository", remote)).forEach(s -> runtime.deleteSnapshot(s.id()));
            }
        }
    }
}
