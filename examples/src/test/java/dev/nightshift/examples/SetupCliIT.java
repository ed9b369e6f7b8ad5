package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code nightshift env setup | snapshot} across processes, as a user runs them: the setup's
 * machine outlives the command that started it, another command snapshots it, and
 * {@code --rm} removes it. (The hand-made change reaching an agent is SetupFlowIT in sdk-core.)
 */
class SetupCliIT extends CliProcessTest {
    @Test
    void aSetupOutlivesItsCommandIsSnapshottedByAnotherAndRemovedByHand() throws Exception {
        Docker.require();
        String remote = SampleRepository.create(dir.resolve("sample"));
        JsonNode setup = NightshiftCliIT.lastJson(ok("env", "setup", "--repo", remote, "--json"));
        String id = setup.get("setupId").asText();
        try {
            assertThat(id).startsWith("setup-");
            assertThat(setup.get("attach").toString()).contains("tmux").contains("attach");
            assertThat(ok("env", "setup", "--list").stdout()).as("the machine outlived `env setup`").contains(id);
            JsonNode snap = NightshiftCliIT.lastJson(ok("env", "snapshot", id, "--name", "cli-test", "--json"));
            String snapshot = snap.get("snapshotId").asText();
            assertThat(snapshot).startsWith("snapshot-");
            assertThat(ok("env", "snapshot", id).stdout()).as("the human-readable form names the environment.json key")
                    .contains("\"snapshot\": \"snapshot-");
            ok("env", "setup", "--rm", id);
            assertThat(ok("env", "setup", "--list").stdout()).doesNotContain(id);
        } finally {
            Processes.run(dir, Map.of(), null, 2, List.of("docker", "rm", "-f", setup.get("machineId").asText()));
        }
        Processes.Result images = Processes.run(dir, Map.of(), null, 2, List.of("docker", "images", "-q",
                "--filter", "label=dev.nightshift.setup=" + id));
        for (String image : images.lines()) {
            Processes.run(dir, Map.of(), null, 2, List.of("docker", "rmi", "-f", image));
        }
    }
}
