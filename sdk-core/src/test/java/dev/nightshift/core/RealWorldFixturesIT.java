package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.docker.DockerRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repositories shaped like real ones (kept in {@code src/test/resources/fixtures}), each run end to
 * end on the default machine ({@code nightshift/default:trixie}, built by
 * {@code scripts/default-image}): install, snapshot, start, terminals, the port answering on the
 * host at the address the session shows, a shell-driver turn that edits the project and runs its
 * tests, and the branch pushed to a bare remote. The npm registry is reached from the machines;
 * PyPI is not, so the Python project installs its own package with {@code --no-index}.
 *
 * <p>One engine per runtime is shared by the class: {@code plain} (no opt-in) and {@code dind}
 * ({@link DockerRuntime.Builder#dockerInDocker}). Everything made here (machines, environment and
 * agent snapshots) is removed at the end.
 */
class RealWorldFixturesIT {
    static final Duration WAIT = Duration.ofMinutes(6);
    static final String IMAGE = DockerRuntime.DEFAULT_BASE_IMAGE;

    @TempDir
    static Path dir;

    static DockerRuntime plainRuntime;
    static DockerRuntime dindRuntime;
    static Nightshift plain;
    static Nightshift dind;
    static final List<Agent> agents = new ArrayList<>();
    static final List<String> agentIds = new ArrayList<>();
    static final List<String> remotes = new ArrayList<>();

    @BeforeAll
    static void engines() {
        TestRuntime.docker().close(); // fails under CI=true, skips elsewhere, when no engine answers
        plainRuntime = DockerRuntime.builder().baseImage(IMAGE).build();
        dindRuntime = DockerRuntime.builder().baseImage(IMAGE).dockerInDocker(true).build();
        Limits limits = Limits.DEFAULT.withInstallTimeout(Duration.ofMinutes(5)).withTurnTimeout(Duration.ofMinutes(3));
        plain = Nightshift.builder().runtime(plainRuntime).stateDirectory(dir.resolve("plain")).limits(limits).build();
        dind = Nightshift.builder().runtime(dindRuntime).stateDirectory(dir.resolve("dind"))
                .limits(limits.withIdleHibernateAfter(Duration.ofSeconds(1))).sweepInterval(Duration.ofMillis(250))
                .build();
    }

    /** Each test's agents go with it: their machines would only hold memory the next test needs. */
    @AfterEach
    void deleteAgents() {
        synchronized (agents) {
            for (Agent a : agents) {
                try {
                    a.delete();
                } catch (RuntimeException e) {
                    // already gone
                }
            }
            agents.clear();
        }
    }

    @AfterAll
    static void removeEverything() {
        if (plain != null) {
            plain.closeAndRemoveMachines();
        }
        if (dind != null) {
            dind.closeAndRemoveMachines();
        }
        if (plainRuntime != null) {
            for (String url : remotes) {
                for (SnapshotInfo s : plainRuntime.snapshots(Map.of(EnvironmentCache.LABEL_REPO, url))) {
                    plainRuntime.deleteSnapshot(s.id());
                }
            }
            for (String id : agentIds) {
                for (SnapshotInfo s : plainRuntime.snapshots(Map.of(DockerRuntime.LABEL_AGENT, id))) {
                    plainRuntime.deleteSnapshot(s.id());
                }
            }
            plainRuntime.close();
        }
        if (dindRuntime != null) {
            dindRuntime.close();
        }
    }

    // ---------------------------------------------------------------- the fixtures

    @Test
    void nodeWebAppWithNpmCiADevServerAndCheapReRuns() {
        TestRemote remote = fixture("node-app");
        Agent a = spawn(plain, remote, """
                sed -i 's/hello from node-app/hello from the agent/' greeting.js test/greeting.test.js
                npm test
                echo 'SUMMARY: the greeting names the agent; npm test passes'""");
        AgentInfo done = finished(a);
        assertThat(remote.show(done.branch().orElseThrow(), "greeting.js")).contains("hello from the agent");
        assertThat(output(a, "turn")).as("the project's tests ran in the turn").anyMatch(l -> l.contains("# pass 1"));
        assertThat(buildOutput(a)).as("the build ran npm ci").contains("$ npm ci");
        assertThat(answer(a, 3000)).as("the dev server (npm run dev) answers on the host, ms() from npm ci included")
                .matches("hello from (node-app|the agent) \\(cache for 2 hours\\)\n");

        Agent same = spawn(plain, remote, "test -f node_modules/ms/package.json && echo deps-present");
        finished(same);
        assertThat(phases(same)).as("a second agent on the same commit does not run install again")
                .doesNotContain("install");
        assertThat(buildOutput(same)).anyMatch(l -> l.startsWith("install already ran on this commit"));
        assertThat(output(same, "turn")).contains("deps-present");

        remote.commitFiles(Map.of("NOTES.md", "a newer commit\n"), "notes");
        Agent newer = spawn(plain, remote, "test -f node_modules/ms/package.json && echo deps-present");
        finished(newer);
        assertThat(phases(newer)).as("an agent on a newer commit re-runs install on the last snapshot")
                .contains("install");
        assertThat(buildOutput(newer)).as("from the cached snapshot, no new build")
                .anyMatch(l -> l.contains("using snapshot")).noneMatch(l -> l.equals("$ npm ci"));
        assertThat(output(newer, "turn")).contains("deps-present");
        assertThat(buildOutput(newer)).as("its install is kept as that commit's snapshot")
                .anyMatch(l -> l.contains("later agents on this commit start from it"));

        Agent newerAgain = spawn(plain, remote, "test -f node_modules/ms/package.json && echo deps-present");
        finished(newerAgain);
        assertThat(phases(newerAgain)).as("a second agent on the newer commit does not run install again")
                .doesNotContain("install");
        assertThat(output(newerAgain, "turn")).contains("deps-present");
    }

    @Test
    void pnpmWorkspaceThroughCorepack() {
        TestRemote remote = fixture("pnpm-workspace");
        Agent a = spawn(plain, remote, """
                sed -i 's/from the pnpm workspace/from the agent'"'"'s pnpm workspace/' packages/greet/index.js \
                    packages/greet/test/greet.test.js
                pnpm --version
                pnpm -r test
                echo 'SUMMARY: greet edited; pnpm -r test passes'""");
        AgentInfo done = finished(a);
        assertThat(remote.show(done.branch().orElseThrow(), "packages/greet/index.js")).contains("from the agent's pnpm workspace");
        assertThat(output(a, "turn")).as("pnpm is the version packageManager pins, through corepack")
                .contains("10.34.9");
        assertThat(output(a, "turn")).anyMatch(l -> l.contains("# pass 1"));
        assertThat(answer(a, 4000)).as("the workspace's web package answers, linked to its sibling")
                .matches("hello web from the (agent's )?pnpm workspace \\(2m\\)\n");
    }

    @Test
    void pythonProjectInAVenvWithAnEditableInstall() {
        TestRemote remote = fixture("python-app");
        Agent a = spawn(plain, remote, """
                sed -i 's/from greeter"/from the edited greeter"/' src/greeter/__init__.py
                .venv/bin/python -m unittest discover -s tests
                .venv/bin/greeter agent
                echo 'SUMMARY: greeting edited; unittest passes'""");
        AgentInfo done = finished(a);
        assertThat(remote.show(done.branch().orElseThrow(), "src/greeter/__init__.py")).contains("from the edited greeter");
        assertThat(output(a, "turn")).as("the editable install sees the edit at once")
                .contains("hello agent from the edited greeter");
        assertThat(output(a, "turn")).contains("OK");
        assertThat(answer(a, 8000)).as("python3 -m http.server answers on the host")
                .contains("hello from the python server");
    }

    @Test
    void theSeedsExampleRunsItsOwnDockerEngineOnlyWithTheOptIn() {
        TestRemote remote = fixture("seed-example");
        Agent refused = spawn(plain, remote, "echo never");
        AgentInfo failed = refused.awaitStatus(AgentStatus.FINISHED, WAIT);
        assertThat(failed.status()).isEqualTo(AgentStatus.ERROR);
        assertThat(failed.error().orElseThrow()).as("a start that cannot run an engine names the opt-in")
                .startsWith("start exited 1").contains("dockerInDocker(true)").contains("--docker-in-docker");

        Agent a = spawn(dind, remote, """
                docker info --format 'engine {{.ServerVersion}} storage {{.Driver}}'
                for i in $(seq 100); do [ -f dist/app.js ] && break; sleep 0.1; done
                grep -q '^// built' dist/app.js && echo watch-built
                sed -i 's/42/6 * 7/' src/app.js
                npm test
                echo 'SUMMARY: the answer is computed; tests pass'""");
        AtomicReference<AgentEvent.MachineChanged> hibernated = new AtomicReference<>();
        CountDownLatch asleep = AgentLifecycleIT.onMachineChange(a, "hibernated", hibernated);
        AgentInfo done = finished(a);
        assertThat(output(a, "turn")).as("the machine's own engine answers").anyMatch(l -> l.startsWith("engine "));
        assertThat(output(a, "turn")).as("the watch terminal built dist/").contains("watch-built");
        assertThat(output(a, "turn")).anyMatch(l -> l.contains("# pass 1"));
        assertThat(remote.show(done.branch().orElseThrow(), "src/app.js")).contains("6 * 7");

        assertThat(AgentEngineIT.await(asleep)).as("the idle machine hibernates").isTrue();
        a.followUp("docker info --format 'again {{.ServerVersion}}'");
        AgentInfo again = finished(a);
        assertThat(again.hibernated()).isFalse();
        assertThat(output(a, "turn")).as("start ran again after the restore: the engine answers")
                .anyMatch(l -> l.startsWith("again "));
    }

    // ---------------------------------------------------------------- helpers

    /** A bare remote holding the fixture; a file named {@code gitignore} becomes {@code .gitignore}. */
    static TestRemote fixture(String name) {
        Map<String, String> files = new LinkedHashMap<>();
        try {
            Path root = Path.of(RealWorldFixturesIT.class.getResource("/fixtures/" + name).toURI());
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                    String rel = root.relativize(p).toString();
                    // Maven's resource copy leaves .gitignore files out by default
                    rel = rel.equals("gitignore") || rel.endsWith("/gitignore") ? rel.replaceAll("gitignore$", ".gitignore")
                            : rel;
                    files.put(rel, Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no fixture " + name + " in the test resources", e);
        }
        TestRemote remote = TestRemote.create(dir.resolve(name), files);
        remotes.add(remote.url());
        return remote;
    }

    static Agent spawn(Nightshift ns, TestRemote remote, String prompt) {
        Agent a = ns.spawn(AgentRequest.builder(prompt, remote.url()).build());
        synchronized (agents) {
            agents.add(a);
            agentIds.add(a.id());
        }
        return a;
    }

    static AgentInfo finished(Agent a) {
        AgentInfo i = a.awaitStatus(AgentStatus.FINISHED, WAIT);
        assertThat(i.status()).as("agent %s: %s", a.id(), i.error()).isEqualTo(AgentStatus.FINISHED);
        return i;
    }

    static List<String> output(Agent a, String phase) {
        List<String> lines = new ArrayList<>();
        for (AgentEvent e : a.events(0, 100_000)) {
            if (e instanceof AgentEvent.CommandOutput o && o.phase().equals(phase)) {
                lines.add(o.line());
            }
        }
        return lines;
    }

    static List<String> buildOutput(Agent a) {
        return a.events(0, 100_000).stream().filter(e -> e instanceof AgentEvent.BuildOutput)
                .map(e -> ((AgentEvent.BuildOutput) e).line()).toList();
    }

    static List<String> phases(Agent a) {
        return a.events(0, 100_000).stream().filter(e -> e instanceof AgentEvent.CommandStarted)
                .map(e -> ((AgentEvent.CommandStarted) e).phase()).toList();
    }

    /**
     * What the machine's {@code port} answers on the host, at the address the session shows; waits
     * (up to a minute) for the terminal's server to listen.
     */
    static String answer(Agent a, int port) {
        PortMapping p = a.session().orElseThrow().machine().ports().stream().filter(m -> m.machinePort() == port)
                .findFirst().orElseThrow(() -> new AssertionError("port " + port + " is not published"));
        assertThat(p.hostAddress()).isEqualTo("127.0.0.1");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.hostPort() + "/"))
                .timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                return r.body();
            } catch (IOException e) {
                last = e; // not listening yet (the published port resets until the server is up)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            try {
                Thread.sleep(200); // a poll interval while waiting for the server, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("nothing answered on 127.0.0.1:" + p.hostPort() + " (machine port " + port + ")", last);
    }
}
