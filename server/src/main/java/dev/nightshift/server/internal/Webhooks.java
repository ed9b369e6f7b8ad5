package dev.nightshift.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.common.DaemonThreads;
import dev.nightshift.core.Nightshift;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks on {@code FINISHED} and {@code ERROR}: Cursor's {@code statusChange} body, signed with
 * {@code X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body>}, with
 * {@code X-Webhook-ID} (one per delivery) and {@code X-Webhook-Event}. Deliveries are files
 * (owner-only, like the subscription files that hold the secrets) under {@code server/webhooks/}: one is
 * written before the first attempt and removed after a 2xx, so a restart loses no pending delivery.
 * Failed attempts are retried with exponential backoff and jitter, up to a bound; then the
 * delivery moves to {@code failed/} and is logged.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: {@link #start()} subscribes the agents that have a
 * webhook and schedules pending deliveries; {@link #close()} stops (pending ones stay on disk).
 */
public final class Webhooks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /** What the server keeps of an agent's webhook; {@code seen} is the last event looked at. */
    record Hook(String agentId, String url, String secret, long seen) {
    }

    /** One delivery, as kept on disk until it succeeds or gives up. */
    record Delivery(String id, String agentId, String url, String secret, String event, String body, int attempts,
            Instant due) {
    }

    private final Nightshift engine;
    private final ServerMetrics metrics;
    private final Path dir;
    private final Duration firstRetry;
    private final int maxAttempts;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("nightshift-webhooks"));
    private final Map<String, dev.nightshift.api.Subscription> listening = new ConcurrentHashMap<>();

    public Webhooks(Nightshift engine, Path serverDirectory, Duration firstRetry, int maxAttempts, ServerMetrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
        this.dir = serverDirectory.resolve("webhooks");
        this.firstRetry = firstRetry;
        this.maxAttempts = maxAttempts;
    }

    /** Resumes: subscribes every agent with a webhook and schedules every pending delivery. */
    public void start() {
        for (Path f : files("subscriptions")) {
            Hook s = read(f, Hook.class);
            if (s != null) {
                listen(s);
            }
        }
        for (Path f : files("pending")) {
            Delivery d = read(f, Delivery.class);
            if (d != null) {
                // the server was down: try once now, whatever the backoff had planned
                schedule(new Delivery(d.id(), d.agentId(), d.url(), d.secret(), d.event(), d.body(), d.attempts(),
                        Instant.now()));
            }
        }
    }

    /** Delivers {@code statusChange} to {@code url} when the agent reaches FINISHED or ERROR. */
    public void add(String agentId, String url, String secret) {
        Hook s = new Hook(agentId, url, secret, 0);
        write(dir.resolve("subscriptions").resolve(agentId + ".json"), s);
        listen(s);
    }

    private void listen(Hook s) {
        Agent agent = engine.get(s.agentId()).orElse(null);
        if (agent == null) {
            delete(dir.resolve("subscriptions").resolve(s.agentId() + ".json"));
            return;
        }
        listening.put(s.agentId(), agent.addListener(e -> onEvent(s, e), s.seen()));
    }

    private synchronized void onEvent(Hook s, AgentEvent e) {
        Path file = dir.resolve("subscriptions").resolve(s.agentId() + ".json");
        if (e instanceof AgentEvent.StatusChanged c
                && (AgentStatus.FINISHED.equals(c.to()) || AgentStatus.ERROR.equals(c.to()))) {
            Delivery d = new Delivery("wh-" + UUID.randomUUID(), s.agentId(), s.url(), s.secret(), "statusChange",
                    body(s.agentId(), c), 0, Instant.now());
            write(dir.resolve("pending").resolve(d.id() + ".json"), d);
            schedule(d);
        }
        if (e instanceof AgentEvent.StatusChanged && Files.exists(file)) {
            // after the delivery is on disk: a restart replays from here and never loses one
            write(file, new Hook(s.agentId(), s.url(), s.secret(), e.sequence()));
        }
    }

    private String body(String agentId, AgentEvent.StatusChanged c) {
        AgentInfo info = engine.get(agentId).map(Agent::info).orElse(null);
        ObjectNode b = JSON.createObjectNode();
        b.put("event", "statusChange");
        b.put("timestamp", c.time().toString());
        b.put("id", agentId);
        b.put("status", c.to().name());
        if (info != null) {
            ObjectNode source = b.putObject("source").put("repository", info.request().repository());
            info.request().ref().ifPresent(ref -> source.put("ref", ref));
            ObjectNode target = b.putObject("target").put("url", info.request().repository());
            info.branch().ifPresent(branch -> target.put("branchName", branch));
            target.putNull("prUrl");
            info.summary().ifPresent(summary -> b.put("summary", summary));
        }
        return b.toString();
    }

    private void schedule(Delivery d) {
        long delay = Math.max(0, Duration.between(Instant.now(), d.due()).toMillis());
        try {
            scheduler.schedule(() -> attempt(d), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // stopping: the delivery stays pending on disk for the next start
        }
    }

    private void attempt(Delivery d) {
        Path pending = dir.resolve("pending").resolve(d.id() + ".json");
        if (!Files.exists(pending)) {
            return;
        }
        String why;
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "nightshift-webhooks")
                    .header("X-Webhook-ID", d.id())
                    .header("X-Webhook-Event", d.event())
                    .header("X-Webhook-Signature", "sha256=" + sign(d.secret(), d.body()))
                    .POST(HttpRequest.BodyPublishers.ofString(d.body(), StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                delete(pending);
                metrics.webhookDelivered();
                log.info("webhook {} for agent {} delivered ({} attempt(s))", d.id(), d.agentId(), d.attempts() + 1);
                return;
            }
            why = "HTTP " + r.statusCode();
        } catch (IOException | IllegalArgumentException e) {
            why = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        metrics.webhookAttemptFailed();
        int attempts = d.attempts() + 1;
        if (attempts >= maxAttempts) {
            write(dir.resolve("failed").resolve(d.id() + ".json"), new Delivery(d.id(), d.agentId(), d.url(), "",
                    d.event(), d.body(), attempts, Instant.now()));
            delete(pending);
            log.warn("webhook {} for agent {} to {} gave up after {} attempts: {}", d.id(), d.agentId(), host(d.url()),
                    attempts, why);
            return;
        }
        long backoff = firstRetry.toMillis() << Math.min(attempts - 1, 16);
        long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        Delivery next = new Delivery(d.id(), d.agentId(), d.url(), d.secret(), d.event(), d.body(), attempts,
                Instant.now().plusMillis(Math.min(jittered, Duration.ofMinutes(10).toMillis())));
        write(pending, next);
        log.info("webhook {} for agent {} to {} failed ({}); attempt {} of {} in {} ms", d.id(), d.agentId(),
                host(d.url()), why, attempts + 1, maxAttempts, Duration.between(Instant.now(), next.due()).toMillis());
        schedule(next);
    }

    private static String host(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }

    /** {@code hex(HMAC-SHA256(secret, body))}. */
    public static String sign(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private List<Path> files(String sub) {
        Path d = dir.resolve(sub);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.json")) {
            List<Path> out = new java.util.ArrayList<>();
            s.forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + d, e);
        }
    }

    private static <T> T read(Path f, Class<T> type) {
        try {
            return JSON.readValue(Files.readAllBytes(f), type);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.warn("cannot read {}: {}", f, e.getMessage());
            return null;
        }
    }

    private static void write(Path f, Object value) {
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), ".wh", ".tmp");
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.write(tmp, JSON.writeValueAsBytes(value));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", f, e.getMessage());
        }
    }

    @Override
    public void close() {
        listening.values().forEach(dev.nightshift.api.Subscription::close);
        listening.clear();
        scheduler.shutdownNow();
    }
}
