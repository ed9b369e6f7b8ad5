package dev.nightshift.server.internal;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.Page;
import dev.nightshift.core.Nightshift;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server's metrics in Micrometer, scraped as Prometheus text at {@code GET /metrics}: agents
 * by status (all agents of the engine, counted at scrape time), spawn to running and turn
 * duration (agents created through the API), model tokens, environment build cache hits and
 * misses, and webhook deliveries and failures. Counts only: no prompt, path or secret is a tag.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: lives with the server.
 */
public final class ServerMetrics extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final transient Nightshift engine;
    private final transient MultiGauge byStatus;
    private final transient Timer spawnToRunning;
    private final transient Timer turn;
    private final transient Counter inputTokens;
    private final transient Counter outputTokens;
    private final transient Counter cacheHits;
    private final transient Counter cacheMisses;
    private final transient Counter webhooksDelivered;
    private final transient Counter webhooksFailed;

    public ServerMetrics(Nightshift engine) {
        this.engine = engine;
        MeterRegistry r = registry;
        byStatus = MultiGauge.builder("nightshift.agents").description("agents of the engine by status").register(r);
        spawnToRunning = Timer.builder("nightshift.agent.spawn.to.running").description("spawn to RUNNING")
                .publishPercentileHistogram().register(r);
        turn = Timer.builder("nightshift.agent.turn").description("a turn, RUNNING to its end").register(r);
        inputTokens = Counter.builder("nightshift.model.tokens").tag("kind", "input").register(r);
        outputTokens = Counter.builder("nightshift.model.tokens").tag("kind", "output").register(r);
        cacheHits = Counter.builder("nightshift.environment.cache").tag("result", "hit").register(r);
        cacheMisses = Counter.builder("nightshift.environment.cache").tag("result", "miss").register(r);
        webhooksDelivered = Counter.builder("nightshift.webhook.deliveries").tag("result", "delivered").register(r);
        webhooksFailed = Counter.builder("nightshift.webhook.deliveries").tag("result", "failed-attempt").register(r);
    }

    /** Follows an agent made through the API for its timers and tokens. */
    public void follow(Agent agent) {
        Instant[] runningSince = {null};
        agent.addListener(e -> {
            if (e instanceof AgentEvent.StatusChanged s) {
                if (AgentStatus.RUNNING.equals(s.to())) {
                    if (AgentStatus.CREATING.equals(s.from())) {
                        spawnToRunning.record(Duration.between(agent.info().createdAt(), s.time()));
                    }
                    runningSince[0] = s.time();
                } else if (runningSince[0] != null && Runs.ENDS.contains(s.to())) {
                    turn.record(Duration.between(runningSince[0], s.time()));
                    runningSince[0] = null;
                }
            } else if (e instanceof AgentEvent.UsageReported u) {
                inputTokens.increment(u.inputTokens());
                outputTokens.increment(u.outputTokens());
            } else if (e instanceof AgentEvent.BuildOutput b && b.line().startsWith("environment ")) {
                if (b.line().contains(": using snapshot")) {
                    cacheHits.increment();
                } else if (b.line().contains(": building")) {
                    cacheMisses.increment();
                }
            }
        }, 0);
    }

    void webhookDelivered() {
        webhooksDelivered.increment();
    }

    void webhookAttemptFailed() {
        webhooksFailed.increment();
    }

    private void countAgents() {
        Map<String, Integer> counts = new TreeMap<>();
        AgentQuery q = AgentQuery.all().withLimit(1000);
        Page<AgentInfo> page;
        int pages = 0;
        do {
            page = engine.list(q);
            page.items().forEach(i -> counts.merge(i.status().name(), 1, Integer::sum));
            q = q.withCursor(page.next());
        } while (page.next() != null && ++pages < 100);
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        counts.forEach((status, n) -> rows.add(MultiGauge.Row.of(Tags.of("status", status), n)));
        byStatus.register(rows, true);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        countAgents();
        byte[] text = registry.scrape().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        resp.setContentLength(text.length);
        resp.getOutputStream().write(text);
    }
}
