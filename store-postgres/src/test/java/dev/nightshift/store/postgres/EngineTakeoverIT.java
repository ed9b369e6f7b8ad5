package dev.nightshift.store.postgres;

import static dev.nightshift.store.postgres.EngineProcess.b64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.docker.DockerRuntime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two engine processes share one PostgreSQL database and one Docker engine. Engine A drives two
 * agents: one finished with its machine still up, one mid-turn (its script blocks reading a fifo
 * nothing writes). A is SIGKILLed; once its leases expire, engine B's sweep takes both agents over:
 * B holds their leases, adopts their machines (B's close removes them, which it could not do for
 * machines it never adopted), moves the interrupted agent to ERROR, and runs a follow-up of the
 * finished one on the same machine. Every event stored before the kill is still there once, and
 * each agent's sequence numbers run 1..n without a gap.
 */
class EngineTakeoverIT {
    @TempDir
    Path dir;

    @Test
    void anEngineTakesOverTheAgentsOfAKilledEngineWithoutLosingOrRepeatingAnEvent() throws Exception {
        DockerRuntime runtime = PostgresStoreEngineIT.docker();
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase();
        String remote = PostgresStoreEngineIT.bareRemote(dir);
        Path state = dir.resolve("state");
        String idle = "takeover-idle-" + ProcessHandle.current().pid();
        String busy = "takeover-busy-" + ProcessHandle.current().pid();
        try (runtime; PostgresAgentStore reader = pg.store(url).open();
                EngineProcess a = EngineProcess.start(pg, url, state, dir.resolve("mirrors-a"), dir.resolve("a.log"), "PT5S");
                EngineProcess b = EngineProcess.start(pg, url, state, dir.resolve("mirrors-b"), dir.resolve("b.log"), "PT5S")) {
            try {
                a.call("spawn " + idle + " " + remote + " " + b64("echo first > FIRST.md\necho 'SUMMARY: first'"),
                        "SPAWNED", Duration.ofSeconds(30));
                String idleMachine = a.call("await " + idle + " FINISHED", "STATUS " + idle + " FINISHED",
                        Duration.ofMinutes(4)).split(" ")[3];
                a.call("spawn " + busy + " " + remote + " " + b64("mkfifo /tmp/go\necho waiting-for-go\nread x < /tmp/go"),
                        "SPAWNED", Duration.ofSeconds(30));
                awaitEvent(reader, busy, e -> e instanceof AgentEvent.CommandOutput o && o.line().equals("waiting-for-go"),
                        Duration.ofMinutes(4));
                List<AgentEvent> idleBefore = reader.events(idle, 0, 100_000);
                List<AgentEvent> busyBefore = reader.events(busy, 0, 100_000);
                assertThat(reader.get(busy).orElseThrow().status()).isEqualTo(AgentStatus.RUNNING);

                a.kill();

                for (String id : List.of(idle, busy)) {
                    AgentEvent w = awaitEvent(reader, id, EngineTakeoverIT::takeOverWarning, Duration.ofMinutes(2));
                    assertThat(((AgentEvent.Warning) w).message()).as("the warning names engine B")
                            .contains(":" + b.pid + ":");
                    assertThat(leaseOwner(pg, url, id)).as("lease of %s", id).contains(":" + b.pid + ":");
                }
                awaitEvent(reader, busy, e -> e instanceof AgentEvent.StatusChanged s && AgentStatus.ERROR.equals(s.to()),
                        Duration.ofSeconds(30));

                // B drives the finished agent now: a follow-up runs on the machine A started
                b.call("followup " + idle + " " + b64("cat FIRST.md\necho 'SUMMARY: second'"), "FOLLOWED", Duration.ofSeconds(30));
                awaitEvent(reader, idle, e -> e instanceof AgentEvent.StatusChanged s && AgentStatus.RUNNING.equals(s.to())
                        && s.sequence() > idleBefore.size(), Duration.ofSeconds(60));
                String after = b.call("await " + idle + " FINISHED", "STATUS " + idle + " FINISHED", Duration.ofMinutes(3));
                assertThat(after.split(" ")[3]).as("the follow-up ran on A's machine").isEqualTo(idleMachine);
                assertThat(reader.events(idle, 0, 100_000)).as("the follow-up's output")
                        .anyMatch(e -> e instanceof AgentEvent.CommandOutput o && o.line().equals("first"));

                for (String id : List.of(idle, busy)) {
                    List<AgentEvent> all = reader.events(id, 0, 100_000);
                    for (int i = 0; i < all.size(); i++) {
                        assertThat(all.get(i).sequence()).as("%s: event %d", id, i).isEqualTo(i + 1L);
                    }
                    List<AgentEvent> before = id.equals(idle) ? idleBefore : busyBefore;
                    assertThat(all.subList(0, before.size())).as("%s: the events stored before the kill", id)
                            .isEqualTo(before);
                    assertThat(all).as("%s: taken over once", id).filteredOn(EngineTakeoverIT::takeOverWarning).hasSize(1);
                    assertThat(all.get(before.size())).as("%s: the first event after the kill", id)
                            .matches(EngineTakeoverIT::takeOverWarning);
                }
                assertThat(reader.get(busy).orElseThrow().status()).isEqualTo(AgentStatus.ERROR);

                b.call("close", "CLOSED", Duration.ofMinutes(2));
                assertThat(runtime.machines(Map.of("dev.nightshift.agent", idle))).as("B removed the idle agent's machine")
                        .isEmpty();
                assertThat(runtime.machines(Map.of("dev.nightshift.agent", busy))).as("B removed the busy agent's machine")
                        .isEmpty();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n--- engine A log:\n" + a.log() + "\n--- engine B log:\n" + b.log(), e);
            } finally {
                for (String id : List.of(idle, busy)) {
                    runtime.machines(Map.of("dev.nightshift.agent", id))
                            .forEach(m -> runtime.attach(m.id()).ifPresent(x -> x.close()));
                    runtime.snapshots(Map.of("dev.nightshift.agent", id)).forEach(s -> runtime.deleteSnapshot(s.id()));
                }
                runtime.snapshots(Map.of("dev.nightshift.env.repository", remote)).forEach(s -> runtime.deleteSnapshot(s.id()));
            }
        }
    }

    private static boolean takeOverWarning(AgentEvent e) {
        return e instanceof AgentEvent.Warning w && w.code().equals("lease-taken-over");
    }

    /** Waits (woken by NOTIFY) for an event of {@code agentId} that matches; returns it. */
    static AgentEvent awaitEvent(PostgresAgentStore store, String agentId, Predicate<AgentEvent> wanted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long after = 0;
        List<AgentEvent> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            for (AgentEvent e : store.awaitEvents(agentId, after, 1000, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                if (wanted.test(e)) {
                    return e;
                }
                seen.add(e);
                after = e.sequence();
            }
        }
        throw new AssertionError("no such event of " + agentId + " in " + timeout + "; the last seen: "
                + seen.subList(Math.max(0, seen.size() - 15), seen.size()));
    }

    static String leaseOwner(TestPostgres pg, String url, String agentId) throws Exception {
        try (Connection c = DriverManager.getConnection(url, pg.credentials());
                PreparedStatement ps = c.prepareStatement("select owner from leases where agent_id = ?")) {
            ps.setString(1, agentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "(no lease)";
            }
        }
    }
}
