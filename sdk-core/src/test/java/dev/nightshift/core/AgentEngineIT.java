package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Session;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The engine end to end on the real Docker runtime with real bare remotes: build and snapshot
 * cache, install/start/terminals, turns, follow-ups, stop and resume, take-over, promotion,
 * delete, concurrency, and the bad inputs.
 */
class AgentEngineIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(3);

    /** A repository whose install counts its slow runs outside the workspace and skips them when its output exists. */
    static Map<String, String> project(String marker) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("README.md", "# project " + marker + "\n");
        f.put(".gitignore", ".deps/\n");
        f.put(".cursor/environment.json", "{\n"
                + "  // " + marker + "\n"
                + "  \"install\": \"if [ ! -f .deps/done ]; then echo slow >> $HOME/slow-runs; sleep 1; mkdir -p .deps; touch .deps/done; fi; echo install-ok\",\n"
                + "  \"start\": \"(setsid nohup bash -c 'while :; do date > /tmp/heartbeat; sleep 1; done' >/dev/null 2>&1 &); echo started\",\n"
                + "  \"terminals\": [ { \"name\": \"logs\", \"command\": \"echo terminal-up; tail -f /dev/null\" } ]\n"
                + "}\n");
        return f;
    }

    Nightshift.Builder engineBuilder(String name) {
        return Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve(name))
                .limits(Limits.DEFAULT.withInstallTimeout(Duration.ofSeconds(60)).withTurnTimeout(Duration.ofSeconds(90)));
    }

    static String exec(Session s, String script) {
        ExecResult r = s.machine().exec(ExecRequest.bash(script).workdir(s.workspace()).user(s.user()).build()).await();
        assertThat(r.exitCode()).as("%s: %s", script, r.stderrTail()).isZero();
        return r.stdoutTail();
    }

    @Test
    void spawnBuildsRunsHandsOffThenHitsTheSnapshotAndFollowsUp() throws Exception {
        TestRemote remote = TestRemote.create(dir, project("e2e-" + System.nanoTime()));
        try (Nightshift ns = engineBuilder("state").build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo hello > hello.txt\necho 'SUMMARY: said hello'", remote.url()).build());
            assertThat(a.status()).isEqualTo(AgentStatus.CREATING);
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(done.branch().orElseThrow()).startsWith("nightshift/");
            assertThat(remote.branches()).contains(done.branch().orElseThrow());
            assertThat(remote.show(done.branch().orElseThrow(), "hello.txt")).isEqualTo("hello\n");
            assertThat(remote.log(done.branch().orElseThrow()).get(0)).isEqualTo("said hello");
            assertThat(remote.head(done.branch().orElseThrow())).isEqualTo(done.commit().orElseThrow());

            Session s = a.session().orElseThrow();
            assertThat(exec(s, "cat $HOME/slow-runs | wc -l").strip()).isEqualTo("1");
            assertThat(exec(s, "test -s /tmp/heartbeat && echo service-up").strip()).isEqualTo("service-up");
            assertThat(s.machine().terminals().list()).extracting(t -> t.name()).contains("logs");
            assertThat(a.conversation()).extracting(m -> m.text()).containsExactly(
                    "echo hello > hello.txt\necho 'SUMMARY: said hello'", "said hello");

            Agent b = ns.spawn(AgentRequest.builder("echo second > second.txt", remote.url()).build());
            AgentInfo bDone = b.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(bDone.status()).as("error: %s", bDone.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(exec(b.session().orElseThrow(), "cat $HOME/slow-runs | wc -l").strip())
                    .as("the second agent starts from the snapshot: the slow install ran once").isEqualTo("1");
            assertThat(b.events(0, 10_000)).filteredOn(e -> e instanceof AgentEvent.BuildOutput)
                    .extracting(e -> ((AgentEvent.BuildOutput) e).line()).anyMatch(l -> l.contains("using snapshot"));
            assertThat(bDone.branch()).isNotEqualTo(done.branch());

            a.followUp("echo again >> hello.txt\necho 'SUMMARY: said it again'");
            assertThat(a.status()).isEqualTo(AgentStatus.RUNNING);
            AgentInfo followed = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(followed.status()).as("error: %s", followed.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(remote.show(done.branch().orElseThrow(), "hello.txt")).isEqualTo("hello\nagain\n");
            assertThat(remote.log(done.branch().orElseThrow())).startsWith("said it again", "said hello");

            List<Long> seqs = a.events(0, 100_000).stream().map(AgentEvent::sequence).toList();
            assertThat(seqs).as("sequence numbers grow by one").isEqualTo(
                    java.util.stream.LongStream.rangeClosed(1, seqs.size()).boxed().toList());
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void stopInterruptsAndAFollowUpResumes() {
        TestRemote remote = TestRemote.create(dir, project("stop"));
        try (Nightshift ns = engineBuilder("state").build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo started > s.txt && echo s-written\nsleep 600", remote.url()).build());
            CountDownLatch sleeping = new CountDownLatch(1);
            a.addListener(e -> {
                if (e instanceof AgentEvent.CommandOutput o && o.line().equals("s-written")) {
                    sleeping.countDown();
                }
            }, 0);
            assertThat(await(sleeping)).as("the turn started").isTrue();
            a.stop();
            AgentInfo stopped = a.awaitStatus(AgentStatus.STOPPED, WAIT);
            assertThat(stopped.status()).isEqualTo(AgentStatus.STOPPED);
            assertThat(remote.show(stopped.branch().orElseThrow(), "s.txt")).as("work before the stop is handed off").isEqualTo("started\n");

            a.followUp("echo resumed > r.txt");
            AgentInfo resumed = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(resumed.status()).as("error: %s", resumed.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(remote.show(resumed.branch().orElseThrow(), "r.txt")).isEqualTo("resumed\n");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void aHumanTakesOverBetweenCheckpointsAndTheChangeIsPushed() throws Exception {
        TestRemote remote = TestRemote.create(dir, project("takeover"));
        try (Nightshift ns = engineBuilder("state").build()) {
            // Take-over lands while the first step runs (after the driver passed its first checkpoint);
            // that step cannot end before the human opens its gate, so the driver then meets the
            // second checkpoint taken over, every time.
            String gate = "/tmp/nightshift-takeover-gate";
            String prompt = "echo agent-before > before.txt\nuntil [ -f " + gate + " ]; do sleep 0.1; done\n"
                    + "echo first-step-done\n# checkpoint\ncat human.txt > seen-by-agent.txt";
            Agent a = ns.spawn(AgentRequest.builder(prompt, remote.url()).build());
            CountDownLatch firstStepStarted = new CountDownLatch(1);
            CountDownLatch firstStepEnded = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean sawFirstStepOutput = new java.util.concurrent.atomic.AtomicBoolean();
            try (var sub = a.addListener(e -> {
                if (e instanceof AgentEvent.CommandStarted c && "turn".equals(c.phase()) && c.command().contains("agent-before")) {
                    firstStepStarted.countDown();
                } else if (e instanceof AgentEvent.CommandOutput o && o.line().contains("first-step-done")) {
                    sawFirstStepOutput.set(true);
                } else if (e instanceof AgentEvent.CommandFinished f && "turn".equals(f.phase()) && sawFirstStepOutput.get()) {
                    firstStepEnded.countDown();
                }
            }, 0)) {
                assertThat(firstStepStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the first step to start").isTrue();
                TakeOver t = a.takeOver();
                assertThat(t.attach().command()).contains("tmux", "attach");
                exec(t.session(), "touch " + gate);
                // The event that proves the driver is past its first step: its next call is the checkpoint.
                assertThat(firstStepEnded.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .as("the first step to end after the human opened the gate").isTrue();
                exec(t.session(), "echo from-the-human > human.txt");
                assertThat(a.status()).isIn(AgentStatus.RUNNING);
                assertThat(a.events(0, 100_000)).as("the step after the checkpoint waits for the hand-back")
                        .noneMatch(e -> e instanceof AgentEvent.CommandStarted c && c.command().contains("cat human.txt"));
                a.handBack();
            }
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(remote.show(done.branch().orElseThrow(), "before.txt")).isEqualTo("agent-before\n");
            assertThat(remote.show(done.branch().orElseThrow(), "human.txt")).isEqualTo("from-the-human\n");
            assertThat(remote.show(done.branch().orElseThrow(), "seen-by-agent.txt")).isEqualTo("from-the-human\n");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void promotionIsAllowedOnTheDefaultBaseAndRefusedOnAnImageBase() {
        TestRemote remote = TestRemote.create(dir, project("promote"));
        try (Nightshift ns = engineBuilder("state").build()) {
            Agent a = ns.spawn(AgentRequest.builder("sudo touch /opt/set-up-by-agent", remote.url()).build());
            assertThat(a.awaitStatus(AgentStatus.FINISHED, WAIT).status()).isEqualTo(AgentStatus.FINISHED);
            String snapshot = a.promoteSnapshot();
            assertThat(snapshot).startsWith("snapshot-");
            Agent b = ns.spawn(AgentRequest.builder("test -f /opt/set-up-by-agent", remote.url()).build());
            AgentInfo bDone = b.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(bDone.status()).as("the next agent starts from the promoted snapshot: %s", bDone.error())
                    .isEqualTo(AgentStatus.FINISHED);
            ns.closeAndRemoveMachines();
        }
        TestRemote imageBased = TestRemote.create(dir.resolve("img"), Map.of(".cursor/environment.json",
                "{\"image\": \"" + TestRuntime.BASE_IMAGE + "\", \"user\": \"ubuntu\"}"));
        try (Nightshift ns = engineBuilder("state2").build()) {
            Agent c = ns.spawn(AgentRequest.builder("true", imageBased.url()).build());
            assertThat(c.awaitStatus(AgentStatus.FINISHED, WAIT).status()).isEqualTo(AgentStatus.FINISHED);
            assertThatThrownBy(c::promoteSnapshot).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("does not let agents update the snapshot");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void deleteLeavesNothingBehind() {
        TestRemote remote = TestRemote.create(dir, project("delete"));
        try (Nightshift ns = engineBuilder("state").build()) {
            Agent a = ns.spawn(AgentRequest.builder("true", remote.url()).build());
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            String machineId = done.machineId().orElseThrow();
            assertThat(runtime.attach(machineId)).isPresent();
            a.delete();
            assertThat(runtime.attach(machineId)).isEmpty();
            assertThat(runtime.machines(Map.of("dev.nightshift.agent", a.id()))).isEmpty();
            assertThat(runtime.snapshots(Map.of("dev.nightshift.agent", a.id()))).isEmpty();
            assertThat(dir.resolve("state/agents/" + a.id())).doesNotExist();
            assertThatThrownBy(a::info).isInstanceOf(NotFoundException.class);
            assertThat(ns.get(a.id())).isEmpty();
        }
    }

    @Test
    void eightAgentsAtOnceAllFinish() {
        TestRemote remote = TestRemote.create(dir, project("eight"));
        try (Nightshift ns = engineBuilder("state").limits(Limits.DEFAULT.withMaxRunningMachines(8)
                .withInstallTimeout(Duration.ofSeconds(120))).build()) {
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                agents.add(ns.spawn(AgentRequest.builder("echo " + i + " > n.txt", remote.url()).build()));
            }
            for (Agent a : agents) {
                AgentInfo i = a.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(6));
                assertThat(i.status()).as("%s: %s", a.id(), i.error()).isEqualTo(AgentStatus.FINISHED);
            }
            assertThat(remote.branches()).hasSize(9);
            long builders = agents.stream().filter(a -> a.events(0, 10_000).stream().anyMatch(e ->
                    e instanceof AgentEvent.BuildOutput b && b.line().contains(": building from"))).count();
            assertThat(builders).as("concurrent spawns for one key share one build").isEqualTo(1);
            assertThat(exec(agents.get(7).session().orElseThrow(), "cat $HOME/slow-runs | wc -l").strip()).isEqualTo("1");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void spawnIsIdempotentOnAClientChosenIdAndAConflictingRequestIsRefused() {
        TestRemote remote = TestRemote.create(dir, project("idempotent"));
        try (Nightshift ns = engineBuilder("state").build()) {
            AgentRequest request = AgentRequest.builder("echo once > once.txt", remote.url()).id("client-id-1").build();
            Agent a = ns.spawn(request);
            Agent again = ns.spawn(request);
            assertThat(again.id()).isEqualTo(a.id());
            assertThatThrownBy(() -> ns.spawn(AgentRequest.builder("something else", remote.url()).id("client-id-1").build()))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("client-id-1");
            assertThat(a.awaitStatus(AgentStatus.FINISHED, WAIT).status()).isEqualTo(AgentStatus.FINISHED);
            assertThat(ns.list(dev.nightshift.api.AgentQuery.all()).items()).extracting(AgentInfo::id)
                    .containsOnlyOnce("client-id-1");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void anUnknownSnapshotFallsBackToTheDefaultBaseWithAWarning() {
        TestRemote remote = TestRemote.create(dir, Map.of(".cursor/environment.json",
                "{ \"snapshot\": \"snapshot-20200101-00000000-0000-0000-0000-000000000000\", \"install\": \"echo ok\" }"));
        try (Nightshift ns = engineBuilder("state").build()) {
            Agent a = ns.spawn(AgentRequest.builder("test -d /workspace", remote.url()).build());
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("%s", done.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(a.events(0, 10_000)).anyMatch(e -> e instanceof AgentEvent.Warning w
                    && w.code().equals("snapshot-unknown") && w.message().contains("default base"));
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void listenersThatThrowOrBlockStallNothing() throws Exception {
        TestRemote remote = TestRemote.create(dir, project("listeners"));
        try (Nightshift ns = engineBuilder("state").build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo x > x.txt", remote.url()).build());
            java.util.concurrent.LinkedBlockingQueue<AgentEvent> seen = new java.util.concurrent.LinkedBlockingQueue<>();
            CountDownLatch never = new CountDownLatch(1);
            a.addListener(e -> {
                throw new IllegalStateException("listener bug");
            }, 0);
            a.addListener(e -> {
                try {
                    never.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }, 0);
            a.addListener(seen::add, 0);
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).isEqualTo(AgentStatus.FINISHED);
            long last = a.info().lastSequence();
            List<Long> got = new ArrayList<>();
            while (got.size() < last) {
                AgentEvent e = seen.poll(30, TimeUnit.SECONDS);
                assertThat(e).as("event %d arrives", got.size() + 1).isNotNull();
                got.add(e.sequence());
            }
            assertThat(got).as("every event, in order")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, last).boxed().toList());
            ns.closeAndRemoveMachines();
        }
    }

    static boolean await(CountDownLatch latch) {
        try {
            return latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
