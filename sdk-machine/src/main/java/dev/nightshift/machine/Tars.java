package dev.nightshift.machine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the tar streams that go into a machine (POSIX long names and big numbers, owners given as
 * numeric ids, so the machine's {@code tar -x} or engine's archive API needs no name lookup).
 *
 * <p>Thread-safety: stateless. Lifecycle: static methods.
 */
public final class Tars {
    private Tars() {
    }

    /** A tar holding one file {@code name} with {@code content}, owned by uid:gid, with {@code mode}. */
    public static byte[] singleFile(String name, byte[] content, int uid, int gid, int mode) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(content.length + 2048);
        try (TarArchiveOutputStream tar = open(buf)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(content.length);
            e.setMode(mode);
            e.setIds(uid, gid);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new IllegalStateException("writing an in-memory tar failed", e);
        }
        return buf.toByteArray();
    }

    /**
     * Writes {@code source} to {@code out}: a file as one entry named after it, a directory as
     * its contents (entries relative to it). Links are kept as links. Owned by uid:gid.
     */
    public static void writeTree(Path source, OutputStream out, int uid, int gid) throws IOException {
        try (TarArchiveOutputStream tar = open(out)) {
            if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                put(tar, source, source.getFileName().toString(), uid, gid);
            } else {
                List<Path> paths;
                try (Stream<Path> walk = Files.walk(source)) {
                    paths = walk.filter(p -> !p.equals(source)).sorted().toList();
                }
                for (Path p : paths) {
                    put(tar, p, source.relativize(p).toString().replace('\\', '/'), uid, gid);
                }
            }
            tar.finish();
        }
    }

    private static void put(TarArchiveOutputStream tar, Path p, String name, int uid, int gid) throws IOException {
        TarArchiveEntry e;
        boolean regular = false;
        if (Files.isSymbolicLink(p)) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (Files.isDirectory(p)) {
            e = new TarArchiveEntry(name + "/");
            e.setMode(0755);
        } else {
            e = new TarArchiveEntry(name);
            e.setSize(Files.size(p));
            e.setMode(mode(p));
            regular = true;
        }
        e.setIds(uid, gid);
        e.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
        tar.putArchiveEntry(e);
        if (regular) {
            Files.copy(p, tar);
        }
        tar.closeArchiveEntry();
    }

    private static int mode(Path p) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            return perms.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
        } catch (IOException | UnsupportedOperationException e) {
            return 0644;
        }
    }

    private static TarArchiveOutputStream open(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return tar;
    }
}
