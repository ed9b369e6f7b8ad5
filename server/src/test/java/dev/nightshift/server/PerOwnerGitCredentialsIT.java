package dev.nightshift.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.core.Nightshift;
import dev.nightshift.secrets.GitCredentialStore;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import dev.nightshift.docker.DockerRuntime;
import dev.nightshift.git.HttpGitServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's engine takes each agent's git credentials from the owner of the API key that
 * spawned it ({@link NightshiftServer#gitCredentialsPerOwner}), over real HTTP on loopback, a
 * real Docker engine and a smart-HTTP git server with basic auth: two owners store a token for
 * the same host; owner A's agent clones A's private repository and pushes with A's token (the
 * git server sees only A's user); owner B's agent on the same repository fails with an
 * authentication error naming the host and B's user, never a token; after B is granted access
 * (the control) B's agent succeeds with B's own token; after an engine restart A's follow-up
 * still pushes with A's token. Neither token is found in the API's answers, the events, the
 * logs or the state directory's files.
 */
class PerOwnerGitCredentialsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofMinutes(3);
    static final String TOKEN_A = "nsOWNERaCANARY-7f31c2d9e8";
    static final String TOKEN_B = "nsOWNERbCANARY-1a6e0b44c3";

    @TempDir
    Path dir;

    DockerRuntime runtime;
    Nightshift engine;
    NightshiftServer server;
    HttpGitServer git;
    GitCredentialStore stored;
    String keyA;
    String keyB;
    String repo;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** Every API answer and log line of the test, searched for the tokens at the end. */
    final StringBuilder seen = new StringBuilder();
    final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    PrintStream stderr;

    @BeforeEach
    void start() throws Exception {
        try {
            runtime = new DockerRuntime();
            runtime.machines(Map.of("dev.nightshift.probe", "none"));
        } catch (RuntimeException e) {
            String why = "no Docker engine answers (" + e.getMessage() + "); run scripts/docker-up and scripts/base-image";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: " + why, e);
            }
            assumeTrue(false, why);
        }
        // the engine logs through slf4j-simple to System.err: keep a copy to search
        stderr = System.err;
        System.setErr(new PrintStream(new TeeStream(stderr, logs), true, StandardCharsets.UTF_8));

        Path served = dir.resolve("served");
        git(dir, "init", "-q", "--bare", "-b", "main", served.resolve("acme/app.git").toString());
        Path work = dir.resolve("work");
        git(dir, "init", "-q", "-b", "main", work.toString());
        Files.writeString(work.resolve("README.md"), "# private app\n");
        git(work, "add", "-A");
        git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first");
        git(work, "push", "-q", served.resolve("acme/app.git").toUri().toString(), "main");
        git(dir, "init", "-q", "--bare", "-b", "main", served.resolve("acme/lib.git").toString());
        Path lib = dir.resolve("lib");
        git(dir, "init", "-q", "-b", "main", lib.toString());
        Files.writeString(lib.resolve("LIB.md"), "# private library\n");
        git(lib, "add", "-A");
        git(lib, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "lib");
        git(lib, "push", "-q", served.resolve("acme/lib.git").toUri().toString(), "main");
        git = new HttpGitServer(served, "alice-git", TOKEN_A);
        repo = git.url("acme/app.git");
        // the app names the private library as a repositoryDependencies entry (on the same server)
        Files.createDirectories(work.resolve(".cursor"));
        Files.writeString(work.resolve(".cursor/environment.json"),
                "{\"install\": \"true\", \"repositoryDependencies\": [\"" + git.url("acme/lib.git") + "\"]}\n");
        git(work, "add", "-A");
        git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "depends on lib");
        git(work, "push", "-q", served.resolve("acme/app.git").toUri().toString(), "main");

        Path state = dir.resolve("state");
        stored = new GitCredentialStore(SecretStore.open(state, LocalKms.openDefault(state)));
        String host = "127.0.0.1:" + git.port();
        stored.set(SecretScope.USER, "alice", host, GitCredential.basic("alice-git", TOKEN_A));
        stored.set(SecretScope.USER, "bob", host, GitCredential.basic("bob-git", TOKEN_B));
        ApiKeys keys = ApiKeys.open(state);
        keyA = keys.create("alice-ci", "alice");
        keyB = keys.create("bob-ci", "bob");
        startServer(keys);
    }

    void startServer(ApiKeys keys) {
        engine = Nightshift.builder().stateDirectory(dir.resolve("state")).runtime(runtime)
                .agentGitCredentials(NightshiftServer.gitCredentialsPerOwner(
                        owner -> stored.credentials(SecretContext.of(owner)), GitCredentials.NONE))
                .build();
        server = NightshiftServer.builder(engine, keys).port(0).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (stderr != null) {
            System.setErr(stderr);
        }
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.closeAndRemoveMachines();
        }
        if (git != null) {
            git.close();
        }
        if (runtime != null) {
            runtime.snapshots(Map.of("dev.nightshift.store.path", dir.resolve("state").toAbsolutePath().normalize().toString()))
                    .stream().sorted((a, b) -> b.createdAt().compareTo(a.createdAt()))
                    .forEach(s -> runtime.deleteSnapshot(s.id()));
            runtime.close();
        }
    }

    @Test
    void eachOwnersAgentUsesOnlyItsOwnersStoredToken() throws Exception {
        // owner A: clones the private repository and pushes its branch with A's token
        String a = create(keyA, "echo from-alice > alice.txt");
        JsonNode doneA = awaitStatus(keyA, a, "FINISHED");
        String branchA = doneA.get("target").get("branchName").asText();
        assertThat(git(dir, "--git-dir", dir.resolve("served/acme/app.git").toString(), "show", branchA + ":alice.txt"))
                .isEqualTo("from-alice\n");
        assertThat(git.acceptedUsers).isNotEmpty().containsOnly("alice-git");

        // owner B on A's repository: B's own token is refused; the error names the host and B's user
        int acceptedBefore = git.acceptedUsers.size();
        String b = create(keyB, "echo from-bob > bob.txt");
        AgentInfo failed = engine.agent(b).awaitStatus(Set.of(AgentStatus.ERROR, AgentStatus.FINISHED), WAIT);
        assertThat(failed.status()).as("bob's agent on alice's repository: %s", failed.error()).isEqualTo(AgentStatus.ERROR);
        assertThat(failed.error().orElseThrow()).contains("127.0.0.1:" + git.port()).contains("'bob-git'")
                .doesNotContain(TOKEN_A).doesNotContain(TOKEN_B);
        assertThat(git.refusedLogins.get()).as("bob's agent sent bob's credential, which the server refused").isPositive();
        assertThat(git.acceptedUsers.subList(acceptedBefore, git.acceptedUsers.size()))
                .as("nothing of bob's agent got in with alice's token").isEmpty();
        JsonNode failedApi = ok(call(keyB, "GET", "/v0/agents/" + b, null));
        assertThat(failedApi.get("status").asText()).isEqualTo("ERROR");

        // B with access to the app but not to its library: the environment A's agent built holds the
        // library, but B's agent is refused the library with B's token instead of getting A's copy
        git.grant("bob-git", TOKEN_B, "acme/app.git");
        String noLib = create(keyB, "cat /deps/lib/LIB.md > leaked.txt");
        AgentInfo refused = engine.agent(noLib).awaitStatus(Set.of(AgentStatus.ERROR, AgentStatus.FINISHED), WAIT);
        assertThat(refused.status()).as("bob's agent without access to the library: %s", refused.error())
                .isEqualTo(AgentStatus.ERROR);
        assertThat(refused.error().orElseThrow()).contains("acme/lib").contains("'bob-git'").doesNotContain(TOKEN_A).doesNotContain(TOKEN_B);

        // the control: once B has access, B's agent gets in with B's own token (so the refusal was the credential)
        git.grant("bob-git", TOKEN_B);
        String b2 = create(keyB, "cat /deps/lib/LIB.md > bob.txt");
        JsonNode doneB = awaitStatus(keyB, b2, "FINISHED");
        assertThat(git(dir, "--git-dir", dir.resolve("served/acme/app.git").toString(), "show",
                doneB.get("target").get("branchName").asText() + ":bob.txt")).isEqualTo("# private library\n");
        assertThat(git.acceptedUsers.subList(acceptedBefore, git.acceptedUsers.size())).isNotEmpty().containsOnly("bob-git");
        assertThat(git(dir, "--git-dir", dir.resolve("served/acme/app.git").toString(), "branch", "--list"))
                .as("nothing of the refused agents was pushed").doesNotContain("leaked");

        // after a restart the owner still comes from the stored agent: A's follow-up pushes with A's token
        List<AgentEvent> events = new ArrayList<>();
        for (String id : List.of(a, b, noLib, b2)) {
            events.addAll(engine.agent(id).events(0, 10_000));
        }
        server.close();
        engine.close();
        int beforeRestart = git.acceptedUsers.size();
        startServer(ApiKeys.open(dir.resolve("state")));
        ok(call(keyA, "POST", "/v0/agents/" + a + "/followup",
                JSON.createObjectNode().set("prompt", JSON.createObjectNode().put("text", "echo again > alice2.txt")).toString()));
        // the follow-up moved the agent back to RUNNING before the answer; FINISHED is its own turn's end
        AgentInfo again = engine.agent(a).awaitStatus(Set.of(AgentStatus.FINISHED, AgentStatus.ERROR), WAIT);
        assertThat(again.status()).as("alice's follow-up after a restart: %s", again.error()).isEqualTo(AgentStatus.FINISHED);
        assertThat(git(dir, "--git-dir", dir.resolve("served/acme/app.git").toString(), "show", branchA + ":alice2.txt"))
                .isEqualTo("again\n");
        assertThat(git.acceptedUsers.subList(beforeRestart, git.acceptedUsers.size())).isNotEmpty().containsOnly("alice-git");
        events.addAll(engine.agent(a).events(0, 10_000));
        ok(call(keyA, "GET", "/v0/agents/" + a + "/conversation", null));

        // neither token anywhere: API answers, events, logs, the state directory's files
        String everything = seen + "\n" + events + "\n" + logs.toString(StandardCharsets.UTF_8);
        assertThat(everything).contains("bob-git").doesNotContain(TOKEN_A).doesNotContain(TOKEN_B);
        List<Path> holding = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir.resolve("state"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                if (text.contains(TOKEN_A) || text.contains(TOKEN_B)) {
                    holding.add(f);
                }
            }
        }
        assertThat(holding).as("files of the state directory holding a token").isEmpty();
    }

    // --- helpers ---

    String create(String key, String script) throws Exception {
        ObjectNode req = JSON.createObjectNode();
        req.putObject("prompt").put("text", script);
        req.putObject("source").put("repository", repo).put("ref", "main");
        JsonNode agent = ok(call(key, "POST", "/v0/agents", req.toString()));
        return agent.get("id").asText();
    }

    JsonNode awaitStatus(String key, String id, String status) throws Exception {
        AgentInfo info = engine.agent(id).awaitStatus(Set.of(AgentStatus.of(status), AgentStatus.ERROR), WAIT);
        JsonNode agent = ok(call(key, "GET", "/v0/agents/" + id, null));
        assertThat(agent.get("status").asText()).as("agent %s (%s)", id, info.error()).isEqualTo(status);
        return agent;
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    }

    Answer call(String key, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + key);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        seen.append(r.body()).append('\n');
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r);
    }

    static JsonNode ok(Answer a) {
        assertThat(a.status()).withFailMessage("%s -> %d %s", a.raw().uri(), a.status(), a.raw().body()).isEqualTo(200);
        return a.body();
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

    /** Writes to two streams. */
    static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
