package dev.nightshift.benchmarks;

import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.docker.DockerRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The Docker runtime's costs, side by side:
 * <ul>
 *   <li>exec round trip ({@code true}) through the SDK vs the {@code docker exec} CLI
 *       (target: the SDK at most half the CLI's time), and through the SDK with exec servers off
 *       (the engine's exec create, start and inspect per exec);</li>
 *   <li>create-to-first-exec of a machine from the base image;</li>
 *   <li>start-from-snapshot (create, start, first exec) for a workspace of 100,000 files / 400 MB
 *       vs 1,000 files (target: within 1.2x: copy-on-write does not copy the workspace);</li>
 *   <li>commit (snapshot) time of each workspace.</li>
 * </ul>
 * Needs a Docker engine and the base image; without one it says so and exits 0 unless
 * {@code CI=true}.
 *
 * <p>Thread-safety: a program. Lifecycle: {@code main} runs once.
 */
public final class DockerRuntimeBenchmark {
    private static final Duration WAIT = Duration.ofMinutes(10);

    private DockerRuntimeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench bench = Bench.of("Docker runtime: exec, start, snapshot", args);
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (DockerRuntime docker = DockerRuntime.builder().build()) {
            try {
                docker.dockerHost();
            } catch (RuntimeException e) {
                System.out.println("DockerRuntimeBenchmark: skipped: " + e.getMessage());
                if ("true".equals(System.getenv("CI"))) {
                    System.exit(1);
                }
                return;
            }
            MachineSpec base = MachineSpec.builder(docker.baseImage()).user("ubuntu")
                    .label("dev.nightshift.benchmark", run).build();
            List<String> snapshots = new ArrayList<>();
            try {
                measure(bench, docker, base, snapshots);
            } finally {
                snapshots.forEach(docker::deleteSnapshot);
            }
        }
        bench.print();
    }

    private static void measure(Bench bench, DockerRuntime docker, MachineSpec base, List<String> snapshots)
            throws IOException, InterruptedException {
        int runs = bench.size(21, 3);
        try (Machine m = docker.start(base)) {
            long sdk = bench.medianNanos(bench.size(5, 1), runs, () -> exec(m, "true").exitCode());
            List<String> cli = List.of("docker", "exec", m.id(), "true");
            long viaCli = bench.medianNanos(bench.size(5, 1), runs, () -> process(cli));
            bench.row("exec round trip (true)", Bench.millis(sdk), Bench.millis(viaCli) + " (docker exec CLI)",
                    "<= 0.5x CLI, now " + ratio(sdk, viaCli), sdk <= viaCli / 2);
        }

        long firstExec = bench.medianNanos(0, bench.size(5, 1), () -> {
            try (Machine m = docker.start(base)) {
                return exec(m, "true").exitCode();
            }
        });
        try (DockerRuntime perExec = docker.toBuilder().execServers(false).build()) {
            try (Machine m = perExec.start(base)) {
                long sdk = bench.medianNanos(bench.size(5, 1), runs, () -> exec(m, "true").exitCode());
                bench.row("exec round trip, exec servers off", Bench.millis(sdk), "-", "-");
            }
            long perExecFirst = bench.medianNanos(0, bench.size(5, 1), () -> {
                try (Machine m = perExec.start(base)) {
                    return exec(m, "true").exitCode();
                }
            });
            bench.row("create to first exec", Bench.millis(firstExec), Bench.millis(perExecFirst) + " (exec servers off)",
                    "-");
        }

        int smallFiles = bench.size(1_000, 100);
        int bigFiles = bench.size(100_000, 1_000);
        long[] small = workspace(bench, docker, base, smallFiles, snapshots);
        long[] big = workspace(bench, docker, base, bigFiles, snapshots);
        bench.row(String.format(Locale.ROOT, "start from snapshot, %,d files (%d MB) vs %,d", bigFiles,
                        bigFiles * 4L / 1024, smallFiles),
                Bench.millis(big[1]), Bench.millis(small[1]), "<= 1.2x, now " + ratio(big[1], small[1]),
                big[1] <= small[1] * 1.2);
        bench.row(String.format(Locale.ROOT, "commit, %,d files vs %,d", bigFiles, smallFiles), Bench.millis(big[0]),
                Bench.millis(small[0]), "-");
    }

    /** Makes a workspace of {@code files} 4 KiB files, snapshots it, and times starts from it: {commit, start}. */
    private static long[] workspace(Bench bench, DockerRuntime docker, MachineSpec base, int files,
            List<String> snapshots) {
        SnapshotInfo s;
        long commit;
        try (Machine m = docker.start(base)) {
            ExecResult made = exec(m, "mkdir -p /workspace/w && cd /workspace/w && head -c " + (files * 4096L)
                    + " /dev/zero | split -b 4096 -a 6 -d - f && ls | wc -l");
            if (!made.isSuccess() || Integer.parseInt(made.stdoutTail().strip()) != files) {
                throw new IllegalStateException("could not make the workspace: " + made.lastLines(5));
            }
            long t0 = System.nanoTime();
            s = m.snapshot(Map.of("dev.nightshift.benchmark", base.labels().get("dev.nightshift.benchmark")));
            commit = System.nanoTime() - t0;
            snapshots.add(s.id());
        }
        MachineSpec fromSnapshot = base.toBuilder().image(s.id()).build();
        long start = bench.medianNanos(bench.size(1, 0), bench.size(5, 1), () -> {
            try (Machine m = docker.start(fromSnapshot)) {
                return exec(m, "true").exitCode();
            }
        });
        return new long[] {commit, start};
    }

    private static ExecResult exec(Machine m, String script) {
        return m.exec(ExecRequest.bash(script).build()).await(WAIT);
    }

    private static long process(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String ratio(long a, long b) {
        return String.format(Locale.ROOT, "%.2fx", (double) a / b);
    }
}
