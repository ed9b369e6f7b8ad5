package dev.nightshift.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No production source file over {@value #MAX_LINES} lines, so that a class can be read in one
 * sitting. Parsers with one job may be longer ({@link #ONE_JOB_PARSERS}); the files still over the
 * limit are named in {@link #NOT_SPLIT_YET}, a list that can only shrink: a named file that is
 * back under the limit (or gone) fails the test until it is taken off the list.
 */
class ClassSizeTest {
    static final int MAX_LINES = 500;

    /** Long because they do one thing (a format's parser), not because they do many. */
    static final Set<String> ONE_JOB_PARSERS = Set.of(
            "sdk-git/src/main/java/dev/nightshift/git/internal/ParallelPackParser.java");

    /** Still over the limit: to be split, then taken off this list. Never add to it. */
    static final Set<String> NOT_SPLIT_YET = Set.of();

    @Test
    void noProductionClassIsOverTheLimit() {
        Path root = repositoryRoot();
        Set<String> exempt = new TreeSet<>(ONE_JOB_PARSERS);
        exempt.addAll(NOT_SPLIT_YET);
        Map<String, Integer> sizes = productionSizes(root);
        assertThat(sizes).as("production sources found").containsKey(
                "sdk-core/src/main/java/dev/nightshift/core/internal/AgentActor.java");
        assertThat(violations(sizes, exempt)).isEmpty();
    }

    @Test
    void theCheckBitesOnAFixture(@TempDir Path root) throws IOException {
        write(root.resolve("mod/src/main/java/x/Big.java"), 501);
        write(root.resolve("mod/src/main/java/x/AtTheLimit.java"), 500);
        write(root.resolve("mod/src/main/java/x/Listed.java"), 800);
        write(root.resolve("mod/src/main/java/x/Shrunk.java"), 40);
        write(root.resolve("mod/src/test/java/x/LongTest.java"), 900); // tests are not production
        Map<String, Integer> sizes = productionSizes(root);
        assertThat(sizes).containsOnlyKeys("mod/src/main/java/x/Big.java", "mod/src/main/java/x/AtTheLimit.java",
                "mod/src/main/java/x/Listed.java", "mod/src/main/java/x/Shrunk.java");
        assertThat(violations(sizes, Set.of("mod/src/main/java/x/Listed.java", "mod/src/main/java/x/Shrunk.java",
                "mod/src/main/java/x/Gone.java"))).containsExactly(
                        "mod/src/main/java/x/Big.java has 501 lines, over 500: split it",
                        "mod/src/main/java/x/Gone.java is exempted but no longer exists: take it off the list",
                        "mod/src/main/java/x/Shrunk.java is exempted but has 40 lines: take it off the list");
    }

    @Test
    void aControlWithinTheLimitPasses(@TempDir Path root) throws IOException {
        write(root.resolve("mod/src/main/java/x/AtTheLimit.java"), 500);
        assertThat(violations(productionSizes(root), Set.of())).isEmpty();
    }

    static List<String> violations(Map<String, Integer> sizes, Set<String> exempt) {
        Set<String> found = new TreeSet<>();
        sizes.forEach((file, lines) -> {
            if (lines > MAX_LINES && !exempt.contains(file)) {
                found.add(file + " has " + lines + " lines, over " + MAX_LINES + ": split it");
            }
        });
        for (String file : exempt) {
            Integer lines = sizes.get(file);
            if (lines == null) {
                found.add(file + " is exempted but no longer exists: take it off the list");
            } else if (lines <= MAX_LINES) {
                found.add(file + " is exempted but has " + lines + " lines: take it off the list");
            }
        }
        return new ArrayList<>(found);
    }

    /** Every {@code <module>/src/main/java/**.java} under {@code root}, by repository path, with its line count. */
    static Map<String, Integer> productionSizes(Path root) {
        Map<String, Integer> sizes = new TreeMap<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(Files::isDirectory).toList()) {
                Path main = module.resolve("src/main/java");
                if (!Files.isDirectory(main)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(main)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        sizes.put(root.relativize(f).toString().replace('\\', '/'), Files.readAllLines(f).size());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sizes;
    }

    /** The repository: the parent of this module's directory (the working directory of its tests). */
    static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        Path root = Files.isDirectory(here.resolve("sdk-core")) ? here : here.getParent();
        assertThat(root.resolve("architecture/pom.xml")).as("the repository root").exists();
        return root;
    }

    private static void write(Path file, int lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "// line\n".repeat(lines));
    }
}
