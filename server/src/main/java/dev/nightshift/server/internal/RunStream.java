package dev.nightshift.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Subscription;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One run's events as server-sent events, the way {@code @cursor/sdk} reads them: frames
 * {@code id: N\nevent: NAME\ndata: JSON\n\n}, ids the agent's own event sequence numbers (so
 * they only grow), replay strictly after {@code Last-Event-ID}, a {@code heartbeat} while nothing
 * happens, and a {@code result} that ends the run and the stream. Agent events map to
 * {@code status}, {@code assistant} and {@code tool_call} frames; the rest (command output,
 * build lines) is left out.
 *
 * <p>Thread-safety: one instance serves one request on its thread. Lifecycle: one request.
 */
final class RunStream {
    private final Agent agent;
    private final Runs.Run run;
    private final Duration heartbeat;
    private final Map<String, String> openCalls = new HashMap<>();
    /** Whether the model streamed the text since the last message: then its whole message is not sent again. */
    private boolean streamedText;

    RunStream(Agent agent, Runs.Run run, Duration heartbeat) {
        this.agent = agent;
        this.run = run;
        this.heartbeat = heartbeat;
    }

    void serve(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long after = run.startSequence() - 1;
        String lastId = req.getHeader("Last-Event-ID");
        if (lastId != null && !lastId.isBlank()) {
            long n;
            try {
                n = Long.parseLong(lastId.strip());
            } catch (NumberFormatException e) {
                throw new ApiError(400, "invalid_last_event_id", "Last-Event-ID " + lastId + " is not an event of this run");
            }
            long last = run.isOpen() ? agent.info().lastSequence() : run.endSequence();
            if (n < run.startSequence() - 1 || n > last) {
                throw new ApiError(400, "invalid_last_event_id", "Last-Event-ID " + lastId + " is not an event of run "
                        + run.id());
            }
            after = n;
        }
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("utf-8");
        resp.setHeader("Cache-Control", "no-cache");
        resp.setHeader("X-Accel-Buffering", "no");
        ServletOutputStream out = resp.getOutputStream();
        if (!run.isOpen() && after >= run.endSequence()) {
            frame(out, run.endSequence(), "done", "{}");
            return;
        }
        // a resumed stream pairs a command's end with a start the client already has: read those starts again
        for (AgentEvent seen : agent.events(run.startSequence() - 1, (int) Math.min(Integer.MAX_VALUE,
                Math.max(0, after - run.startSequence() + 1)))) {
            if (seen.sequence() <= after) {
                map(seen);
            }
        }
        BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();
        long lastSent = after;
        try (Subscription ignored = agent.addListener(events::add, after)) {
            out.flush();
            while (true) {
                AgentEvent e;
                try {
                    e = events.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (e == null) {
                    frame(out, lastSent, "heartbeat", "{}");
                    continue;
                }
                if (e.sequence() <= lastSent) {
                    continue;
                }
                if (e instanceof AgentEvent.MessageAdded m && m.message().type() == ConversationMessage.Type.USER_MESSAGE
                        && e.sequence() > run.messageSequence()) {
                    frame(out, lastSent, "done", "{}"); // the next run began: this one has no more events
                    return;
                }
                if (V1Api.ends(e)) {
                    frame(out, e.sequence(), "result", result((AgentEvent.StatusChanged) e).toString());
                    return;
                }
                ObjectNode data = map(e);
                if (data != null) {
                    frame(out, e.sequence(), data.remove("event").asText(), data.toString());
                }
                lastSent = e.sequence();
            }
        }
    }

    ObjectNode map(AgentEvent e) {
        ObjectNode d = ApiBase.JSON.createObjectNode();
        if (e instanceof AgentEvent.StatusChanged s) {
            d.put("event", "status").put("status", AgentStatus.CREATING.equals(s.to()) ? "CREATING" : "RUNNING");
            return d;
        }
        if (e instanceof AgentEvent.AssistantDelta delta) {
            streamedText = true;
            d.put("event", "assistant").put("text", delta.text());
            return d;
        }
        if (e instanceof AgentEvent.MessageAdded m) {
            boolean streamed = streamedText;
            streamedText = false;
            if (m.message().type() == ConversationMessage.Type.ASSISTANT_MESSAGE && !streamed
                    && !m.message().text().isEmpty()) {
                d.put("event", "assistant").put("text", m.message().text());
                return d;
            }
            return null;
        }
        if (e instanceof AgentEvent.ToolCallStarted t) {
            d.put("event", "tool_call").put("callId", t.callId()).put("name", t.name()).put("status", "running");
            d.set("args", args(t.arguments()));
            return d;
        }
        if (e instanceof AgentEvent.ToolCallFinished t) {
            d.put("event", "tool_call").put("callId", t.callId()).put("name", t.name())
                    .put("status", t.error() ? "error" : "completed");
            d.set("args", args(t.arguments()));
            ObjectNode result = d.putObject("result");
            if (t.result() != null) {
                result.put("text", t.result());
            }
            t.exitCode().ifPresent(code -> result.put("exitCode", code));
            result.put("durationMs", t.durationMillis());
            return d;
        }
        if (e instanceof AgentEvent.CommandStarted c && "turn".equals(c.phase())) {
            String callId = "call-" + c.sequence();
            openCalls.put(c.phase(), callId);
            d.put("event", "tool_call").put("callId", callId).put("name", "shell").put("status", "running");
            d.putObject("args").put("command", c.command());
            return d;
        }
        if (e instanceof AgentEvent.CommandFinished f && "turn".equals(f.phase())) {
            String callId = openCalls.remove(f.phase());
            if (callId == null) {
                return null; // its start came before a resume point: the client has it
            }
            d.put("event", "tool_call").put("callId", callId).put("name", "shell")
                    .put("status", f.exitCode() == 0 ? "completed" : "error");
            d.putObject("result").put("exitCode", f.exitCode()).put("durationMs", f.durationMillis());
            return d;
        }
        return null;
    }

    private static com.fasterxml.jackson.databind.JsonNode args(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return ApiBase.JSON.createObjectNode();
        }
        try {
            com.fasterxml.jackson.databind.JsonNode n = ApiBase.JSON.readTree(arguments);
            return n != null && n.isObject() ? n : ApiBase.JSON.createObjectNode().put("raw", arguments);
        } catch (java.io.IOException malformed) {
            return ApiBase.JSON.createObjectNode().put("raw", arguments);
        }
    }

