package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import dev.nightshift.model.testing.Reply;
import dev.nightshift.model.testing.ScriptedModelServer;
import dev.nightshift.model.testing.WireFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job end to end, as its program runs it: a sample repository, an agent, a
 * follow-up, a warm second agent; the last line is JSON naming a branch that is on the remote.
 */
class QuickStartIT {
    @TempDir
    Path dir;

    @AfterEach
    void removeWhatTheEnginesMade() throws Exception {
        Docker.removeUnder(dir);
        assertThat(Docker.under(dir)).as("machines and images of this test's stores left behind").isEmpty();
    }

    @Test
    void theQuickStartPushesABranchAndEndsWithItsJsonLine() throws Exception {
        Docker.require();
        // --model without the provider's key: the quick start keeps the shell driver (it works offline)
        Processes.Result r = Processes.run(dir, Map.of("ANTHROPIC_API_KEY", ""), null, 20, List.of(Processes.java(), "-cp",
                System.getProperty("java.class.path"), QuickStart.class.getName(), "--work", dir.resolve("qs").toString(),
                "--model", "anthropic:claude-sonnet-4-5"));
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).contains("no ANTHROPIC_API_KEY in the environment: keeping the shell driver");
        assertThat(r.stdout()).contains("==> spawned agent").contains("build |").contains("status RUNNING")
                .contains("Take over").contains("Timings");
        JsonNode last = new ObjectMapper().readTree(r.lastLine());
        for (String field : List.of("agentId", "status", "branch", "commit", "remote")) {
            assertThat(last.hasNonNull(field)).as("JSON field %s in %s", field, r.lastLine()).isTrue();
        }
        assertThat(last.get("status").asText()).isEqualTo("FINISHED");
        Path remote = Path.of(java.net.URI.create(last.get("remote").asText()));
        String branch = last.get("branch").asText();
        assertThat(Processes.git(remote, "rev-parse", "refs/heads/" + branch)).isEqualTo(last.get("commit").asText());
        assertThat(Processes.git(remote, "show", branch + ":GREETING.md")).startsWith("Hello from a Nightshift agent.")
                .contains("Checked on");
    }

    @Test
    void withAModelAndItsKeyTheModelDoesTheWork() throws Exception {
        Docker.require();
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.enqueue(
                    Reply.toolCall("write_file", "{\"path\":\"GREETING.md\",\"content\":\"Hello from a Nightshift agent.\\n\"}"),
                    Reply.toolCall("run_terminal_cmd", "{\"command\":\"printf '\\\\n## Made by an agent\\\\n' >> README.md\"}"),
                    Reply.text("Added GREETING.md and a README section."),
                    Reply.toolCall("run_terminal_cmd", "{\"command\":\"date -u +'Checked on %Y-%m-%d' >> GREETING.md\"}"),
                    Reply.text("Dated the greeting."));
            Processes.Result r = Processes.run(dir, server.environment(), null, 20, List.of(Processes.java(), "-cp",
                    System.getProperty("java.class.path"), QuickStart.class.getName(), "--work", dir.resolve("qs").toString(),
                    "--model", server.modelName(WireFormat.OPENAI)));
            assertThat(r.exitCode()).as("%s", r).isZero();
            assertThat(r.stdout()).contains("the agent's brain is openai-compatible:scripted-model")
                    .contains("tool | write_file").contains("Summary   Dated the greeting.");
            JsonNode last = new ObjectMapper().readTree(r.lastLine());
            Path remote = Path.of(java.net.URI.create(last.get("remote").asText()));
            String branch = last.get("branch").asText();
            assertThat(Processes.git(remote, "show", branch + ":GREETING.md")).startsWith("Hello from a Nightshift agent.")
                    .contains("Checked on");
            assertThat(Processes.git(remote, "show", branch + ":README.md")).contains("## Made by an agent");
            assertThat(server.requests()).hasSize(5);
            assertThat(server.requests().get(3).lastUserText().orElseThrow()).as("the follow-up").contains("Checked on");
        }
    }
}
