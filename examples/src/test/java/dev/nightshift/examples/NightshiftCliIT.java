package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code nightshift} command line as a user runs it ({@code bin/nightshift}, built by
 * {@code mvn package}) against a real Docker engine and real bare remotes: every command, and the
 * bad inputs (unknown agent, missing repository, invalid environment.json, a secret on the
 * command line).
 */
class NightshiftCliIT extends CliProcessTest {
    static final ObjectMapper JSON = new ObjectMapper();

    Processes.Result cli(String stdin, String... args) throws Exception {
        return Processes.run(dir, Map.of(), stdin, commandMinutes(), command(args));
    }

    static JsonNode lastJson(Processes.Result r) throws Exception {
        return JSON.readTree(r.lastLine());
    }

    @Test
    void everyCommandAgainstARealEngineAndRemote() throws Exception {
        Docker.require();
        String remote = SampleRepository.create(dir.resolve("sample"));
        Path bare = Path.of(java.net.URI.create(remote));

        Processes.Result built = ok("env", "build", "--repo", remote, "--json");
        assertThat(lastJson(built).get("snapshotId").asText()).startsWith("snapshot-");

        Processes.Result spawned = ok("spawn", "--repo", remote, "--json", "-p",
                "echo hi > hi.txt\necho 'SUMMARY: said hi'");
        JsonNode agent = lastJson(spawned);
        String id = agent.get("agentId").asText();
        String branch = agent.get("branch").asText();
        assertThat(agent.get("status").asText()).isEqualTo("FINISHED");
        assertThat(Processes.git(bare, "show", branch + ":hi.txt")).isEqualTo("hi");
        assertThat(spawned.stdout()).as("progress is streamed before the result").contains("\"StatusChanged\"");

        assertThat(ok("list").stdout()).contains(id).contains("FINISHED").contains(branch);
        assertThat(ok("status", id).stdout()).contains(id).contains("said hi");

        Processes.Result logs = ok("logs", id, "--json");
        List<Long> seqs = logs.lines().stream().map(l -> {
            try {
                return JSON.readTree(l).get("sequence").asLong();
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertThat(seqs.get(0)).isEqualTo(1L);
        long mid = seqs.get(seqs.size() / 2);
        Processes.Result tail = ok("logs", id, "--from", Long.toString(mid), "--json");
        assertThat(tail.lines()).hasSize(seqs.size() - seqs.indexOf(mid) - 1);

        Processes.Result followed = ok("followup", id, "--json", "-p", "echo again >> hi.txt\necho 'SUMMARY: again'");
        assertThat(lastJson(followed).get("summary").asText()).isEqualTo("again");
        assertThat(Processes.git(bare, "show", branch + ":hi.txt")).isEqualTo("hi\nagain");

        JsonNode takeOver = lastJson(ok("takeover", id, "--json"));
        assertThat(takeOver.get("attach").toString()).contains("tmux").contains("attach");
        assertThat(lastJson(ok("status", id, "--json")).get("takenOver").asBoolean()).isTrue();
        ok("handback", id);
        assertThat(lastJson(ok("status", id, "--json")).get("takenOver").asBoolean()).isFalse();

        assertThat(lastJson(ok("stop", id, "--json")).get("status").asText()).isEqualTo("STOPPED");

        Processes.Result detached = ok("spawn", "--repo", remote, "--detach", "--json", "-p",
                "echo bg > bg.txt\nsleep 2\necho 'SUMMARY: background'");
        String bg = lastJson(detached).get("agentId").asText();
        Processes.Result follow = ok("logs", bg, "--follow");
        assertThat(follow.stdout()).contains("FINISHED");
        JsonNode bgDone = lastJson(ok("status", bg, "--json"));
        assertThat(bgDone.get("status").asText()).isEqualTo("FINISHED");
        assertThat(Processes.git(bare, "show", bgDone.get("branch").asText() + ":bg.txt")).isEqualTo("bg");

        ok("delete", id);
        assertThat(cli(null, "status", id).exitCode()).isEqualTo(3);
        ok("delete", bg);
        assertThat(lastJson(ok("gc", "--json")).has("machinesRemoved")).isTrue();
    }

    @Test
    void badInputIsOneClearLineWithAHintAndADocumentedExitCode() throws Exception {
        Processes.Result unknown = cli(null, "status", "bc-does-not-exist");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.stderr()).startsWith("nightshift: no agent with id bc-does-not-exist").contains("hint:")
                .doesNotContain("\tat ");

        Processes.Result missing = cli(null, "spawn", "--repo", dir.resolve("nope").toString(), "-p", "true");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.stderr()).contains("no repository at");

        Processes.Result secretArg = cli(null, "secrets", "set", "API_TOKEN", "hunter2-secret-value");
        assertThat(secretArg.exitCode()).isEqualTo(2);
        assertThat(secretArg.stderr()).contains("stdin").doesNotContain("hunter2-secret-value");

        Path bad = dir.resolve("repo/.cursor/environment.json");
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "{\n  \"install\": 42,\n  \"terminals\": [ { \"name\": \"x\" } ]\n}\n");
        Processes.Result invalid = cli(null, "env", "validate", bad.toString());
        assertThat(invalid.exitCode()).isEqualTo(5);
        assertThat(invalid.stdout() + invalid.stderr()).contains(bad + ":2:").contains("/install")
                .contains("/terminals/0");
        Path good = dir.resolve("good/.cursor/environment.json");
        Files.createDirectories(good.getParent());
        Files.writeString(good, "{ \"install\": \"true\" }\n");
        assertThat(cli(null, "env", "validate", good.toString()).exitCode()).isZero();

        Processes.Result debug = cli(null, "--debug", "status", "bc-does-not-exist");
        assertThat(debug.stderr()).contains("\tat ");
    }

    @Test
    void anInvalidEnvironmentJsonEndsTheAgentInErrorWithTheParserMessage() throws Exception {
        Docker.require();
        String remote = SampleRepository.create(dir.resolve("broken"), Map.of("README.md", "x\n",
                ".cursor/environment.json", "{\n  \"install\": 42\n}\n"));
        Processes.Result r = cli(null, "spawn", "--repo", remote, "--json", "-p", "true");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        JsonNode end = lastJson(r);
        assertThat(end.get("status").asText()).isEqualTo("ERROR");
        assertThat(end.get("error").asText()).contains(".cursor/environment.json:2:").contains("/install");
    }

    @Test
    void secretsAreReadFromStdinListedByNameAndRemoved() throws Exception {
        Processes.Result set = cli("s3cr3t-value-123\n", "secrets", "set", "API_TOKEN", "--kind", "runtime");
        assertThat(set.exitCode()).as("%s", set).isZero();
        Processes.Result list = ok("secrets", "list");
        assertThat(list.stdout()).contains("API_TOKEN").contains("runtime").doesNotContain("s3cr3t-value-123");
        ok("secrets", "rm", "API_TOKEN");
        assertThat(ok("secrets", "list").stdout()).doesNotContain("API_TOKEN");
        Processes.Result reserved = cli("x\n", "secrets", "set", "NIGHTSHIFT_X");
        assertThat(reserved.exitCode()).isEqualTo(5);
        try (var files = Files.walk(dir.resolve("home"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as("no plaintext in %s", f).doesNotContain("s3cr3t-value-123");
            }
        }
    }
}
