package dev.nightshift.docker;

import static org.junit.jupiter.api.Assertions.fail;

import dev.nightshift.api.runtime.MachineSpec;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared by the Docker integration tests: one runtime per JVM, the engine requirement (a failure
 * with {@code CI=true}, a skip elsewhere), and the label that marks everything this test run
 * creates, so the leak check looks only at our own containers and images on a shared engine.
 */
final class DockerTests {
    static final String RUN_LABEL = "dev.nightshift.test.run";
    static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
    static final Set<String> STARTED = ConcurrentHashMap.newKeySet();
    private static DockerRuntime runtime;
    private static DockerRuntime perExecRuntime;

    private DockerTests() {
    }

    static synchronized DockerRuntime runtime() {
        if (runtime == null) {
            DockerRuntime r = DockerRuntime.builder().build();
            try {
                r.dockerHost();
            } catch (RuntimeException e) {
                r.close();
                String why = e.getMessage() + " (start one with 'sudo scripts/docker-up', then 'sudo scripts/base-image')";
                if ("true".equals(System.getenv("CI"))) {
                    fail("CI=true: " + why, e);
                }
                Assumptions.abort(why);
            }
            runtime = r;
        }
        return runtime;
    }

    /** Like {@link #runtime()} but with exec servers off: every exec takes the engine's per-exec path. */
    static synchronized DockerRuntime perExecRuntime() {
        if (perExecRuntime == null) {
            perExecRuntime = runtime().toBuilder().execServers(false).build();
        }
        return perExecRuntime;
    }

    /** Whether {@code h} ran through the machine's exec server (its ids read {@code <machine>/s<n>}). */
    static boolean viaServer(dev.nightshift.api.runtime.ExecHandle h) {
        return h.id().matches("\\w+/s\\d+");
    }

    static Map<String, String> runLabels() {
        return Map.of(RUN_LABEL, RUN_ID);
    }

    /** A spec on the default base image as {@code ubuntu}, labelled with this run. */
    static MachineSpec.Builder spec() {
        return MachineSpec.builder(runtime().baseImage()).user("ubuntu").labels(runLabels());
    }

    static <M extends dev.nightshift.api.runtime.Machine> M track(M m) {
        STARTED.add(m.id());
        return m;
    }
}
