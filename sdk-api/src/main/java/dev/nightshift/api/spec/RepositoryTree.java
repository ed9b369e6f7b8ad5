package dev.nightshift.api.spec;

import java.util.Optional;

/**
 * A read-only view of a repository's files, used to read environment.json and to check that
 * the paths it names stay inside the repository. {@code nightshift-sdk-git} implements it for
 * a commit; {@code nightshift-sdk-spec}'s {@code DirectoryTree} implements it for a checkout on disk.
 *
 * <p>Paths are repository-relative, {@code /}-separated, without a leading {@code /}
 * ({@code ".cursor/environment.json"}); {@code ""} is the root.
 *
 * <p><b>Thread-safety:</b> implementations are safe for concurrent reads. <b>Lifecycle:</b>
 * valid as long as what backs it (a commit's objects, a directory).
 *
 * <pre>{@code
 * RepositoryTree tree = DirectoryTree.of(Path.of(".")); // nightshift-sdk-spec
 * Optional<byte[]> file = tree.read(".cursor/environment.json");
 * }</pre>
 */
public interface RepositoryTree {

    /** Whether something (file, directory or link) exists at {@code path}, without following a final link. */
    boolean exists(String path);

    /** Whether {@code path} is a directory (a link to one is not). */
    boolean isDirectory(String path);

    /** The bytes of the regular file at {@code path}; empty when it is missing or not a regular file. */
    Optional<byte[]> read(String path);

    /** Whether {@code path} is a symbolic link. */
    boolean isSymlink(String path);

    /** The target text of the symbolic link at {@code path}; empty when it is not one. */
    Optional<String> linkTarget(String path);
}
