package dev.nightshift.spec;

import dev.nightshift.api.spec.RepositoryTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link RepositoryTree} over a checkout on disk; never follows a link out of the root.
 *
 * <p><b>Thread-safety:</b> safe for concurrent reads. <b>Lifecycle:</b> valid while the
 * directory exists.
 *
 * <pre>{@code
 * RepositoryTree tree = DirectoryTree.of(Path.of("."));
 * Optional<byte[]> file = tree.read(".cursor/environment.json");
 * }</pre>
 */
public final class DirectoryTree implements RepositoryTree {

    /** A tree over the directory {@code root}. */
    public static DirectoryTree of(Path root) {
        return new DirectoryTree(root);
    }

    private final Path root;

    private DirectoryTree(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path resolve(String path) {
        if (path.startsWith("/") || path.contains("\\")) {
            throw new IllegalArgumentException("not a repository-relative path: " + path);
        }
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("path leaves the repository: " + path);
        }
        return p;
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(resolve(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean isDirectory(String path) {
        return Files.isDirectory(resolve(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public Optional<byte[]> read(String path) {
        Path p = resolve(path);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    @Override
    public boolean isSymlink(String path) {
        return Files.isSymbolicLink(resolve(path));
    }

    @Override
    public Optional<String> linkTarget(String path) {
        Path p = resolve(path);
        if (!Files.isSymbolicLink(p)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readSymbolicLink(p).toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read link " + path, e);
        }
    }
}