    private ObjectNode result(AgentEvent.StatusChanged end) {
        Runs.Run now = Runs.of(agent.info(), agent.events(0, Integer.MAX_VALUE)).stream()
                .filter(r -> r.id().equals(run.id())).findFirst().orElse(run);
        ObjectNode d = ApiBase.JSON.createObjectNode();
        d.put("status", Runs.endStatus(end.to()));
        if (now.summary() != null) {
            d.put("result", now.summary());
        }
        d.put("durationMs", Math.max(0, Duration.between(now.createdAt(), end.time()).toMillis()));
        if (now.branch() != null) {
            d.set("git", V1Api.git(now, agent.info().request().repository()));
        }
        long in = 0;
        long out = 0;
        long cacheRead = 0;
        long cacheWrite = 0;
        for (AgentEvent e : agent.events(now.startSequence() - 1, Integer.MAX_VALUE)) {
            if (e.sequence() > end.sequence()) {
                break;
            }
            if (e instanceof AgentEvent.ModelUsageReported u) {
                in += u.usage().inputTokens();
                out += u.usage().outputTokens();
                cacheRead += u.usage().cacheReadTokens();
                cacheWrite += u.usage().cacheWriteTokens();
            }
        }
        if (in + out > 0) {
            d.putObject("usage").put("inputTokens", in).put("outputTokens", out).put("cacheReadTokens", cacheRead)
                    .put("cacheWriteTokens", cacheWrite);
        }
        if (AgentStatus.ERROR.equals(end.to())) {
            String why = agent.info().error().orElse("the agent failed");
            d.putObject("error").put("message", why).put("code", "agent_error");
        }
        return d;
    }

    private static void frame(ServletOutputStream out, long id, String event, String data) throws IOException {
        out.write(("id: " + id + "\nevent: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
