package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad inputs end to end: each ends in {@code ERROR} with a message a person can act on, and loses nothing. */
class AgentFailuresIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(3);

    Nightshift engine(Limits limits) {
        return Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state")).limits(limits)
                .driver(ProgrammableDriver.of("throws", (turn, ctx) -> {
                    throw new IllegalStateException("the driver broke on purpose");
                })).build();
    }

    static Map<String, String> env(String json) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("README.md", "x\n");
        f.put(".cursor/environment.json", json);
        return f;
    }

    AgentInfo runToEnd(Nightshift ns, AgentRequest request) {
        Agent a = ns.spawn(request);
        return a.awaitStatus(AgentStatus.FINISHED, WAIT);
    }

    @Test
    void aBrokenEnvironmentJsonIsAnErrorNamingFileAndPointer() {
        TestRemote remote = TestRemote.create(dir, env("{\n  \"terminals\": [ { \"name\": \"x\" } ]\n}\n"));
        try (Nightshift ns = engine(Limits.DEFAULT)) {
            AgentInfo info = runToEnd(ns, AgentRequest.builder("true", remote.url()).build());
            assertThat(info.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(info.error().orElseThrow()).contains(".cursor/environment.json:2:").contains("/terminals/0").contains("command");
            assertThat(info.machineId()).as("no machine was started").isEmpty();
        }
    }

    @Test
    void aFailingInstallIsAnErrorWithItsLastLines() {
        TestRemote remote = TestRemote.create(dir, env("{\"install\": \"echo preparing; echo boom-detail >&2; exit 7\"}"));
        try (Nightshift ns = engine(Limits.DEFAULT)) {
            AgentInfo info = runToEnd(ns, AgentRequest.builder("true", remote.url()).build());
            assertThat(info.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(info.error().orElseThrow()).contains("install exited 7").contains("boom-detail");
            assertThat(runtime.snapshots(Map.of("dev.nightshift.env.repository", remote.url()))).as("no snapshot of a failed build").isEmpty();
        }
    }

    @Test
    void anInstallThatNeverEndsTimesOut() {
        TestRemote remote = TestRemote.create(dir, env("{\"install\": \"echo forever; sleep 100000\"}"));
        try (Nightshift ns = engine(Limits.DEFAULT.withInstallTimeout(Duration.ofSeconds(3)))) {
            AgentInfo info = runToEnd(ns, AgentRequest.builder("true", remote.url()).build());
            assertThat(info.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(info.error().orElseThrow()).contains("did not finish within PT3S").contains("forever");
        }
    }

    @Test
    void aRejectedPushIsAnErrorAndTheCommitsSurvive() throws Exception {
        TestRemote remote = TestRemote.create(dir, env("{}"));
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state"))
                .driver(ProgrammableDriver.of("racer", (turn, ctx) -> {
                    ctx.session().machine().exec(dev.nightshift.api.runtime.ExecRequest.bash("echo mine > mine.txt")
                            .workdir(ctx.session().workspace()).user(ctx.session().user()).build()).await();
                    ready.countDown();
                    go.await();
                    return dev.nightshift.api.TurnResult.of("my work");
                })).build()) {
            Agent a = ns.spawn(AgentRequest.builder("race", remote.url()).driver("racer").build());
            assertThat(ready.await(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
            String branch = a.info().branch().orElseThrow();
            remote.pushOtherWork(branch, "other.txt", "someone else's work\n");
            String theirs = remote.head(branch);
            go.countDown();
            AgentInfo info = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(info.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(info.error().orElseThrow()).contains(branch).containsIgnoringCase("rejected").contains("refs/nightshift/");
            assertThat(remote.head(branch)).as("never forced").isEqualTo(theirs);
            java.util.regex.Matcher kept = java.util.regex.Pattern.compile("refs/nightshift/rejected/[A-Za-z0-9/_.-]*[0-9a-f]")
                    .matcher(info.error().orElseThrow());
            assertThat(kept.find()).as("the error names the kept ref: %s", info.error()).isTrue();
            String ref = kept.group();
            try (java.util.stream.Stream<Path> mirrors = java.nio.file.Files.list(dir.resolve("state/mirrors"))) {
                Path mirror = mirrors.filter(p -> p.getFileName().toString().endsWith(".git")).findFirst()
                        .orElseThrow(() -> new AssertionError("no host mirror under " + dir.resolve("state/mirrors")));
                assertThat(TestRemote.run(mirror, "git", "show", ref + ":mine.txt"))
                        .as("the agent's work is kept in the host mirror as %s", ref).isEqualTo("mine\n");
                assertThat(TestRemote.run(mirror, "git", "rev-parse", ref).strip())
                        .as("the kept commit is the agent's, not the remote's").isNotEqualTo(theirs);
                assertThat(TestRemote.run(mirror, "git", "log", "--format=%s", ref))
                        .as("kept on top of the commit the agent started from").contains("initial commit");
            }
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void aDriverThatThrowsIsAnError() {
        TestRemote remote = TestRemote.create(dir, env("{}"));
        try (Nightshift ns = engine(Limits.DEFAULT)) {
            AgentInfo info = runToEnd(ns, AgentRequest.builder("anything", remote.url()).driver("throws").build());
            assertThat(info.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(info.error().orElseThrow()).contains("driver 'throws' failed: the driver broke on purpose");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void aTurnPastItsTimeoutIsAnError() {
        TestRemote remote = TestRemote.create(dir, env("{}"));
        try (Nightshift ns = engine(Limits.DEFAULT.withTurnTimeout(Duration.ofSeconds(3)))) {
            AgentInfo info = runToEnd(ns, AgentRequest.builder("sleep 600", remote.url()).build());
            assertThat(info.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(info.error().orElseThrow()).contains("turn timeout of PT3S");
            ns.closeAndRemoveMachines();
        }
    }
}
