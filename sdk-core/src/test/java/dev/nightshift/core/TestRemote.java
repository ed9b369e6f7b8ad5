package dev.nightshift.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real git remote for tests: a bare repository on disk, reached over {@code file://}, seeded and
 * inspected with the git command line (an independent implementation from the JGit the SDK uses).
 * Shared with the model driver's tests through this module's test-jar.
 */
public final class TestRemote {
    public final Path bare;
    private final Path work;

    private TestRemote(Path dir, String name) {
        this.bare = dir.resolve(name + ".git");
        this.work = dir.resolve(name.equals("remote") ? "seed" : name + "-seed");
    }

    /** A bare repository whose {@code main} holds {@code files} in one commit. */
    public static TestRemote create(Path dir, Map<String, String> files) {
        return create(dir, "remote", files);
    }

    /** A bare repository {@code dir/<name>.git} whose {@code main} holds {@code files} in one commit. */
    public static TestRemote create(Path dir, String name, Map<String, String> files) {
        TestRemote r = new TestRemote(dir, name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(dir, "git", "init", "-q", "--bare", "-b", "main", r.bare.toString());
        run(dir, "git", "clone", "-q", r.bare.toString(), r.work.toString());
        r.commitFiles(files, "initial commit");
        return r;
    }

    public String url() {
        return bare.toUri().toString();
    }

    /** Commits {@code files} on main (in the seed clone) and pushes. */
    public void commitFiles(Map<String, String> files, String message) {
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = work.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(work, "git", "add", "-A");
        run(work, "git", "-c", "user.name=Seed", "-c", "user.email=seed@example.invalid", "commit", "-q", "-m", message);
        run(work, "git", "push", "-q", "origin", "HEAD:main");
    }

    /** Adds {@code sub} as a submodule at {@code path} (pinned at its main as it is now), commits and pushes. */
    public void addSubmodule(TestRemote sub, String path) {
        run(work, "git", "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.url(), path);
        run(work, "git", "-c", "user.name=Seed", "-c", "user.email=seed@example.invalid", "commit", "-q", "-m",
                "add submodule " + path);
        run(work, "git", "push", "-q", "origin", "HEAD:main");
    }

    /** Pushes a commit to {@code branch} made on top of main (to create a conflicting branch). */
    public void pushOtherWork(String branch, String file, String content) {
        run(work, "git", "checkout", "-q", "-B", branch, "origin/main");
        try {
            Files.writeString(work.resolve(file), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(work, "git", "add", "-A");
        run(work, "git", "-c", "user.name=Other", "-c", "user.email=other@example.invalid", "commit", "-q", "-m", "other work");
        run(work, "git", "push", "-q", "origin", branch);
        run(work, "git", "checkout", "-q", "main");
    }

    /** Branch names on the remote. */
    public List<String> branches() {
        String out = run(bare, "git", "for-each-ref", "--format=%(refname:short)", "refs/heads/");
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }

    /** A file's content on a remote branch. */
    public String show(String branch, String path) {
        return run(bare, "git", "show", branch + ":" + path);
    }

    /** Commit subjects on a remote branch, newest first. */
    public List<String> log(String branch) {
        return List.of(run(bare, "git", "log", "--format=%s", branch).strip().split("\n"));
    }

    public String head(String branch) {
        return run(bare, "git", "rev-parse", branch).strip();
    }

    public static String run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed in " + dir + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static List<String> args(String... a) {
        return new ArrayList<>(List.of(a));
    }
}
