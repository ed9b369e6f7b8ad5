package dev.nightshift.benchmarks;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.common.FileTrees;
import dev.nightshift.core.Limits;
import dev.nightshift.core.Nightshift;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The engine on the Docker runtime: spawn-to-RUNNING cold (the environment is built: an install
 * whose first run takes 20 s) next to warm (the snapshot is hit and install is a no-op); then 32
 * agents spawned at once, each to the end of its turn, against the same 32 spawned one after
 * another (each waited for before the next: measured, not computed), with the heap each idle
 * agent costs and the live threads. Each row says whether its target holds.
 * Needs a Docker engine and the base image (scripts/docker-up, scripts/base-image).
 */
public final class EngineBenchmark {
    public static void main(String[] args) throws Exception {
        Bench bench = Bench.of("Engine: spawn to RUNNING on Docker", args);
        int slowSeconds = bench.size(20, 1);
        int warmRuns = bench.size(5, 1);
        int concurrent = bench.size(32, 2);
        Path dir = Files.createTempDirectory("nightshift-engine-bench");
        try {
            String remote = remote(dir.resolve("repo"), slowSeconds);
            // exec servers of idle machines stop after 2 s here (30 s by default) so the idle figures show it
            dev.nightshift.docker.DockerRuntime runtime = dev.nightshift.docker.DockerRuntime.builder()
                    .execServerIdle(Duration.ofSeconds(2)).build();
            try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state"))
                    .limits(Limits.DEFAULT.withMaxRunningMachines(concurrent + 1)
                            .withInstallTimeout(Duration.ofMinutes(10)))
                    .build()) {
                long t0 = System.nanoTime();
                Agent cold = ns.spawn(AgentRequest.builder("sleep 3600", remote).push(false).build());
                awaitRunning(cold);
                long coldNanos = System.nanoTime() - t0;
                cold.delete();

                List<Long> warm = new ArrayList<>();
                for (int i = 0; i < warmRuns; i++) {
                    long t = System.nanoTime();
                    Agent a = ns.spawn(AgentRequest.builder("sleep 3600", remote).push(false).build());
                    awaitRunning(a);
                    warm.add(System.nanoTime() - t);
                    a.delete();
                }
                warm.sort(Comparator.naturalOrder());
                long warmMedian = warm.get(warm.size() / 2);
                double coldOverWarm = (double) coldNanos / warmMedian;
                bench.row("spawn to RUNNING, install " + slowSeconds + " s on first run",
                        "warm " + Bench.millis(warmMedian), "cold " + Bench.millis(coldNanos)
                                + String.format(Locale.ROOT, " (%.0fx)", coldOverWarm),
                        "warm >= 20x faster, < 1 s", coldOverWarm >= 20 && warmMedian < 1_000_000_000L);

                // the baseline of the next row, measured: the same agents spawned one after another,
                // each waited for to the end of its turn before the next is spawned
                long s0 = System.nanoTime();
                List<Agent> oneByOne = new ArrayList<>();
                for (int i = 0; i < concurrent; i++) {
                    Agent a = ns.spawn(AgentRequest.builder("true", remote).push(false).build());
                    awaitFinished(a);
                    oneByOne.add(a);
                }
                long sequentialNanos = System.nanoTime() - s0;
                for (Agent a : oneByOne) {
                    a.delete();
                }

                System.gc();
                long heapBefore = usedHeap();
                int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
                long t = System.nanoTime();
                List<Agent> many = new ArrayList<>();
                for (int i = 0; i < concurrent; i++) {
                    many.add(ns.spawn(AgentRequest.builder("true", remote).push(false).build()));
                }
                for (Agent a : many) {
                    awaitFinished(a);
                }
                long manyNanos = System.nanoTime() - t;
                Thread.sleep(bench.smoke() ? 0 : 12_000); // idle: past the exec servers' idle stop and the pools' 10 s keep-alive
                System.gc();
                long perAgent = (usedHeap() - heapBefore) / concurrent;
                int threads = ManagementFactory.getThreadMXBean().getThreadCount();
                double atOnceOverOneByOne = (double) manyNanos / sequentialNanos;
                bench.row(concurrent + " agents at once, spawn to turn done", Bench.millis(manyNanos),
                        Bench.millis(sequentialNanos) + " one by one (measured)",
                        String.format(Locale.ROOT, "<= 0.5x one by one, now %.2fx", atOnceOverOneByOne),
                        atOnceOverOneByOne <= 0.5);
                bench.row("heap per idle agent", String.format(Locale.ROOT, "%.1f KiB", perAgent / 1024.0), "-",
                        "< 1 MiB", perAgent < (1 << 20));
                bench.row("live threads with " + concurrent + " idle agents (12 s idle)", Integer.toString(threads),
                        threadsBefore + " before", "not one per agent", threads - threadsBefore < concurrent);
                for (Agent a : many) {
                    a.delete();
                }
                ns.closeAndRemoveMachines();
            } finally {
                // the images the engine made for its store (environment and agents' snapshots, newest first)
                String store = dir.resolve("state").toAbsolutePath().normalize().toString();
                runtime.snapshots(java.util.Map.of("dev.nightshift.store.path", store)).stream()
                        .sorted((a, b) -> b.createdAt().compareTo(a.createdAt()))
                        .forEach(s -> runtime.deleteSnapshot(s.id()));
                runtime.close();
            }
        } finally {
            deleteTree(dir);
        }
        bench.print();
    }

    private static void awaitRunning(Agent a) {
        AgentInfo i = a.awaitStatus(AgentStatus.RUNNING, Duration.ofMinutes(20));
        if (!i.status().equals(AgentStatus.RUNNING)) {
            throw new IllegalStateException(a.id() + " ended " + i.status() + ": " + i.error().orElse(null));
        }
    }

    private static void awaitFinished(Agent a) {
        AgentInfo i = a.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(20));
        if (!i.status().equals(AgentStatus.FINISHED)) {
            throw new IllegalStateException(a.id() + " ended " + i.status() + ": " + i.error().orElse(null));
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** A bare remote whose install is slow once and a no-op when its output exists. */
    private static String remote(Path dir, int slowSeconds) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path bare = dir.resolve("remote.git");
        git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(work, "init", "-q", "-b", "main");
        Files.createDirectories(work.resolve(".cursor"));
        Files.writeString(work.resolve(".gitignore"), ".deps/\n");
        Files.writeString(work.resolve(".cursor/environment.json"), "{ \"install\": \"if [ ! -f .deps/done ]; then sleep "
                + slowSeconds + "; mkdir -p .deps; touch .deps/done; fi\" }\n");
        git(work, "add", "-A");
        git(work, "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "bench");
        git(work, "push", "-q", bare.toString(), "main");
        return bare.toUri().toString();
    }

    /** Runs git in {@code dir}; fails with its output. */
    static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args) + ": " + out);
        }
    }

    static void deleteTree(Path dir) {
        FileTrees.deleteQuietly(dir);
    }
}
