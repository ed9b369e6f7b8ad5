package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Secrets through the whole engine on the real Docker runtime: build secrets reach the build's
 * install only and a build that writes one to disk is refused; runtime secrets reach the agent's
 * commands and never appear in anything recorded or pushed.
 */
class SecretsIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(3);
    static final String BUILD_VALUE = "bld-tok-4f1c9e7a-NPM";
    static final String RUNTIME_VALUE = "rt-key-8c2d55b1-API";

    SecretStore store(Path state, String repository) {
        SecretStore s = SecretStore.open(state, LocalKms.openDefault(state));
        s.set(SecretScope.ENVIRONMENT, repository.replaceAll("//[^/@]*@", "//"), "NPM_TOKEN", SecretKind.BUILD, BUILD_VALUE);
        s.set(SecretScope.USER, "tester", "API_KEY", SecretKind.RUNTIME, RUNTIME_VALUE);
        return s;
    }

    Nightshift engine(Path state, SecretStore store) {
        return Nightshift.builder().runtime(runtime).stateDirectory(state).secretProvider(store)
                .secretContext(dev.nightshift.api.spi.SecretContext.of("tester"))
                .limits(Limits.DEFAULT.withInstallTimeout(Duration.ofSeconds(90))).build();
    }

    static Map<String, String> project(String install) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("README.md", "secrets " + System.nanoTime() + "\n");
        f.put(".cursor/environment.json", "{ \"install\": \"" + install + "\" }\n");
        return f;
    }

    @Test
    void anInstallThatWritesABuildSecretToDiskIsRefusedAndTheGoodSnapshotStays() {
        TestRemote remote = TestRemote.create(dir.resolve("r"), project("if [ -n \\\"${NPM_TOKEN:-}\\\" ]; then echo token-seen; else echo no-token; fi"));
        Path state = dir.resolve("state");
        try (SecretStore store = store(state, remote.url()); Nightshift ns = engine(state, store)) {
            AgentInfo good = ns.spawn(AgentRequest.builder("true", remote.url()).push(false).build())
                    .awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(good.status()).as("%s", good.error()).isEqualTo(AgentStatus.FINISHED);
            List<SnapshotInfo> before = runtime.snapshots(Map.of("dev.nightshift.env.repository", remote.url()));
            assertThat(before).hasSize(1);

            remote.commitFiles(Map.of(".cursor/environment.json", "{ \"install\": \"printf '//registry.npmjs.org/:_authToken=%s\\\\n'"
                    + " \\\"$NPM_TOKEN\\\" > $HOME/.npmrc\" }\n"), "write the token to .npmrc");
            AgentInfo refused = ns.spawn(AgentRequest.builder("true", remote.url()).push(false).build())
                    .awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(refused.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(refused.error().orElseThrow()).contains("build secret NPM_TOKEN").contains("/home/ubuntu/.npmrc")
                    .contains("previous good snapshot").doesNotContain(BUILD_VALUE);
            assertThat(runtime.snapshots(Map.of("dev.nightshift.env.repository", remote.url())))
                    .extracting(SnapshotInfo::id).containsExactlyElementsOf(before.stream().map(SnapshotInfo::id).toList());
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void anInstallReRunBecomesTheCommitsSnapshotUnlessItWroteARuntimeSecret() {
        // install puts the runtime secret in a file only when the commit has a file named leak
        TestRemote remote = TestRemote.create(dir.resolve("r"), project("mkdir -p $HOME/.cache/app; echo run >> $HOME/.cache/app/runs;"
                + " if [ -f leak ]; then printf %s \\\"$API_KEY\\\" > $HOME/.cache/app/key; fi"));
        Path state = dir.resolve("state");
        try (SecretStore store = SecretStore.open(state, LocalKms.openDefault(state))) {
            store.set(SecretScope.USER, "tester", "API_KEY", SecretKind.RUNTIME, RUNTIME_VALUE); // no build secret
            try (Nightshift ns = engine(state, store)) {
                finished(ns.spawn(AgentRequest.builder("true", remote.url()).push(false).build()));
                assertThat(environmentSnapshots(remote)).hasSize(1);

                remote.commitFiles(Map.of("NOTES.md", "a newer commit\n"), "notes");
                Agent reRun = ns.spawn(AgentRequest.builder("true", remote.url()).push(false).build());
                finished(reRun);
                assertThat(installRuns(reRun)).as("the newer commit re-runs install").isEqualTo(1);
                assertThat(buildOutput(reRun)).anyMatch(l -> l.contains("later agents on this commit start from it"));
                List<SnapshotInfo> kept = environmentSnapshots(remote);
                assertThat(kept).hasSize(2);
                SnapshotInfo newest = kept.stream().max(java.util.Comparator.comparing(SnapshotInfo::createdAt)).orElseThrow();
                assertThat(newest.labels()).containsEntry("dev.nightshift.env.commit", remote.head("main"))
                        .as("the environment's, not the agent's").containsEntry("dev.nightshift.agent", "");
                Agent next = ns.spawn(AgentRequest.builder("cat $HOME/.cache/app/runs | wc -l", remote.url()).push(false).build());
                finished(next);
                assertThat(installRuns(next)).as("the next agent on that commit starts from its snapshot").isZero();
                assertThat(buildOutput(next)).anyMatch(l -> l.startsWith("install already ran on this commit"));
                reRun.delete();
                assertThat(environmentSnapshots(remote)).as("deleting the agent that made it keeps the cache's snapshot")
                        .hasSize(2);

                remote.commitFiles(Map.of("leak", "yes\n"), "an install that writes the secret");
                Agent leaky = ns.spawn(AgentRequest.builder("true", remote.url()).push(false).build());
                finished(leaky);
                assertThat(installRuns(leaky)).isEqualTo(1);
                assertThat(buildOutput(leaky)).anyMatch(l -> l.contains("is not kept as a snapshot: install wrote the secret"
                        + " API_KEY into /home/ubuntu/.cache/app/key"));
                assertThat(environmentSnapshots(remote)).as("no snapshot holds the secret").hasSize(2);
                assertNoSecret(leaky.events(0, 100_000).toString(), "events");
                Agent after = ns.spawn(AgentRequest.builder("true", remote.url()).push(false).build());
                finished(after);
                assertThat(installRuns(after)).as("so the next agent on it runs install again").isEqualTo(1);
                ns.closeAndRemoveMachines();
            }
        }
    }

    private List<SnapshotInfo> environmentSnapshots(TestRemote remote) {
        return runtime.snapshots(Map.of("dev.nightshift.env.repository", remote.url()));
    }

    private static AgentInfo finished(Agent a) {
        AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
        assertThat(done.status()).as("%s", done.error()).isEqualTo(AgentStatus.FINISHED);
        return done;
    }

    private static long installRuns(Agent a) {
        return a.events(0, 100_000).stream().filter(e -> e instanceof AgentEvent.CommandStarted c && c.phase().equals("install"))
                .count();
    }

    private static List<String> buildOutput(Agent a) {
        return a.events(0, 100_000).stream().filter(e -> e instanceof AgentEvent.BuildOutput)
                .map(e -> ((AgentEvent.BuildOutput) e).line()).toList();
    }

    @Test
    void buildSecretsStayOutOfSnapshotsAndAgentsRuntimeSecretsStayOutOfEverythingRecorded() throws Exception {
        TestRemote remote = TestRemote.create(dir.resolve("r"), project("if [ -n \\\"${NPM_TOKEN:-}\\\" ]; then echo token-seen; else echo no-token; fi"));
        Path state = dir.resolve("state");
        try (SecretStore store = store(state, remote.url()); Nightshift ns = engine(state, store)) {
            String prompt = String.join("\n",
                    "echo \"build secret here: [${NPM_TOKEN:-absent}]\"",
                    // the runtime secret one character per write: output chunks split it anywhere
                    "for ((i=0; i<${#API_KEY}; i++)); do printf '%s' \"${API_KEY:$i:1}\"; sleep 0.02; done; echo",
                    "printf '%s' \"$API_KEY\" | base64",
                    "echo done > done.txt",
                    "echo \"SUMMARY: used $API_KEY\"");
            Agent a = ns.spawn(AgentRequest.builder(prompt, remote.url()).build());
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("%s", done.error()).isEqualTo(AgentStatus.FINISHED);

            List<String> recorded = a.events(0, 100_000).stream().map(Object::toString).toList();
            assertThat(recorded).as("build secrets never reach the agent's machine")
                    .anyMatch(l -> l.contains("build secret here: [absent]"));
            assertThat(recorded).as("the build's install saw the build secret").anyMatch(l -> l.contains("token-seen"));
            assertThat(recorded).anyMatch(l -> l.contains("[REDACTED]"));
            assertNoSecret(String.join("\n", recorded), "events");
            assertNoSecret(a.conversation().toString(), "conversation");
            assertThat(done.summary().orElseThrow()).isEqualTo("used [REDACTED]");
            assertThat(remote.log(done.branch().orElseThrow()).get(0)).isEqualTo("used [REDACTED]");
            try (Stream<Path> files = Files.walk(state)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertNoSecret(Files.readString(f, StandardCharsets.ISO_8859_1), f.toString());
                }
            }

            SnapshotInfo snapshot = runtime.snapshots(Map.of("dev.nightshift.env.repository", remote.url())).get(0);
            String config = docker("image", "inspect", snapshot.imageId());
            assertThat(config).doesNotContain(BUILD_VALUE).doesNotContain(RUNTIME_VALUE);
            String container = docker("create", snapshot.imageId()).strip();
            try {
                String found = sh("docker export " + container + " | tar -xO 2>/dev/null | grep -c -a -F -e '"
                        + BUILD_VALUE + "' -e '" + RUNTIME_VALUE + "' || true");
                assertThat(found.strip()).as("the snapshot's filesystem holds no secret").isEqualTo("0");
            } finally {
                docker("rm", "-f", container);
            }

            // a runtime secret committed by the agent: the push is refused, naming the file; nothing is lost
            a.followUp("echo \"$API_KEY\" > leaked.txt\necho 'SUMMARY: oops'");
            AgentInfo refused = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(refused.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(refused.error().orElseThrow()).contains("file leaked.txt").contains("holds the secret API_KEY").contains("refs/nightshift/")
                    .doesNotContain(RUNTIME_VALUE);
            assertThat(remote.head(done.branch().orElseThrow())).as("the remote did not move").isEqualTo(done.commit().orElseThrow());
            assertThat(sh("git -C " + remote.url().replace("file://", "") + " log --all -p | grep -c -F '"
                    + RUNTIME_VALUE + "' || true").strip()).isEqualTo("0");
            Path mirror;
            try (Stream<Path> m = Files.list(state.resolve("mirrors"))) {
                mirror = m.filter(p -> p.toString().endsWith(".git")).findFirst().orElseThrow();
            }
            assertThat(sh("git -C " + mirror + " for-each-ref --format='%(refname)' refs/nightshift/rejected/"))
                    .as("the agent's commits are kept in the mirror").contains("refs/nightshift/rejected/");
            assertNoSecret(a.events(0, 100_000).toString(), "events after the refused push");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void perAgentSecretsOverrideByNameStayFixedForTheRunningAgentAndGoWithIt() {
        TestRemote remote = TestRemote.create(dir.resolve("r"), project("true"));
        Path state = dir.resolve("state");
        try (SecretStore store = store(state, remote.url()); Nightshift ns = engine(state, store)) {
            String show = "echo \"key=$(printf '%s' \"$API_KEY\" | sha256sum | cut -c1-12)\"";
            Agent a = ns.spawn(AgentRequest.builder(show, remote.url()).push(false).build(), List.of(
                    new AgentSecret("API_KEY", SecretKind.RUNTIME, "agent-own-value-77")));
            assertThat(a.awaitStatus(AgentStatus.FINISHED, WAIT).status()).isEqualTo(AgentStatus.FINISHED);
            String first = keyLine(a);
            assertThat(first).as("the agent's own value wins over the user's").isEqualTo("key=" + sha12("agent-own-value-77"));
            assertThat(store.list(SecretScope.AGENT, a.id())).extracting(v -> v.name()).containsExactly("API_KEY");

            store.set(SecretScope.AGENT, a.id(), "API_KEY", SecretKind.RUNTIME, "changed-later-value-88");
            a.followUp(show);
            assertThat(a.awaitStatus(AgentStatus.FINISHED, WAIT).status()).isEqualTo(AgentStatus.FINISHED);
            assertThat(keyLine(a)).as("a running agent keeps the values it started with").isEqualTo(first);

            a.delete();
            assertThat(store.list(SecretScope.AGENT, a.id())).as("per-agent secrets are deleted with the agent").isEmpty();
            ns.closeAndRemoveMachines();
        }
    }

    static String keyLine(Agent a) {
        return a.events(0, 100_000).stream().filter(e -> e instanceof AgentEvent.CommandOutput)
                .map(e -> ((AgentEvent.CommandOutput) e).line()).filter(l -> l.startsWith("key="))
                .reduce((x, y) -> y).orElseThrow();
    }

    static String sha12(String v) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(v.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertNoSecret(String text, String where) {
        for (String v : List.of(RUNTIME_VALUE, BUILD_VALUE,
                Base64.getEncoder().encodeToString(RUNTIME_VALUE.getBytes(StandardCharsets.UTF_8)))) {
            assertThat(text).as("no secret in %s", where).doesNotContain(v);
        }
    }

    static String docker(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "docker";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return TestRemote.run(Path.of("."), cmd);
    }

    static String sh(String script) {
        return TestRemote.run(Path.of("."), "bash", "-c", script);
    }

    static AgentEvent last(Agent a) {
        List<AgentEvent> e = a.events(0, 100_000);
        return e.get(e.size() - 1);
    }
}
