package dev.nightshift.benchmarks;

import dev.nightshift.core.secrets.Redactor;
import dev.nightshift.core.secrets.StreamRedactor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Throughput of the streaming {@link Redactor} (every secret, its URL-encoded and base64 forms,
 * found across 8 KiB chunk boundaries) on command output with 0, 10, 50 and 1000 secrets, next to
 * a naive loop of {@link String#replace} per secret per chunk (raw values only, and blind to a
 * value split across chunks). The output holds a secret, raw or base64, every ~64 KiB.
 */
public final class RedactionBenchmark {
    private static final int CHUNK = 8192;

    public static void main(String[] args) {
        Bench bench = Bench.of("Redaction of command output (streaming, 8 KiB chunks)", args);
        int mb = bench.size(100, 1);
        int runs = bench.size(5, 1);
        int warmup = bench.size(2, 0);
        for (int count : new int[] {0, 10, 50, 1000}) {
            Map<String, String> secrets = secrets(count);
            List<String> chunks = output(mb << 20, new ArrayList<>(secrets.values()));
            long chars = chunks.stream().mapToLong(String::length).sum();
            Redactor redactor = Redactor.of(secrets);
            long ours = bench.medianNanos(warmup, runs, () -> {
                StreamRedactor s = redactor.stream();
                long n = 0;
                for (String c : chunks) {
                    n += s.write(c).length();
                }
                return n + s.flush().length();
            });
            // the naive loop is O(secrets x size): measure it on a slice so the run stays short
            int slice = count >= 1000 ? Math.max(1, chunks.size() / 50) : chunks.size();
            List<String> naiveChunks = chunks.subList(0, slice);
            long naiveChars = naiveChunks.stream().mapToLong(String::length).sum();
            List<String> values = new ArrayList<>(secrets.values());
            long theirs = bench.medianNanos(warmup, runs, () -> {
                long n = 0;
                for (String c : naiveChunks) {
                    String out = c;
                    for (String v : values) {
                        out = out.replace(v, Redactor.MARK);
                    }
                    n += out.length();
                }
                return n;
            });
            bench.row(mb + " MB, " + count + " secrets (" + redactor.patternCount() + " forms)",
                    Bench.mbPerSecond(chars, ours), Bench.mbPerSecond(naiveChars, theirs) + " (String.replace loop)",
                    count == 50 ? ">= 200 MB/s" : "");
        }
        bench.print();
    }

    static Map<String, String> secrets(int count) {
        Random r = new Random(count);
        Map<String, String> out = new LinkedHashMap<>();
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        for (int i = 0; i < count; i++) {
            StringBuilder b = new StringBuilder("tok_");
            for (int k = 0; k < 20 + r.nextInt(24); k++) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            out.put("SECRET_" + i, b.toString());
        }
        return out;
    }

    /** 80-column build-log-like lines, a secret (raw or base64) about every 64 KiB, cut in 8 KiB chunks. */
    static List<String> output(int size, List<String> secrets) {
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
                all.append(r.nextBoolean() ? "token=" + s
                        : "auth=" + Base64.getEncoder().encodeToString(("user:" + s).getBytes(StandardCharsets.UTF_8)));
                nextSecret += 65536;
            }
            all.append('\n');
        }
        List<String> chunks = new ArrayList<>();
        for (int off = 0; off < size; off += CHUNK) {
            chunks.add(all.substring(off, Math.min(size, off + CHUNK)));
        }
        return chunks;
    }
}
