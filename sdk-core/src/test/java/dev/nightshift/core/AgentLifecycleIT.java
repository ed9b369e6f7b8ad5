package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.Session;
import dev.nightshift.api.TurnResult;
import dev.nightshift.api.runtime.TerminalInfo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The agent lifecycle on the real Docker runtime with real bare remotes: idle hibernation and
 * restore, retention and tombstones, the running-machine cap and the machine-seconds budget, the
 * agent id in the logging context, and cancel.
 */
class AgentLifecycleIT extends DockerEngineTest {
    static final Duration WAIT = AgentEngineIT.WAIT;

    /** The engine tests' project: a start that launches a heartbeat service and counts its runs, one terminal. */
    static Map<String, String> project(String marker) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("README.md", "# project " + marker + "\n");
        f.put(".gitignore", ".deps/\nscratch/\n");
        f.put(".cursor/environment.json", "{\n"
                + "  // " + marker + "\n"
                + "  \"install\": \"mkdir -p .deps; echo install-ok\",\n"
                + "  \"start\": \"echo start >> /tmp/starts; (setsid nohup bash -c 'while :; do date +%s > /tmp/heartbeat; sleep 1; done' >/dev/null 2>&1 &); echo started\",\n"
                + "  \"terminals\": [ { \"name\": \"logs\", \"command\": \"echo terminal-up; tail -f /dev/null\" } ]\n"
                + "}\n");
        return f;
    }

    Nightshift.Builder engineBuilder(String name, Limits limits) {
        return Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve(name))
                .limits(limits.withInstallTimeout(Duration.ofSeconds(60)));
    }

    static Limits limits() {
        return Limits.DEFAULT.withTurnTimeout(Duration.ofSeconds(90));
    }

    static String exec(Session s, String script) {
        return AgentEngineIT.exec(s, script).strip();
    }

    static CountDownLatch onMachineChange(Agent a, String change, AtomicReference<AgentEvent.MachineChanged> seen) {
        CountDownLatch latch = new CountDownLatch(1);
        a.addListener(e -> {
            if (e instanceof AgentEvent.MachineChanged m && m.change().equals(change)) {
                seen.compareAndSet(null, m);
                latch.countDown();
            }
        }, 0);
        return latch;
    }

    static CountDownLatch onWarning(Agent a, String code, List<AgentEvent.Warning> seen) {
        CountDownLatch latch = new CountDownLatch(1);
        a.addListener(e -> {
            if (e instanceof AgentEvent.Warning w && w.code().equals(code)) {
                seen.add(w);
                latch.countDown();
            }
        }, 0);
        return latch;
    }

    // ---------------------------------------------------------------- hibernation

    @Test
    void anIdleMachineHibernatesAndAFollowUpRestoresItWithServicesAndWorkspace() {
        TestRemote remote = TestRemote.create(dir, project("hibernate-" + System.nanoTime()));
        Map<Integer, Map<String, String>> seen = new ConcurrentHashMap<>();
        ProgrammableDriver probe = ProgrammableDriver.of("probe", (turn, ctx) -> {
            Session s = ctx.session();
            Map<String, String> m = new LinkedHashMap<>();
            m.put("machine", s.machine().id());
            m.put("starts", exec(s, "wc -l < /tmp/starts"));
            m.put("heartbeat", exec(s, "cat /tmp/heartbeat"));
            m.put("heartbeat-alive", exec(s, "grep -l 'date +%s [>] /tmp/heartbeat' /proc/[0-9]*/cmdline 2>/dev/null | grep -q . && echo alive || echo dead"));
            m.put("terminals", String.join(",", s.machine().terminals().list().stream()
                    .filter(TerminalInfo::running).map(TerminalInfo::name).toList()));
            if (turn.number() == 1) {
                exec(s, "mkdir -p scratch && echo before-hibernation > scratch/note.txt && echo one > one.txt");
            } else {
                m.put("note", exec(s, "cat scratch/note.txt"));
                exec(s, "cp scratch/note.txt seen.txt");
            }
            seen.put(turn.number(), m);
            return TurnResult.of("probe turn " + turn.number());
        });
        Limits limits = limits().withIdleHibernateAfter(Duration.ofSeconds(1));
        try (Nightshift ns = engineBuilder("state", limits).driver(probe).sweepInterval(Duration.ofMillis(200)).build()) {
            Agent a = ns.spawn(AgentRequest.builder("probe", remote.url()).driver("probe").build());
            AtomicReference<AgentEvent.MachineChanged> hibernated = new AtomicReference<>();
            CountDownLatch hibernatedLatch = onMachineChange(a, "hibernated", hibernated);
            AtomicReference<AgentEvent.MachineChanged> restored = new AtomicReference<>();
            CountDownLatch restoredLatch = onMachineChange(a, "restored", restored);

            AgentInfo first = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(first.status()).as("error: %s", first.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(AgentEngineIT.await(hibernatedLatch)).as("the idle machine is hibernated").isTrue();

            Map<String, String> before = seen.get(1);
            assertThat(before.get("starts")).isEqualTo("1");
            assertThat(before.get("heartbeat-alive")).isEqualTo("alive");
            assertThat(before.get("terminals")).isEqualTo("logs");
            AgentEvent.MachineChanged h = hibernated.get();
            assertThat(h.machineId()).isEqualTo(before.get("machine"));
            assertThat(h.snapshotId()).isNotBlank();
            AgentInfo asleep = a.info();
            assertThat(asleep.hibernated()).isTrue();
            assertThat(asleep.machineId()).isEmpty();
            assertThat(asleep.snapshotId().orElseThrow()).isEqualTo(h.snapshotId());
            assertThat(asleep.status()).isEqualTo(AgentStatus.FINISHED);
            assertThat(runtime.attach(h.machineId())).as("the hibernated machine is removed").isEmpty();
            assertThat(a.session()).isEmpty();

            a.followUp("probe again");
            AgentInfo second = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(second.status()).as("error: %s", second.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(AgentEngineIT.await(restoredLatch)).isTrue();
            assertThat(restored.get().snapshotId()).as("restored from the hibernation snapshot").isEqualTo(h.snapshotId());

            Map<String, String> after = seen.get(2);
            assertThat(after.get("machine")).as("a new machine").isNotEqualTo(before.get("machine"))
                    .isEqualTo(restored.get().machineId());
            assertThat(after.get("starts")).as("start ran again on the restored machine").isEqualTo("2");
            assertThat(after.get("heartbeat-alive")).as("the heartbeat service runs again").isEqualTo("alive");
            assertThat(Long.parseLong(after.get("heartbeat"))).as("the heartbeat is fresh")
                    .isGreaterThanOrEqualTo(restored.get().time().getEpochSecond());
            assertThat(after.get("terminals")).as("the terminal runs again").isEqualTo("logs");
            assertThat(after.get("note")).as("uncommitted work survives hibernation").isEqualTo("before-hibernation");

            assertThat(remote.show(second.branch().orElseThrow(), "seen.txt")).isEqualTo("before-hibernation\n");
            assertThat(remote.show(second.branch().orElseThrow(), "one.txt")).isEqualTo("one\n");
            assertThat(remote.head(second.branch().orElseThrow())).isEqualTo(second.commit().orElseThrow());
            assertThat(remote.log(second.branch().orElseThrow())).startsWith("probe turn 2", "probe turn 1");

            a.delete();
            assertThat(runtime.snapshots(Map.of("dev.nightshift.agent", a.id()))).isEmpty();
            assertThat(runtime.machines(Map.of("dev.nightshift.agent", a.id()))).isEmpty();
            ns.closeAndRemoveMachines();
        }
    }

    // ---------------------------------------------------------------- retention

    /** The system clock moved forward by a settable amount. */
    static final class ShiftedClock extends Clock {
        final AtomicReference<Duration> shift = new AtomicReference<>(Duration.ZERO);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(shift.get());
        }
    }

    @Test
    void anAgentPastTheRetentionWindowIsPurgedToATombstone() {
        TestRemote remote = TestRemote.create(dir, project("retention"));
        ShiftedClock clock = new ShiftedClock();
        Limits limits = limits().withRetention(Duration.ofHours(1)).withIdleHibernateAfter(Duration.ofDays(1));
        try (Nightshift ns = engineBuilder("state", limits).clock(clock).sweepInterval(Duration.ofMillis(200)).build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo kept > kept.txt", remote.url()).build());
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            String machineId = done.machineId().orElseThrow();
            assertThat(runtime.attach(machineId)).isPresent();

            // control: inside the window nothing expires
            assertThat(ns.gc().agentsExpired()).isZero();
            assertThat(a.status()).isEqualTo(AgentStatus.FINISHED);

            clock.shift.set(Duration.ofHours(2));
            AgentInfo tomb = a.awaitStatus(AgentStatus.EXPIRED, WAIT);
            assertThat(tomb.status()).isEqualTo(AgentStatus.EXPIRED);
            assertThat(tomb.machineId()).isEmpty();
            assertThat(tomb.snapshotId()).isEmpty();
            assertThat(tomb.hibernated()).isFalse();
            assertThat(tomb.request().prompt()).as("the tombstone keeps no prompt").isEqualTo("[expired]");
            assertThat(tomb.request().repository()).as("but still lists under its repository").isEqualTo(remote.url());
            assertThat(runtime.attach(machineId)).as("the machine is gone").isEmpty();
            assertThat(runtime.machines(Map.of("dev.nightshift.agent", a.id()))).isEmpty();
            assertThat(a.events(0, 10_000)).as("events are purged").isEmpty();
            assertThat(a.conversation()).as("the conversation is purged").isEmpty();
            assertThat(ns.list(AgentQuery.all()).items()).filteredOn(i -> i.id().equals(a.id()))
                    .extracting(AgentInfo::status).containsExactly(AgentStatus.EXPIRED);
            assertThat(ns.agent(a.id()).status()).isEqualTo(AgentStatus.EXPIRED);
            assertThat(remote.show(done.branch().orElseThrow(), "kept.txt")).as("the pushed branch stays").isEqualTo("kept\n");

            assertThatThrownBy(() -> a.followUp("echo more")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining(a.id()).hasMessageContaining("EXPIRED").hasMessageContaining("no follow-up");
            assertThat(ns.gc().agentsExpired()).as("a tombstone does not expire again").isZero();
            ns.closeAndRemoveMachines();
        }
    }

    // ---------------------------------------------------------------- limits

    @Test
    void spawnsBeyondTheMachineCapQueueInOrderAndStartWhenASlotIsReleased() {
        TestRemote remote = TestRemote.create(dir, project("cap"));
        try (Nightshift ns = engineBuilder("state", limits().withMaxRunningMachines(1)).build()) {
            Agent first = ns.spawn(AgentRequest.builder("echo first > first.txt", remote.url()).build());
            AgentInfo firstDone = first.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(firstDone.status()).as("error: %s", firstDone.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(firstDone.machineId()).as("the finished agent keeps its machine").isPresent();

            List<AgentEvent.Warning> warnings = new CopyOnWriteArrayList<>();
            Agent second = ns.spawn(AgentRequest.builder("echo second > second.txt", remote.url()).build());
            assertThat(AgentEngineIT.await(onWarning(second, "queued", warnings))).as("the second spawn queues").isTrue();
            Agent third = ns.spawn(AgentRequest.builder("echo third > third.txt", remote.url()).build());
            assertThat(AgentEngineIT.await(onWarning(third, "queued", warnings))).as("the third spawn queues").isTrue();
            assertThat(warnings).extracting(AgentEvent.Warning::agentId).containsExactly(second.id(), third.id());
            assertThat(warnings.get(0).message()).contains("waiting for a machine", "1 are running");
            assertThat(second.status()).isEqualTo(AgentStatus.CREATING);
            assertThat(second.info().machineId()).isEmpty();
            assertThat(third.info().machineId()).isEmpty();

            first.delete(); // releases the only slot: the head of the queue takes it
            AgentInfo secondDone = second.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(secondDone.status()).as("error: %s", secondDone.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(third.status()).as("the third waits while the second holds the machine").isEqualTo(AgentStatus.CREATING);
            assertThat(third.info().machineId()).isEmpty();
            assertThat(runtime.attach(firstDone.machineId().orElseThrow())).isEmpty();

            second.stop(); // a stopped agent keeps its machine: still no slot
            assertThat(second.awaitStatus(AgentStatus.STOPPED, WAIT).status()).isEqualTo(AgentStatus.STOPPED);
            assertThat(third.status()).isEqualTo(AgentStatus.CREATING);
            second.cancel(); // removes the machine and frees the slot
            assertThat(second.awaitStatus(AgentStatus.CANCELLED, WAIT).machineId()).isEmpty();
            AgentInfo thirdDone = third.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(thirdDone.status()).as("error: %s", thirdDone.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(remote.show(secondDone.branch().orElseThrow(), "second.txt")).isEqualTo("second\n");
            assertThat(remote.show(thirdDone.branch().orElseThrow(), "third.txt")).isEqualTo("third\n");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void aSpawnQueuedLongerThanTheMachineWaitFailsNamingTheLimit() {
        TestRemote remote = TestRemote.create(dir, project("machine-wait"));
        try (Nightshift ns = engineBuilder("state", limits().withMaxRunningMachines(1))
                .timeouts(Timeouts.DEFAULT.withMachineWait(Duration.ofSeconds(2))).build()) {
            Agent first = ns.spawn(AgentRequest.builder("echo first > first.txt", remote.url()).build());
            assertThat(first.awaitStatus(AgentStatus.FINISHED, WAIT).machineId()).as("it keeps the only slot").isPresent();
            Agent second = ns.spawn(AgentRequest.builder("echo second > second.txt", remote.url()).build());
            AgentInfo failed = second.awaitStatus(AgentStatus.ERROR, WAIT);
            assertThat(failed.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(failed.error().orElseThrow()).contains("no machine came free within PT2S", "1 running",
                    "Timeouts.machineWait");
            assertThat(failed.machineId()).isEmpty();
            assertThat(first.info().status()).as("the first is untouched").isEqualTo(AgentStatus.FINISHED);
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void theMachineSecondsBudgetEndsALongTurn() {
        TestRemote remote = TestRemote.create(dir, project("budget"));
        Limits limits = limits().withMachineSecondsBudget(Duration.ofSeconds(30));
        try (Nightshift ns = engineBuilder("state", limits).build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo working > w.txt\nsleep 600", remote.url()).build());
            AgentInfo ended = a.awaitStatus(AgentStatus.ERROR, WAIT);
            assertThat(ended.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(ended.error().orElseThrow()).as("the error names the budget, not the 90 s turn timeout")
                    .contains("machine-seconds budget").contains("PT30S").doesNotContain("turn timeout");
            assertThat(a.events(0, 100_000)).as("the long turn ran").anyMatch(e -> e instanceof AgentEvent.CommandStarted c
                    && c.command().contains("sleep 600"));
            assertThat(ended.usage().totalMachineSeconds()).isGreaterThanOrEqualTo(25.0).isLessThan(85.0);
            assertThat(remote.show(ended.branch().orElseThrow(), "w.txt")).as("work before the budget ran out is handed off")
                    .isEqualTo("working\n");
            assertThatThrownBy(() -> a.followUp("echo more")).isInstanceOf(ConflictException.class);
            ns.closeAndRemoveMachines();
        }
    }

    // ---------------------------------------------------------------- logging context

    @Test
    void theAgentIdIsInTheLoggingContextOfItsTurn() {
        TestRemote remote = TestRemote.create(dir, project("mdc"));
        ProgrammableDriver mdc = ProgrammableDriver.of("mdc", (turn, ctx) ->
                TurnResult.of("mdc=" + MDC.get("agentId") + " ctx=" + ctx.agentId()));
        try (Nightshift ns = engineBuilder("state", limits()).driver(mdc).build()) {
            Agent a = ns.spawn(AgentRequest.builder("one", remote.url()).driver("mdc").build());
            Agent b = ns.spawn(AgentRequest.builder("two", remote.url()).driver("mdc").build());
            AgentInfo aDone = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            AgentInfo bDone = b.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(aDone.summary().orElseThrow()).isEqualTo("mdc=" + a.id() + " ctx=" + a.id());
            assertThat(bDone.summary().orElseThrow()).isEqualTo("mdc=" + b.id() + " ctx=" + b.id());
            a.followUp("again");
            assertThat(a.awaitStatus(AgentStatus.FINISHED, WAIT).summary().orElseThrow()).isEqualTo("mdc=" + a.id() + " ctx=" + a.id());
            assertThat(MDC.get("agentId")).as("nothing leaks to the caller's thread").isNull();
            ns.closeAndRemoveMachines();
        }
    }

    // ---------------------------------------------------------------- stop before the machine

    @Test
    void aFollowUpAfterAStopDuringTheBuildCreatesTheAgentAnew() throws InterruptedException {
        TestRemote remote = TestRemote.create(dir, project("stop-in-build"));
        GatedRuntime gated = new GatedRuntime(runtime);
        try (Nightshift ns = Nightshift.builder().runtime(gated).stateDirectory(dir.resolve("state"))
                .limits(limits().withInstallTimeout(Duration.ofSeconds(60))).build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo one > one.txt", remote.url()).build());
            assertThat(gated.reached(120)).as("the agent reached its build").isTrue();
            a.stop();
            gated.open();
            AgentInfo stopped = a.awaitStatus(AgentStatus.STOPPED, WAIT);
            assertThat(stopped.status()).as("error: %s", stopped.error()).isEqualTo(AgentStatus.STOPPED);
            assertThat(stopped.machineId()).as("stopped before any machine started").isEmpty();

            a.followUp("echo two > two.txt");
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(remote.show(done.branch().orElseThrow(), "two.txt")).isEqualTo("two\n");
            assertThat(remote.show(done.branch().orElseThrow(), ".cursor/environment.json")).contains("stop-in-build");
            assertThat(a.events(0, 100_000)).as("start ran on the machine created for the follow-up")
                    .anyMatch(e -> e instanceof AgentEvent.CommandOutput o && o.phase().equals("start")
                            && o.line().equals("started"));
            ns.closeAndRemoveMachines();
        }
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancelDuringATurnRemovesTheMachineAndRefusesFollowUps() {
        TestRemote remote = TestRemote.create(dir, project("cancel"));
        try (Nightshift ns = engineBuilder("state", limits()).build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo c-written\nsleep 600", remote.url()).build());
            CountDownLatch sleeping = new CountDownLatch(1);
            a.addListener(e -> {
                if (e instanceof AgentEvent.CommandOutput o && o.line().equals("c-written")) {
                    sleeping.countDown();
                }
            }, 0);
            assertThat(AgentEngineIT.await(sleeping)).as("the turn started").isTrue();
            String machineId = a.info().machineId().orElseThrow();
            assertThat(machineId).isNotNull();
            a.cancel();
            AgentInfo cancelled = a.awaitStatus(AgentStatus.CANCELLED, WAIT);
            assertThat(cancelled.status()).isEqualTo(AgentStatus.CANCELLED);
            assertThat(cancelled.machineId()).isEmpty();
            assertThat(runtime.attach(machineId)).as("the machine is removed").isEmpty();
            assertThat(runtime.machines(Map.of("dev.nightshift.agent", a.id()))).isEmpty();
            assertThat(a.session()).isEmpty();
            assertThatThrownBy(() -> a.followUp("echo more")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("CANCELLED").hasMessageContaining("no follow-up");
            assertThat(a.status()).isEqualTo(AgentStatus.CANCELLED);
            ns.closeAndRemoveMachines();
        }
    }
}
