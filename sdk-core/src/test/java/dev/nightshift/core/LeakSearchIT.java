package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.core.internal.EnvironmentCache;
import java.util.Base64;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The search that keeps secrets out of snapshots (a build's, an install re-run's) on a real
 * machine: it finds a value written after the marker, plain or base64, not one written before it,
 * and fails closed when the marker is missing.
 */
class LeakSearchIT extends DockerEngineTest {
    static final String VALUE = "leak-search-5e1f0c3a";

    @Test
    void findsTheValueInFilesChangedAfterTheMarkerAndFailsClosedWithoutOne() {
        try (Machine m = runtime.start(MachineSpec.builder(TestRuntime.BASE_IMAGE).build())) {
            // times set, not waited for: the file before the marker, the marker before what follows
            exec(m, "printf %s '" + VALUE + "' > /root/before.txt; touch -d 2020-01-01 /root/before.txt;"
                    + " touch -d 2021-01-01 /tmp/marker");
            assertThat(EnvironmentCache.filesHolding(m, "/tmp/marker", VALUE))
                    .as("a file older than the marker is not the install's").isEmpty();

            exec(m, "echo 'token=" + VALUE + "' > /root/plain.txt; echo "
                    + Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8)) + " > /root/b64.txt;"
                    + " echo unrelated > /root/other.txt");
            assertThat(EnvironmentCache.filesHolding(m, "/tmp/marker", VALUE))
                    .containsExactlyInAnyOrder("/root/plain.txt", "/root/b64.txt");
            assertThat(EnvironmentCache.filesHolding(m, "/tmp/marker", "a-value-nowhere")).isEmpty();

            assertThat(EnvironmentCache.filesHolding(m, "/tmp/no-such-marker", "a-value-nowhere"))
                    .singleElement().asString().contains("/tmp/no-such-marker (missing");
        }
    }

    private static void exec(Machine m, String script) {
        assertThat(m.exec(ExecRequest.bash(script).user("root").build()).await().isSuccess()).isTrue();
    }
}
