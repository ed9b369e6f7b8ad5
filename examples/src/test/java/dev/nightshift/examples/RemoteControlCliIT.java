package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Control from any process: an agent driven by a detached CLI process ({@code spawn --detach})
 * is taken over, sent a follow-up and handed back by other CLI processes on the same state
 * directory. The controls travel through the store's control inbox to the process that drives
 * the agent; it runs them, finishes both turns, and then ends.
 */
class RemoteControlCliIT extends CliProcessTest {
    @Test
    void aDetachedAgentIsTakenOverFollowedUpAndHandedBackFromOtherProcesses() throws Exception {
        Docker.require();
        String remote = SampleRepository.create(dir.resolve("sample"));
        Path bare = Path.of(java.net.URI.create(remote));
        String id = "bc-remote-" + UUID.randomUUID();
        String gate = "/tmp/nightshift-cli-gate";
        JsonNode spawned = NightshiftCliIT.lastJson(ok("spawn", "--repo", remote, "--id", id, "--detach", "--json", "-p",
                "echo before > before.txt\nuntil [ -f " + gate + " ]; do sleep 0.1; done\n# checkpoint\n"
                        + "cat human.txt > seen.txt\necho 'SUMMARY: first'"));
        ProcessHandle holder = ProcessHandle.of(spawned.get("pid").asLong()).orElseThrow();

        // the machine exists once the agent runs (the take-over needs one); the step then waits on the gate
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        JsonNode status = NightshiftCliIT.lastJson(ok("status", id, "--json"));
        while (!(status.get("status").asText().equals("RUNNING") && status.hasNonNull("machineId"))) {
            assertThat(System.nanoTime() < deadline).as("the agent runs within 3 minutes: %s", status).isTrue();
            assertThat(holder.isAlive()).as("the detached process drives it: %s", status).isTrue();
            LockSupport.parkNanos(200_000_000L); // poll interval, with a deadline
            status = NightshiftCliIT.lastJson(ok("status", id, "--json"));
        }

        JsonNode taken = NightshiftCliIT.lastJson(ok("takeover", id, "--json", "--as", "dave"));
        assertThat(taken.get("window").asText()).isEqualTo("dave");
        assertThat(holder.isAlive()).as("the take-over ran in the detached process, which still drives").isTrue();
        assertThat(NightshiftCliIT.lastJson(ok("status", id, "--json")).get("takenOver").asBoolean()).isTrue();
        List<String> attach = new ArrayList<>();
        taken.get("attach").forEach(n -> attach.add(n.asText()));
        String user = attach.get(attach.indexOf("-u") + 1);
        String machine = taken.get("machineId").asText();
        Processes.Result human = Processes.run(dir, Map.of(), null, 1, List.of("docker", "exec", "-u", user, machine,
                "bash", "-c", "echo from-dave > /workspace/human.txt && touch " + gate));
        assertThat(human.exitCode()).as("%s", human).isZero();

        assertThat(ok("followup", id, "--no-wait", "-p", "echo again > again.txt\necho 'SUMMARY: again'").stdout())
                .contains("follow-up queued for " + id);
        assertThat(ok("handback", id).stdout()).contains("handed back " + id);

        Processes.Result followed = ok("logs", id, "--follow");
        assertThat(followed.stdout()).contains("FINISHED");
        JsonNode done = NightshiftCliIT.lastJson(ok("status", id, "--json"));
        assertThat(done.get("status").asText()).isEqualTo("FINISHED");
        assertThat(done.get("takenOver").asBoolean()).isFalse();
        String branch = done.get("branch").asText();
        assertThat(Processes.git(bare, "show", branch + ":seen.txt")).as("the human's change, seen by the agent")
                .isEqualTo("from-dave");
        assertThat(Processes.git(bare, "show", branch + ":again.txt")).as("the follow-up ran").isEqualTo("again");
        assertThat(holder.onExit().get(2, TimeUnit.MINUTES).isAlive())
                .as("the detached process ends once the agent is idle with nothing queued").isFalse();

        ok("delete", id);
        assertThat(dir.resolve("home/controls")).as("the control inbox is empty").isEmptyDirectory();
    }
}
