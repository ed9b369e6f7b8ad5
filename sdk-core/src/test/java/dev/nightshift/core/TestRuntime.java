package dev.nightshift.core;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.docker.DockerRuntime;

/**
 * The real Docker runtime for engine tests. With {@code CI=true} a missing engine fails the test;
 * elsewhere the test is skipped with a message saying how to start one. Shared with the model
 * driver's tests through this module's test-jar.
 */
public final class TestRuntime {
    static final String BASE_IMAGE = DockerRuntime.MINIMAL_BASE_IMAGE;

    private TestRuntime() {
    }

    public static MachineRuntime docker() {
        try {
            DockerRuntime runtime = new DockerRuntime();
            runtime.machines(java.util.Map.of("dev.nightshift.probe", "none")); // the engine answers
            return runtime;
        } catch (RuntimeException e) {
            String why = "no Docker engine answers (" + e.getMessage() + "); start one with scripts/docker-up"
                    + " (as root) and build the base image with scripts/base-image";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: " + why, e);
            }
            assumeTrue(false, why);
            throw e;
        }
    }
}
