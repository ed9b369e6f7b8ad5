package dev.nightshift.benchmarks;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nightshift.spec.EnvironmentParser;
import dev.nightshift.spec.ParseResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Parse + validate time of environment.json ({@link EnvironmentParser}: streaming read with the
 * location index, JSON Schema validation, lenient rules, binding), next to a bare Jackson
 * {@code readTree} of the same bytes: for a typical file after warm-up (target under 1 ms), for
 * the whole conformance corpus, and for the two hostile inputs that must fail fast (a 50 MB file
 * and a 200,000-deep array). The corpus is the conformance test's
 * ({@code sdk-spec/src/test/resources/conformance/environment-json} of the repository the
 * benchmark runs in, or {@code -Dnightshift.conformance.dir}); without it that row says so.
 */
public final class SpecBenchmark {
    /** The reference's build example: a typical file. */
    static final byte[] TYPICAL = """
            {
              // Dockerfile next to this file; the repository root is the build context
              "build": { "dockerfile": "Dockerfile", "context": ".." },
              "user": "ubuntu",
              "install": "pnpm install",
              "start": "sudo service docker start",
              "terminals": [ { "name": "web", "command": "pnpm dev", "description": "dev server on :3000" } ],
              "ports": [ { "name": "web", "port": 3000 } ]
            }
            """.getBytes(StandardCharsets.UTF_8);

    public static void main(String[] args) throws IOException {
        Bench bench = Bench.of("environment.json parse + validate", args);
        EnvironmentParser parser = EnvironmentParser.lenient();
        ObjectMapper jackson = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
        int warmup = bench.size(20_000, 1);
        int runs = bench.size(2_001, 1);

        if (!parser.parse("typical.json", TYPICAL).isValid()) {
            throw new IllegalStateException("the typical file must be valid");
        }
        long ours = bench.medianNanos(warmup, runs, () -> parser.parse("typical.json", TYPICAL).problems().size() + 1);
        long theirs = bench.medianNanos(warmup, runs, () -> readTree(jackson, TYPICAL));
        bench.row("typical file (" + TYPICAL.length + " B), median", Bench.millis(ours),
                Bench.millis(theirs) + " (Jackson readTree)", "< 1 ms", ours < 1_000_000L);

        List<byte[]> corpus = corpus();
        if (corpus.isEmpty()) {
            bench.row("whole corpus", "n/a", "n/a", "(corpus folder not found)");
        } else {
            int corpusRuns = bench.size(201, 1);
            long all = bench.medianNanos(bench.size(200, 0), corpusRuns, () -> {
                long n = 0;
                for (byte[] f : corpus) {
                    ParseResult r = parser.parse("f.json", f);
                    n += r.problems().size() + (r.isValid() ? 1 : 0);
                }
                return n;
            });
            long allJackson = bench.medianNanos(bench.size(200, 0), corpusRuns, () -> {
                long n = 0;
                for (byte[] f : corpus) {
                    n += readTree(jackson, f);
                }
                return n;
            });
            bench.row("whole corpus (" + corpus.size() + " files), median", Bench.millis(all),
                    Bench.millis(allJackson) + " (Jackson readTree)", "-");
        }

        byte[] big = new byte[bench.size(50 << 20, 2 << 20)];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        long bigNanos = bench.medianNanos(bench.size(5, 0), bench.size(11, 1), () -> rejected(parser, big));
        bench.row((big.length >> 20) + " MB file rejected", Bench.millis(bigNanos), "-", "well under 1 s (< 250 ms)",
                bigNanos < 250_000_000L);

        int depth = 200_000;
        byte[] deep = ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
        long deepNanos = bench.medianNanos(bench.size(5, 0), bench.size(11, 1), () -> rejected(parser, deep));
        bench.row("200,000-deep array rejected", Bench.millis(deepNanos), "-", "well under 1 s (< 250 ms)",
                deepNanos < 250_000_000L);
        bench.print();
    }

    private static long rejected(EnvironmentParser parser, byte[] bytes) {
        ParseResult r = parser.parse("hostile.json", bytes);
        if (r.isValid()) {
            throw new IllegalStateException("a hostile input was accepted");
        }
        return r.problems().size();
    }

    private static long readTree(ObjectMapper jackson, byte[] bytes) {
        try {
            return jackson.readTree(bytes).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<byte[]> corpus() throws IOException {
        Path dir = null;
        String configured = System.getProperty("nightshift.conformance.dir");
        if (configured != null) {
            dir = Path.of(configured);
        } else {
            for (Path d = Path.of("").toAbsolutePath(); d != null && dir == null; d = d.getParent()) {
                Path candidate = d.resolve("sdk-spec/src/test/resources/conformance/environment-json");
                if (Files.isDirectory(candidate)) {
                    dir = candidate;
                }
            }
        }
        List<byte[]> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.add(Files.readAllBytes(f));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
    }
}
