package dev.nightshift.benchmarks;

import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.secrets.Redactor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Throughput of redaction on the path the engine runs for a command's output: bytes as the
 * runtime delivers them go through {@link Redactor#execListener} (the streaming
 * redactor over bytes with the UTF-8 form of every form of every secret) and are cut into lines
 * (the event log applies only the embedder's own redactor to them). Next to it, the path before
 * the byte-stream redaction: cut into lines first, then each line redacted (same forms; blind to a
 * secret cut by a line break). The output holds a secret (raw, base64 or wrapped base64) about
 * every 64 KiB. Rows: 0 to 1000 token secrets in 8 KiB chunks, 50 in line-sized writes, and 50
 * with a PEM key and a 90-char token among them (their wrapped base64 and line forms make the
 * automaton largest). Figures are MB per second of the measuring thread's CPU time (the machine
 * is shared with other builds; wall-clock figures in brackets), median of the runs.
 */
public final class RedactionBenchmark {
    static final double TARGET_MB_S = 200;

    public static void main(String[] args) {
        Bench bench = Bench.of("Redaction of command output, the engine's path (bytes -> stream redactor -> lines),"
                + " MB per CPU second", args);
        int mb = bench.size(64, 1);
        int runs = bench.size(5, 1);
        int warmup = bench.size(2, 0);
        row(bench, "0 secrets, 8 KiB chunks", secrets(0, false), mb, 8192, warmup, runs, false);
        row(bench, "10 secrets, 8 KiB chunks", secrets(10, false), mb, 8192, warmup, runs, false);
        row(bench, "50 secrets, 8 KiB chunks", secrets(50, false), mb, 8192, warmup, runs, true);
        row(bench, "50 secrets, 80-byte writes", secrets(50, false), mb, 80, warmup, runs, true);
        row(bench, "50 secrets with a PEM key, 8 KiB chunks", secrets(50, true), mb, 8192, warmup, runs, true);
        row(bench, "1000 secrets, 8 KiB chunks", secrets(1000, false), mb, 8192, warmup, runs, false);
        bench.print();
    }

    static void row(Bench bench, String what, Map<String, String> secrets, int mb, int chunk, int warmup, int runs,
            boolean targeted) {
        List<byte[]> chunks = output(mb << 20, new ArrayList<>(secrets.values()), chunk);
        long bytes = chunks.stream().mapToLong(c -> c.length).sum();
        Redactor redactor = Redactor.of(secrets);
        long[] ours = medianCpuAndWall(warmup, runs, () -> enginePath(redactor, chunks));
        long[] theirs = medianCpuAndWall(warmup, runs, () -> linesThenRedact(redactor, chunks));
        double cpu = bytes / 1e6 / (ours[0] / 1e9);
        String target = !targeted ? "" : String.format(Locale.ROOT, ">= %.0f MB/s per CPU second: %s", TARGET_MB_S,
                bench.smoke() ? "not judged at smoke size" : cpu >= TARGET_MB_S ? "holds" : "MISSED");
        bench.row(what + " (" + redactor.patternCount() + " forms)",
                Bench.mbPerSecond(bytes, ours[0]) + " (" + Bench.mbPerSecond(bytes, ours[1]) + " wall)",
                Bench.mbPerSecond(bytes, theirs[0]) + " (" + Bench.mbPerSecond(bytes, theirs[1])
                        + " wall) lines, then each redacted", target);
    }

