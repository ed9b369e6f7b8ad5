package dev.nightshift.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bare repository served over {@code file://}, with a work tree next to it for making commits
 * the way a colleague would (push with the git CLI).
 */
final class Remotes {
    final Path bare;
    final Path work;

    private Remotes(Path bare, Path work) {
        this.bare = bare;
        this.work = work;
    }

    /** A bare remote with one commit on {@code main} holding README.md and .cursor/environment.json. */
    static Remotes create(Path root, String name) throws IOException {
        Path bare = root.resolve(name + ".git");
        Files.createDirectories(bare);
        Sh.git(bare, "init", "-q", "--bare", "-b", "main");
        Path work = root.resolve(name + "-work");
        Files.createDirectories(work);
        Sh.git(work, "init", "-q", "-b", "main");
        Sh.git(work, "remote", "add", "origin", bare.toUri().toString());
        Remotes r = new Remotes(bare, work);
        r.write("README.md", "# " + name + "\n");
        r.write(".cursor/environment.json", "{\"install\": \"true\"}\n");
        r.commitAndPush("initial", "main");
        return r;
    }

    String url() {
        return bare.toUri().toString();
    }

    void write(String path, String content) throws IOException {
        Path p = work.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    String commitAndPush(String message, String branch) {
        Sh.git(work, "add", "-A");
        Sh.git(work, "commit", "-q", "--allow-empty", "-m", message);
        Sh.git(work, "push", "-q", "origin", "HEAD:refs/heads/" + branch);
        return Sh.git(work, "rev-parse", "HEAD");
    }

    String head(String branch) {
        return Sh.git(bare, "rev-parse", "refs/heads/" + branch);
    }
}
