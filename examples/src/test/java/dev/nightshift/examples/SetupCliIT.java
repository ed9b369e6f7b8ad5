package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nightshift env setup | snapshot} across processes, as a user runs them: the setup's
 * machine outlives the command that started it, another command snapshots it, and
 * {@code --rm} removes it. (The hand-made change reaching an agent is SetupFlowIT in sdk-core.)
 */
class SetupCliIT {
    @TempDir
    Path dir;

    @AfterEach
    void removeWhatTheEnginesMade() throws Exception {
        Docker.removeUnder(dir);
        org.assertj.core.api.Assertions.assertThat(Docker.under(dir))
                .as("machines and images of this test's stores left behind").isEmpty();
    }

    Processes.Result ok(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.root().resolve("bin/nightshift").toString(),
                "--home", dir.resolve("home").toString()));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(dir, Map.of(), null, 10, cmd);
        assertThat(r.exitCode()).as("nightshift %s%n%s", String.join(" ", args), r).isZero();
        return r;
    }

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
