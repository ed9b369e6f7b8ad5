package dev.nightshift.benchmarks;

import dev.nightshift.api.runtime.ExecListener;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Throughput of {@link ExecListener#lines}, which every command's output goes through when
 * Nightshift records it line by line, next to {@link BufferedReader#readLine()} over the same
 * bytes. Output arrives in 8 KiB chunks, as from a Docker stream.
 */
public final class LineSplitBenchmark {
    public static void main(String[] args) {
        Bench bench = Bench.of("Command output split into lines", args);
        int mb = bench.size(64, 1);
        byte[] data = sample(mb << 20);
        int runs = bench.size(7, 1);
        long ours = bench.medianNanos(bench.size(3, 0), runs, () -> {
            long[] count = {0};
            ExecListener.LineListener l = ExecListener.lines((s, line) -> count[0] += line.length());
            for (int off = 0; off < data.length; off += 8192) {
                l.onStdout(data, off, Math.min(8192, data.length - off));
            }
            l.flush();
            return count[0];
        });
        long theirs = bench.medianNanos(bench.size(3, 0), runs, () -> {
            long count = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(data),
                    StandardCharsets.UTF_8), 8192)) {
                for (String line; (line = r.readLine()) != null; ) {
                    count += line.length();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return count;
        });
        bench.row(mb + " MB of 80-column output", Bench.mbPerSecond(data.length, ours),
                Bench.mbPerSecond(data.length, theirs) + " (BufferedReader)", "same order as BufferedReader (>= 0.1x)",
                ours <= theirs * 10);
        bench.print();
    }

    private static byte[] sample(int size) {
        byte[] line = "0123456789 the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklm\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = line[i % line.length];
        }
        return out;
    }
}
