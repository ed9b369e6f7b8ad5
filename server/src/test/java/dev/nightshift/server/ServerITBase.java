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
 * The base of the server's integration tests: one real Docker engine, a bare remote with one
 * commit on main, two owners' keys, and a server on a free loopback port, per test class.
 */
abstract class ServerITBase {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    static Path dir;

    static Nightshift engine;
    static DockerRuntime runtime;
    static NightshiftServer server;
    static ApiKeys keys;
    static String alice;
    static String bob;
    static String remote;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        try {
            runtime = new DockerRuntime();
            runtime.machines(java.util.Map.of("dev.nightshift.probe", "none"));
        } catch (RuntimeException e) {
            String why = "no Docker engine answers (" + e.getMessage() + "); run scripts/docker-up and scripts/base-image";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: " + why, e);
            }
            assumeTrue(false, why);
            throw e;
        }
        remote = bareRemote(dir.resolve("remote"));
        engine = Nightshift.builder().stateDirectory(dir.resolve("state")).runtime(runtime).build();
        keys = ApiKeys.open(dir.resolve("state"));
        alice = keys.create("alice-ci", "alice");
        bob = keys.create("bob-ci", "bob");
        server = NightshiftServer.builder(engine, keys).port(0).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.closeAndRemoveMachines();
        }
        if (runtime != null) {
            // the images the engine made for its store (environment snapshots), newest first
            runtime.snapshots(java.util.Map.of("dev.nightshift.store.path",
                    dir.resolve("state").toAbsolutePath().normalize().toString())).stream()
                    .sorted((a, b) -> b.createdAt().compareTo(a.createdAt()))
                    .forEach(s -> runtime.deleteSnapshot(s.id()));
            runtime.close();
            runtime = null;
        }
    }

    /** A bare repository with one commit on main, as a file:// URL. */
    static String bareRemote(Path at) throws Exception {
        Path bare = at.resolve("app.git");
        Path work = at.resolve("work");
        git(at.getParent(), "init", "-q", "--bare", "-b", "main", bare.toString());
        git(at.getParent(), "init", "-q", "-b", "main", work.toString());
        Files.writeString(work.resolve("README.md"), "# app\n");
        git(work, "add", "-A");
        git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first");
        git(work, "push", "-q", bare.toUri().toString(), "main");
        return bare.toUri().toString();
    }

    static String git(Path in, String... args) throws Exception {
        Files.createDirectories(in);
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(in.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("git %s: %s", String.join(" ", args), out).isZero();
        return out;
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    }

    static Answer call(String key, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r);
    }

    static JsonNode ok(Answer a) {
        assertThat(a.status()).as("status of %s", a.raw().uri()).withFailMessage("%s -> %d %s", a.raw().uri(),
                a.status(), a.raw().body()).isEqualTo(200);
        return a.body();
    }

    /** Waits on the engine's own status event (no polling loop), then reads the agent through the API. */
    static JsonNode awaitStatus(String key, String id, String status) throws Exception {
        dev.nightshift.api.AgentInfo info = engine.agent(id).awaitStatus(java.util.Set.of(
                dev.nightshift.api.AgentStatus.of(status), dev.nightshift.api.AgentStatus.ERROR), WAIT);
        JsonNode agent = ok(call(key, "GET", "/v0/agents/" + id, null));
        assertThat(agent.get("status").asText()).as("agent %s (%s)", id, info.error()).isEqualTo(status);
        return agent;
    }

    static String create(String key, String script) throws Exception {
        String body = JSON.createObjectNode()
                .set("prompt", JSON.createObjectNode().put("text", script))
                .toString();
        JsonNode req = JSON.readTree(body);
        ((com.fasterxml.jackson.databind.node.ObjectNode) req).putObject("source").put("repository", remote).put("ref", "main");
        JsonNode agent = ok(call(key, "POST", "/v0/agents", req.toString()));
        assertThat(agent.get("status").asText()).isEqualTo("CREATING");
        assertThat(agent.get("id").asText()).startsWith("bc-");
        return agent.get("id").asText();
    }
}
