package dev.nightshift.git.internal;

import dev.nightshift.api.spec.RepositoryTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * {@link RepositoryTree} over one commit's tree in a (mirror) repository. Never follows links:
 * a path through a symbolic link does not exist here, as in git's own tree.
 *
 * <p>Thread-safety: safe for concurrent reads (each call uses its own {@link ObjectReader}).
 * Lifecycle: valid while the repository it was made from stays open.
 */
public final class CommitTree implements RepositoryTree {
    /** Files larger than this are not read into memory. */
    static final long MAX_READ = 64L << 20;

    private final Repository repository;
    private final ObjectId commit;
    private final ObjectId tree;

    public CommitTree(Repository repository, ObjectId commit, ObjectId tree) {
        this.repository = repository;
        this.commit = commit.copy();
        this.tree = tree.copy();
    }

    /** The commit this tree belongs to. */
    public ObjectId commit() {
        return commit;
    }

    /** The entry at {@code path}, empty when missing; {@code ""} is the root tree. */
    public Optional<Entry> entry(String path) {
        String p = normalise(path);
        if (p.isEmpty()) {
            return Optional.of(new Entry(FileMode.TREE, tree));
        }
        try (ObjectReader reader = repository.newObjectReader();
                TreeWalk walk = TreeWalk.forPath(repository, reader, p, tree)) {
            if (walk == null) {
                return Optional.empty();
            }
            return Optional.of(new Entry(walk.getFileMode(0), walk.getObjectId(0)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + " at " + commit.name(), e);
        }
    }

    /** Checks a repository-relative path and removes {@code .} segments and doubled slashes. */
    public static String normalise(String path) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        if (path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a repository-relative path: " + path);
        }
        StringBuilder out = new StringBuilder();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || ".".equals(seg)) {
                continue;
            }
            if ("..".equals(seg)) {
                throw new IllegalArgumentException("path leaves the repository: " + path);
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(seg);
        }
        return out.toString();
    }

    @Override
    public boolean exists(String path) {
        return entry(path).isPresent();
    }

    @Override
    public boolean isDirectory(String path) {
        return entry(path).map(e -> e.mode() == FileMode.TREE || e.mode() == FileMode.GITLINK).orElse(false);
    }

    @Override
    public Optional<byte[]> read(String path) {
        return entry(path).filter(e -> e.mode() == FileMode.REGULAR_FILE || e.mode() == FileMode.EXECUTABLE_FILE)
                .map(e -> bytes(path, e.id()));
    }

    @Override
    public boolean isSymlink(String path) {
        return entry(path).map(e -> e.mode() == FileMode.SYMLINK).orElse(false);
    }

    @Override
    public Optional<String> linkTarget(String path) {
        return entry(path).filter(e -> e.mode() == FileMode.SYMLINK)
                .map(e -> new String(bytes(path, e.id()), StandardCharsets.UTF_8));
    }

    private byte[] bytes(String path, ObjectId id) {
        try (ObjectReader reader = repository.newObjectReader()) {
            return reader.open(id).getCachedBytes((int) MAX_READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " at " + commit.name(), e);
        }
    }

    @Override
    public String toString() {
        return "CommitTree[" + commit.name() + "]";
    }

    /** A tree entry: its mode and object id. */
    public record Entry(FileMode mode, ObjectId id) {
    }
}
