package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.SetupSession;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.SnapshotInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manual setup flow: set a machine up by hand through the attach command under a
 * pseudo-terminal (a file outside the workspace, written with sudo), snapshot it, and an agent
 * whose environment.json names that snapshot sees the change.
 */
class SetupFlowIT extends DockerEngineTest {

    @Test
    void aChangeMadeByHandInASetupIsSeenByAnAgentWhoseEnvironmentNamesItsSnapshot() throws Exception {
        String marker = "by-hand-" + System.nanoTime();
        TestRemote source = TestRemote.create(dir.resolve("source"), Map.of("README.md", "# set me up\n",
                ".cursor/environment.json", "{ \"install\": \"echo install-ok\" }\n"));
        String snapshotId = null;
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state")).build()) {
            SetupSession setup = ns.setup(source.url(), null);
            try {
                assertThat(setup.id()).startsWith("setup-");
                assertThat(ns.setups()).extracting(SetupSession::id).containsExactly(setup.id());
                assertThat(AgentEngineIT.exec(setup, "cat README.md")).as("the repository is checked out")
                        .isEqualTo("# set me up\n");

                try (PtyAttach a = PtyAttach.start(setup.attach(), setup.machine(), Duration.ofSeconds(60))) {
                    a.type("sudo sh -c 'echo " + marker + " > /opt/marker' && echo done > /workspace/typed.txt\r");
                    assertThat(PtyAttach.awaitFile(setup.machine(), "/workspace/typed.txt", Duration.ofSeconds(60)))
                            .isEqualTo("done");
                    assertThat(a.detach(Duration.ofSeconds(60))).isZero();
                }
                // another engine (another process, as the CLI's env snapshot is) finds the setup by id
                try (Nightshift other = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state")).build()) {
                    SnapshotInfo s = other.setupSession(setup.id()).snapshot("with-marker");
                    snapshotId = s.id();
                    assertThat(s.labels()).containsEntry("dev.nightshift.snapshot.kind", "environment")
                            .containsEntry("dev.nightshift.setup", setup.id())
                            .containsEntry("dev.nightshift.snapshot.name", "with-marker")
                            .containsKey("dev.nightshift.store");
                }
            } finally {
                setup.close();
            }
            assertThat(ns.setups()).as("removed").isEmpty();
            assertThatThrownBy(() -> ns.setupSession(setup.id())).isInstanceOf(NotFoundException.class);

            Map<String, String> files = new LinkedHashMap<>();
            files.put("README.md", "# uses the setup\n");
            files.put(".cursor/environment.json", "{ \"snapshot\": \"" + snapshotId + "\" }\n");
            TestRemote consumer = TestRemote.create(dir.resolve("consumer"), files);
            var agent = ns.spawn(AgentRequest.builder("cat /opt/marker > seen.txt", consumer.url()).build());
            AgentInfo done = agent.awaitStatus(AgentStatus.FINISHED, AgentEngineIT.WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(consumer.show(done.branch().orElseThrow(), "seen.txt")).as("the agent's machine has the hand-made change")
                    .isEqualTo(marker + "\n");
            agent.delete();
            ns.closeAndRemoveMachines();
        } finally {
            for (SnapshotInfo s : runtime.snapshots(Map.of("dev.nightshift.snapshot.kind", "environment"))) {
                if (s.labels().getOrDefault("dev.nightshift.env.repository", "").contains(dir.toString())) {
                    runtime.deleteSnapshot(s.id()); // the consumer's environment, built on the setup snapshot
                }
            }
            if (snapshotId != null) {
                runtime.deleteSnapshot(snapshotId);
            }
        }
    }
}
