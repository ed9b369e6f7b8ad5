package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job end to end, as its program runs it: a sample repository, an agent, a
 * follow-up, a warm second agent; the last line is JSON naming a branch that is on the remote.
 */
class QuickStartIT {
    @TempDir
    Path dir;

    @AfterEach
    void removeWhatTheEnginesMade() throws Exception {
        Docker.removeUnder(dir);
        assertThat(Docker.under(dir)).as("machines and images of this test's stores left behind").isEmpty();
    }

    @Test
    void theQuickStartPushesABranchAndEndsWithItsJsonLine() throws Exception {
        Docker.require();
        Processes.Result r = Processes.run(dir, Map.of(), null, 20, List.of(Processes.java(), "-cp",
                System.getProperty("java.class.path"), QuickStart.class.getName(), "--work", dir.resolve("qs").toString()));
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).contains("==> spawned agent").contains("build |").contains("status RUNNING")
                .contains("Take over").contains("Timings");
        JsonNode last = new ObjectMapper().readTree(r.lastLine());
        for (String field : List.of("agentId", "status", "branch", "commit", "remote")) {
            assertThat(last.hasNonNull(field)).as("JSON field %s in %s", field, r.lastLine()).isTrue();
        }
        assertThat(last.get("status").asText()).isEqualTo("FINISHED");
        Path remote = Path.of(java.net.URI.create(last.get("remote").asText()));
        String branch = last.get("branch").asText();
        assertThat(Processes.git(remote, "rev-parse", "refs/heads/" + branch)).isEqualTo(last.get("commit").asText());
        assertThat(Processes.git(remote, "show", branch + ":GREETING.md")).startsWith("Hello from a Nightshift agent.")
                .contains("Checked on");
    }
}
