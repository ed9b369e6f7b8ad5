package dev.nightshift.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.core.Nightshift;
import dev.nightshift.docker.DockerRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops while an agent's turn runs (its script blocks on a fifo the test writes while
 * the database is down, and signals on a second fifo once it printed its next line, so that line
 * and the turn's end are written during the outage). The store reports
 * itself unavailable, the agent's machine stays up and the agent stays RUNNING; once the database
 * is back the turn's output and the handoff are written, the agent finishes, and every event
 * stored before the outage is still there, once, in a gap-free log.
 */
class StoreOutageIT {
    @TempDir
    Path dir;

    @Test
    void anEngineWaitsOutAStoreOutageKeepingTheMachineAndLosingNoEvent() throws Exception {
        DockerRuntime runtime = PostgresStoreEngineIT.docker();
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase();
        String remote = PostgresStoreEngineIT.bareRemote(dir);
        String[] agentId = {null};
        try (runtime; PostgresAgentStore store = pg.store(url).connectTimeout(Duration.ofSeconds(1))
                .outageTolerance(Duration.ofMinutes(5)).open()) {
            Nightshift ns = Nightshift.builder().runtime(runtime).store(store).stateDirectory(dir.resolve("state"))
                    .sweepInterval(Duration.ofMillis(500)).build();
            try {
                Agent agent = ns.spawn(AgentRequest.builder("echo before\nmkfifo /tmp/go /tmp/said\necho waiting\nread x < /tmp/go\n"
                        + "echo after-$x\necho said > /tmp/said\necho 'SUMMARY: through the outage'", remote).push(false).build());
                agentId[0] = agent.id();
                EngineTakeoverIT.awaitEvent(store, agent.id(),
                        e -> e instanceof AgentEvent.CommandOutput o && o.line().equals("waiting"), Duration.ofMinutes(4));
                List<AgentEvent> before = store.events(agent.id(), 0, 100_000);
                String machineId = agent.info().machineId().orElseThrow();
                assertThat(store.available()).isTrue();

                pg.stopServer();
                try {
                    PostgresStoreEngineIT.git(dir, "docker", "exec", machineId, "sh", "-c", "echo go > /tmp/go");
                    // the script printed after-go (to be stored while the database is down) once this returns
                    assertThat(PostgresStoreEngineIT.git(dir, "docker", "exec", machineId, "cat", "/tmp/said")).contains("said");
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                    while (store.available() && System.nanoTime() < deadline) {
                        Thread.sleep(50); // polling a condition (the store's own status), with a deadline
                    }
                    assertThat(store.available()).as("the store reports the outage").isFalse();
                    assertThat(store.unavailableSince()).isPresent();
                    assertThat(runtime.machines(Map.of("dev.nightshift.agent", agent.id())))
                            .as("the agent's machine during the outage").extracting(m -> m.id()).contains(machineId);
                    assertThat(agent.info().status()).as("the agent during the outage").isEqualTo(AgentStatus.RUNNING);
                } finally {
                    pg.startAgain();
                }

                AgentInfo done = agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(3));
                assertThat(done.machineId().orElseThrow()).isEqualTo(machineId);
                assertThat(store.available()).isTrue();
                List<AgentEvent> all = store.events(agent.id(), 0, 100_000);
                for (int i = 0; i < all.size(); i++) {
                    assertThat(all.get(i).sequence()).as("event %d", i).isEqualTo(i + 1L);
                }
                assertThat(all.subList(0, before.size())).as("the events stored before the outage").isEqualTo(before);
                assertThat(all).as("the output written during the outage, once")
                        .filteredOn(e -> e instanceof AgentEvent.CommandOutput o && o.line().equals("after-go")).hasSize(1);
                assertThat(all).filteredOn(e -> e instanceof AgentEvent.StatusChanged s && AgentStatus.FINISHED.equals(s.to()))
                        .hasSize(1);
                assertThat(store.get(agent.id()).orElseThrow().status()).isEqualTo(AgentStatus.FINISHED);
            } finally {
                ns.closeAndRemoveMachines();
                runtime.snapshots(Map.of("dev.nightshift.env.repository", remote)).forEach(s -> runtime.deleteSnapshot(s.id()));
                if (agentId[0] != null) {
                    runtime.snapshots(Map.of("dev.nightshift.agent", agentId[0])).forEach(s -> runtime.deleteSnapshot(s.id()));
                    assertThat(runtime.machines(Map.of("dev.nightshift.agent", agentId[0]))).as("machines left").isEmpty();
                }
            }
        }
    }
}
