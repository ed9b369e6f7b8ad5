package dev.nightshift.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.server.internal.Webhooks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Webhooks as a receiver sees them: signed over the raw body, retried after failures until one
 * succeeds (and only until then), and still delivered after the server restarts with a delivery
 * pending.
 */
class WebhooksIT extends ServerITBase {
    static final String SECRET = "a-webhook-secret-of-at-least-32-characters";

    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }
    }

    /** A receiver on 127.0.0.1 that answers 500 to the first {@code failures} requests, then 200. */
    static final class Receiver implements AutoCloseable {
        final HttpServer http;
        final List<Received> received = new CopyOnWriteArrayList<>();
        final CountDownLatch succeeded = new CountDownLatch(1);

        Receiver(int port, int failures) throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            AtomicInteger calls = new AtomicInteger();
            http.createContext("/hook", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
                int status = calls.incrementAndGet() <= failures ? 500 : 200;
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
                if (status == 200) {
                    succeeded.countDown();
                }
            });
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    String createWithWebhook(NightshiftServer on, String url) throws Exception {
        String body = "{\"prompt\":{\"text\":\"echo 'SUMMARY: hooked'\"},\"source\":{\"repository\":\"" + remote
                + "\"},\"webhook\":{\"url\":\"" + url + "\",\"secret\":\"" + SECRET + "\"}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.port() + "/v0/agents"))
                .header("Authorization", "Bearer " + alice).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("id").asText();
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheSignedDeliveryOnceItSucceeds() throws Exception {
        try (Receiver receiver = new Receiver(0, 2);
                NightshiftServer hooked = NightshiftServer.builder(engine, keys).port(0)
                        .webhookRetries(Duration.ofMillis(100), 5).start()) {
            String id = createWithWebhook(hooked, receiver.url());
            assertThat(receiver.succeeded.await(3, TimeUnit.MINUTES)).as("a delivery succeeded").isTrue();
            assertThat(receiver.received).hasSize(3);
            String deliveryId = receiver.received.get(0).header("X-Webhook-ID");
            for (Received r : receiver.received) {
                assertThat(r.header("X-Webhook-ID")).as("one delivery, retried").isEqualTo(deliveryId);
                assertThat(r.header("X-Webhook-Event")).isEqualTo("statusChange");
                assertThat(r.header("X-Webhook-Signature")).as("signed over the raw body")
                        .isEqualTo("sha256=" + Webhooks.sign(SECRET, r.body()));
                assertThat(r.header("X-Webhook-Signature")).as("a control: another secret gives another signature")
                        .isNotEqualTo("sha256=" + Webhooks.sign(SECRET + "x", r.body()));
            }
            JsonNode body = JSON.readTree(receiver.received.get(2).body());
            assertThat(body.get("event").asText()).isEqualTo("statusChange");
            assertThat(body.get("id").asText()).isEqualTo(id);
            assertThat(body.get("status").asText()).isEqualTo("FINISHED");
            assertThat(body.get("summary").asText()).isEqualTo("hooked");
            assertThat(body.get("target").get("branchName").asText()).isNotBlank();
            // the receiver counts its 2xx as it answers; the server removes the pending file once it
            // has read that answer: wait (bounded) for that, not for a fixed time
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!pending().isEmpty() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // poll interval, with a deadline
            }
            assertThat(pending()).as("nothing left pending").isEmpty();

            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + hooked.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metric(metrics.body(), "nightshift_webhook_deliveries_total{result=\"delivered\"}")).isEqualTo(1);
            // at least this delivery's two: the class's servers share one state directory, so a
            // delivery another test left pending is retried (and may fail) on this server too
            assertThat(metric(metrics.body(), "nightshift_webhook_deliveries_total{result=\"failed-attempt\"}"))
                    .isGreaterThanOrEqualTo(2);
            assertThat(metric(metrics.body(), "nightshift_agents{status=\"FINISHED\"}")).isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics.body(), "nightshift_agent_spawn_to_running_seconds_count")).isEqualTo(1);
            assertThat(metrics.body()).as("no secret in metrics").doesNotContain(SECRET).doesNotContain(alice);
        }
    }

    static double metric(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).map(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name + " in:\n" + text));
    }

    @Test
    void aDeliveryPendingWhenTheServerStopsIsDeliveredAfterItStarts() throws Exception {
        int port;
        try (Receiver probe = new Receiver(0, 0)) {
            port = probe.http.getAddress().getPort(); // a port with nothing listening once the probe closes
        }
        String id;
        try (NightshiftServer first = NightshiftServer.builder(engine, keys).port(0)
                .webhookRetries(Duration.ofMinutes(10), 5).start()) {
            id = createWithWebhook(first, "http://127.0.0.1:" + port + "/hook");
            engine.agent(id).awaitStatus(AgentStatus.FINISHED, WAIT);
            // the first attempt found no receiver; the next one is ten minutes away
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (pendingAttempts(id) < 1 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20); // polls the file for the condition, bounded by the deadline
            }
            assertThat(pendingAttempts(id)).as("a failed attempt is on disk").isEqualTo(1);
        }
        try (Receiver receiver = new Receiver(port, 0);
                NightshiftServer second = NightshiftServer.builder(engine, keys).port(0)
                        .webhookRetries(Duration.ofMinutes(10), 5).start()) {
            // the pending delivery is due in ten minutes, but a fresh start tries what is pending
            assertThat(receiver.succeeded.await(2, TimeUnit.MINUTES)).as("delivered after the restart").isTrue();
            assertThat(JSON.readTree(receiver.received.get(0).body()).get("id").asText()).isEqualTo(id);
            assertThat(second.port()).isPositive();
        }
    }

    static List<Path> pending() throws IOException {
        Path d = keys.file().resolveSibling("webhooks").resolve("pending");
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (var s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".json")).toList();
        }
    }

    static int pendingAttempts(String agentId) throws IOException {
        for (Path p : pending()) {
            try {
                JsonNode d = JSON.readTree(Files.readAllBytes(p));
                if (agentId.equals(d.get("agentId").asText())) {
                    return d.get("attempts").asInt();
                }
            } catch (IOException e) {
                // being replaced: read it on the next pass
            }
        }
        return 0;
    }
}
