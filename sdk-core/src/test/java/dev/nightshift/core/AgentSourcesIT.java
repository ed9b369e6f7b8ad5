package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.Session;
import dev.nightshift.api.TurnResult;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What reaches an agent's machine from git besides its own repository (submodules,
 * {@code repositoryDependencies}), and what a driver copies out of the machine through its
 * session, end to end through the engine on the real Docker runtime with bare remotes over
 * {@code file://}.
 */
class AgentSourcesIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(3);

    static Map<String, String> files(String... pairs) {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            f.put(pairs[i], pairs[i + 1]);
        }
        return f;
    }

    static String exec(Session s, String script) {
        ExecResult r = s.machine().exec(ExecRequest.bash(script).workdir(s.workspace()).user(s.user()).build())
                .await(WAIT);
        assertThat(r.exitCode()).as("%s: %s", script, r.stderrTail()).isZero();
        return r.stdoutTail();
    }

    @Test
    void submodulesAtTheirPinnedCommitAndRepositoryDependenciesUnderDepsReachTheAgent() {
        TestRemote lib = TestRemote.create(dir, "lib", files("lib.txt", "library v1\n"));
        String pinned = lib.head("main");
        TestRemote shared = TestRemote.create(dir, "shared-lib", files("shared.txt", "shared code\n"));
        TestRemote app = TestRemote.create(dir, files("README.md", "app\n", ".cursor/environment.json",
                "{\"repositoryDependencies\": [\"" + shared.url() + "\"],"
                        + " \"install\": \"cat vendor/lib/lib.txt /deps/shared-lib/shared.txt\"}"));
        app.addSubmodule(lib, "vendor/lib");
        lib.commitFiles(files("lib.txt", "library v2 (not pinned)\n"), "lib v2");
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state")).build()) {
            Agent a = ns.spawn(AgentRequest.builder("cat vendor/lib/lib.txt > seen-submodule.txt\n"
                    + "git -C vendor/lib rev-parse HEAD > submodule-head.txt\n"
                    + "cat /deps/shared-lib/shared.txt > seen-dependency.txt\n"
                    + "git -C /deps/shared-lib rev-parse HEAD > dependency-head.txt", app.url()).build());
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            String branch = done.branch().orElseThrow();
            assertThat(app.show(branch, "seen-submodule.txt")).as("the submodule's file at its pinned commit")
                    .isEqualTo("library v1\n");
            assertThat(app.show(branch, "submodule-head.txt").strip()).isEqualTo(pinned);
            assertThat(TestRemote.run(app.bare, "git", "ls-tree", branch, "vendor/lib"))
                    .as("the handoff keeps the submodule pinned where it was").contains("160000 commit " + pinned);
            assertThat(app.show(branch, "seen-dependency.txt")).as("the dependency checked out under /deps/<name>")
                    .isEqualTo("shared code\n");
            assertThat(app.show(branch, "dependency-head.txt").strip()).isEqualTo(shared.head("main"));
            assertThat(app.branches()).as("nothing is pushed to the dependency or submodule remotes' branches")
                    .contains(branch);
            assertThat(lib.branches()).containsExactly("main");
            assertThat(shared.branches()).containsExactly("main");
            ns.closeAndRemoveMachines();
        }
    }

    /**
     * A driver copies trees out of its machine through the session: a tree whose links stay inside
     * (a hard link between two of its files, a relative symbolic link) arrives whole; a tree the
     * agent laced with symbolic links that climb out with {@code ..} or name an absolute host path
     * is refused by name, and nothing is written outside the target directory on the host.
     */
    @Test
    void copyingOutOfTheMachineNeverWritesOutsideTheTarget() throws Exception {
        TestRemote app = TestRemote.create(dir, files("README.md", "app\n", ".cursor/environment.json", "{}"));
        Path host = Files.createDirectories(dir.resolve("host"));
        Path outside = host.resolve("outside");
        List<Throwable> refusals = new CopyOnWriteArrayList<>();
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state"))
                .driver(ProgrammableDriver.of("copier", (turn, ctx) -> {
                    Session s = ctx.session();
                    exec(s, "mkdir -p /tmp/tree/sub && echo inside > /tmp/tree/a.txt && ln /tmp/tree/a.txt /tmp/tree/sub/hard.txt"
                            + " && ln -s ../a.txt /tmp/tree/sub/rel-link"
                            + " && echo machine-only > /tmp/elsewhere.txt && ln /tmp/elsewhere.txt /tmp/tree/hard-to-elsewhere.txt");
                    s.machine().copyOut("/tmp/tree", host.resolve("good"));
                    exec(s, "mkdir -p /tmp/evil-up /tmp/evil-abs"
                            + " && ln -s ../../../../../../../../../.." + outside + " /tmp/evil-up/up"
                            + " && ln -s " + outside + " /tmp/evil-abs/abs");
                    for (String evil : List.of("/tmp/evil-up", "/tmp/evil-abs")) {
                        try {
                            s.machine().copyOut(evil, host.resolve("evil"));
                        } catch (NightshiftException e) {
                            refusals.add(e);
                        }
                    }
                    return TurnResult.of("copied");
                })).build()) {
            Agent a = ns.spawn(AgentRequest.builder("copy", app.url()).driver("copier").build());
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            ns.closeAndRemoveMachines();
        }
        Path good = host.resolve("good/tree");
        assertThat(Files.readString(good.resolve("a.txt"))).isEqualTo("inside\n");
        assertThat(Files.readString(good.resolve("sub/hard.txt"))).isEqualTo("inside\n");
        assertThat(Files.isSameFile(good.resolve("a.txt"), good.resolve("sub/hard.txt")))
                .as("a hard link inside the tree stays a hard link inside the target").isTrue();
        assertThat(Files.readSymbolicLink(good.resolve("sub/rel-link"))).isEqualTo(Path.of("../a.txt"));
        assertThat(Files.readString(good.resolve("hard-to-elsewhere.txt"), StandardCharsets.UTF_8))
                .as("a hard link to a file outside the copied tree arrives as a plain copy").isEqualTo("machine-only\n");
        assertThat(refusals).as("both trees with links leading out are refused").hasSize(2);
        assertThat(refusals.get(0)).hasMessageContaining("evil-up/up").hasMessageContaining("points outside the target");
        assertThat(refusals.get(1)).hasMessageContaining("evil-abs/abs").hasMessageContaining("points outside the target");
        assertThat(outside).as("nothing at the host path the links named").doesNotExist();
        try (Stream<Path> all = Files.walk(host)) {
            assertThat(all.filter(p -> !p.startsWith(host.resolve("good")) && !p.startsWith(host.resolve("evil"))
                    && !p.equals(host))).as("nothing written under the host folder besides the two targets").isEmpty();
        }
        assertThatThrownBy(() -> Files.readSymbolicLink(host.resolve("evil/evil-abs/abs")))
                .as("the refused link was not created").isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
