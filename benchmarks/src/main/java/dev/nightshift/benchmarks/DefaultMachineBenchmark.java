package dev.nightshift.benchmarks;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.core.Limits;
import dev.nightshift.core.Nightshift;
import dev.nightshift.docker.DockerRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Node fixture of sdk-core's RealWorldFixturesIT ({@code npm ci} of a committed lock file, a
 * dev-server terminal, a port) on the default machine ({@code nightshift/default:trixie}),
 * spawn to RUNNING three ways: the first build (fetch, build machine, {@code npm ci} from the npm
 * registry, snapshot, agent machine, start, terminal); a warm start (a second agent on the same
 * commit starts from the snapshot without running install); and an install re-run (an agent on a
 * newer commit runs {@code npm ci} again on top of the last snapshot). Needs a Docker engine, the
 * default machine (scripts/default-image) and the npm registry; run from the repository root
 * (scripts/bench does), where the fixture is read from sdk-core's test resources.
 */
public final class DefaultMachineBenchmark {
    static final Path FIXTURE = Path.of("sdk-core/src/test/resources/fixtures/node-app");

    public static void main(String[] args) throws Exception {
        Bench bench = Bench.of("Default machine: the Node fixture (npm ci, dev server, port)", args);
        int warmRuns = bench.size(5, 1);
        int reRuns = bench.size(3, 1);
        if (!Files.isDirectory(FIXTURE)) {
            throw new IllegalStateException("run from the repository root: no " + FIXTURE);
        }
        Path dir = Files.createTempDirectory("nightshift-default-machine-bench");
        Path work = dir.resolve("work");
        Path bare = dir.resolve("remote.git");
        String remote = bare.toUri().toString();
        DockerRuntime runtime = DockerRuntime.builder().baseImage(DockerRuntime.DEFAULT_BASE_IMAGE).build();
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state"))
                .limits(Limits.DEFAULT.withInstallTimeout(Duration.ofMinutes(10))).build()) {
            seed(FIXTURE, work, bare);

            long first = spawnToRunning(ns, remote);

            List<Long> warm = new ArrayList<>();
            for (int i = 0; i < warmRuns; i++) {
                warm.add(spawnToRunning(ns, remote));
            }
            List<Long> reRun = new ArrayList<>();
            for (int i = 0; i < reRuns; i++) {
                Files.writeString(work.resolve("NOTES.md"), "commit " + i + "\n");
                EngineBenchmark.git(work, "add", "-A");
                EngineBenchmark.git(work, "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m",
                        "notes " + i);
                EngineBenchmark.git(work, "push", "-q", bare.toString(), "main");
                reRun.add(spawnToRunning(ns, remote));
            }
            long warmMedian = median(warm);
            long reRunMedian = median(reRun);
            double reRunShare = (double) reRunMedian / first;
            bench.row("first build: spawn to RUNNING (npm ci, snapshot)", Bench.millis(first), "-", "-");
            bench.row("warm start, same commit (no install)", Bench.millis(warmMedian),
                    "first build " + Bench.millis(first),
                    "<= 1 s", warmMedian <= 1_000_000_000L);
            bench.row("install re-run, newer commit (npm ci on the snapshot)", Bench.millis(reRunMedian),
                    String.format(Locale.ROOT, "%.0f%% of the first build", reRunShare * 100),
                    "<= 30% of the first build", reRunShare <= 0.30);
            ns.closeAndRemoveMachines();
        } finally {
            for (SnapshotInfo s : runtime.snapshots(Map.of("dev.nightshift.env.repository", remote))) {
                runtime.deleteSnapshot(s.id());
            }
            runtime.close();
            EngineBenchmark.deleteTree(dir);
        }
        bench.print();
    }

    private static long spawnToRunning(Nightshift ns, String remote) {
        long t = System.nanoTime();
        Agent a = ns.spawn(AgentRequest.builder("sleep 3600", remote).push(false).build());
        if (Boolean.getBoolean("bench.trace")) { // where a spawn's time goes, event by event
            a.addListener(e -> System.err.printf(Locale.ROOT, "  +%6.0f ms  %s%n", (System.nanoTime() - t) / 1e6,
                    e.toString().length() > 160 ? e.toString().substring(0, 160) : e), 0);
        }
        AgentInfo i = a.awaitStatus(AgentStatus.RUNNING, Duration.ofMinutes(20));
        long nanos = System.nanoTime() - t;
        if (!i.status().equals(AgentStatus.RUNNING)) {
            throw new IllegalStateException(a.id() + " ended " + i.status() + ": " + i.error().orElse(null));
        }
        a.delete();
        return nanos;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        return sorted.get(sorted.size() / 2);
    }

    /** A bare remote whose main holds the fixture (a file named gitignore becomes .gitignore). */
    private static void seed(Path fixture, Path work, Path bare) throws IOException, InterruptedException {
        Files.createDirectories(work);
        try (Stream<Path> walk = Files.walk(fixture)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = fixture.relativize(p).toString().replaceAll("(^|/)gitignore$", "$1.gitignore");
                Path to = work.resolve(rel);
                Files.createDirectories(to.getParent());
                Files.copy(p, to);
            }
        }
        EngineBenchmark.git(work.getParent(), "init", "-q", "--bare", "-b", "main", bare.toString());
        EngineBenchmark.git(work, "init", "-q", "-b", "main");
        EngineBenchmark.git(work, "add", "-A");
        EngineBenchmark.git(work, "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "fixture");
        EngineBenchmark.git(work, "push", "-q", bare.toString(), "main");
    }
}
