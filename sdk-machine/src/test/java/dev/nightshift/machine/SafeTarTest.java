package dev.nightshift.machine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NightshiftException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTarTest {
    @TempDir
    Path tmp;

    private static final class TarBuilder {
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        final TarArchiveOutputStream tar = new TarArchiveOutputStream(buf);

        TarBuilder file(String name, String content) throws IOException {
            byte[] b = content.getBytes(UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(b.length);
            tar.putArchiveEntry(e);
            tar.write(b);
            tar.closeArchiveEntry();
            return this;
        }

        TarBuilder dir(String name) throws IOException {
            tar.putArchiveEntry(new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true));
            tar.closeArchiveEntry();
            return this;
        }

        TarBuilder symlink(String name, String target) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        TarBuilder hardlink(String name, String target) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        ByteArrayInputStream in() throws IOException {
            tar.finish();
            return new ByteArrayInputStream(buf.toByteArray());
        }
    }

    @Test
    void extractsAnOrdinaryTreeWithInnerLinks() throws IOException {
        Path target = tmp.resolve("out");
        SafeTar.extract(new TarBuilder().dir("repo").file("repo/a.txt", "A").dir("repo/sub").file("repo/sub/b.txt", "B")
                .symlink("repo/link", "sub/b.txt").hardlink("repo/hard", "repo/a.txt").in(), target);
        assertThat(Files.readString(target.resolve("repo/a.txt"))).isEqualTo("A");
        assertThat(Files.readString(target.resolve("repo/link"))).isEqualTo("B");
        assertThat(Files.readString(target.resolve("repo/hard"))).isEqualTo("A");
    }

    @Test
    void refusesDotDotEntries() throws IOException {
        Path target = tmp.resolve("out");
        assertThatThrownBy(() -> SafeTar.extract(new TarBuilder().file("ok.txt", "fine").file("../evil.txt", "x").in(), target))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("'../evil.txt'").hasMessageContaining("'..'");
        assertThat(tmp.resolve("evil.txt")).doesNotExist();
        assertThatThrownBy(() -> SafeTar.extract(new TarBuilder().file("a/../../evil2.txt", "x").in(), target))
                .isInstanceOf(NightshiftException.class);
        assertThat(tmp.resolve("evil2.txt")).doesNotExist();
    }

    @Test
    void refusesAbsoluteEntries() throws IOException {
        Path target = tmp.resolve("out");
        Path abs = tmp.resolve("abs.txt");
        assertThatThrownBy(() -> SafeTar.extract(new TarBuilder().file(abs.toString(), "x").in(), target))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("absolute");
        assertThat(abs).doesNotExist();
    }

    @Test
    void refusesSymlinksThatEscape() throws IOException {
        Path target = tmp.resolve("out");
        assertThatThrownBy(() -> SafeTar.extract(new TarBuilder().symlink("up", "../../etc").in(), target))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("symbolic link");
        assertThat(target.resolve("up")).doesNotExist();
        assertThatThrownBy(() -> SafeTar.extract(new TarBuilder().symlink("passwd", "/etc/passwd").in(), target))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("points outside");
        assertThat(target.resolve("passwd")).doesNotExist();
    }

    @Test
    void refusesHardLinksThatEscape() throws IOException {
        Path target = tmp.resolve("out");
        Files.writeString(tmp.resolve("secret"), "s");
        assertThatThrownBy(() -> SafeTar.extract(new TarBuilder().hardlink("h", "../secret").in(), target))
                .isInstanceOf(NightshiftException.class);
        assertThat(target.resolve("h")).doesNotExist();
    }

    @Test
    void refusesWritingThroughALinkPlacedOutsideBeforehand() throws IOException {
        Path target = tmp.resolve("out");
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Files.createDirectories(target);
        Files.createSymbolicLink(target.resolve("d"), outside);
        assertThatThrownBy(() -> SafeTar.extract(new TarBuilder().file("d/x.txt", "x").in(), target))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("through a link");
        assertThat(outside.resolve("x.txt")).doesNotExist();
    }
}
