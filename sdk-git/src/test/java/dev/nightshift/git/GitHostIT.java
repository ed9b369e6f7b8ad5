package dev.nightshift.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.PushRejectedException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.spec.RepositoryTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitHost against bare repositories over {@code file://} and a machine. */
class GitHostIT {
    @TempDir
    Path tmp;

    @AfterAll
    static void noMachineSurvives() {
        assertThat(MachineFixture.leftovers()).as("machines left running").isEmpty();
    }

    Remotes app;
    GitHost git;
    MachineFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        app = Remotes.create(tmp, "app");
        git = host(GitHost.builder(tmp.resolve("cache")));
    }

    /** Starts the machine for tests that need one (host-only tests run without Docker). */
    private MachineFixture machine() {
        if (fx == null) {
            fx = MachineFixture.open();
        }
        return fx;
    }

    @AfterEach
    void tearDown() {
        git.close();
        if (fx != null) {
            fx.close();
        }
    }

    private static GitHost host(GitHost.Builder b) {
        return b.author("Agent Smith", "agent@example.com").build();
    }

    @Test
    void fetchResolvesDefaultBranchBranchTagAndCommit() throws IOException {
        String first = app.head("main");
        app.write("b.txt", "b\n");
        String onFeature = app.commitAndPush("feature work", "feature");
        Sh.git(app.work, "tag", "-a", "v1", "-m", "v1", first);
        Sh.git(app.work, "push", "-q", "origin", "v1");

        GitHost.Source byDefault = git.fetch(app.url(), null);
        assertThat(byDefault.commit()).isEqualTo(first);
        assertThat(byDefault.remoteKey()).isEqualTo("file://" + app.bare.toString().replaceAll("\\.git$", ""));
        assertThat(git.fetch(app.url(), "feature").commit()).isEqualTo(onFeature);
        assertThat(git.fetch(app.url(), "refs/heads/feature").commit()).isEqualTo(onFeature);
        assertThat(git.fetch(app.url(), "v1").commit()).as("annotated tag peeled to its commit").isEqualTo(first);
        assertThat(git.fetch(app.url(), onFeature.substring(0, 10)).commit()).isEqualTo(onFeature);
        assertThat(git.fetch(app.url(), onFeature).commit()).isEqualTo(onFeature);
        assertThat(git.fetch(app.bare.toString(), null).remoteKey()).as("same remote, other spelling")
                .isEqualTo(byDefault.remoteKey());
    }

    @Test
    void unknownRefIsAClearNotFound() {
        assertThatThrownBy(() -> git.fetch(app.url(), "no-such-branch"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("'no-such-branch' not found")
                .hasMessageContaining("branches: main");
        assertThatThrownBy(() -> git.fetch(app.url(), "0123456789abcdef0123456789abcdef01234567"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> git.fetch(tmp.resolve("nothing-here").toString(), null))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("no git repository");
        assertThat(git.fetch(app.url(), "main").commit()).as("control").isEqualTo(app.head("main"));
    }

    @Test
    void treeIsReadAtTheExactSourceCommit() throws IOException {
        String first = app.head("main");
        app.write(".cursor/environment.json", "{\"install\": \"npm ci\"}\n");
        app.write("docker/Dockerfile", "FROM debian\n");
        Files.createSymbolicLink(app.work.resolve("link"), Path.of("docker/Dockerfile"));
        app.commitAndPush("second", "main");

        RepositoryTree old = git.fetch(app.url(), first).tree();
        RepositoryTree now = git.fetch(app.url(), null).tree();
        assertThat(new String(old.read(".cursor/environment.json").orElseThrow(), StandardCharsets.UTF_8)).contains("true");
        assertThat(new String(now.read(".cursor/environment.json").orElseThrow(), StandardCharsets.UTF_8)).contains("npm ci");
        assertThat(old.exists("docker/Dockerfile")).isFalse();
        assertThat(now.isDirectory("docker")).isTrue();
        assertThat(now.isDirectory("docker/Dockerfile")).isFalse();
        assertThat(now.exists("")).isTrue();
        assertThat(now.isSymlink("link")).isTrue();
        assertThat(now.linkTarget("link")).contains("docker/Dockerfile");
        assertThat(now.read("link")).as("a link is not a regular file").isEmpty();
        assertThat(now.read("link/x")).isEmpty();
        assertThatThrownBy(() -> now.read("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> now.exists("/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void treeDigestFollowsThePathAndExportWritesTheContext() throws IOException {
        app.write("docker/Dockerfile", "FROM debian\n");
        app.write("docker/run.sh", "#!/bin/sh\necho hi\n");
        app.work.resolve("docker/run.sh").toFile().setExecutable(true);
        Files.createSymbolicLink(app.work.resolve("docker/current"), Path.of("Dockerfile"));
        String c1 = app.commitAndPush("docker", "main");
        app.write("README.md", "changed\n");
        String c2 = app.commitAndPush("readme", "main");
        app.write("docker/Dockerfile", "FROM debian:bookworm\n");
        String c3 = app.commitAndPush("docker change", "main");
        git.fetch(app.url(), null);

        String d1 = git.treeDigest(app.url(), c1, "docker");
        assertThat(d1).startsWith("tree:");
        assertThat(git.treeDigest(app.url(), c2, "docker")).as("unrelated change").isEqualTo(d1);
        assertThat(git.treeDigest(app.url(), c3, "docker")).as("context change").isNotEqualTo(d1);
        assertThat(git.treeDigest(app.url(), c3, "docker/Dockerfile")).startsWith("blob:");
        assertThat(git.treeDigest(app.url(), c3, "missing/dir")).isEmpty();

        Path ctx = tmp.resolve("ctx");
        git.export(app.url(), c3, "docker", ctx);
        assertThat(ctx.resolve("Dockerfile")).hasContent("FROM debian:bookworm");
        assertThat(Files.isExecutable(ctx.resolve("run.sh"))).isTrue();
        assertThat(Files.isSymbolicLink(ctx.resolve("current"))).isTrue();
        assertThat(ctx.resolve("README.md")).doesNotExist();
        assertThatThrownBy(() -> git.export(app.url(), c3, "nope", tmp.resolve("x")))
                .isInstanceOf(NotFoundException.class);

        // the repository root as the context: nested folders are written before their files
        Path root = tmp.resolve("root");
        git.export(app.url(), c3, "", root);
        assertThat(root.resolve("docker/Dockerfile")).hasContent("FROM debian:bookworm");
        assertThat(root.resolve("README.md")).hasContent("changed");
        assertThat(Files.isSymbolicLink(root.resolve("docker/current"))).isTrue();
    }

    @Test
    void concurrentFetchesOfOneMirrorDoNotCorruptIt() throws Exception {
        // threads of two hosts in this JVM, then this JVM against another process
        for (int i = 0; i < 5; i++) {
            app.write("f" + i + ".txt", "content " + i + "\n");
            app.commitAndPush("c" + i, "b" + i);
        }
        try (GitHost other = host(GitHost.builder(tmp.resolve("cache")))) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    GitHost h = i % 2 == 0 ? git : other;
                    String ref = "b" + (i % 5);
                    results.add(pool.submit((Callable<String>) () -> h.fetch(app.url(), ref).commit()));
                }
                for (int i = 0; i < results.size(); i++) {
                    assertThat(results.get(i).get()).isEqualTo(app.head("b" + (i % 5)));
                }
            } finally {
                pool.shutdownNow();
            }
        }
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FetchLoop.class.getName(),
                tmp.resolve("cache").toString(), app.url(), "12").redirectErrorStream(true).start();
        for (int i = 0; i < 12; i++) {
            app.write("race.txt", "race " + i + "\n");
            app.commitAndPush("race " + i, "b" + (i % 5));
            git.fetch(app.url(), "b" + (i % 5));
        }
        String otherOut = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(other.waitFor()).as("the other process: %s", otherOut).isZero();
        assertThat(otherOut).contains("fetched");
        Path mirror;
        try (var dirs = Files.list(tmp.resolve("cache"))) {
            mirror = dirs.filter(p -> p.toString().endsWith(".git")).findFirst().orElseThrow();
        }
        assertThat(Sh.git(mirror, "fsck", "--strict", "--no-dangling")).isEmpty();
        assertThat(Sh.git(mirror, "for-each-ref", "--format=%(refname)", "refs/heads")).contains("refs/heads/b4");
    }

    @Test
    void manyIncrementalFetchesLeaveACompactMirror() throws IOException {
        List<String> rounds = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            app.write("n.txt", "round " + i + "\n");
            rounds.add(app.commitAndPush("round " + i, "main"));
            assertThat(git.fetch(app.url(), null).commit()).isEqualTo(rounds.get(i));
        }
        Path packs = mirrorOf().resolve("objects/pack");
        try (var files = Files.list(packs)) {
            assertThat(files.filter(p -> p.toString().endsWith(".pack")).count())
                    .as("40 fetches, each a pack, compacted past the limit").isLessThanOrEqualTo(33);
        }
        assertThat(Sh.git(mirrorOf(), "fsck", "--strict", "--no-dangling")).isEmpty();
        assertThat(git.fetch(app.url(), rounds.get(0)).tree().read("n.txt").map(String::new)).contains("round 0\n");
    }

    @Test
    void branchNamesAreSlugsUniqueOnTheRemote() {
        Random seeded = new Random(42);
        List<Integer> sequence = new ArrayList<>();
        Random replay = new Random(42);
        for (int i = 0; i < 3; i++) {
            sequence.add(replay.nextInt());
        }
        String first = String.format("nightshift/fix-login-bug-%04x", sequence.get(0) & 0xffff);
        String second = String.format("nightshift/fix-login-bug-%04x", sequence.get(1) & 0xffff);
        Sh.git(app.work, "push", "-q", "origin", "HEAD:refs/heads/" + first);

        try (GitHost seededHost = host(GitHost.builder(tmp.resolve("cache")).random(seeded::nextInt))) {
            String name = seededHost.branchName(app.url(), "Please fix the login bug!", null);
            assertThat(name).as("the first candidate exists on the remote").isEqualTo(second);
        }
        int[] fixed = {1, 1, 2};
        int[] at = {0};
        try (GitHost repeating = host(GitHost.builder(tmp.resolve("cache")).random(() -> fixed[at[0]++]))) {
            assertThat(repeating.branchName(app.url(), "same", null)).isEqualTo("nightshift/same-0001");
            assertThat(repeating.branchName(app.url(), "same", null)).as("not pushed yet, but handed out")
                    .isEqualTo("nightshift/same-0002");
            assertThat(repeating.branchName(app.url(), "x", "mine/once")).isEqualTo("mine/once");
            assertThatThrownBy(() -> repeating.branchName(app.url(), "x", "mine/once")).isInstanceOf(ConflictException.class);
        }
        assertThat(git.branchName(app.url(), "Fix the login bug", null)).matches("nightshift/fix-login-bug-[0-9a-f]{4}");
        assertThat(git.branchName(app.url(), "🚀🚀 ?! …", null)).matches("nightshift/task-[0-9a-f]{4}");
        assertThat(git.branchName(app.url(), "Déjà vu: ÜBER-refactor the café module now", null))
                .matches("nightshift/deja-vu-uber-refactor-cafe-[0-9a-f]{4}");

        assertThat(git.branchName(app.url(), "x", "feature/ok-1.2")).isEqualTo("feature/ok-1.2");
        assertThatThrownBy(() -> git.branchName(app.url(), "x", first)).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> git.branchName(app.url(), "x", "main/sub")).as("directory clash")
                .isInstanceOf(ConflictException.class);
        for (String hostile : List.of("../../etc", "-f", "a b", "x;rm -rf /", "a..b", "a/.hidden", "x.lock",
                "refs/heads/x", "HEAD", "a\nb", "a@{1}", "caf\u00e9", "$(id)", "a//b", "a/", "")) {
            assertThatThrownBy(() -> git.branchName(app.url(), "x", hostile)).as(hostile)
                    .isInstanceOf(ValidationException.class).hasMessageContaining("branch");
        }
    }

    @Test
    void moveInAndHandOffRoundTrip() throws IOException {
        MachineFixture fx = machine();
        GitHost.Source src = git.fetch(app.url(), null);
        String branch = git.branchName(app.url(), "Add a greeting", null);
        String ws = "/workspace";
        git.moveIn(fx.machine(), app.url(), src.commit(), branch, ws, null);

        assertThat(fx.git(ws, "rev-parse", "HEAD")).isEqualTo(src.commit());
        assertThat(fx.git(ws, "symbolic-ref", "--short", "HEAD")).isEqualTo(branch);
        assertThat(fx.git(ws, "config", "user.name")).isEqualTo("Agent Smith");
        assertThat(fx.git(ws, "config", "user.email")).isEqualTo("agent@example.com");
        assertThat(fx.git(ws, "remote", "get-url", "origin")).doesNotContain("@");
        assertThat(fx.git(ws, "status", "--porcelain")).isEmpty();

        // the mirror learns a commit the workspace never saw: the handoff names it as known all the same
        app.write("upstream.txt", "moved on\n");
        String upstream = app.commitAndPush("upstream moved on", "main");
        assertThat(git.fetch(app.url(), null).commit()).isEqualTo(upstream);

        fx.sh("cd \"$1\" && echo hello > greeting.txt && echo more >> README.md", ws);
        GitHost.Handoff h = git.handOff(fx.machine(), app.url(), branch, ws, null, "Add a greeting", true);
        assertThat(h.changed()).isTrue();
        assertThat(h.pushed()).isTrue();
        assertThat(app.head(branch)).isEqualTo(h.commit());
        assertThat(Sh.git(app.bare, "log", "-1", "--format=%an <%ae>|%s", branch))
                .isEqualTo("Agent Smith <agent@example.com>|Add a greeting");
        assertThat(Sh.git(app.bare, "show", branch + ":greeting.txt")).isEqualTo("hello");
        assertThat(fx.git(ws, "status", "--porcelain")).isEmpty();

        GitHost.Handoff again = git.handOff(fx.machine(), app.url(), branch, ws, null, "nothing new", true);
        assertThat(again).isEqualTo(new GitHost.Handoff(h.commit(), true, false));

        fx.git(ws, "-c", "user.name=Agent", "-c", "user.email=a@b", "commit", "-q", "--allow-empty", "-m", "agent commit");
        GitHost.Handoff third = git.handOff(fx.machine(), app.url(), branch, ws, null, "unused", true);
        assertThat(third.changed()).isTrue();
        assertThat(Sh.git(app.bare, "log", "-1", "--format=%s", branch)).isEqualTo("agent commit");

        fx.git(ws, "checkout", "-q", "-b", "elsewhere");
        assertThatThrownBy(() -> git.handOff(fx.machine(), app.url(), branch, ws, null, "x", true))
                .isInstanceOf(dev.nightshift.api.NightshiftException.class)
                .hasMessageContaining("on 'elsewhere', not on branch " + branch);
        fx.git(ws, "checkout", "-q", "--detach");
        assertThatThrownBy(() -> git.handOff(fx.machine(), app.url(), branch, ws, null, "x", true))
                .isInstanceOf(dev.nightshift.api.NightshiftException.class)
                .hasMessageContaining("on 'a detached HEAD', not on branch " + branch);
    }

    @Test
    void handOffCommitsPushesTheCommitsAndLeavesTheWorkTreeAlone() {
        MachineFixture fx = machine();
        Workspace w = movedIn(fx, "commits only", "ws-commits");
        GitHost.Handoff nothing = git.handOffCommits(fx.machine(), app.url(), w.branch(), w.dir(), null, true);
        assertThat(nothing).isEqualTo(new GitHost.Handoff(w.commit(), false, false));

        fx.sh("cd \"$1\" && echo kept > kept.txt && git add kept.txt"
                + " && git -c user.name=Agent -c user.email=a@b commit -q -m 'agent commit'"
                + " && echo staged > staged.txt && git add staged.txt"
                + " && echo loose > loose.txt && echo more >> README.md", w.dir());
        String agentCommit = fx.git(w.dir(), "rev-parse", "HEAD");
        GitHost.Handoff h = git.handOffCommits(fx.machine(), app.url(), w.branch(), w.dir(), null, true);
        assertThat(h).isEqualTo(new GitHost.Handoff(agentCommit, true, true));
        assertThat(app.head(w.branch())).isEqualTo(agentCommit);
        assertThat(Sh.git(app.bare, "ls-tree", "--name-only", w.branch())).contains("kept.txt")
                .doesNotContain("staged.txt").doesNotContain("loose.txt");
        assertThat(fx.git(w.dir(), "rev-parse", "HEAD")).as("no commit made").isEqualTo(agentCommit);
        assertThat(fx.git(w.dir(), "status", "--porcelain")).as("the work tree untouched")
                .contains("A  staged.txt", "?? loose.txt", "M README.md");

        // control: handOff sweeps the same leftovers into a commit
        GitHost.Handoff swept = git.handOff(fx.machine(), app.url(), w.branch(), w.dir(), null, "the rest", true);
        assertThat(Sh.git(app.bare, "ls-tree", "--name-only", w.branch())).contains("staged.txt", "loose.txt");
        assertThat(app.head(w.branch())).isEqualTo(swept.commit());

        fx.git(w.dir(), "checkout", "-q", "--detach");
        assertThatThrownBy(() -> git.handOffCommits(fx.machine(), app.url(), w.branch(), w.dir(), null, true))
                .isInstanceOf(dev.nightshift.api.NightshiftException.class)
                .hasMessageContaining("on 'a detached HEAD', not on branch " + w.branch());
        // the branch unborn: nothing committed to hand off (handOff would commit the files instead)
        fx.sh("cd \"$1\" && git symbolic-ref HEAD \"refs/heads/$2\" && git update-ref -d \"refs/heads/$2\"",
                w.dir(), w.branch());
        assertThatThrownBy(() -> git.handOffCommits(fx.machine(), app.url(), w.branch(), w.dir(), null, true))
                .isInstanceOf(dev.nightshift.api.NightshiftException.class)
                .hasMessageContaining("has no commit on " + w.branch() + " to hand off");
    }

    @Test
    void handOffBehindWhatWasPushedIsRejectedNotForced() {
        MachineFixture fx = machine();
        GitHost.Source src = git.fetch(app.url(), null);
        String branch = git.branchName(app.url(), "step back", null);
        String ws = fx.dir("ws-back");
        git.moveIn(fx.machine(), app.url(), src.commit(), branch, ws, null);
        fx.sh("cd \"$1\" && echo one > one.txt", ws);
        String first = git.handOff(fx.machine(), app.url(), branch, ws, null, "one", true).commit();
        fx.sh("cd \"$1\" && echo two > two.txt", ws);
        String second = git.handOff(fx.machine(), app.url(), branch, ws, null, "two", true).commit();
        assertThat(app.head(branch)).isEqualTo(second);

        // back to the first handoff: a commit the host has, though not one it names to the machine
        fx.git(ws, "reset", "-q", "--hard", first);
        assertThatThrownBy(() -> git.handOff(fx.machine(), app.url(), branch, ws, null, "back", true))
                .isInstanceOf(PushRejectedException.class)
                .hasMessageContaining("not a fast-forward");
        assertThat(app.head(branch)).as("nothing forced").isEqualTo(second);
        assertThat(fx.git(ws, "rev-parse", "HEAD")).isEqualTo(first);
    }

    @Test
    void handOffWithoutPushKeepsTheWorkOnTheHostOnly() {
        MachineFixture fx = machine();
        GitHost.Source src = git.fetch(app.url(), null);
        String branch = git.branchName(app.url(), "local only", null);
        String ws = fx.dir("ws-local");
        git.moveIn(fx.machine(), app.url(), src.commit(), branch, ws, null);
        GitHost.Handoff unchanged = git.handOff(fx.machine(), app.url(), branch, ws, null, "x", true);
        assertThat(unchanged).as("no commits of its own: nothing to push")
                .isEqualTo(new GitHost.Handoff(src.commit(), false, false));
        fx.sh("cd \"$1\" && echo x > x.txt", ws);
        GitHost.Handoff h = git.handOff(fx.machine(), app.url(), branch, ws, null, "x", false);
        assertThat(h.changed()).isTrue();
        assertThat(h.pushed()).isFalse();
        assertThat(Sh.git(app.bare, "branch", "--list", branch)).isEmpty();
    }

    @Test
    void nonFastForwardPushIsRejectedAndNothingIsLost() throws IOException {
        MachineFixture fx = machine();
        GitHost.Source src = git.fetch(app.url(), null);
        String branch = git.branchName(app.url(), "race", null);
        String ws = fx.dir("ws-race");
        git.moveIn(fx.machine(), app.url(), src.commit(), branch, ws, null);
        fx.sh("cd \"$1\" && echo one > one.txt", ws);
        git.handOff(fx.machine(), app.url(), branch, ws, null, "one", true);

        Sh.git(app.work, "fetch", "-q", "origin", branch);
        Sh.git(app.work, "checkout", "-q", "-B", branch, "FETCH_HEAD");
        app.write("colleague.txt", "theirs\n");
        String theirs = app.commitAndPush("colleague", branch);

        fx.sh("cd \"$1\" && echo two > two.txt", ws);
        AtomicReference<PushRejectedException> caught = new AtomicReference<>();
        assertThatThrownBy(() -> git.handOff(fx.machine(), app.url(), branch, ws, null, "two", true))
                .isInstanceOfSatisfying(PushRejectedException.class, caught::set)
                .hasMessageContaining("not a fast-forward");
        PushRejectedException e = caught.get();
        assertThat(app.head(branch)).as("nothing forced").isEqualTo(theirs);
        assertThat(e.branch()).isEqualTo(branch);
        assertThat(e.refusedBy()).isEqualTo(PushRejectedException.RefusedBy.REMOTE);
        assertThat(e.preservedRef()).startsWith("refs/nightshift/rejected/" + branch + "/");
        Path mirror = mirrorOf();
        assertThat(Sh.git(mirror, "rev-parse", e.preservedRef())).isEqualTo(e.commit());
        assertThat(Sh.git(mirror, "show", e.commit() + ":two.txt")).isEqualTo("two");
        assertThat(fx.git(ws, "rev-parse", "HEAD")).isEqualTo(e.commit());
    }

    @Test
    void pushGuardSeesEveryOutgoingCommitAndCanRefuse() {
        MachineFixture fx = machine();
        List<OutgoingPush> seen = new ArrayList<>();
        List<String> binaries = new ArrayList<>();
        try (GitHost guarded = host(GitHost.builder(tmp.resolve("cache")).pushGuard(p -> {
            seen.add(p);
            for (OutgoingPush.OutgoingCommit c : p.commits()) {
                for (OutgoingPush.OutgoingFile f : c.binaryFiles()) {
                    try (java.io.InputStream in = f.open()) {
                        binaries.add(f.path() + ":" + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
            return !p.diff().contains("sk-live-SECRET") && p.messages().stream().noneMatch(m -> m.contains("sk-live"));
        }))) {
            GitHost.Source src = guarded.fetch(app.url(), null);
            String branch = guarded.branchName(app.url(), "guarded", null);
            String ws = fx.dir("ws-guard");
            guarded.moveIn(fx.machine(), app.url(), src.commit(), branch, ws, null);
            fx.sh("cd \"$1\" && echo 'key=sk-live-SECRET' > .env && printf 'bin\\0key=sk-live-BIN' > blob.bin "
                    + "&& git add .env blob.bin && git commit -qm 'add env' "
                    + "&& git rm -q .env && git commit -qm 'remove env'", ws);
            assertThatThrownBy(() -> guarded.handOff(fx.machine(), app.url(), branch, ws, null, "s", true))
                    .isInstanceOfSatisfying(PushRejectedException.class,
                            e -> assertThat(e.refusedBy()).isEqualTo(PushRejectedException.RefusedBy.GUARD))
                    .hasMessageNotContaining("sk-live");
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).commits()).as("the removed secret is still in an outgoing commit").hasSize(2);
            OutgoingPush.OutgoingCommit added = seen.get(0).commits().get(1);
            assertThat(added.diff()).contains("Binary files").doesNotContain("sk-live-BIN");
            assertThat(added.binaryFiles()).as("the diff hides a binary file's bytes: the guard gets them")
                    .extracting(OutgoingPush.OutgoingFile::path).containsExactly("blob.bin");
            assertThat(binaries).as("read while the guard runs").containsExactly("blob.bin:bin\0key=sk-live-BIN");
            assertThat(seen.get(0).commits().get(0).binaryFiles()).as("a deleted file is nothing to send").isEmpty();
            assertThat(Sh.git(app.bare, "branch", "--list", branch)).as("nothing sent").isEmpty();

            String ws2 = fx.dir("ws-guard-ok");
            String ok = guarded.branchName(app.url(), "clean", null);
            guarded.moveIn(fx.machine(), app.url(), src.commit(), ok, ws2, null);
            fx.sh("cd \"$1\" && echo fine > fine.txt", ws2);
            assertThat(guarded.handOff(fx.machine(), app.url(), ok, ws2, null, "fine", true).pushed()).as("control").isTrue();
        }
    }

    @Test
    void secondMoveInSendsAThinBundle() throws IOException {
        MachineFixture fx = machine();
        Random r = new Random(7);
        for (int i = 0; i < 150; i++) {
            byte[] b = new byte[2048];
            r.nextBytes(b);
            app.write("data/f" + i + ".txt", java.util.HexFormat.of().formatHex(b));
        }
        String c1 = app.commitAndPush("lots of data", "main");
        RecordingMachine rec = new RecordingMachine(fx.machine(), tmp.resolve("bundles"));
        String ws = fx.dir("ws-thin");
        git.fetch(app.url(), null);
        git.moveIn(rec, app.url(), c1, "nightshift/thin-0001", ws, null);
        app.write("README.md", "one line more\n");
        String c2 = app.commitAndPush("small change", "main");
        git.fetch(app.url(), null);
        int before = rec.commands.size();
        git.moveIn(rec, app.url(), c2, "nightshift/thin-0001", ws, null);
        assertThat(rec.commands.size() - before).as("a workspace this host moved into: no inspection first")
                .isEqualTo(1);

        assertThat(rec.bundles).hasSize(2);
        byte[] full = Files.readAllBytes(rec.bundles.get(0));
        byte[] thin = Files.readAllBytes(rec.bundles.get(1));
        assertThat(full.length).as("full bundle").isGreaterThan(300_000);
        assertThat(thin.length).as("thin bundle for a one-commit change").isLessThan(4_096);
        assertThat(new String(thin, 0, 200, StandardCharsets.ISO_8859_1)).as("has prerequisites")
                .contains("\n-" + c1);
        assertThat(new String(full, 0, 4, StandardCharsets.ISO_8859_1)).as("the mirror's one pack, no bundle header")
                .isEqualTo("PACK");
        assertThat(fx.git(ws, "rev-parse", "HEAD")).isEqualTo(c2);
        assertThat(fx.git(ws, "show", "HEAD:README.md")).isEqualTo("one line more");

        // the mirror now holds two packs: a fresh workspace gets a bundle walked object by object
        String ws2 = fx.dir("ws-fresh");
        git.moveIn(rec, app.url(), c2, "nightshift/thin-0002", ws2, null);
        byte[] walked = Files.readAllBytes(rec.bundles.get(2));
        assertThat(new String(walked, 0, 200, StandardCharsets.ISO_8859_1)).startsWith("# v2 git bundle\n" + c2)
                .doesNotContain("\n-");
        assertThat(fx.git(ws2, "rev-parse", "HEAD")).isEqualTo(c2);
        assertThat(fx.git(ws2, "status", "--porcelain")).isEmpty();
        assertThat(fx.git(ws2, "fsck", "--no-dangling")).isEmpty();
    }

    @Test
    void aMoveInWhereTheWorkspaceIsNotAsLeftInspectsItFirst() throws IOException {
        MachineFixture fx = machine();
        String c1 = git.fetch(app.url(), null).commit();
        RecordingMachine rec = new RecordingMachine(fx.machine(), tmp.resolve("bundles"));
        String ws = fx.dir("ws-known");
        String branch = "nightshift/known-0001";
        git.moveIn(rec, app.url(), c1, branch, ws, null);

        int before = rec.commands.size();
        fx.sh("cd \"$1\" && echo scratch > scratch.txt", ws);
        git.moveIn(rec, app.url(), c1, branch, ws, null);
        assertThat(rec.commands.size() - before).as("the same commit again: one exec, no bundle").isEqualTo(1);
        assertThat(fx.git(ws, "rev-parse", "HEAD")).isEqualTo(c1);

        // the agent replaced the repository: the commit the next bundle assumes is gone
        app.write("next.txt", "next\n");
        String c2 = app.commitAndPush("next", "main");
        git.fetch(app.url(), null);
        fx.sh("cd \"$1\" && rm -rf .git && git init -q && git -c user.name=a -c user.email=b commit -q --allow-empty -m x", ws);
        before = rec.commands.size();
        git.moveIn(rec, app.url(), c2, branch, ws, null);
        assertThat(rec.commands.size() - before).as("tried, found it stale, inspected, moved in").isEqualTo(3);
        assertThat(fx.git(ws, "rev-parse", "HEAD")).isEqualTo(c2);
        assertThat(fx.git(ws, "symbolic-ref", "--short", "HEAD")).isEqualTo(branch);
        assertThat(fx.git(ws, "fsck", "--no-dangling")).isEmpty();

        // no repository at all any more
        fx.sh("rm -rf \"$1\"", ws);
        before = rec.commands.size();
        git.moveIn(rec, app.url(), c2, branch, ws, null);
        assertThat(rec.commands.size() - before).isEqualTo(3);
        assertThat(fx.git(ws, "rev-parse", "HEAD")).isEqualTo(c2);
        assertThat(fx.git(ws, "status", "--porcelain")).isEmpty();
    }

    @Test
    void aFreshWorkspaceGetsTheMirrorPackAsItIsWhenItIsOnePack() throws IOException {
        MachineFixture fx = machine();
        String main = app.head("main");
        Sh.git(app.work, "checkout", "-q", "-b", "other");
        app.write("other.txt", "only on other\n");
        String other = app.commitAndPush("other", "other");
        git.fetch(app.url(), null);
        RecordingMachine rec = new RecordingMachine(fx.machine(), tmp.resolve("bundles"));
        git.moveIn(rec, app.url(), main, "nightshift/pack-0001", fx.dir("ws-pack"), null);
        Path[] pack = mirrorPack();
        assertThat(Files.readAllBytes(rec.bundles.get(0))).as("the mirror's pack and index as they are")
                .isEqualTo(concat(Files.readAllBytes(pack[0]), Files.readAllBytes(pack[1])));
        assertThat(packObjects(pack)).as("the whole mirror pack: other's commit rides along").contains(other, main);
        assertThat(fx.git(fx.dir("ws-pack"), "fsck", "--no-dangling")).as("pack and index agree in the machine")
                .isEmpty();
        assertThat(fx.git(fx.dir("ws-pack"), "count-objects", "-v")).contains("packs: 1", "count: 0");

        app.write("other.txt", "more\n");
        String other2 = app.commitAndPush("other 2", "other");
        git.fetch(app.url(), null);
        git.moveIn(rec, app.url(), main, "nightshift/pack-0002", fx.dir("ws-pack2"), null);
        assertThat(objectsIn(rec.bundles.get(1))).as("two packs: only what main needs").doesNotContain(other, other2)
                .contains(main);
        assertThat(fx.git(fx.dir("ws-pack"), "rev-parse", "HEAD")).isEqualTo(main);
        assertThat(fx.git(fx.dir("ws-pack2"), "rev-parse", "HEAD")).isEqualTo(main);
    }

    /** The single pack of the app's mirror and its index. */
    private Path[] mirrorPack() throws IOException {
        try (var files = Files.walk(git.cacheDirectory())) {
            List<Path> packs = files.filter(f -> f.getFileName().toString().endsWith(".pack")).toList();
            assertThat(packs).hasSize(1);
            String name = packs.get(0).getFileName().toString();
            return new Path[] {packs.get(0), packs.get(0).resolveSibling(name.replace(".pack", ".idx"))};
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Ids of the commits in a pack (with its index, in a scratch repository). */
    private List<String> packObjects(Path[] pack) throws IOException {
        Path scratch = Files.createTempDirectory(tmp, "pack");
        Sh.git(scratch, "init", "-q", "--bare");
        for (Path p : pack) {
            Files.copy(p, scratch.resolve("objects/pack").resolve(p.getFileName()));
        }
        return List.of(Sh.git(scratch, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
                .lines().filter(l -> l.endsWith(" commit")).map(l -> l.substring(0, 40)).toArray(String[]::new));
    }

    /** Ids of the commits a bundle's pack holds (unbundled into a scratch repository). */
    private List<String> objectsIn(Path bundle) throws IOException {
        Path scratch = Files.createTempDirectory(tmp, "unbundle");
        Sh.git(scratch, "init", "-q", "--bare");
        Sh.git(scratch, "fetch", "-q", bundle.toString(), "refs/nightshift/in:refs/x");
        return List.of(Sh.git(scratch, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
                .lines().filter(l -> l.endsWith(" commit")).map(l -> l.substring(0, 40)).toArray(String[]::new));
    }

    @Test
    void submodulesNestedTooDeepAreRefused() throws IOException {
        MachineFixture fx = machine();
        // each commit holds the previous one of the same repository as submodule "self": a chain 10 deep
        app.write(".gitmodules", "[submodule \"self\"]\n\tpath = self\n\turl = " + app.url() + "\n");
        String prev = app.head("main");
        for (int i = 0; i < 10; i++) {
            Sh.git(app.work, "update-index", "--add", "--cacheinfo", "160000," + prev + ",self");
            Sh.git(app.work, "add", ".gitmodules");
            Sh.git(app.work, "commit", "-q", "-m", "nest " + i);
            Sh.git(app.work, "push", "-q", "origin", "HEAD:main");
            prev = Sh.git(app.work, "rev-parse", "HEAD");
        }
        String top = git.fetch(app.url(), null).commit();
        assertThatThrownBy(() -> git.moveIn(fx.machine(), app.url(), top, "nightshift/deep-0001", fx.dir("ws-deep"), null))
                .isInstanceOf(ValidationException.class).hasMessageContaining("nest deeper than 8");
    }

    @Test
    void submodulesAreFetchedOnTheHostAndMovedIn() throws IOException {
        MachineFixture fx = machine();
        Remotes lib = Remotes.create(tmp, "lib");
        lib.write("lib.txt", "library v1\n");
        String libCommit = lib.commitAndPush("lib v1", "main");
        Sh.git(app.work, "-c", "protocol.file.allow=always", "submodule", "add", "-q", lib.url(), "vendor/lib");
        String appCommit = app.commitAndPush("add submodule", "main");
        lib.write("lib.txt", "library v2 (not pinned)\n");
        lib.commitAndPush("lib v2", "main");

        GitHost.Source src = git.fetch(app.url(), null);
        assertThat(src.commit()).isEqualTo(appCommit);
        String ws = fx.dir("ws-sub");
        git.moveIn(fx.machine(), app.url(), src.commit(), "nightshift/sub-0001", ws, null);
        assertThat(fx.git(ws + "/vendor/lib", "rev-parse", "HEAD")).isEqualTo(libCommit);
        assertThat(fx.sh("cat \"$1\"/vendor/lib/lib.txt", ws)).isEqualTo("library v1");
        assertThat(fx.git(ws, "status", "--porcelain")).isEmpty();
        assertThat(fx.git(ws, "config", "submodule.vendor/lib.url")).doesNotContain("@");
    }

    @Test
    void theLeakCheckSeesAMachineUntilItIsClosed() {
        MachineFixture own = MachineFixture.open();
        try {
            assertThat(MachineFixture.leftovers()).as("control: a running machine is seen").isNotEmpty();
        } finally {
            own.close();
        }
        assertThat(MachineFixture.leftovers()).isEmpty();
    }

    @Test
    void repositoryDependenciesAreCheckedOutUnderDeps() throws IOException {
        MachineFixture fx = machine();
        Remotes lib = Remotes.create(tmp, "shared-lib");
        String dir = git.moveInDependency(fx.machine(), lib.url(), null);
        assertThat(dir).isEqualTo("/deps/shared-lib");
        assertThat(fx.git(dir, "rev-parse", "HEAD")).isEqualTo(lib.head("main"));
        assertThat(fx.git(dir, "symbolic-ref", "--short", "HEAD")).isEqualTo("main");
        assertThat(fx.sh("stat -c %U \"$1\"", dir)).isEqualTo("ubuntu");
    }

    @Test
    void hostileInputIsRefusedBeforeAnythingRuns() {
        MachineFixture fx = machine();
        String c = git.fetch(app.url(), null).commit();
        Machine m = fx.machine();
        assertThatThrownBy(() -> git.moveIn(m, app.url(), c, "a..b", fx.dir("w"), null)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> git.moveIn(m, app.url(), c, "ok", "relative/ws", null)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> git.moveIn(m, app.url(), "HEAD", "ok", fx.dir("w"), null)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> git.fetch("ssh://git:hunter2@example.com/org/repo.git", null))
                .isInstanceOf(ValidationException.class).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> git.fetch("https://user:hunter2@example.com/org/repo", null))
                .isInstanceOf(ValidationException.class).hasMessageNotContaining("hunter2");
    }

    private Path mirrorOf() throws IOException {
        try (var dirs = Files.list(tmp.resolve("cache"))) {
            return dirs.filter(p -> p.getFileName().toString().startsWith(app.bare.getFileName().toString()
                    .replace(".git", "")) || p.toString().contains("app")).filter(p -> p.toString().endsWith(".git"))
                    .findFirst().orElseThrow();
        }
    }

    /** The remote's main moved into a new workspace {@code name} of {@code fx}, on a branch named after {@code prompt}. */
    private Workspace movedIn(MachineFixture fx, String prompt, String name) {
        GitHost.Source src = git.fetch(app.url(), null);
        String branch = git.branchName(app.url(), prompt, null);
        String ws = fx.dir(name);
        git.moveIn(fx.machine(), app.url(), src.commit(), branch, ws, null);
        return new Workspace(src.commit(), branch, ws);
    }

    private record Workspace(String commit, String branch, String dir) {
    }
}
