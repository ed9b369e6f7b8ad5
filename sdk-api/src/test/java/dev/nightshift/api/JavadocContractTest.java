package dev.nightshift.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JavadocContractTest {

    @Test
    void everyPublicApiTypeStatesThreadSafetyAndLifecycle() {
        Path sources = Path.of("src/main/java");
        assertThat(sources).as("run from the sdk-api module directory").isDirectory();
        assertThat(JavadocContract.violations(sources)).isEmpty();
    }

    @Test
    void theWalkReachesEveryApiSourceFile(@org.junit.jupiter.api.io.TempDir Path copy) throws Exception {
        Path sources = Path.of("src/main/java");
        long files;
        try (var walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java")).count();
        }
        try (var walk = Files.walk(sources)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                Path target = copy.resolve(sources.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.writeString(target, Files.readString(p).replace("Thread-safety:", "Threads"));
            }
        }
        assertThat(JavadocContract.violations(copy))
                .as("with the marker removed everywhere, every one of the %d API files is flagged", files)
                .hasSize((int) files)
                .allMatch(v -> v.endsWith("lacks 'Thread-safety:'"));
        assertThat(files).isGreaterThan(40);
    }

    @Test
    void rejectsATypeWithoutMarkers() throws Exception {
        String source = Files.readString(Path.of("src/test/resources/javadoc-fixture/Undocumented.java.txt"),
                StandardCharsets.UTF_8);
        assertThat(JavadocContract.check("Undocumented.java", source)).containsExactly(
                "Undocumented.java: Javadoc of Undocumented lacks 'Thread-safety:'",
                "Undocumented.java: Javadoc of Undocumented lacks 'Lifecycle:'");
    }

    @Test
    void rejectsATypeWithoutJavadoc() {
        assertThat(JavadocContract.check("Bare.java", "package x;\n\nimport java.util.List;\n\npublic final class Bare {}\n"))
                .containsExactly("Bare.java: public type Bare has no Javadoc");
    }

    @Test
    void acceptsADocumentedAnnotatedType() {
        String source = "package x;\n/**\n * Doc.\n * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.\n */\n"
                + "@FunctionalInterface\npublic interface Good { void run(); }\n";
        assertThat(JavadocContract.check("Good.java", source)).isEmpty();
    }
}
