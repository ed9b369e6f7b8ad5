package dev.nightshift.git.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.git.Sh;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles from a machine into a mirror, made by the git CLI: a thin one-commit bundle is taken
 * (completed from the mirror, fsck clean); a v3 bundle, a missing prerequisite, a truncated
 * pack, a pack whose commit links to a tree that is nowhere, a missing ref and a malformed
 * header are refused with what is wrong, and the mirror's refs are untouched.
 */
class IncomingBundleTest {
    private static final String REF = "refs/heads/agent";

    @TempDir
    Path tmp;
    private Path work;
    private Path mirror;
    private String base;

    @BeforeEach
    void repositories() throws IOException {
        work = tmp.resolve("work");
        Files.createDirectories(work);
        Sh.git(work, "init", "-q", "-b", "main");
        for (int i = 0; i < 50; i++) {
            Files.writeString(work.resolve("f" + i + ".txt"), ("line " + i + "\n").repeat(40));
        }
        commit("base");
        base = Sh.git(work, "rev-parse", "HEAD");
        mirror = tmp.resolve("mirror.git");
        Sh.git(tmp, "clone", "-q", "--mirror", work.toString(), mirror.toString());
        Sh.git(work, "checkout", "-q", "-b", "agent");
        Files.writeString(work.resolve("f7.txt"), ("line 7\n").repeat(40) + "one more\n");
        commit("agent work");
    }

    @Test
    void takesAThinBundleAndCompletesIt() throws IOException {
        Path bundle = bundle("--version=2", REF, "^" + base);
        assertThat(Sh.git(work, "bundle", "list-heads", bundle.toString())).contains(REF);
        String tip = Sh.git(work, "rev-parse", "HEAD");
        try (Repository repo = open()) {
            assertThat(IncomingBundle.take(repo, bundle, REF).name()).isEqualTo(tip);
            assertThat(repo.getObjectDatabase().has(ObjectId.fromString(tip))).isTrue();
        }
        Sh.git(mirror, "update-ref", "refs/nightshift/check", tip);
        Sh.git(mirror, "fsck", "--full", "--no-dangling");
    }

    @Test
    void refusesAVersion3Bundle() {
        Path bundle = bundle("--version=3", REF, "^" + base);
        assertRefused(bundle, "not a v2 git bundle");
    }

    @Test
    void refusesABundleWhosePrerequisiteTheMirrorLacks() throws IOException {
        String agent = Sh.git(work, "rev-parse", "HEAD");
        Files.writeString(work.resolve("f8.txt"), "changed again\n");
        commit("more agent work");
        Path bundle = bundle("--version=2", REF, "^" + agent);
        assertRefused(bundle, "needs commit " + agent + ", which the host mirror lacks");
    }

    @Test
    void refusesATruncatedPack() throws IOException {
        Path bundle = bundle("--version=2", REF, "^" + base);
        byte[] bytes = Files.readAllBytes(bundle);
        Files.write(bundle, Arrays.copyOf(bytes, bytes.length - 30));
        assertRefused(bundle, "its pack is unusable");
    }

    @Test
    void refusesACommitWhoseTreeIsNowhere() throws IOException {
        String tip = Sh.git(work, "rev-parse", "HEAD");
        Path onlyCommit = handMade(tip, List.of(tip));
        assertRefused(onlyCommit, "links to " + Sh.git(work, "rev-parse", "HEAD^{tree}"));

        // control: the same bundle with the tree and the blob it lacked is taken
        String tree = Sh.git(work, "rev-parse", "HEAD^{tree}");
        String blob = Sh.git(work, "rev-parse", "HEAD:f7.txt");
        try (Repository repo = open()) {
            assertThat(IncomingBundle.take(repo, handMade(tip, List.of(tip, tree, blob)), REF).name()).isEqualTo(tip);
        }
    }

    @Test
    void refusesABundleWithoutTheRefOrWithABadHeader() throws IOException {
        assertRefused(bundle("--version=2", "main"), "it holds no " + REF + " (it holds [refs/heads/main])");
        Path bad = tmp.resolve("bad.bundle");
        Files.writeString(bad, "# v2 git bundle\nnot-an-id " + REF + "\n\n");
        assertRefused(bad, "malformed header line 'not-an-id " + REF + "'");
        Files.writeString(bad, "# v2 git bundle\n" + base + " " + REF + "\n");
        assertRefused(bad, "its header ends early");
    }

    private void assertRefused(Path bundle, String why) {
        try (Repository repo = open()) {
            List<String> before = refs();
            assertThatThrownBy(() -> IncomingBundle.take(repo, bundle, REF))
                    .isInstanceOf(IncomingBundle.Invalid.class)
                    .hasMessageContaining(why);
            assertThat(refs()).isEqualTo(before);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A v2 bundle naming {@code tip} as {@link #REF}, no prerequisites, whose pack holds just {@code objects}. */
    private Path handMade(String tip, List<String> objects) throws IOException {
        Path list = tmp.resolve("objects.txt");
        Files.writeString(list, String.join("\n", objects) + "\n");
        Path pack = tmp.resolve("pack.bin");
        Sh.run(work, List.of("sh", "-c", "git pack-objects -q --stdout < \"$0\" > \"$1\"", list.toString(),
                pack.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("# v2 git bundle\n" + tip + " " + REF + "\n\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(Files.readAllBytes(pack));
        Path bundle = tmp.resolve("hand-" + objects.size() + ".bundle");
        Files.write(bundle, out.toByteArray());
        return bundle;
    }

    private Path bundle(String... args) {
        Path file = tmp.resolve("b-" + System.nanoTime() + ".bundle");
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "bundle", "create", "-q"));
        cmd.add(args[0]);
        cmd.add(file.toString());
        cmd.addAll(List.of(args).subList(1, args.length));
        Sh.run(work, cmd);
        return file;
    }

    private List<String> refs() {
        return Sh.git(mirror, "for-each-ref", "--format=%(refname) %(objectname)").lines().toList();
    }

    private Repository open() throws IOException {
        return new FileRepositoryBuilder().setGitDir(mirror.toFile()).setMustExist(true).build();
    }

    private void commit(String message) {
        Sh.git(work, "add", "-A");
        Sh.git(work, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", message);
    }
}
