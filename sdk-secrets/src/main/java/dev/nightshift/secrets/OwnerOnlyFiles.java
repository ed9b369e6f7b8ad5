package dev.nightshift.secrets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/** Files and directories only their owner can read (0600 / 0700 where the file system has POSIX permissions). */
final class OwnerOnlyFiles {
    private OwnerOnlyFiles() {
    }

    private static FileAttribute<?>[] fileAttrs(boolean posix) {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    /** Creates {@code dir} and missing parents; the ones it creates are owner-only. */
    static void createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        createDirectories(abs.getParent());
        try {
            if (supportsPosix(abs.getParent())) {
                Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(abs);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) {
                throw e;
            }
        }
    }

    static boolean supportsPosix(Path existingDir) {
        try {
            return Files.getFileStore(existingDir).supportsFileAttributeView("posix");
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes {@code bytes} to a new owner-only temporary file beside {@code target}, synced. */
    private static Path writeTemp(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                fileAttrs(supportsPosix(target.getParent())))) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        return tmp;
    }

    /**
     * Creates {@code target} with {@code bytes}, owner-only, all or nothing; false (and nothing
     * written) when it already exists, also when another process creates it at the same time.
     */
    static boolean createNew(Path target, byte[] bytes) throws IOException {
        Path tmp = writeTemp(target, bytes);
        try {
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException e) {
            try {
                Files.move(tmp, target);
                return true;
            } catch (FileAlreadyExistsException e2) {
                return false;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Replaces (or creates) {@code target} with {@code bytes}, owner-only, atomically where the file system can. */
    static void replace(Path target, byte[] bytes) throws IOException {
        Path tmp = writeTemp(target, bytes);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The permissions of {@code file} that let others than its owner in, empty when none (or not POSIX). */
    static Set<PosixFilePermission> openToOthers(Path file) throws IOException {
        if (!supportsPosix(file.toAbsolutePath().getParent())) {
            return Set.of();
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        perms.retainAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE));
        return perms;
    }
}
