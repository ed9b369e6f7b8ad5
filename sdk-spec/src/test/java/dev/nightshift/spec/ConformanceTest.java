package dev.nightshift.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
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
 * Every real environment.json of the conformance corpus against the golden file. The corpus lives
 * in this module's test resources ({@code conformance/environment-json/}, with {@code SOURCES}
 * naming the repository, commit and path each file was taken from), so the test needs nothing
 * outside the repository.
 */
class ConformanceTest {
    static final String GOLDEN = "/conformance/environment-json.golden.tsv";
    static final String CORPUS = "/conformance/environment-json";

    record Expected(String outcome, List<String> warnings, List<String> errors) {
    }

    static Path corpus() {
        URL url = ConformanceTest.class.getResource(CORPUS);
        assertThat(url).as("the corpus folder %s in the test resources", CORPUS).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
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

    @Test
    void sourcesNameEveryCorpusFileWithItsRepositoryCommitAndPath() throws IOException {
        Path dir = corpus();
        List<String> lines = Files.readAllLines(dir.resolve("SOURCES"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(lines.get(0)).isEqualTo("file\trepository\tcommit\tpath");
        TreeSet<String> listed = new TreeSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            assertThat(f).as("SOURCES line %s", line).hasSize(4);
            assertThat(f[1]).as("repository of %s", f[0]).matches("github\\.com/[^/\\s]+/[^/\\s]+");
            assertThat(f[2]).as("commit of %s", f[0]).matches("[0-9a-f]{40}");
            assertThat(f[3]).as("path of %s", f[0]).isEqualTo(".cursor/environment.json");
            assertThat(listed.add(f[0])).as("%s listed once", f[0]).isTrue();
        }
        TreeSet<String> files = corpusFiles(dir).stream().map(p -> p.getFileName().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed).as("SOURCES lists exactly the corpus files").isEqualTo(files);
    }
}
