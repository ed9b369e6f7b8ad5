package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.MachineRuntime;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of the engine's integration tests: one real Docker runtime per class (with
 * {@code CI=true} a missing engine fails, elsewhere the class is skipped; see {@link TestRuntime})
 * and a fresh directory per test for state and remotes. After each test the machines and images
 * of every store in that directory are removed, and a test fails when one cannot be.
 */
abstract class DockerEngineTest {
    static MachineRuntime runtime;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRuntime() {
        runtime = TestRuntime.docker();
    }

    @AfterEach
    void removeWhatTheTestMade() {
        if (runtime != null) {
            TestImages.removeUnder(runtime, dir);
            assertThat(TestImages.under(runtime, dir)).as("machines and images of this test's stores left behind")
                    .isEmpty();
        }
    }

    @AfterAll
    static void closeRuntime() {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }
}