    /**
     * Median thread CPU time and median wall time of {@code runs} runs after {@code warmup}: the
     * machine is shared, so CPU time is the figure that says what the code costs.
     */
    static long[] medianCpuAndWall(int warmup, int runs, java.util.function.LongSupplier task) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += task.getAsLong();
        }
        long[] cpu = new long[Math.max(1, runs)];
        long[] wall = new long[cpu.length];
        for (int i = 0; i < cpu.length; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            sink += task.getAsLong();
            wall[i] = System.nanoTime() - w0;
            cpu[i] = threads.getCurrentThreadCpuTime() - c0;
        }
        if (sink == 42) {
            System.out.print("");
        }
        java.util.Arrays.sort(cpu);
        java.util.Arrays.sort(wall);
        return new long[] {cpu[cpu.length / 2], wall[wall.length / 2]};
    }

    /**
     * As RecordingMachine does it: stream-redact the bytes, cut lines; the event log does not
     * redact command output lines again (only the embedder's own redactor, identity here).
     */
    static long enginePath(Redactor redactor, List<byte[]> chunks) {
        long[] n = {0};
        ExecListener.LineListener lines = ExecListener.lines((stream, line) -> n[0] += line.length());
        ExecListener in = redactor.isEmpty() ? lines : redactor.execListener(lines);
        for (byte[] c : chunks) {
            in.onStdout(c, 0, c.length);
        }
        if (in instanceof Redactor.OutputListener r) {
            r.flush();
        } else {
            lines.flush();
        }
        return n[0];
    }

    /** The path before: cut lines, then redact each. */
    static long linesThenRedact(Redactor redactor, List<byte[]> chunks) {
        long[] n = {0};
        ExecListener.LineListener lines = ExecListener.lines((stream, line) -> n[0] += redactor.redact(line).length());
        for (byte[] c : chunks) {
            lines.onStdout(c, 0, c.length);
        }
        lines.flush();
        return n[0];
    }

    static Map<String, String> secrets(int count, boolean withKey) {
        Random r = new Random(count);
        Map<String, String> out = new LinkedHashMap<>();
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        for (int i = 0; i < count; i++) {
            StringBuilder b = new StringBuilder("tok_");
            int length = withKey && i == 1 ? 86 : 20 + r.nextInt(24);
            for (int k = 0; k < length; k++) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            out.put("SECRET_" + i, b.toString());
        }
        if (withKey && count > 0) {
            StringBuilder key = new StringBuilder("-----BEGIN OPENSSH PRIVATE KEY-----\n");
            for (int i = 0; i < 26; i++) {
                byte[] line = new byte[48];
                r.nextBytes(line);
                key.append(Base64.getEncoder().encodeToString(line)).append('\n');
            }
            out.put("SECRET_0", key.append("-----END OPENSSH PRIVATE KEY-----").toString());
        }
        return out;
    }

    /** 80-column build-log-like lines, a secret (raw, base64 or wrapped base64) about every 64 KiB, cut in chunks. */
    static List<byte[]> output(int size, List<String> secrets, int chunk) {
        Random r = new Random(42);
        String[] words = {"npm", "install", "compiling", "src/main/java/App.java", "warning:", "done", "in", "1.2s",
            "ok", "test", "PASS", "FAIL", "Downloading", "https://registry.example.org/pkg/-/pkg-1.0.0.tgz", "[INFO]"};
        StringBuilder all = new StringBuilder(size + 200);
        int nextSecret = 65536;
        while (all.length() < size) {
            int lineStart = all.length();
            while (all.length() - lineStart < 72) {
                all.append(words[r.nextInt(words.length)]).append(' ');
            }
            if (!secrets.isEmpty() && all.length() >= nextSecret) {
                String s = secrets.get(r.nextInt(secrets.size()));
                String b64 = Base64.getEncoder().encodeToString(("user:" + s).getBytes(StandardCharsets.UTF_8));
                switch (r.nextInt(3)) {
                    case 0 -> all.append("token=").append(s);
                    case 1 -> all.append("auth=").append(b64);
                    default -> {
                        for (int i = 0; i < b64.length(); i += 76) {
                            all.append('\n').append(b64, i, Math.min(b64.length(), i + 76));
                        }
                    }
                }
                nextSecret += 65536;
            }
            all.append('\n');
        }
        byte[] bytes = all.substring(0, size).getBytes(StandardCharsets.UTF_8);
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < bytes.length; off += chunk) {
            chunks.add(java.util.Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + chunk)));
        }
        return chunks;
    }
}
