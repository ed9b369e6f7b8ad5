package dev.nightshift.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path tmp;

    @Test
    void deletesATreeButNotWhatALinkPointsTo() throws IOException {
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "keep me");
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/c/file"), "x");
        Files.writeString(root.resolve("top"), "y");
        Files.createSymbolicLink(root.resolve("a/link"), outside);
        Files.createSymbolicLink(root.resolve("dirlink"), tmp);

        FileTrees.delete(root);

        assertThat(root).doesNotExist();
        assertThat(outside).as("a link is deleted, not followed").hasContent("keep me");
    }

    @Test
    void aMissingRootIsNotAnError() throws IOException {
        FileTrees.delete(tmp.resolve("never-made"));
        assertThat(FileTrees.deleteQuietly(tmp.resolve("never-made"))).isTrue();
    }

    @Test
    void aFileRootIsDeleted() throws IOException {
        Path f = Files.writeString(tmp.resolve("f"), "x");
        FileTrees.delete(f);
        assertThat(f).doesNotExist();
    }

    @Test
    void whatCannotBeDeletedFailsLoudlyOrQuietly() throws Exception {
        Path root = tmp.resolve("locked");
        Path inner = Files.createDirectories(root.resolve("inner"));
        Path file = Files.writeString(inner.resolve("file"), "x");
        boolean immutable = false;
        Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString("r-x------"));
        try {
            if (Files.isWritable(inner)) {
                // root ignores permissions: an immutable file (ext4, xfs, btrfs) stops even root
                immutable = chattr("+i", file);
                Assumptions.assumeTrue(immutable, "running as root on a file system without chattr +i");
            }
            assertThatThrownBy(() -> FileTrees.delete(root)).isInstanceOf(IOException.class);
            assertThat(FileTrees.deleteQuietly(root)).isFalse();
            assertThat(file).exists();
        } finally {
            if (immutable) {
                chattr("-i", file);
            }
            Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static boolean chattr(String flag, Path file) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false; // no chattr on this machine
        }
    }
}
