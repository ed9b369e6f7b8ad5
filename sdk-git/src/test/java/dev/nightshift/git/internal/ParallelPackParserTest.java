package dev.nightshift.git.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.git.Sh;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PackParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel pack indexer against git's own {@code index-pack}: byte-identical indexes for
 * packs with offset deltas and with reference deltas, clear errors (and nothing left behind) for
 * corrupt, truncated and thin packs, and JGit's parser for every pack after the first.
 */
class ParallelPackParserTest {
    @TempDir
    Path tmp;
    private Path source;
    private String first;
    private String last;

    @BeforeEach
    void history() throws IOException {
        source = tmp.resolve("source.git");
        Files.createDirectories(source);
        Sh.git(source, "init", "-q", "--bare");
        Random random = new Random(7);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int c = 0; c < 40; c++) {
            String msg = "commit " + c + "\n";
            write(stream, "commit refs/heads/main\ncommitter T <t@example.com> " + (1_700_000_000L + c)
                    + " +0000\ndata " + msg.length() + "\n" + msg);
            int changes = c == 0 ? 300 : 5;
            for (int k = 0; k < changes; k++) {
                int f = c == 0 ? k : random.nextInt(300);
                String content = "file " + f + " version " + c + "\n" + "y".repeat(100 + random.nextInt(900)) + "\n";
                byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
                write(stream, "M 100644 inline d" + (f % 10) + "/f" + f + ".txt\ndata " + bytes.length + "\n");
                stream.writeBytes(bytes);
            }
            write(stream, "\n");
        }
        write(stream, "reset refs/tags/empty\nfrom refs/heads/main\n\n");
        Path importFile = tmp.resolve("import");
        Files.write(importFile, stream.toByteArray());
        Sh.run(source, List.of("sh", "-c", "git fast-import --quiet < " + importFile));
        Sh.git(source, "repack", "-q", "-adf");
        first = Sh.git(source, "rev-list", "--max-parents=0", "main");
        last = Sh.git(source, "rev-parse", "main");
    }

    @Test
    void indexesOffsetDeltaPackExactlyLikeGitIndexPack() throws IOException {
        byte[] pack = pack("--delta-base-offset");
        Path mirror = tmp.resolve("mirror.git");
        int before = ParallelPackParser.PARALLEL_PARSES.get();
        try (Repository repo = parse(mirror, pack)) {
            assertThat(ParallelPackParser.PARALLEL_PARSES.get()).isEqualTo(before + 1);
            assertThat(repo.getObjectDatabase().has(ObjectId.fromString(last))).isTrue();
        }
        assertThat(index(mirror)).isEqualTo(gitIndexPack(pack));
        Sh.git(mirror, "fsck", "--full", "--no-dangling");
    }

    @Test
    void indexesReferenceDeltaPackExactlyLikeGitIndexPack() throws IOException {
        byte[] pack = pack();
        assertThat(Sh.git(tmp, "-C", source.toString(), "verify-pack", "-v", packFile(source).toString()))
                .as("the control: this pack really uses deltas").contains("chain length");
        Path mirror = tmp.resolve("mirror.git");
        parse(mirror, pack).close();
        assertThat(index(mirror)).isEqualTo(gitIndexPack(pack));
        Sh.git(mirror, "fsck", "--full", "--no-dangling");
    }

    @Test
    void refusesACorruptPackAndLeavesNoFile() throws IOException {
        byte[] pack = pack("--delta-base-offset");
        byte[] bad = pack.clone();
        bad[bad.length / 2] ^= 0x55;
        Path mirror = tmp.resolve("mirror.git");
        assertThatThrownBy(() -> parse(mirror, bad)).isInstanceOf(IOException.class)
                .hasMessageMatching("(?s).*(offset|checksum).*");
        assertThat(packDirectoryFiles(mirror)).isEmpty();
        assertThat(Files.list(mirror.resolve("objects")).filter(p -> p.getFileName().toString().startsWith("incoming_")))
                .isEmpty();
    }

    @Test
    void refusesATruncatedPack() {
        byte[] pack = pack("--delta-base-offset");
        byte[] cut = Arrays.copyOf(pack, pack.length - 100);
        assertThatThrownBy(() -> parse(tmp.resolve("mirror.git"), cut)).isInstanceOf(IOException.class)
                .hasMessageContaining("ends");
    }

    @Test
    void refusesAThinPackItCannotComplete() {
        byte[] thin = run(source, "sh", "-c", "printf '%s\\n' " + last + " ^" + first
                + " | git pack-objects -q --thin --revs --stdout");
        assertThatThrownBy(() -> parse(tmp.resolve("mirror.git"), thin)).isInstanceOf(IOException.class)
                .hasMessageContaining("thin pack");
    }

    @Test
    void laterPacksGoThroughJGitsParser() throws IOException {
        byte[] older = run(source, "sh", "-c", "printf '%s\\n' " + first + " | git pack-objects -q --revs --stdout");
        byte[] newer = run(source, "sh", "-c", "printf '%s\\n' " + last + " ^" + first
                + " | git pack-objects -q --thin --revs --delta-base-offset --stdout");
        Path mirror = tmp.resolve("mirror.git");
        try (Repository repo = parse(mirror, older)) {
            int before = ParallelPackParser.PARALLEL_PARSES.get();
            try (ObjectInserter ins = repo.newObjectInserter()) {
                PackParser p = ins.newPackParser(new ByteArrayInputStream(newer));
                p.setAllowThin(true);
                p.parse(NullProgressMonitor.INSTANCE);
                ins.flush();
            }
            assertThat(ParallelPackParser.PARALLEL_PARSES.get()).as("JGit completes the thin pack").isEqualTo(before);
            assertThat(repo.getObjectDatabase().has(ObjectId.fromString(last))).isTrue();
        }
        Sh.git(mirror, "fsck", "--full", "--no-dangling");
    }

    @Test
    void mirrorFetchIntoAnEmptyMirrorIndexesInParallel() throws IOException {
        int before = ParallelPackParser.PARALLEL_PARSES.get();
        try (Mirrors mirrors = new Mirrors(tmp.resolve("cache"), GitCredentials.NONE, Duration.ofMinutes(1))) {
            Remote remote = Remote.parse(source.toUri().toString());
            mirrors.fetch(remote);
            assertThat(ParallelPackParser.PARALLEL_PARSES.get()).isEqualTo(before + 1);
            assertThat(mirrors.repository(remote).resolve("refs/heads/main").name()).isEqualTo(last);
            Sh.git(mirrors.repository(remote).getDirectory().toPath(), "fsck", "--full", "--no-dangling");
        }
    }

    private Repository parse(Path mirror, byte[] pack) throws IOException {
        Files.createDirectories(mirror);
        Sh.git(mirror, "init", "-q", "--bare");
        Repository repo = MirrorRepository.open(mirror.toFile());
        try (ObjectInserter ins = repo.newObjectInserter(); InputStream in = new ByteArrayInputStream(pack)) {
            PackParser p = ins.newPackParser(in);
            p.setAllowThin(true);
            p.setLockMessage("test");
            p.parse(NullProgressMonitor.INSTANCE).unlock();
            ins.flush();
        } catch (IOException | RuntimeException e) {
            repo.close();
            throw e;
        }
        return repo;
    }

    private byte[] pack(String... options) {
        return run(source, "sh", "-c", "git rev-list --objects --all | git pack-objects -q --stdout "
                + String.join(" ", options));
    }

    private byte[] gitIndexPack(byte[] pack) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "index-pack");
        Path file = dir.resolve("p.pack");
        Files.write(file, pack);
        Sh.git(dir, "index-pack", "-o", dir.resolve("p.idx").toString(), file.toString());
        return Files.readAllBytes(dir.resolve("p.idx"));
    }

    private static byte[] index(Path mirror) throws IOException {
        try (var files = Files.list(mirror.resolve("objects/pack"))) {
            List<Path> idx = files.filter(p -> p.toString().endsWith(".idx")).toList();
            assertThat(idx).hasSize(1);
            return Files.readAllBytes(idx.get(0));
        }
    }

    private static Path packFile(Path repo) throws IOException {
        try (var files = Files.list(repo.resolve("objects/pack"))) {
            return files.filter(p -> p.toString().endsWith(".pack")).findFirst().orElseThrow();
        }
    }

    private static List<Path> packDirectoryFiles(Path mirror) throws IOException {
        Path dir = mirror.resolve("objects/pack");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static byte[] run(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
