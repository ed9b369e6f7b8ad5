package dev.nightshift.git.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes a tree of a commit to disk (a Dockerfile build context). Every entry must land inside
 * the target directory; a hostile tree entry ({@code ..}) is refused.
 *
 * <p>Thread-safety: stateless. Lifecycle: static helpers.
 */
public final class TreeFiles {
    private TreeFiles() {
    }

    /** Writes {@code entry} (found at {@code path}) into {@code dir}. */
    public static void export(Repository repo, CommitTree.Entry entry, String path, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        try (ObjectReader reader = repo.newObjectReader()) {
            if (entry.mode() != FileMode.TREE) {
                String name = path.isEmpty() ? "file" : path.substring(path.lastIndexOf('/') + 1);
                write(reader, entry.mode(), entry.id(), root, name);
                return;
            }
            try (TreeWalk walk = new TreeWalk(reader)) {
                walk.addTree(entry.id());
                walk.setRecursive(true);
                while (walk.next()) {
                    write(reader, walk.getFileMode(0), walk.getObjectId(0), root, walk.getPathString());
                }
            }
        }
    }

    private static void write(ObjectReader reader, FileMode mode, ObjectId id, Path root, String rel) throws IOException {
        Path target = root.resolve(rel).normalize();
        if (!target.startsWith(root) || target.equals(root) || rel.contains("\\")) {
            throw new IOException("tree entry '" + rel + "' would land outside " + root);
        }
        Path parent = target.getParent();
        Path realRoot = root.toRealPath();
        Path existing = parent;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) { // folders of a nested entry come later
            existing = existing.getParent();
        }
        if (!existing.toRealPath().startsWith(realRoot)) {
            throw new IOException("tree entry '" + rel + "' would be written through a link");
        }
        Files.createDirectories(parent);
        if (!parent.toRealPath().startsWith(realRoot)) {
            throw new IOException("tree entry '" + rel + "' would be written through a link");
        }
        if (mode == FileMode.GITLINK) {
            Files.createDirectories(target);
        } else if (mode == FileMode.SYMLINK) {
            String link = new String(reader.open(id).getCachedBytes(4096), StandardCharsets.UTF_8);
            Files.createSymbolicLink(target, Path.of(link));
        } else {
            try (OutputStream out = Files.newOutputStream(target)) {
                reader.open(id).copyTo(out);
            }
            if (mode == FileMode.EXECUTABLE_FILE) {
                try {
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } catch (UnsupportedOperationException e) {
                    target.toFile().setExecutable(true, false);
                }
            }
        }
    }
}
