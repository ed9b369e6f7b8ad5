package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Nothing runs without an owner, with the CLI as a user runs it: the machine of an agent whose
 * {@code nightshift spawn} process has exited is hibernated, and a follow-up resumes it with the
 * workspace intact; nine processes sharing a state directory with {@code --max-running-machines 2}
 * never run more than two machines at once.
 */
class MachineOwnershipIT extends CliProcessTest {
    /** The containers running for agents whose id starts with {@code prefix}. */
    static List<String> machinesOf(String prefix) throws Exception {
        Processes.Result r = Processes.run(Path.of("."), Map.of(), null, 1, List.of("docker", "ps",
                "--filter", "label=dev.nightshift.agent", "--format", "{{.Label \"dev.nightshift.agent\"}}"));
        assertThat(r.exitCode()).as("%s", r).isZero();
        return r.lines().stream().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void whenTheSpawningProcessExitsTheMachineIsHibernatedAndAFollowUpResumesIt() throws Exception {
        Docker.require();
        String remote = SampleRepository.create(dir.resolve("sample"));
        Path bare = Path.of(java.net.URI.create(remote));
        String id = "bc-own-" + UUID.randomUUID();
        ok("spawn", "--repo", remote, "--id", id, "--json", "-p",
                "echo keep.txt >> .git/info/exclude\necho kept-in-workspace > keep.txt\necho 'SUMMARY: first'");
        // the spawn process has exited: no Nightshift process runs a turn now
        assertThat(machinesOf(id)).as("no machine of %s outlives the process that drove it", id).isEmpty();
        JsonNode status = NightshiftCliIT.lastJson(ok("status", id, "--json"));
        assertThat(status.get("hibernated").asBoolean()).as("%s", status).isTrue();
        assertThat(status.get("status").asText()).isEqualTo("FINISHED");
        assertThat(machinesOf(id)).as("status leaves no machine running either").isEmpty();

        JsonNode after = NightshiftCliIT.lastJson(ok("followup", id, "--json", "-p",
                "cp keep.txt seen.txt\necho 'SUMMARY: second'"));
        assertThat(after.get("status").asText()).isEqualTo("FINISHED");
        assertThat(Processes.git(bare, "show", after.get("branch").asText() + ":seen.txt"))
                .as("the uncommitted, git-excluded file survived in the workspace").isEqualTo("kept-in-workspace");
        assertThat(machinesOf(id)).isEmpty();
        ok("delete", id);
    }

    @Test
    void theNextProcessHibernatesTheMachineOfAProcessKilledWithSigkill() throws Exception {
        Docker.require();
        String remote = SampleRepository.create(dir.resolve("sample"));
        String id = "bc-kill-" + UUID.randomUUID();
        Path started = dir.resolve("started");
        Process spawn = new ProcessBuilder(command("spawn", "--repo", remote, "--id", id, "--no-push", "-p",
                "echo turn-is-$((6*7))\nsleep 600")).redirectErrorStream(true).redirectOutput(started.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!Files.readString(started).contains("turn-is-42") && System.nanoTime() < deadline) {
                assertThat(spawn.isAlive()).as("spawn ended early: %s", Files.readString(started)).isTrue();
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // poll its output, with a deadline
            }
            assertThat(Files.readString(started)).as("the turn runs").contains("turn-is-42");
            assertThat(machinesOf(id)).hasSize(1);
        } finally {
            spawn.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            spawn.waitFor(1, TimeUnit.MINUTES);
        }
        assertThat(machinesOf(id)).as("the killed process left its machine").hasSize(1);
        ok("list"); // the next process on the state directory adopts the orphan and hibernates it as it ends
        assertThat(machinesOf(id)).as("no machine without an owner").isEmpty();
        JsonNode status = NightshiftCliIT.lastJson(ok("status", id, "--json"));
        assertThat(status.get("hibernated").asBoolean()).as("%s", status).isTrue();
        ok("delete", id);
    }

    @Test
    void nineProcessesOnOneStateDirectoryNeverRunMoreThanTwoMachines() throws Exception {
        Docker.require();
        String remote = SampleRepository.create(dir.resolve("sample"));
        ok("env", "build", "--repo", remote); // one environment build first: the nine start from its snapshot
        String prefix = "bc-cap-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Path slots = dir.resolve("home/machine-slots.json");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger mostMachines = new AtomicInteger();
        AtomicInteger mostSlots = new AtomicInteger();
        ConcurrentLinkedQueue<String> polls = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            Future<?> watcher = pool.submit(() -> {
                while (running.get()) {
                    int machines = machinesOf(prefix).size();
                    mostMachines.accumulateAndGet(machines, Math::max);
                    if (Files.exists(slots)) {
                        String json = Files.readString(slots);
                        int held = NightshiftCliIT.JSON.readTree(json.isBlank() ? "{}" : json).path("held").size();
                        mostSlots.accumulateAndGet(held, Math::max);
                    }
                    polls.add(machines + "");
                }
                return null;
            });
            List<Future<Processes.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                String id = prefix + i;
                runs.add(pool.submit(() -> Processes.run(dir, Map.of(), null, 15, command("--max-running-machines", "2",
                        "spawn", "--repo", remote, "--id", id, "--no-push", "-p",
                        "echo " + id + " > who.txt\nsleep 4\necho 'SUMMARY: done'"))));
            }
            List<Processes.Result> results = new ArrayList<>();
            for (Future<Processes.Result> f : runs) {
                results.add(f.get(20, TimeUnit.MINUTES));
            }
            running.set(false);
            watcher.get(1, TimeUnit.MINUTES);
            for (Processes.Result r : results) {
                assertThat(r.exitCode()).as("%s", r).isZero();
                assertThat(r.stdout()).contains("FINISHED");
            }
            assertThat(polls.size()).as("the watcher saw the run").isGreaterThan(9);
            assertThat(mostMachines.get()).as("machines running at once, polled %d times", polls.size())
                    .isBetween(1, 2);
            assertThat(mostSlots.get()).as("slots held at once in the store's counter").isBetween(1, 2);
            assertThat(results.stream().filter(r -> r.stdout().contains("waiting for a machine")).count())
                    .as("some processes queued behind the others' machines (the limit was reached across processes)")
                    .isPositive();
            assertThat(machinesOf(prefix)).as("every process hibernated its machine as it ended").isEmpty();
        } finally {
            running.set(false);
            pool.shutdownNow();
            for (int i = 0; i < 9; i++) {
                Processes.run(dir, Map.of(), null, 5, command("delete", prefix + i));
            }
        }
    }
}
