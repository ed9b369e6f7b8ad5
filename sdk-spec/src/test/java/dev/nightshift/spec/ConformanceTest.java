package dev.nightshift.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.nightshift.api.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every real environment.json in the shared conformance folder against the golden file in the
 * test resources. The folder is found from {@code -Dnightshift.conformance.dir},
 * {@code NIGHTSHIFT_CONFORMANCE_DIR}, or by walking up from the module to a
 * {@code shared/conformance/environment-json} (or {@code conformance/environment-json}).
 */
class ConformanceTest {
    static final String GOLDEN = "/conformance/environment-json.golden.tsv";

    record Expected(String outcome, List<String> warnings, List<String> errors) {
    }

    static Path corpus() {
        String configured = System.getProperty("nightshift.conformance.dir", System.getenv("NIGHTSHIFT_CONFORMANCE_DIR"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("shared/conformance/environment-json"),
                    dir.resolve("conformance/environment-json"))) {
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        return fail("conformance folder not found: set -Dnightshift.conformance.dir=.../conformance/environment-json");
    }

    static Map<String, Expected> golden() throws IOException {
        Map<String, Expected> out = new LinkedHashMap<>();
        try (InputStream in = ConformanceTest.class.getResourceAsStream(GOLDEN)) {
            assertThat(in).as(GOLDEN).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                assertThat(f).as("golden line %s", line).hasSize(4);
                out.put(f[0], new Expected(f[1], list(f[2]), list(f[3])));
            }
        }
        return out;
    }

    private static List<String> list(String field) {
        return field.equals("-") ? List.of() : List.of(field.split(","));
    }

    static List<Path> corpusFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void everyCorpusFileMatchesTheGoldenFile() throws IOException {
        Path dir = corpus();
        Map<String, Expected> golden = golden();
        List<Path> files = corpusFiles(dir);
        assertThat(files).as("corpus files in %s", dir).isNotEmpty();
        TreeSet<String> names = files.stream().map(p -> p.getFileName().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(names).as("every corpus file has a line in %s (add one for a new file)", GOLDEN)
                .isSubsetOf(golden.keySet());
        assertThat(golden.keySet()).as("every line in %s has its corpus file", GOLDEN).isSubsetOf(names);

        List<String> mismatches = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            Expected want = golden.get(name);
            ParseResult r = EnvironmentParser.lenient().parse(name, Files.readAllBytes(file));
            List<String> warnings = r.warnings().stream().map(Problem::pointer).toList();
            List<String> errors = r.errors().stream().map(Problem::pointer).toList();
            String outcome = !r.isValid() ? "invalid" : warnings.isEmpty() ? "valid" : "warnings";
            Expected got = new Expected(outcome, warnings, errors);
            if (!got.equals(want)) {
                mismatches.add(name + ": expected " + want + ", got " + got + "\n    "
                        + r.problems().stream().map(Problem::toString).collect(Collectors.joining("\n    ")));
            }
            for (Problem p : r.problems()) {
                if (p.line() < 1 || p.column() < 1) {
                    mismatches.add(name + ": problem without a location: " + p);
                }
            }
            ParseResult strict = EnvironmentParser.strict().parse(name, Files.readAllBytes(file));
            List<String> strictErrors = strict.errors().stream().map(Problem::pointer).toList();
            List<String> allPointers = r.problems().stream().map(Problem::pointer).toList();
            if (strict.isValid() != r.problems().isEmpty() || !strictErrors.equals(allPointers)) {
                mismatches.add(name + ": strict mode should turn exactly the warnings into errors, got " + strictErrors);
            }
        }
        assertThat(mismatches).as("corpus files whose outcome differs from %s", GOLDEN).isEmpty();
    }
}
