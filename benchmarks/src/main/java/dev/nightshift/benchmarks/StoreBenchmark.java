package dev.nightshift.benchmarks;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.common.FileTrees;
import dev.nightshift.core.FileAgentStore;
import dev.nightshift.store.postgres.PostgresAgentStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The agent store side by side: the file store next to PostgreSQL (a server this benchmark starts
 * in a temporary folder with Debian's {@code initdb} and {@code pg_ctl}, as the store-postgres
 * tests do; {@code scripts/test} installs them). Measures event append throughput (one writer,
 * and four writers on four agents) and how soon a reader on another store instance (as in another
 * process) sees a new event: PostgreSQL wakes it with {@code NOTIFY}; the file store has no
 * notification across processes, so its reader polls every 250 ms, as the engine's read-only view
 * of another engine's agent does.
 */
public final class StoreBenchmark {
    private static final long FILE_POLL_MILLIS = 250;

    public static void main(String[] args) throws Exception {
        Bench bench = Bench.of("Agent store: files vs PostgreSQL", args);
        int events = bench.size(5000, 50);
        int latencySamples = bench.size(400, 8);
        Path tmp = Files.createTempDirectory("nightshift-store-bench-");
        try (LocalPostgres pg = LocalPostgres.start()) {
            try (FileAgentStore files = FileAgentStore.open(tmp.resolve("files"));
                    FileAgentStore fileReader = FileAgentStore.open(tmp.resolve("files"));
                    PostgresAgentStore db = pg.store().open(); PostgresAgentStore dbReader = pg.store().open()) {
                double fileOne = appendsPerSecond(files, "f1-", 1, events);
                double dbOne = appendsPerSecond(db, "p1-", 1, events);
                bench.row("event appends/s, 1 writer", rate(dbOne), rate(fileOne) + " (files)", "-");
                double fileFour = appendsPerSecond(files, "f4-", 4, events);
                double dbFour = appendsPerSecond(db, "p4-", 4, events);
                bench.row("event appends/s, 4 writers on 4 agents", rate(dbFour), rate(fileFour) + " (files)", "-");

                latencies(db, "pw", 3, (after) -> dbReader.awaitEvents("pw", after, 10, Duration.ofSeconds(10))); // warm-up
                long[] dbLatency = latencies(db, "pl", latencySamples, (after) -> dbReader.awaitEvents("pl", after, 10,
                        Duration.ofSeconds(10)));
                long[] fileLatency = latencies(files, "fl", Math.min(latencySamples, bench.size(20, 4)), (after) -> {
                    while (true) { // the file store's reader in another process: poll
                        List<AgentEvent> found = fileReader.events("fl", after, 10);
                        if (!found.isEmpty()) {
                            return found;
                        }
                        TimeUnit.MILLISECONDS.sleep(FILE_POLL_MILLIS);
                    }
                });
                bench.row("another reader sees an event, p50", Bench.millis(pct(dbLatency, 50)) + " (NOTIFY)",
                        Bench.millis(pct(fileLatency, 50)) + " (files, 250 ms poll)", "< 50 ms", pct(dbLatency, 50) < 50_000_000L);
                bench.row("another reader sees an event, p99", Bench.millis(pct(dbLatency, 99)) + " (NOTIFY)",
                        Bench.millis(pct(fileLatency, 99)) + " (files, 250 ms poll)", "< 250 ms", pct(dbLatency, 99) < 250_000_000L);
            }
        } finally {
            delete(tmp);
        }
        bench.print();
    }

