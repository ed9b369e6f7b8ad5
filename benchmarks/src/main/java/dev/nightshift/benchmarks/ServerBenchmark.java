package dev.nightshift.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.common.FileTrees;
import dev.nightshift.core.Nightshift;
import dev.nightshift.docker.DockerRuntime;
import dev.nightshift.server.ApiKeys;
import dev.nightshift.server.NightshiftServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP service under load, over loopback: status polls at a fixed rate while agents run and
 * SSE clients follow their runs; p50 / p99 of the polls side by side with the same polls on an
 * idle server, the errors, and whether every SSE client received exactly what a replay of its run
 * gives afterwards (no event lost or repeated). The server runs in a JVM of its own (as
 * {@code nightshift serve} does), the load generator in this one.
 *
 * <p>Full size: 200 polls a second for 30 s, 8 agents, 50 SSE clients; {@code --smoke}: 40 a
 * second for 3 s, 2 agents, 4 clients.
 */
public final class ServerBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("--serve")) {
            serve(Path.of(args[1]), Integer.parseInt(args[2]));
            return;
        }
        System.setProperty("http.maxConnections", "32"); // the pollers' kept-alive connections (default 5)
        Bench bench = Bench.of("HTTP service: status polls and event streams under load (scripts/bench ServerBenchmark)", args);
        int rate = bench.size(200, 40);
        int seconds = bench.size(30, 3);
        int agents = bench.size(8, 2);
        int clients = bench.size(50, 4);
        Path dir = Files.createTempDirectory("nightshift-server-bench");
        String remote = bareRemote(dir.resolve("remote"));
        // the server in a JVM of its own, as `nightshift serve` runs it: the load generator's threads and
        // garbage (200 requests a second, 50 streams) do not pause the server it measures
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), ServerBenchmark.class.getName(), "--serve",
                dir.toString(), Integer.toString(agents + 1))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String[] ready = awaitReady(child);
            String base = "http://127.0.0.1:" + ready[0];
            String key = ready[1];
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // idle: the same polls on one agent before the load starts
            List<String[]> runs = new ArrayList<>();
            String first = create(http, base, key, remote, "echo ready\necho 'SUMMARY: ready'", runs);
            awaitStatus(http, base, key, first, "FINISHED");
            // warm-up of the fresh server JVM (JIT, heap sizing) and of the connections: not measured
            poll(base, key, List.of(first), rate, Math.max(2, seconds / 6), new AtomicInteger());
            long[] idle = poll(base, key, List.of(first), rate, Math.max(2, seconds / 3), new AtomicInteger());

            runs.clear();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                ids.add(create(http, base, key, remote, "for i in $(seq 1 " + (seconds + 5) + "); do echo tick $i;"
                        + " sleep 1; done\necho 'SUMMARY: ticked'", runs));
            }
            for (String id : ids) {
                awaitStatus(http, base, key, id, "RUNNING");
            }
            // one thread per SSE client, so all of them are open at once during the polls (the
            // common pool has one thread on a 2-core machine: the streams would run one by one)
            java.util.concurrent.ExecutorService sse = Executors.newFixedThreadPool(clients);
            List<CompletableFuture<List<String>>> streams = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String[] run = runs.get(c % runs.size());
                streams.add(CompletableFuture.supplyAsync(() -> stream(http, base, key, run[0], run[1]), sse));
            }
            AtomicInteger errors = new AtomicInteger();
            long[] loaded = poll(base, key, ids, rate, seconds, errors);
            int openDuringPolls = (int) streams.stream().filter(f -> !f.isDone()).count();
            int mismatched = 0;
            int streamErrors = 0;
            for (int c = 0; c < clients; c++) {
                String[] run = runs.get(c % runs.size());
                List<String> live;
                try {
                    live = streams.get(c).get(10, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    streamErrors++;
                    continue;
                }
                List<String> replay = stream(http, base, key, run[0], run[1]);
                if (!live.equals(replay) || live.isEmpty() || !live.get(live.size() - 1).endsWith(" result")) {
                    mismatched++;
                }
            }
            sse.shutdown();
            long p50 = pct(loaded, 50);
            long p99 = pct(loaded, 99);
            bench.row(String.format(Locale.ROOT, "status poll, %d/s for %d s, %d agents, %d SSE clients, p50", rate,
                    seconds, agents, clients), ms(p50), ms(pct(idle, 50)) + " (idle server)", "-");
            bench.row("status poll under that load, p99", ms(p99), ms(pct(idle, 99)) + " (idle server)",
                    "<= 50 ms", p99 <= 50_000_000L);
            bench.row("status polls that failed", Integer.toString(errors.get()), "-", "0", errors.get() == 0);
            bench.row("SSE clients still streaming when the polls ended", openDuringPolls + " of " + clients, "-",
                    "all", openDuringPolls == clients);
            bench.row("SSE clients that failed (not 200, dropped, timed out)", streamErrors + " of " + clients, "-",
                    "0", streamErrors == 0);
            bench.row("SSE clients whose stream differs from a replay", mismatched + " of " + clients, "-",
                    "0 (none lost or repeated)", mismatched == 0);
            bench.print();
        } finally {
            child.getOutputStream().close(); // the server process's cue to remove its machines and end
            if (!child.waitFor(3, TimeUnit.MINUTES)) {
                child.destroy(); // SIGTERM: the runtime's exit hook still removes the machines
                child.waitFor(1, TimeUnit.MINUTES);
            }
            deleteTree(dir);
        }
    }

    /**
     * The server process: an engine on the Docker runtime with room for {@code machines} machines,
     * and the HTTP server on a free port; prints {@code READY <port> <key>}, serves until its
     * standard input closes, then removes its machines and snapshots.
     */
    private static void serve(Path dir, int machines) throws Exception {
        Path state = dir.resolve("state");
        try (Nightshift engine = Nightshift.builder().stateDirectory(state).runtime(new DockerRuntime())
                .limits(dev.nightshift.core.Limits.DEFAULT.withMaxRunningMachines(machines)).build()) {
            try {
                ApiKeys keys = ApiKeys.open(state);
                String key = keys.create("bench", "bench");
                try (NightshiftServer server = NightshiftServer.builder(engine, keys).port(0).rateLimit(10_000, 10_000)
                        .heartbeat(Duration.ofSeconds(1)).start()) {
                    System.out.println("READY " + server.port() + " " + key);
                    System.out.flush();
                    System.in.transferTo(java.io.OutputStream.nullOutputStream()); // until the parent closes it
                }
            } finally {
                engine.closeAndRemoveMachines(); // also when a step fails, so no machine outlives the run
            }
        } finally {
            ModelDriverBenchmark.deleteStoreImages(state);
        }
    }

    /** The port and key the server process printed; fails when it ends or stays silent for two minutes. */
    private static String[] awaitReady(Process child) throws Exception {
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String[]> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("READY ")) {
                        return line.substring(6).split(" ");
                    }
                }
                throw new IllegalStateException("the server process ended before it was ready");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String[] r = ready.get(2, TimeUnit.MINUTES);
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException e) {
                // the process ended
            }
        }, "server-stdout");
        drain.setDaemon(true);
        drain.start();
        return r;
    }

    /** Polls GET /v0/agents/{id} every 50 ms until its status is {@code status}; fails on an end or after 5 minutes. */
    private static void awaitStatus(HttpClient http, String base, String key, String id, String status)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v0/agents/" + id))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            String now = r.statusCode() == 200 ? JSON.readTree(r.body()).path("status").asText() : "HTTP " + r.statusCode();
            if (now.equals(status)) {
                return;
            }
            if (now.equals("ERROR") || now.equals("EXPIRED") || now.startsWith("HTTP") || System.nanoTime() > deadline) {
                throw new IllegalStateException("agent " + id + " is " + now + " while waiting for " + status + ": "
                        + r.body());
            }
            TimeUnit.MILLISECONDS.sleep(50); // a poll, as a client of the API waits
        }
    }

    static String create(HttpClient http, String base, String key, String remote, String script, List<String[]> runs)
            throws IOException, InterruptedException {
        String body = JSON.createObjectNode()
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("prompt", JSON.createObjectNode().put("text", script))
                .set("repos", JSON.createArrayNode().add(JSON.createObjectNode().put("url", remote).put("startingRef", "main")))
                .toString();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/agents"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("create answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode j = JSON.readTree(r.body());
        String id = j.get("agent").get("id").asText();
        runs.add(new String[] {id, j.get("run").get("id").asText()});
        return id;
    }

    /** Polls GET /v0/agents/{id} at {@code rate} a second for {@code seconds}; returns each poll's latency. */
    /**
     * Polls GET /v0/agents/{id} at {@code rate} a second for {@code seconds}, open loop: a ticker
     * hands each poll to a pool of blocking keep-alive connections (the JDK's HttpURLConnection,
     * not the HttpClient the SSE streams share a selector thread in); each latency runs from the
     * tick to the last byte, so a poll that waits for a free connection counts its wait.
     */
    static long[] poll(String base, String key, List<String> ids, int rate, int seconds, AtomicInteger errors)
            throws InterruptedException {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        int total = rate * seconds;
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(total);
        java.util.concurrent.ExecutorService pollers = Executors.newFixedThreadPool(16);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        ticker.scheduleAtFixedRate(() -> {
            int n = sent.getAndIncrement();
            if (n >= total) {
                return;
            }
            String url = base + "/v0/agents/" + ids.get(n % ids.size());
            long t0 = System.nanoTime();
            pollers.execute(() -> {
                try {
                    if (get(url, key) != 200) {
                        errors.incrementAndGet();
                    }
                } catch (IOException | RuntimeException e) {
                    errors.incrementAndGet();
                } finally {
                    latencies.add(System.nanoTime() - t0);
                    done.countDown();
                }
            });
        }, 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);
        boolean all = done.await(seconds + 300L, TimeUnit.SECONDS);
        ticker.shutdownNow();
        pollers.shutdownNow();
        if (!all) {
            errors.addAndGet((int) done.getCount()); // never answered
        }
        return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** One GET on a kept-alive connection; the body is read to its end so the connection is reused. */
    private static int get(String url, String key) throws IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setRequestProperty("Authorization", "Bearer " + key);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(60_000);
        int code = c.getResponseCode();
        try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
            if (in != null) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        return code;
    }

    /** Reads a run's stream to its end; returns each frame as "id event". */
    static List<String> stream(HttpClient http, String base, String key, String agentId, String runId) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/agents/" + agentId
                    + "/runs/" + runId + "/stream")).header("Authorization", "Bearer " + key).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the stream answered " + r.statusCode() + ": "
                        + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            String raw = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            List<String> frames = new ArrayList<>();
            for (String block : raw.split("\n\n")) {
                String id = null;
                String event = null;
                for (String line : block.split("\n")) {
                    if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    }
                }
                if (event != null && !event.equals("heartbeat")) {
                    frames.add(id + " " + event);
                }
            }
            return frames;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    static String bareRemote(Path at) throws IOException, InterruptedException {
        Path bare = at.resolve("app.git");
        Path work = at.resolve("work");
        Files.createDirectories(at);
        git(at, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(at, "init", "-q", "-b", "main", work.toString());
        Files.writeString(work.resolve("README.md"), "# bench\n");
        git(work, "add", "-A");
        git(work, "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-q", "-m", "first");
        git(work, "push", "-q", bare.toUri().toString(), "main");
        return bare.toUri().toString();
    }

    static void git(Path in, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).directory(in.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        FileTrees.delete(dir);
    }
}
