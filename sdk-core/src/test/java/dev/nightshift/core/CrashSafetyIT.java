package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.runtime.MachineRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with teeth: the engine runs in a forked JVM that is killed with SIGKILL in the
 * middle of a turn; a new engine on the same state directory reports the agent (its machine
 * lives, so it is reattached and the interrupted turn reported as an error) and its event log is
 * intact up to the kill.
 */
class CrashSafetyIT {
    @TempDir
    Path dir;

    @Test
    void aKilledEngineLeavesAnIntactLogAndANewEngineReattaches() throws Exception {
        MachineRuntime runtime = TestRuntime.docker();
        TestRemote remote = TestRemote.create(dir, AgentEngineIT.project("crash-" + System.nanoTime()));
        Path state = dir.resolve("state");
        String agentId = "crash-" + System.nanoTime();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), state.toString(), remote.url(), agentId)
                .redirectError(dir.resolve("child.err").toFile()).start();
        long markerSequence;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            String found = null;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("MID-TURN ")) {
                    found = line;
                    break;
                }
            }
            assertThat(found).as("the child reached the middle of its turn; its stderr:%n%s",
                    Files.exists(dir.resolve("child.err")) ? Files.readString(dir.resolve("child.err")) : "").isNotNull();
            markerSequence = Long.parseLong(found.split(" ")[2]);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(state).build()) {
            Agent a = ns.agent(agentId);
            AgentInfo info = a.info();
            assertThat(info.status()).as("the interrupted turn is reported, not left RUNNING")
                    .isEqualTo(AgentStatus.ERROR);
            assertThat(info.error().orElseThrow()).contains("the engine stopped during RUNNING").contains("machine lives");
            assertThat(info.machineId()).isPresent();
            assertThat(runtime.attach(info.machineId().orElseThrow())).as("its machine outlived the engine").isPresent();

            List<AgentEvent> events = a.events(0, 100_000);
            List<Long> seqs = events.stream().map(AgentEvent::sequence).toList();
            assertThat(seqs).as("no gap, no duplicate").isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
            assertThat(seqs).as("everything up to the kill survived").contains(markerSequence);
            assertThat(events).anyMatch(e -> e instanceof AgentEvent.CommandOutput o && o.line().contains("MID-TURN-MARKER"));
            assertThat(events).anyMatch(e -> e instanceof AgentEvent.Warning w && w.code().equals("reattached"));

            a.delete();
            assertThat(runtime.machines(Map.of("dev.nightshift.agent", agentId))).isEmpty();
        } finally {
            TestImages.removeUnder(runtime, dir); // the environment the crashed engine built
            assertThat(TestImages.under(runtime, dir)).as("left behind").isEmpty();
            runtime.close();
        }
    }
}
