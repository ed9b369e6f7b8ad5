package dev.nightshift.core;

import dev.nightshift.api.runtime.Runtime;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of the engine's integration tests: one real Docker runtime per class (with
 * {@code CI=true} a missing engine fails, elsewhere the class is skipped; see {@link TestRuntime})
 * and a fresh directory per test for state and remotes.
 */
abstract class DockerEngineTest {
    static Runtime runtime;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRuntime() {
        runtime = TestRuntime.docker();
    }

    @AfterAll
    static void closeRuntime() {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }
}
