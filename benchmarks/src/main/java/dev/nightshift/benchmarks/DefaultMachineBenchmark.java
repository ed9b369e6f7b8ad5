package dev.nightshift.benchmarks;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
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
 * commit starts from the snapshot without running install); an install re-run (an agent on a
 * newer commit runs {@code npm ci} again on top of the last snapshot, which then becomes that
 * commit's snapshot) and the next agent on that commit; and, as the floor of a re-run, {@code npm ci}
 * by itself in a machine, with no engine around it. Needs a Docker engine, the
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
        Path warmupBare = dir.resolve("warmup.git");
        DockerRuntime runtime = DockerRuntime.builder().baseImage(DockerRuntime.DEFAULT_BASE_IMAGE).build();
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state"))
                .limits(Limits.DEFAULT.withInstallTimeout(Duration.ofMinutes(10))).build()) {
            seed(FIXTURE, work, bare);
            // one spawn on another repository (no install) first, so the first build is not also the
            // JVM's first spawn (class loading, JIT) while the later rows run on a warm JVM
            Path warmupFixture = Files.createDirectories(dir.resolve("warmup-fixture"));
            Files.writeString(warmupFixture.resolve("README.md"), "warm-up\n");
            seed(warmupFixture, dir.resolve("warmup-work"), warmupBare);
            spawnToRunning(ns, warmupBare.toUri().toString());

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
            // the re-run's install became that commit's snapshot: the next agent on it starts warm
            long afterReRun = spawnToRunning(ns, remote);
            long warmMedian = median(warm);
            long reRunMedian = median(reRun);
            double reRunShare = (double) reRunMedian / first;
            // the install by itself, with no engine around it: what a re-run cannot go below
            long[] npmCi = npmCiAlone(runtime, reRuns);
            double floorShare = (double) npmCi[1] / first;
            bench.row("first build: spawn to RUNNING (npm ci, snapshot)", Bench.millis(first), "-", "-");
            bench.row("warm start, same commit (no install)", Bench.millis(warmMedian),
                    "first build " + Bench.millis(first),
                    "<= 1 s", warmMedian <= 1_000_000_000L);
            bench.row("install re-run, newer commit (npm ci on the snapshot)", Bench.millis(reRunMedian),
                    String.format(Locale.ROOT, "%.0f%% of the first build", reRunShare * 100),
                    "<= 30% of the first build", reRunShare <= 0.30);
            bench.row("next agent on the re-run's commit (its snapshot, no install)", Bench.millis(afterReRun),
                    "install re-run " + Bench.millis(reRunMedian), "-");
            bench.row("npm ci by itself in a machine, from the registry (cold)", Bench.millis(npmCi[0]), "-", "-");
            bench.row("npm ci by itself, again on its node_modules and cache", Bench.millis(npmCi[1]),
                    String.format(Locale.ROOT, "%.0f%% of the first build", floorShare * 100),
                    "-");
            ns.closeAndRemoveMachines();
        } finally {
            for (String repository : List.of(remote, warmupBare.toUri().toString())) {
                for (SnapshotInfo s : runtime.snapshots(Map.of("dev.nightshift.env.repository", repository))) {
                    runtime.deleteSnapshot(s.id());
                }
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

    /**
     * {@code npm ci} of the fixture run directly in a machine from the default image, no engine
     * around it: once with an empty npm cache (from the registry, as in the first build), then
     * {@code warmRuns} times again on its own {@code node_modules} and cache (as on the snapshot in a
     * re-run); the second is the median. npm ci deletes node_modules and unpacks every package again
     * whatever is there, so the warm figure is the floor of a re-run's install.
     */
    private static long[] npmCiAlone(DockerRuntime runtime, int warmRuns) {
        Image image = runtime.prepareImage(ImageSource.defaultBase(), line -> { });
        try (Machine m = runtime.start(MachineSpec.builder(image.id()).user("ubuntu").build())) {
            m.exec(ExecRequest.bash("mkdir -p /tmp/app").build()).await();
            m.copyIn(FIXTURE, "/tmp/app"); // owned by the machine's user
            long cold = timedNpmCi(m);
            List<Long> warm = new ArrayList<>();
            for (int i = 0; i < warmRuns; i++) {
                warm.add(timedNpmCi(m));
            }
            return new long[] {cold, median(warm)};
        }
    }

    private static long timedNpmCi(Machine m) {
        long t = System.nanoTime();
        ExecResult r = m.exec(ExecRequest.builder("bash", "-lc", "npm ci").workdir("/tmp/app").build()).await();
        long nanos = System.nanoTime() - t;
        if (!r.isSuccess()) {
            throw new IllegalStateException("npm ci exited " + r.exitCode() + ": " + String.join("\n", r.lastLines(20)));
        }
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
