package dev.nightshift.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.core.Nightshift;
import dev.nightshift.docker.DockerRuntime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v0 API over loopback with a real HTTP client, on a real Docker engine and a real bare
 * remote: the whole life of an agent, isolation between owners, and bad input that changes
 * nothing.
 */
class V0ApiIT extends ServerITBase {
    @Test
    void anAgentLivesThroughTheApi() throws Exception {
        String id = create(alice, "echo hello > HELLO.md\necho 'SUMMARY: said hello'");
        JsonNode done = awaitStatus(alice, id, "FINISHED");
        assertThat(done.get("summary").asText()).isEqualTo("said hello");
        String branch = done.get("target").get("branchName").asText();
        assertThat(git(dir, "ls-remote", remote, branch)).as("the branch is on the remote").contains(branch);

        JsonNode conversation = ok(call(alice, "GET", "/v0/agents/" + id + "/conversation", null));
        assertThat(conversation.get("messages")).extracting(m -> m.get("type").asText())
                .containsExactly("user_message", "assistant_message");

        JsonNode followed = ok(call(alice, "POST", "/v0/agents/" + id + "/followup",
                "{\"prompt\":{\"text\":\"echo again >> HELLO.md\\necho 'SUMMARY: twice'\"}}"));
        assertThat(followed.get("id").asText()).isEqualTo(id);
        assertThat(awaitStatus(alice, id, "FINISHED").get("summary").asText()).isEqualTo("twice");
        assertThat(ok(call(alice, "GET", "/v0/agents/" + id + "/conversation", null)).get("messages")).hasSize(4);
        Path check = dir.resolve("check-" + id);
        git(dir, "clone", "-q", "-b", branch, remote, check.toString());
        assertThat(Files.readString(check.resolve("HELLO.md"))).isEqualTo("hello\nagain\n");

        assertThat(ok(call(alice, "GET", "/v0/agents", null)).get("agents"))
                .extracting(a -> a.get("id").asText()).contains(id);

        ok(call(alice, "POST", "/v0/agents/" + id + "/stop", null));
        assertThat(awaitStatus(alice, id, "STOPPED").get("id").asText()).isEqualTo(id);

        ok(call(alice, "DELETE", "/v0/agents/" + id, null));
        Answer gone = call(alice, "GET", "/v0/agents/" + id, null);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body().get("error").get("code").asText()).isEqualTo("not_found");
    }

    @Test
    void anotherOwnersAgentIsInvisible() throws Exception {
        String id = create(alice, "echo 'SUMMARY: mine'");
        for (String[] call : new String[][] {{"GET", "/v0/agents/" + id}, {"GET", "/v0/agents/" + id + "/conversation"},
            {"POST", "/v0/agents/" + id + "/stop"}, {"DELETE", "/v0/agents/" + id}}) {
            Answer a = call(bob, call[0], call[1], null);
            assertThat(a.status()).as("bob: %s %s", call[0], call[1]).isEqualTo(404);
        }
        Answer f = call(bob, "POST", "/v0/agents/" + id + "/followup", "{\"prompt\":{\"text\":\"echo x\"}}");
        assertThat(f.status()).isEqualTo(404);
        assertThat(ok(call(bob, "GET", "/v0/agents", null)).get("agents"))
                .extracting(a -> a.get("id").asText()).doesNotContain(id);
        awaitStatus(alice, id, "FINISHED");
        assertThat(ok(call(alice, "GET", "/v0/me", null)).get("apiKeyName").asText()).isEqualTo("alice-ci");
    }

    @Test
    void badInputGetsAClearAnswerAndChangesNothing() throws Exception {
        int before = ok(call(alice, "GET", "/v0/agents?limit=100", null)).get("agents").size();
        String[][] bodies = {
            {"not json", "not valid JSON"},
            {"[1,2]", "must be a JSON object"},
            {"{\"prompt\":\"do it\",\"source\":{\"repository\":\"" + remote + "\"}}", "prompt: must be an object"},
            {"{\"prompt\":{\"text\":42},\"source\":{\"repository\":\"" + remote + "\"}}", "prompt.text: must be a string"},
            {"{\"prompt\":{\"text\":\"  \"},\"source\":{\"repository\":\"" + remote + "\"}}", "prompt.text: must not be blank"},
            {"{\"prompt\":{\"text\":\"x\"}}", "source: required"},
            {"{\"prompt\":{\"text\":\"x\"},\"source\":{\"repository\":\"" + remote + "\"},\"model\":\"nope\"}", "unknown model"},
            {"{\"prompt\":{\"text\":\"x\"},\"source\":{\"repository\":\"" + remote + "\"},"
                    + "\"webhook\":{\"url\":\"http://127.0.0.1:9/\",\"secret\":\"short\"}}", "at least 32 characters"},
            {"", "body is required"},
        };
        for (String[] b : bodies) {
            Answer a = call(alice, "POST", "/v0/agents", b[0]);
            assertThat(a.status()).as("body %s", b[0]).isEqualTo(400);
            assertThat(a.body().get("error").get("code").asText()).isEqualTo("bad_request");
            assertThat(a.body().get("error").get("message").asText()).as("body %s", b[0]).contains(b[1]);
        }
        Answer huge = call(alice, "POST", "/v0/agents", "{\"prompt\":{\"text\":\"" + "x".repeat(300_000) + "\"}}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(call(alice, "GET", "/v0/agents/bc-unknown", null).status()).isEqualTo(404);
        assertThat(call(alice, "POST", "/v0/agents/bc-unknown/followup", "{\"prompt\":{\"text\":\"x\"}}").status())
                .isEqualTo(404);
        assertThat(call(alice, "GET", "/v0/agents?limit=0", null).status()).isEqualTo(400);
        assertThat(call(alice, "GET", "/v0/agents?limit=many", null).status()).isEqualTo(400);
        assertThat(call(alice, "GET", "/v0/nothing-here", null).status()).isEqualTo(404);
        assertThat(call(null, "GET", "/v0/agents", null).status()).isEqualTo(401);
        assertThat(call(ApiKeys.PREFIX + "not-a-key", "GET", "/v0/agents", null).status()).isEqualTo(401);
        assertThat(ok(call(alice, "GET", "/v0/agents?limit=100", null)).get("agents")).as("nothing was made")
                .hasSize(before);
    }

    @Test
    void aLiveAgentsNetworkPolicyChangesThroughTheApi() throws Exception {
        // a repository whose environment.json restricts the machine: it runs behind the egress proxy
        Path at = dir.resolve("restricted");
        String restricted = bareRemote(at);
        Path work = at.resolve("work");
        Files.createDirectories(work.resolve(".cursor"));
        Files.writeString(work.resolve(".cursor/environment.json"), "{\"egressMode\": \"network_settings_only\"}\n");
        git(work, "add", "-A");
        git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "restrict");
        git(work, "push", "-q", restricted, "main");
        String body = JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("prompt",
                JSON.createObjectNode().put("text", "echo 'SUMMARY: fenced'")).set("source",
                JSON.createObjectNode().put("repository", restricted).put("ref", "main")).toString();
        String fenced = ok(call(alice, "POST", "/v0/agents", body)).get("id").asText();
        String open = create(alice, "echo 'SUMMARY: open'");
        awaitStatus(alice, fenced, "FINISHED");
        awaitStatus(alice, open, "FINISHED");

        String[][] bad = {
            {"{}", "say what the agent may reach"},
            {"{\"egressAllowlist\": \"a.example.com\"}", "egressAllowlist: must be an array"},
            {"{\"egressAllowlist\": [\"ok.example.com\", \"https://x.example.com/path\", 7]}", "egressAllowlist[1]"},
            {"{\"egressMode\": \"allow_all\"}", "egressMode: allow_all cannot be set on an agent"},
            {"{\"egressMode\": \"sometimes\"}", "egressMode: unknown mode 'sometimes'"},
        };
        for (String[] b : bad) {
            Answer a = call(alice, "POST", "/v0/agents/" + fenced + "/egress", b[0]);
            assertThat(a.status()).as("body %s", b[0]).isEqualTo(400);
            assertThat(a.body().get("error").get("message").asText()).as("body %s", b[0]).contains(b[1]);
        }
        assertThat(call(bob, "POST", "/v0/agents/" + fenced + "/egress", "{\"egressAllowlist\": [\"x.example.com\"]}")
                .status()).as("another owner's agent").isEqualTo(404);
        assertThat(changes(fenced)).as("bad input changed nothing").isEmpty();

        JsonNode changed = ok(call(alice, "POST", "/v0/agents/" + fenced + "/egress",
                "{\"egressAllowlist\": [\"*.example.com\", \" registry.npmjs.org \"]}"));
        assertThat(changed.get("id").asText()).isEqualTo(fenced);
        assertThat(changed.get("egressAllowlist")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("*.example.com", "registry.npmjs.org");
        assertThat(changes(fenced)).hasSize(1).allSatisfy(m -> assertThat(m).contains("*.example.com", "registry.npmjs.org"));

        Answer allowAll = call(alice, "POST", "/v0/agents/" + open + "/egress", "{\"egressAllowlist\": [\"x.example.com\"]}");
        assertThat(allowAll.status()).as("a machine started allow-all has no proxy to change: %s", allowAll.raw().body())
                .isEqualTo(409);
        assertThat(changes(open)).isEmpty();
    }

    private static List<String> changes(String id) {
        return engine.agent(id).events(0, 100_000).stream()
                .filter(e -> e instanceof dev.nightshift.api.AgentEvent.Warning w && w.code().equals("egress-changed"))
                .map(e -> ((dev.nightshift.api.AgentEvent.Warning) e).message()).toList();
    }

    @Test
    void basicAuthWithTheKeyAsUserWorksAndARevokedKeyStopsAtOnce() throws Exception {
        String carol = keys.create("carol-ci", "carol");
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v0/me"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((carol + ":")
                        .getBytes(StandardCharsets.UTF_8))).build();
        HttpResponse<String> me = http.send(r, HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("apiKeyName").asText()).isEqualTo("carol-ci");
        ApiKeys.open(dir.resolve("state")).revoke("carol-ci"); // another process's view of the same file
        assertThat(call(carol, "GET", "/v0/me", null).status()).isEqualTo(401);
    }

    @Test
    void aKeyOverItsRateLimitGets429WithRetryAfter() throws Exception {
        String dave = keys.create("dave-ci", "dave");
        try (NightshiftServer slow = NightshiftServer.builder(engine, keys).port(0).rateLimit(0.5, 2).start()) {
            List<Integer> statuses = new ArrayList<>();
            HttpResponse<String> limited = null;
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slow.port()
                        + "/v0/me")).header("Authorization", "Bearer " + dave).build(), HttpResponse.BodyHandlers.ofString());
                statuses.add(r.statusCode());
                if (r.statusCode() == 429) {
                    limited = r;
                }
            }
            assertThat(statuses).startsWith(200, 200).contains(429);
            assertThat(limited.headers().firstValue("Retry-After")).get().satisfies(v ->
                    assertThat(Integer.parseInt(v)).isBetween(1, 2));
            assertThat(JSON.readTree(limited.body()).get("error").get("code").asText()).isEqualTo("rate_limited");
        }
    }
}