    /** Appends {@code total} events spread over {@code writers} agents, one thread each; events per second. */
    private static double appendsPerSecond(AgentStore store, String prefix, int writers, int total) throws Exception {
        int each = Math.max(1, total / writers);
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = {null};
        for (int w = 0; w < writers; w++) {
            String id = prefix + w;
            store.put(AgentInfo.creating(id, AgentRequest.builder("bench", "file:///bench.git").id(id).build(), Instant.now()));
            threads.add(new Thread(() -> {
                try {
                    for (int i = 1; i <= each; i++) {
                        store.append(event(id, i));
                    }
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }, "bench-writer-" + w));
        }
        long t0 = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        long took = System.nanoTime() - t0;
        if (failure[0] != null) {
            throw new IllegalStateException("an append failed: " + failure[0], failure[0]);
        }
        return each * (double) writers / (took / 1e9);
    }

    interface Reader {
        List<AgentEvent> next(long after) throws Exception;
    }

    /**
     * For each sample: the reader (on a thread of its own) starts waiting for the next event, the
     * writer appends it once the reader said so, and the time from the append's start to the
     * reader's return is the latency (nanoseconds). One event is in flight at a time.
     */
    private static long[] latencies(AgentStore writer, String id, int samples, Reader reader) throws Exception {
        writer.put(AgentInfo.creating(id, AgentRequest.builder("bench", "file:///bench.git").id(id).build(), Instant.now()));
        long[] seenAt = new long[samples + 1];
        java.util.concurrent.SynchronousQueue<Long> ready = new java.util.concurrent.SynchronousQueue<>();
        Throwable[] failure = {null};
        Thread r = new Thread(() -> {
            try {
                for (long seen = 0; seen < samples; ) {
                    ready.put(seen);
                    List<AgentEvent> found = reader.next(seen);
                    long now = System.nanoTime();
                    if (found.isEmpty()) {
                        throw new IllegalStateException("the reader saw nothing for 10 s after event " + seen);
                    }
                    for (AgentEvent e : found) {
                        seenAt[(int) e.sequence()] = now;
                    }
                    seen = found.get(found.size() - 1).sequence();
                }
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "bench-latency-reader");
        r.start();
        long[] out = new long[samples];
        for (int i = 1; i <= samples; i++) {
            Long asked = ready.poll(30, TimeUnit.SECONDS);
            if (asked == null) {
                throw new IllegalStateException("the reader stopped: " + failure[0], failure[0]);
            }
            TimeUnit.MILLISECONDS.sleep(5); // let the reader park on its wait (a pace; the reader does not depend on it)
            long t0 = System.nanoTime();
            writer.append(event(id, i));
            out[i - 1] = t0;
        }
        r.join(TimeUnit.SECONDS.toMillis(30));
        if (failure[0] != null) {
            throw new IllegalStateException("the reader failed: " + failure[0], failure[0]);
        }
        for (int i = 1; i <= samples; i++) {
            out[i - 1] = Math.max(0, seenAt[i] - out[i - 1]);
        }
        return out;
    }

    private static AgentEvent event(String id, long seq) {
        return new AgentEvent.Warning(id, seq, Instant.now(), "bench", "an event of about the size of a line of output");
    }

    private static long pct(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    private static void delete(Path dir) {
        FileTrees.deleteQuietly(dir);
    }

    /**
     * A throwaway PostgreSQL server in a folder: {@code initdb} with trust authentication on the
     * loopback interface only, {@code pg_ctl start} on a free port; {@link #close()} stops it. As
     * root it runs as {@code nobody} (PostgreSQL refuses root).
     */
    static final class LocalPostgres implements AutoCloseable {
        private final Path bin;
        private final Path dir;
        private final List<String> asUser;
        private final int port;

        private LocalPostgres(Path bin, Path dir, List<String> asUser, int port) {
            this.bin = bin;
            this.dir = dir;
            this.asUser = asUser;
            this.port = port;
        }

        static LocalPostgres start() throws IOException, InterruptedException {
            Path bin = binaries();
            Path dir = Files.createTempDirectory("nightshift-bench-pg-");
            boolean root = "root".equals(System.getProperty("user.name"));
            List<String> asUser = root ? List.of("runuser", "-u", "nobody", "--") : List.of();
            if (root) {
                run(List.of("chown", "-R", "nobody", dir.toString()), List.of());
            }
            run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                    "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"), asUser);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
                    "-l", dir.resolve("server.log").toString(), "-o",
                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start"), asUser);
            return new LocalPostgres(bin, dir, asUser, port);
        }

        PostgresAgentStore.Builder store() {
            return PostgresAgentStore.builder("jdbc:postgresql://127.0.0.1:" + port + "/postgres").user("postgres")
                    .maxPoolSize(8);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                        "stop"), asUser);
            } finally {
                delete(dir);
            }
        }

        private static Path binaries() throws IOException {
            List<Path> candidates = new ArrayList<>();
            for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!p.isEmpty()) {
                    candidates.add(Path.of(p));
                }
            }
            Path debian = Path.of("/usr/lib/postgresql");
            if (Files.isDirectory(debian)) {
                try (Stream<Path> versions = Files.list(debian)) {
                    versions.map(v -> v.resolve("bin")).sorted(Comparator.reverseOrder()).forEach(candidates::add);
                }
            }
            for (Path d : candidates) {
                if (Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl"))) {
                    return d.resolve("initdb").toRealPath().getParent();
                }
            }
            throw new IllegalStateException("no PostgreSQL binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin:"
                    + " install Debian's postgresql (scripts/test does)");
        }

        private static void run(List<String> command, List<String> asUser) throws IOException, InterruptedException {
            List<String> full = new ArrayList<>(asUser);
            full.addAll(command);
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed: " + out);
            }
        }
    }
}
