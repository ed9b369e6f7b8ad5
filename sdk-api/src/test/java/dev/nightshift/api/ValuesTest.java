package dev.nightshift.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.spec.BaseKind;
import dev.nightshift.api.spec.BuildSpec;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.api.spec.PortSpec;
import dev.nightshift.api.spec.TerminalSpec;
import dev.nightshift.api.spi.GitCredential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void unknownStatusRoundTrips() {
        AgentStatus future = AgentStatus.of("archived");
        assertThat(future.name()).isEqualTo("ARCHIVED");
        assertThat(future.isKnown()).isFalse();
        assertThat(AgentStatus.of(future.toString())).isEqualTo(future);
        assertThat(AgentStatus.of("finished")).isEqualTo(AgentStatus.FINISHED);
        assertThat(AgentStatus.CANCELLED.isFinal()).isTrue();
        assertThat(AgentStatus.STOPPED.acceptsFollowUp()).isTrue();
        assertThat(AgentStatus.EXPIRED.acceptsFollowUp()).isFalse();
    }

    @Test
    void basePrecedenceAndSnapshotPermission() {
        EnvironmentSpec image = EnvironmentSpec.builder().image("node:20").agentCanUpdateSnapshot(true).build();
        assertThat(image.baseKind()).isEqualTo(BaseKind.IMAGE);
        assertThat(image.effectiveAgentCanUpdateSnapshot()).as("image bases never allow it").isFalse();

        EnvironmentSpec all = image.toBuilder().build(BuildSpec.dockerfile("Dockerfile", "..")).snapshot("snapshot-x").build();
        assertThat(all.baseKind()).isEqualTo(BaseKind.SNAPSHOT);
        assertThat(all.effectiveAgentCanUpdateSnapshot()).isTrue();
        assertThat(all.toBuilder().snapshot(null).build().baseKind()).isEqualTo(BaseKind.BUILD);
        assertThat(EnvironmentSpec.DEFAULTS.baseKind()).isEqualTo(BaseKind.DEFAULT);
        assertThat(EnvironmentSpec.DEFAULTS.effectiveAgentCanUpdateSnapshot()).isTrue();
        assertThat(EnvironmentSpec.builder().agentCanUpdateSnapshot(false).build().effectiveAgentCanUpdateSnapshot()).isFalse();
    }

    @Test
    void toStringPrintsNamesNeverValues() {
        EnvironmentSpec spec = EnvironmentSpec.builder()
                .name("riffscribe")
                .install("DB_PASSWORD=hunter2 ./setup.sh")
                .terminal(TerminalSpec.of("web", "TOKEN=s3cr3t-token npm run dev"))
                .build(BuildSpec.contents("FROM x\nARG KEY=inline-key", null))
                .extension("environment_variables",
                        "{\"DATABASE_URL\":\"postgresql://u:riffscribe_dev@localhost/db\"}")
                .build();
        String text = spec.toString();
        assertThat(text).contains("riffscribe", "environment_variables", "web", "base=BUILD")
                .doesNotContain("riffscribe_dev", "DATABASE_URL", "hunter2", "s3cr3t-token", "inline-key");
        EnvironmentSpec plain = EnvironmentSpec.builder().name("n").build();
        assertThat(plain.toString()).as("control: names are printed").isEqualTo("EnvironmentSpec[base=DEFAULT, name=n]");
    }

    @Test
    void buildDigestCoversBuildFieldsOnly() {
        EnvironmentSpec spec = EnvironmentSpec.builder().user("ubuntu").install("npm ci")
                .build(BuildSpec.dockerfile("Dockerfile", "..")).name("a").build();
        String digest = spec.buildDigest();
        assertThat(digest).matches("sha256:[0-9a-f]{64}");
        assertThat(spec.toBuilder().name("b").start("x").terminal(TerminalSpec.of("t", "y")).port(PortSpec.of(3000))
                .extension("env", "{}").build().buildDigest()).as("not build-relevant").isEqualTo(digest);
        assertThat(spec.toBuilder().install("npm install").build().buildDigest()).isNotEqualTo(digest);
        assertThat(spec.toBuilder().user("root").build().buildDigest()).isNotEqualTo(digest);
        assertThat(spec.toBuilder().build(BuildSpec.dockerfile("Dockerfile", ".")).build().buildDigest()).isNotEqualTo(digest);
        assertThat(spec.toBuilder().image("node:20").build().buildDigest()).isNotEqualTo(digest);
        assertThat(spec.toBuilder().snapshot("snapshot-x").build().buildDigest()).isNotEqualTo(digest);
        assertThat(EnvironmentSpec.builder().install("a").build().buildDigest())
                .as("field boundaries are unambiguous")
                .isNotEqualTo(EnvironmentSpec.builder().user("a").build().buildDigest());
        assertThat(EnvironmentSpec.DEFAULTS.buildDigest()).as("pinned: the encoding is stable across releases")
                .isEqualTo("sha256:56e8f2b052f283428bdea2687ff20ce3814945f4224e79192794a8b97430ad0b");
    }

    @Test
    void terminalsFlattenInOrder() {
        TerminalSpec a = TerminalSpec.of("a", "x");
        TerminalSpec b = TerminalSpec.of("b", "y");
        TerminalSpec c = TerminalSpec.of(null, "z");
        EnvironmentSpec spec = EnvironmentSpec.builder().terminal(a).terminalGroup(List.of(b, c)).build();
        assertThat(spec.terminalGroups()).hasSize(2);
        assertThat(spec.terminals()).containsExactly(a, b, c);
        assertThatThrownBy(() -> TerminalSpec.of("t", " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BuildSpec("Dockerfile", "FROM x", null)).hasMessageContaining("exactly one");
    }

    @Test
    void problemPrintsLikeACompiler() {
        Problem p = Problem.error(".cursor/environment.json", "/terminals/0", 7, 5, "required property 'command' is missing");
        assertThat(p).hasToString(".cursor/environment.json:7:5: error: /terminals/0: required property 'command' is missing");
        assertThat(p.withHint("add \"command\"").withSeverity(Problem.Severity.WARNING).toString())
                .isEqualTo(".cursor/environment.json:7:5: warning: /terminals/0: required property 'command' is missing (hint: add \"command\")");
        assertThat(Problem.warning("f", "", 0, 0, "empty").format()).isEqualTo("f:0:0: warning: /: empty");
        ValidationException e = new ValidationException(List.of(Problem.warning("f", "/a", 1, 1, "w"), p));
        assertThat(e.getMessage()).as("errors only in the message").isEqualTo(p.toString());
        assertThat(e.problems()).hasSize(2);
    }

    @Test
    void lineListenerReassemblesLinesAcrossChunks() {
        List<String> seen = new ArrayList<>();
        ExecListener.LineListener l = ExecListener.lines((s, line) -> seen.add(s + ":" + line));
        byte[] out = "héllo\r\nwor".getBytes(StandardCharsets.UTF_8);
        for (byte b : out) {
            l.onStdout(new byte[] {b}, 0, 1);
        }
        l.onStderr("oops\n".getBytes(StandardCharsets.UTF_8), 0, 5);
        l.onStdout("ld\nlast".getBytes(StandardCharsets.UTF_8), 0, 7);
        assertThat(seen).containsExactly("STDOUT:héllo", "STDERR:oops", "STDOUT:world");
        l.flush();
        assertThat(seen).endsWith("STDOUT:last");
    }

    @Test
    void lineListenerSplitsOverlongLines() {
        List<String> seen = new ArrayList<>();
        ExecListener.LineListener l = ExecListener.lines((s, line) -> seen.add(line));
        byte[] big = "x".repeat(150_000).getBytes(StandardCharsets.US_ASCII);
        l.onStdout(big, 0, big.length);
        l.flush();
        assertThat(seen).extracting(String::length).containsExactly(65536, 65536, 150_000 - 131072);
    }

    @Test
    void execRequestHidesEnvValuesAndCopiesStdin() {
        byte[] in = {1, 2, 3};
        ExecRequest r = ExecRequest.builder("cat").env("TOKEN", "s3cr3t-canary").stdin(in).timeout(Duration.ofSeconds(1)).build();
        in[0] = 9;
        assertThat(r.stdin()).containsExactly(1, 2, 3);
        assertThat(r.toString()).contains("TOKEN").doesNotContain("s3cr3t-canary");
        assertThatThrownBy(() -> ExecRequest.builder().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExecRequest.builder("x").timeout(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void execResultLastLines() {
        ExecResult r = new ExecResult(1, ExecResult.Outcome.EXITED, "a\nb\nc", "d\n", 5, 2, Duration.ZERO);
        assertThat(r.lastLines(2)).containsExactly("c", "d");
        assertThat(r.isSuccess()).isFalse();
        assertThat(new ExecResult(137, ExecResult.Outcome.EXITED, "", "", 0, 0, Duration.ZERO).isOomKilled())
                .as("137 alone is not OOM").isFalse();
    }

    @Test
    void credentialsNeverPrintTheirSecret() {
        assertThat(GitCredential.basic("alice", "canary-pw").toString()).doesNotContain("canary-pw");
        assertThat(GitCredential.token("tok-canary").toString()).doesNotContain("tok-canary");
    }

    @Test
    void attachCommandQuotesForTheShell() {
        AttachInfo a = new AttachInfo(List.of("docker", "exec", "-it", "abc", "bash", "-c", "echo it's"), "abc", "ubuntu", "ns");
        assertThat(a.commandLine()).isEqualTo("docker exec -it abc bash -c 'echo it'\\''s'");
    }

    @Test
    void agentRequestValidatesIds() {
        assertThat(AgentRequest.builder("p", "file:///r").id("bc-1").build().push()).isTrue();
        assertThatThrownBy(() -> AgentRequest.builder("p", "file:///r").id("../x").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentRequest.builder(" ", "file:///r").build()).hasMessageContaining("prompt");
        assertThat(AgentQuery.all().withLabels(Map.of("team", "a"))
                .matches(AgentInfo.creating("x", AgentRequest.builder("p", "r").label("team", "a").build(), java.time.Instant.EPOCH)))
                .isTrue();
    }
}
