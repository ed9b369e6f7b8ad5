package dev.nightshift.machine;

import dev.nightshift.api.NightshiftException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts a tar stream that came out of a machine into a host directory, refusing any entry that
 * would land outside it: names with {@code ..} segments, absolute names, symbolic links whose
 * target resolves outside, hard links to anything outside, and entries that would be written
 * through a link leading outside. A refused entry throws before any of its bytes are written.
 *
 * <p>Thread-safety: stateless. Lifecycle: static methods.
 */
public final class SafeTar {
    private SafeTar() {
    }

    /** Extracts {@code tar} into {@code target} (created if missing). */
    public static void extract(InputStream tar, Path target) {
        try {
            Files.createDirectories(target);
            Path root = target.toRealPath();
            TarArchiveInputStream in = new TarArchiveInputStream(tar);
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String name = e.getName();
                Path dest = resolveInside(root, name);
                checkParentInside(root, dest, name);
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                } else if (e.isSymbolicLink()) {
                    String link = e.getLinkName();
                    Path linkTarget = link.startsWith("/") ? Path.of(link) : dest.getParent().resolve(link);
                    if (!linkTarget.normalize().startsWith(root)) {
                        throw refused(name, "symbolic link to '" + link + "' points outside the target");
                    }
                    Files.createDirectories(dest.getParent());
                    Files.deleteIfExists(dest);
                    Files.createSymbolicLink(dest, Path.of(link));
                } else if (e.isLink()) {
                    Path source = resolveInside(root, e.getLinkName());
                    checkParentInside(root, source, e.getLinkName());
                    if (!source.toRealPath().startsWith(root)) {
                        throw refused(name, "hard link to '" + e.getLinkName() + "' points outside the target");
                    }
                    Files.createDirectories(dest.getParent());
                    Files.deleteIfExists(dest);
                    Files.createLink(dest, source);
                } else if (e.isFile()) {
                    Files.createDirectories(dest.getParent());
                    if (Files.isSymbolicLink(dest)) {
                        Files.delete(dest);
                    }
                    Files.copy(in, dest, StandardCopyOption.REPLACE_EXISTING);
                    setMode(dest, e.getMode());
                } else {
                    // devices, fifos: nothing a workspace needs; skip them
                    continue;
                }
            }
        } catch (IOException e) {
            throw new NightshiftException("could not extract a tar into " + target + ": " + e.getMessage(), e);
        }
    }

    private static Path resolveInside(Path root, String name) {
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw refused(name, "absolute path");
        }
        for (String seg : name.split("/")) {
            if (seg.equals("..")) {
                throw refused(name, "'..' segment");
            }
        }
        Path dest = root.resolve(name).normalize();
        if (!dest.startsWith(root)) {
            throw refused(name, "lands outside the target");
        }
        return dest;
    }

    /** The nearest existing ancestor, links resolved, must still be inside {@code root}. */
    private static void checkParentInside(Path root, Path dest, String name) throws IOException {
        Path p = dest.getParent();
        while (p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            p = p.getParent();
        }
        if (p == null || !p.toRealPath().startsWith(root)) {
            throw refused(name, "would be written through a link that leads outside the target");
        }
    }

    private static NightshiftException refused(String name, String why) {
        return new NightshiftException("refused tar entry '" + name + "': " + why
                + "; nothing of it was written (the archive came out of a machine and is untrusted)");
    }

    private static void setMode(Path file, int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(order[i]);
            }
        }
        perms.add(PosixFilePermission.OWNER_READ);
        perms.add(PosixFilePermission.OWNER_WRITE);
        try {
            Files.setPosixFilePermissions(file, perms);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a POSIX file system: keep the default mode
        }
    }
}
