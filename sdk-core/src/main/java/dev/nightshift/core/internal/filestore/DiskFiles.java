package dev.nightshift.core.internal.filestore;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * The file store's ways of touching the disk: atomic replacement (written aside, optionally
 * synced, renamed), whole-file and last-line reads, and the repair of a line a crash cut short.
 * java.io rather than NIO wherever a calling thread may be interrupted (a stopping turn): an
 * interrupt cannot close a stream under it.
 */
final class DiskFiles {
    private DiskFiles() {
    }

    /** Cuts a last line left without its newline by a crash, so the next append starts clean. */
    static void truncatePartialLine(Path f) {
        if (!Files.exists(f)) {
            return; // nothing written yet
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            long size = raf.length();
            long keep = size;
            while (keep > 0) {
                raf.seek(keep - 1);
                if (raf.read() == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                raf.setLength(keep);
                raf.getFD().sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + f, e);
        }
    }

    /** The last complete line of {@code f} (without its newline), or null when it has none; read from the end. */
    static byte[] lastLine(Path f) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            long size = raf.length();
            for (long window = 16_384; ; window *= 2) {
                long from = Math.max(0, size - window);
                byte[] tail = new byte[(int) (size - from)];
                raf.seek(from);
                raf.readFully(tail);
                int end = tail.length - 1;
                while (end >= 0 && tail[end] != '\n') {
                    end--; // a torn last line: the one before it counts
                }
                if (end < 0) {
                    if (from == 0) {
                        return null;
                    }
                    continue;
                }
                int start = end - 1;
                while (start >= 0 && tail[start] != '\n') {
                    start--;
                }
                if (start < 0 && from > 0) {
                    continue; // the line starts before the window
                }
                return Arrays.copyOfRange(tail, start + 1, end);
            }
        } catch (FileNotFoundException e) {
            if (Files.exists(f)) {
                throw e;
            }
            return null;
        }
    }

    /** Creates an agent's directory if it is missing (a stat when it is there, not a failed mkdir's exception). */
    static void makeDirectory(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            Files.createDirectories(d);
        }
    }

    /**
     * The bytes of {@code f}, or null when it does not exist. java.io rather than NIO, like every
     * write but the lease locks: an interrupt of the calling thread (a stopping turn) cannot close
     * the file under it, so records, events and conversation lines can be written from any thread.
     */
    static byte[] readAll(Path f) throws IOException {
        try (FileInputStream in = new FileInputStream(f.toFile())) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            if (Files.exists(f)) {
                throw e; // there but unreadable
            }
            return null;
        }
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        writeAtomically(target, bytes, true);
    }

    /** Writes aside and renames over {@code target}; {@code sync}: the bytes reach the disk before the rename. */
    static void writeAtomically(Path target, byte[] bytes, boolean sync) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()
                + "-" + Thread.currentThread().getId());
        try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
            out.write(bytes);
            if (sync) {
                out.getFD().sync();
            }
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
