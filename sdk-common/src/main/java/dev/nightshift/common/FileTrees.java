package dev.nightshift.common;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deleting a directory with everything under it. Symbolic links are deleted, never followed, so
 * a link out of the tree cannot make it delete anything outside. Not API (see the package).
 *
 * <p><b>Thread-safety:</b> stateless; concurrent deletion of the same tree is tolerated (what is
 * already gone is skipped). <b>Lifecycle:</b> static methods only.
 *
 * <pre>{@code
 * FileTrees.delete(agentDirectory);        // throws IOException if something stays
 * FileTrees.deleteQuietly(temporaryDir);   // best effort: returns whether it is gone
 * }</pre>
 */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Deletes {@code root} (a file or a directory) and everything under it; a {@code root} that
     * does not exist is not an error, nor is an entry another thread or process deletes meanwhile.
     *
     * @throws IOException if something could not be deleted (it stops there: what was deleted
     *     before is gone)
     */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** {@link #delete} as a best effort (temporary directories); returns whether {@code root} is gone. */
    public static boolean deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException | RuntimeException e) {
            // best effort: the caller only tidies up
        }
        return !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
    }
}
