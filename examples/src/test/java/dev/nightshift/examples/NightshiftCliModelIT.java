package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nightshift.model.testing.Reply;
import dev.nightshift.model.testing.ScriptedModelServer;
import dev.nightshift.model.testing.TokenCounts;
import dev.nightshift.model.testing.WireFormat;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code nightshift spawn --model} as a user runs it ({@code bin/nightshift}) with the model
 * driver against {@link ScriptedModelServer} (OpenAI wire format, the real langchain4j client),
 * a real Docker engine and a real bare remote: the compact tool-call lines, the tokens and cost
 * in {@code status}, and the clear errors for a bad model name or a missing key.
 */
class NightshiftCliModelIT extends CliProcessTest {
    Processes.Result cli(Map<String, String> env, String... args) throws Exception {
        return Processes.run(dir, env, null, commandMinutes(), command(args));
    }

    @Test
    void spawnWithAModelShowsToolCallsCompactlyAndStatusShowsTokensAndCost() throws Exception {
        Docker.require();
        String remote = SampleRepository.create(dir.resolve("sample"));
        Path bare = Path.of(java.net.URI.create(remote));
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            TokenCounts perCall = new TokenCounts(1000, 50, 200, 0);
            server.enqueue(
                    Reply.toolCall("read_file", "{\"path\":\"README.md\"}").withUsage(perCall),
                    Reply.toolCall("run_terminal_cmd", "{\"command\":\"test -f GREETING.md\"}").withUsage(perCall),
                    Reply.toolCall("write_file", "{\"path\":\"GREETING.md\",\"content\":\"Hello\\n\"}").withUsage(perCall),
                    Reply.toolCall("run_terminal_cmd", "{\"command\":\"test -f GREETING.md\"}").withUsage(perCall),
                    Reply.text("Added GREETING.md.").withUsage(perCall));
            String model = server.modelName(WireFormat.OPENAI);
            Map<String, String> env = new HashMap<>(server.environment());
            env.put("NIGHTSHIFT_MODEL_PRICES", model + "=2,8,0.5");

            Processes.Result spawned = cli(env, "spawn", "--repo", remote, "--model", model, "-p", "Add a greeting file");
            assertThat(spawned.exitCode()).as("%s", spawned).isZero();
            assertThat(spawned.stdout())
                    .contains("read_file README.md")
                    .contains("$ test -f GREETING.md → exit 1")
                    .contains("write_file GREETING.md")
                    .contains("$ test -f GREETING.md → exit 0")
                    .contains("assistant: Added GREETING.md.")
                    .contains("FINISHED");
            String id = spawned.lines().stream().filter(l -> l.startsWith("spawned ")).findFirst().orElseThrow()
                    .substring("spawned ".length()).strip();

            Processes.Result status = cli(env, "status", id);
            assertThat(status.exitCode()).as("%s", status).isZero();
            // 5 calls: 5 x (1000 + 200) in with 5 x 200 cached, 5 x 50 out;
            // cost 5 x (1000 x 2 + 200 x 0.5 + 50 x 8) / 1e6 = 0.0125
            assertThat(status.stdout()).contains("tokens").contains("6000 in (1000 cache read, 0 cache write) / 250 out, $0.0125");
            JsonNode json = NightshiftCliIT.JSON.readTree(cli(env, "status", id, "--json").lastLine());
            assertThat(json.get("inputTokens").asLong()).isEqualTo(6000);
            assertThat(json.get("outputTokens").asLong()).isEqualTo(250);
            assertThat(json.get("model").asText()).isEqualTo(model);

            Processes.Result logs = cli(env, "logs", id);
            assertThat(logs.stdout()).contains("$ test -f GREETING.md → exit 1").contains("read_file README.md");
            assertThat(Processes.git(bare, "show", json.get("branch").asText() + ":GREETING.md")).isEqualTo("Hello");
            assertThat(server.requests()).hasSize(5);
            assertThat(cli(env, "delete", id).exitCode()).isZero();
        }
    }

    @Test
    void aBadModelOrAMissingKeyFailsTheSpawnClearlyAndStoresNothing() throws Exception {
        Processes.Result unknown = cli(Map.of(), "spawn", "--repo", dir.toString(), "--model", "gemini:pro", "-p", "x");
        assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(5);
        assertThat(unknown.stderr()).contains("unknown model provider 'gemini'").contains("hint: model names:");

        Map<String, String> noKey = Map.of("ANTHROPIC_API_KEY", "");
        String remote = SampleRepository.create(dir.resolve("sample"));
        Processes.Result missing = cli(noKey, "spawn", "--repo", remote, "--model", "anthropic:claude-sonnet-4-5",
                "-p", "Fix the failing test");
        assertThat(missing.exitCode()).as("%s", missing).isEqualTo(5);
        assertThat(missing.stderr()).contains("needs an API key: set ANTHROPIC_API_KEY");
        assertThat(cli(Map.of(), "list").stdout()).contains("(no agents)");

        Processes.Result badPrices = cli(Map.of("NIGHTSHIFT_MODEL_PRICES", "openai:gpt-4.1=two,8"), "list");
        assertThat(badPrices.exitCode()).isEqualTo(5);
        assertThat(badPrices.stderr()).contains("NIGHTSHIFT_MODEL_PRICES").contains("'two' is not a number");
    }
}
