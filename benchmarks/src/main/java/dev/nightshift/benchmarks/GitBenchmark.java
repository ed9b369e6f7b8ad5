package dev.nightshift.benchmarks;

import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.common.FileTrees;
import dev.nightshift.git.GitHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * sdk-git side by side with the git CLI, on a generated repository (10,000 files, 1,000
 * commits; {@code --smoke}: 200 files, 20 commits):
 * <ul>
 *   <li>cold: mirror fetch + full bundle into a machine's workspace, vs {@code git clone --no-local};
 *   <li>warm: fetch of one new commit + thin bundle into the existing workspace, vs
 *       {@code git fetch} + {@code git checkout} in an existing clone;
 *   <li>handoff: commit leftovers + bundle out + verify + push, vs {@code git add -A} + {@code git commit} +
 *       {@code git push} (the same work: what the agent left includes new files); for reference also
 *       against {@code git commit -am} + {@code git push}, which leaves new files out and so does less;
 *   <li>committed work (the agent made its commit itself): {@code handOffCommits} (bundle out + verify +
 *       push, the work tree not looked at) vs {@code git push}; and {@code handOff}, which looks for
 *       leftovers first and finds none, vs {@code git status} + {@code git push}.
 * </ul>
 * Each figure is the median of 5 runs after 2 warm-up runs (a JVM that embeds Nightshift runs
 * long); the two sides of the cold and handoff rows take turns going first. Before the warm and handoff rows both work trees are settled (see {@link #settle}).
 * The rows come twice: first with {@link GitHost.Sha1#AS_CONFIGURED} (JGit's
 * collision-detecting Java SHA-1, like the git CLI's sha1dc), then with
 * {@link GitHost.Sha1#JDK_NATIVE} (the JDK's SHA-1, JVM-wide from then on, so it runs second).
 * The machine comes from the runtime found by {@link ServiceLoader} (Docker when sdk-docker is on
 * the class path and an engine answers); without one only the host-side rows are printed. The
 * CLI baselines run on the host (the machine cannot reach a {@code file://} remote), so the
 * Nightshift figures include the machine round trips (copy in/out, exec) and the CLI's do not.
 */
public final class GitBenchmark {
    private static final String IMAGE = "nightshift/base:bookworm";

    public static void main(String[] args) throws Exception {
        Bench bench = Bench.of("sdk-git vs git CLI", args);
        int files = bench.size(10_000, 200);
        int commits = bench.size(1_000, 20);
        int runs = bench.size(5, 1);
        int warmup = bench.size(2, 0);
        Path root = Files.createTempDirectory("nightshift-gitbench-");
        try {
            Path bare = generate(root, files, commits);
            String url = bare.toUri().toString();
            Optional<MachineRuntime> runtime = runtime();
            Machine machine = null;
            try {
                if (runtime.isPresent()) {
                    machine = runtime.get().start(MachineSpec.builder(IMAGE).user("ubuntu")
                            .label("dev.nightshift.benchmark", "git").build());
                }
                if (System.getProperty(GitHost.SHA1_PROPERTY) == null) {
                    run(bench, root.resolve("sha1dc"), url, files, commits, warmup, runs, machine,
                            GitHost.Sha1.AS_CONFIGURED, "");
                }
                run(bench, root.resolve("jdk"), url, files, commits, warmup, runs, machine, GitHost.Sha1.JDK_NATIVE,
                        " [JDK SHA-1]");
            } finally {
                if (machine != null) {
                    machine.close();
                }
                runtime.ifPresent(MachineRuntime::close);
            }
        } finally {
            delete(root);
        }
        bench.print();
    }

    private static void run(Bench bench, Path root, String url, int files, int commits, int warmup, int runs,
            Machine machine, GitHost.Sha1 sha1, String suffix) throws IOException {
        Files.createDirectories(root);
        String size = files + " files, " + commits + " commits";
        List<Long> coldFetch = new ArrayList<>();
        List<Long> warmFetch = new ArrayList<>();
        List<Long> cliMirror = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            if (i == warmup) {
                coldFetch.clear();
                warmFetch.clear();
                cliMirror.clear();
            }
            Path cache = root.resolve("cache-fetch-" + i);
            try (GitHost git = GitHost.builder(cache).sha1(sha1).build()) {
                coldFetch.add(time(() -> git.fetch(url, null)));
                warmFetch.add(time(() -> git.fetch(url, null)));
            }
            Path mirror = root.resolve("cli-mirror-" + i);
            cliMirror.add(time(() -> sh(root, "git", "clone", "-q", "--mirror", "--no-local", url, mirror.toString())));
        }
        bench.row("mirror fetch, cold (" + size + ")" + suffix, Bench.millis(median(coldFetch)),
                Bench.millis(median(cliMirror)) + " (git clone --mirror --no-local)", "within 1.5x",
                within(median(coldFetch), median(cliMirror), 1.5));
        bench.row("mirror fetch, warm (no change)" + suffix, Bench.millis(median(warmFetch)), "-", "a few ms (<= 10 ms)",
                median(warmFetch) <= 10_000_000L);
        if (machine == null) {
            bench.row("into/out of a machine" + suffix, "skipped", "-", "no MachineRuntime found (start Docker: scripts/docker-up)");
            return;
        }
        List<Long> coldIn = new ArrayList<>();
        List<Long> warmIn = new ArrayList<>();
        List<Long> handoff = new ArrayList<>();
        List<Long> cliClone = new ArrayList<>();
        List<Long> cliPull = new ArrayList<>();
        List<Long> cliPush = new ArrayList<>();
        List<Long> cliPushTracked = new ArrayList<>();
        List<Long> handoffCommits = new ArrayList<>();
        List<Long> cliPushOnly = new ArrayList<>();
        List<Long> handoffCommitted = new ArrayList<>();
        List<Long> cliStatusPush = new ArrayList<>();
        Path work = root.resolve("work");
        sh(root, "git", "clone", "-q", url, work.toString());
        for (int i = 0; i < warmup + runs; i++) {
            if (i == warmup) {
                for (List<Long> l : List.of(coldIn, warmIn, handoff, cliClone, cliPull, cliPush, cliPushTracked,
                        handoffCommits, cliPushOnly, handoffCommitted, cliStatusPush)) {
                    l.clear();
                }
            }
            Path cache = root.resolve("cache-" + i);
            String ws = "/workspace/bench-" + sha1.ordinal() + "-" + i;
            Path clone = root.resolve("cli-clone-" + i);
            try (GitHost git = GitHost.builder(cache).sha1(sha1).author("Bench", "bench@example.com").build()) {
                String branch = "nightshift/bench-" + sha1.ordinal() + "-" + i;
                Runnable nightshiftCold = () -> coldIn.add(time(
                        () -> git.moveIn(machine, url, git.fetch(url, null).commit(), branch, ws, null)));
                Runnable cliCold = () -> cliClone.add(time(
                        () -> sh(root, "git", "clone", "-q", "--no-local", url, clone.toString())));
                inTurn(i, nightshiftCold, cliCold);

                settle(machine, ws, clone);
                sh(work, "git", "pull", "-q", "--ff-only", "origin", "main");
                Files.writeString(work.resolve("f0.txt"), "change " + sha1 + " " + i + "\n", StandardCharsets.UTF_8);
                sh(work, "git", "-c", "user.name=B", "-c", "user.email=b@x", "commit", "-q", "-am", "one more " + i);
                sh(work, "git", "push", "-q", "origin", "HEAD:main");
                warmIn.add(time(() -> git.moveIn(machine, url, git.fetch(url, null).commit(), branch, ws, null)));
                cliPull.add(time(() -> {
                    sh(clone, "git", "fetch", "-q", "origin");
                    return sh(clone, "git", "checkout", "-q", "-B", "cli-" + System.nanoTime(), "origin/main");
                }));

                settle(machine, ws, clone);
                // one changed file and one new file on each side
                check(machine.exec(ExecRequest.builder("bash", "-c",
                        "echo agent >> \"$1\"/f1.txt && echo agent > \"$1\"/added.txt", "x", ws).build()).await());
                Files.writeString(clone.resolve("f1.txt"), "cli\n", StandardCharsets.UTF_8);
                Files.writeString(clone.resolve("added.txt"), "cli\n", StandardCharsets.UTF_8);
                Runnable nightshiftHandoff = () -> handoff.add(time(
                        () -> git.handOff(machine, url, branch, ws, null, "bench change", true)));
                Runnable cliHandoff = () -> cliPush.add(time(() -> {
                    // the same work as a handoff: new files too (commit -a would leave them out)
                    sh(clone, "git", "add", "-A");
                    sh(clone, "git", "-c", "user.name=B", "-c", "user.email=b@x", "commit", "-q", "-m", "cli change");
                    return sh(clone, "git", "push", "-q", "origin", "HEAD:refs/heads/cli-bench-" + System.nanoTime());
                }));
                inTurn(i, nightshiftHandoff, cliHandoff);
                // the lighter CLI reference: a change to a tracked file only
                Files.writeString(clone.resolve("f1.txt"), "cli again\n", StandardCharsets.UTF_8);
                cliPushTracked.add(time(() -> {
                    sh(clone, "git", "-c", "user.name=B", "-c", "user.email=b@x", "commit", "-q", "-am", "cli change");
                    return sh(clone, "git", "push", "-q", "origin", "HEAD:refs/heads/cli-bench-" + System.nanoTime());
                }));

                // the agent committed its work itself: handOffCommits is bundle out + push, the CLI's a git push
                commitOnBothSides(machine, ws, clone, "a");
                String cliBranch = "refs/heads/cli-bench-c-" + System.nanoTime();
                inTurn(i, () -> handoffCommits.add(time(
                                () -> git.handOffCommits(machine, url, branch, ws, null, true))),
                        () -> cliPushOnly.add(time(() -> sh(clone, "git", "push", "-q", "origin", "HEAD:" + cliBranch))));
                // the same with handOff, which looks for leftovers first (finds none): vs git status + git push
                commitOnBothSides(machine, ws, clone, "b");
                inTurn(i, () -> handoffCommitted.add(time(
                                () -> git.handOff(machine, url, branch, ws, null, "bench change", true))),
                        () -> cliStatusPush.add(time(() -> {
                            sh(clone, "git", "status", "--porcelain");
                            return sh(clone, "git", "push", "-q", "origin", "HEAD:" + cliBranch);
                        })));
            }
        }
        bench.row("cold: mirror + full bundle into machine" + suffix, Bench.millis(median(coldIn)),
                Bench.millis(median(cliClone)) + " (git clone --no-local)", "within 1.5x",
                within(median(coldIn), median(cliClone), 1.5));
        bench.row("warm: fetch + thin bundle of 1 commit" + suffix, Bench.millis(median(warmIn)),
                Bench.millis(median(cliPull)) + " (git fetch + checkout)", "within 1.5x",
                within(median(warmIn), median(cliPull), 1.5));
        bench.row("handoff: commit + bundle out + push" + suffix, Bench.millis(median(handoff)),
                Bench.millis(median(cliPush)) + " (git add -A + commit + push)", "within 1.5x",
                within(median(handoff), median(cliPush), 1.5));
        bench.row("handoff, vs tracked files only" + suffix, Bench.millis(median(handoff)),
                Bench.millis(median(cliPushTracked)) + " (git commit -am + push)", "-");
        bench.row("committed work: bundle out + push (handOffCommits)" + suffix, Bench.millis(median(handoffCommits)),
                Bench.millis(median(cliPushOnly)) + " (git push)", "within 1.5x",
                within(median(handoffCommits), median(cliPushOnly), 1.5));
        bench.row("committed work, leftovers looked for (handOff)" + suffix, Bench.millis(median(handoffCommitted)),
                Bench.millis(median(cliStatusPush)) + " (git status + push)", "within 1.5x",
                within(median(handoffCommitted), median(cliStatusPush), 1.5));
    }

    /** Whether {@code ours} is at most {@code factor} times {@code theirs}. */
    private static boolean within(long ours, long theirs, double factor) {
        return ours <= theirs * factor;
    }

    /** The agent's commit in the machine and one in the CLI's clone (a change to f1.txt), then {@link #settle}. */
    private static void commitOnBothSides(Machine machine, String ws, Path clone, String tag) {
        check(machine.exec(ExecRequest.builder("bash", "-c", "cd \"$1\" && echo \"$2\" >> f1.txt"
                + " && git -c user.name=A -c user.email=a@x commit -qam 'agent commit'", "x", ws, tag).build()).await());
        try {
            Files.writeString(clone.resolve("f1.txt"), "cli " + tag + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sh(clone, "git", "-c", "user.name=B", "-c", "user.email=b@x", "commit", "-q", "-am", "cli commit");
        settle(machine, ws, clone);
    }

    /**
     * Runs the two sides of a row, Nightshift first in even rounds and the CLI first in odd ones:
     * how fast this machine creates files drifts over minutes (see the README), and a fixed order
     * would hand one side the better half every time.
     */
    private static void inTurn(int round, Runnable nightshift, Runnable cli) {
        if (round % 2 == 0) {
            nightshift.run();
            cli.run();
        } else {
            cli.run();
            nightshift.run();
        }
    }

    /**
     * Brings the machine's workspace and the CLI's clone to the state an agent's workspace is in
     * by its next git operation: older than the second in which git last wrote the index, and
     * the index refreshed since. Right after a checkout git treats every file written in the same
     * second as its index as "racily clean" and re-reads it at the next operation (and again at
     * the one after, if that one too falls in that second); a real handoff comes minutes after
     * the move-in, so timing that re-read would measure how close together this program runs its
     * steps, which differs between the two sides. Untimed, and the same on both sides.
     */
    private static void settle(Machine machine, String ws, Path clone) {
        try {
            Thread.sleep(1_000 - System.currentTimeMillis() % 1_000 + 20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        check(machine.exec(ExecRequest.builder("git", "-C", ws, "status", "--porcelain").build()).await());
        sh(clone, "git", "status", "--porcelain");
    }

    private static Optional<MachineRuntime> runtime() {
        for (MachineRuntime r : ServiceLoader.load(MachineRuntime.class)) {
            try {
                r.machines(java.util.Map.of("dev.nightshift.benchmark", "git"));
                return Optional.of(r);
            } catch (RuntimeException e) {
                System.err.println("runtime " + r.name() + " unavailable: " + e.getMessage());
                r.close();
            }
        }
        return Optional.empty();
    }

    /** A bare repository with {@code files} files in the first commit and {@code commits} commits of 10 changes each. */
    static Path generate(Path root, int files, int commits) throws IOException {
        Path bare = root.resolve("bench.git");
        Files.createDirectories(bare);
        sh(bare, "git", "init", "-q", "--bare", "-b", "main");
        Random random = new Random(1);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int c = 0; c < commits; c++) {
            String msg = "commit " + c + "\n";
            append(stream, "commit refs/heads/main\ncommitter Bench <bench@example.com> " + (1_700_000_000L + c)
                    + " +0000\ndata " + msg.length() + "\n" + msg);
            int changes = c == 0 ? files : 10;
            for (int k = 0; k < changes; k++) {
                int f = c == 0 ? k : random.nextInt(files);
                String content = "file " + f + " version " + c + "\n" + "x".repeat(200 + random.nextInt(800)) + "\n";
                byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
                append(stream, "M 100644 inline d" + (f % 100) + "/f" + f + ".txt\ndata " + bytes.length + "\n");
                stream.write(bytes);
            }
            append(stream, "\n");
        }
        ProcessBuilder pb = new ProcessBuilder("git", "fast-import", "--quiet").directory(bare.toFile())
                .redirectErrorStream(true);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            stream.writeTo(in);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("git fast-import failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        sh(bare, "git", "repack", "-q", "-ad");
        // a work tree file f0.txt / f1.txt for the change rows
        Path seed = root.resolve("seed");
        sh(root, "git", "clone", "-q", bare.toUri().toString(), seed.toString());
        Files.writeString(seed.resolve("f0.txt"), "0\n");
        Files.writeString(seed.resolve("f1.txt"), "1\n");
        sh(seed, "git", "add", "-A");
        sh(seed, "git", "-c", "user.name=B", "-c", "user.email=b@x", "commit", "-q", "-m", "seed");
        sh(seed, "git", "push", "-q", "origin", "HEAD:main");
        return bare;
    }

    private static void append(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static long time(Supplier<?> task) {
        long t0 = System.nanoTime();
        task.get();
        return System.nanoTime() - t0;
    }

    private static long time(Runnable task) {
        long t0 = System.nanoTime();
        task.run();
        return System.nanoTime() - t0;
    }

    private static long median(List<Long> xs) {
        long[] a = xs.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }

    private static void check(ExecResult r) {
        if (!r.isSuccess()) {
            throw new IllegalStateException("exec failed: " + r.lastLines(5));
        }
    }

    static String sh(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path root) {
        FileTrees.deleteQuietly(root);
    }

    private GitBenchmark() {
    }
}
