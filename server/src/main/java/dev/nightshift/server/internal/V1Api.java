package dev.nightshift.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.Page;
import dev.nightshift.core.Nightshift;
import dev.nightshift.server.ApiKeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Cursor's v1 API as its TypeScript SDK ({@code @cursor/sdk}) speaks it: durable agents with one
 * run per prompt (create, list, get, delete, archive / unarchive; runs: create = follow-up, list,
 * get, cancel; a run's events as server-sent events, see {@link RunStream}), {@code me},
 * {@code models}, {@code repositories}. Runs are read from the agent's event log ({@link Runs}).
 *
 * <p>Thread-safety: thread-safe. Lifecycle: lives with the server.
 */
public final class V1Api extends ApiBase {
    private static final long serialVersionUID = 1L;

    private final transient Nightshift engine;
    private final transient Archive archive;
    private final transient ServerMetrics metrics;
    private final List<String> models;
    private final List<String> repositories;
    private final Duration heartbeat;

    public V1Api(Nightshift engine, ApiKeys keys, RateLimiter limiter, int maxBodyBytes, List<String> models,
            List<String> repositories, Duration heartbeat, ServerMetrics metrics) {
        super(keys, limiter, maxBodyBytes);
        this.engine = engine;
        this.metrics = metrics;
        this.archive = new Archive(keys.file().resolveSibling("archived-agents.json"));
        this.models = List.copyOf(models);
        this.repositories = List.copyOf(repositories);
        this.heartbeat = heartbeat;
    }

    @Override
    protected JsonNode route(HttpServletRequest req, HttpServletResponse resp, ApiKeys.ApiKey key) throws IOException {
        String method = req.getMethod();
        String[] p = req.getRequestURI().replaceAll("/+$", "").split("/");
        // p[0] = "", p[1] = "v1"
        if (p.length == 3) {
            switch (p[2] + " " + method) {
                case "agents POST": return create(req, resp, key);
                case "agents GET": return list(req, key);
                case "me GET": return me(key);
                case "models GET": return models();
                case "repositories GET": return repositories();
                default: break;
            }
        } else if (p.length >= 4 && "agents".equals(p[2])) {
            String id = p[3];
            if (p.length == 4) {
                if ("GET".equals(method)) {
                    return agentJson(owned(engine, id, key).info());
                }
                if ("DELETE".equals(method)) {
                    owned(engine, id, key).delete();
                    archive.remove(id);
                    return JSON.createObjectNode().put("id", id);
                }
            } else if (p.length == 5) {
                switch (p[4] + " " + method) {
                    case "archive POST": {
                        owned(engine, id, key);
                        archive.add(id);
                        return JSON.createObjectNode().put("id", id);
                    }
                    case "unarchive POST": {
                        owned(engine, id, key);
                        archive.remove(id);
                        return JSON.createObjectNode().put("id", id);
                    }
                    case "runs POST": return followUp(req, owned(engine, id, key));
                    case "runs GET": return runs(req, owned(engine, id, key));
                    case "usage GET": return usage(owned(engine, id, key));
                    default: break;
                }
            } else if (p.length == 6 && "runs".equals(p[4]) && "GET".equals(method)) {
                Agent agent = owned(engine, id, key);
                return runJson(run(agent, p[5]), agent.info().request().repository());
            } else if (p.length == 7 && "runs".equals(p[4])) {
                Agent agent = owned(engine, id, key);
                Runs.Run run = run(agent, p[5]);
                if ("stream".equals(p[6]) && "GET".equals(method)) {
                    new RunStream(agent, run, heartbeat).serve(req, resp);
                    return ANSWERED;
                }
                if ("cancel".equals(p[6]) && "POST".equals(method)) {
                    if (run.isOpen()) {
                        agent.stop();
                    }
                    return JSON.createObjectNode().put("id", run.id());
                }
            }
        }
        throw ApiError.notFound("no such endpoint: " + method + " " + req.getRequestURI());
    }

    private JsonNode create(HttpServletRequest req, HttpServletResponse resp, ApiKeys.ApiKey key) throws IOException {
        ObjectNode body = body(req);
        String prompt = text(requiredObject(body, "prompt"), "text", "prompt.text", true);
        String agentId = text(body, "agentId", "agentId", false);
        if (agentId != null && !agentId.matches("bc-[A-Za-z0-9-]{1,100}")) {
            throw ApiError.badRequest("agentId: must look like bc-<uuid>");
        }
        String model = null;
        ObjectNode m = optionalObject(body, "model");
        if (m != null) {
            model = text(m, "id", "model.id", true);
            if (!models.contains(model)) {
                throw new ApiError(400, "bad_request", "model.id: unknown model '" + model + "'; GET /v1/models lists them");
            }
        }
        JsonNode repos = body.get("repos");
        if (repos == null || !repos.isArray() || repos.size() != 1 || !repos.get(0).isObject()) {
            throw ApiError.badRequest("repos: exactly one repository is required ([{\"url\", \"startingRef\"}])");
        }
        ObjectNode repo = (ObjectNode) repos.get(0);
        String url = text(repo, "url", "repos[0].url", true);
        String ref = text(repo, "startingRef", "repos[0].startingRef", false);
        String id = agentId != null ? agentId : "bc-" + UUID.randomUUID();
        if (engine.get(id).isPresent()) {
            throw new ApiError(409, "agent_id_conflict", "an agent with id " + id + " exists");
        }
        AgentRequest.Builder b = AgentRequest.builder(prompt, url).id(id).ref(ref).label(OWNER_LABEL, key.owner());
        String name = text(body, "name", "name", false);
        if (name != null) {
            b.name(name);
        }
        if (model != null && !"shell".equals(model)) {
            b.driver("model").model(model);
        }
        Agent agent = engine.spawn(b.build());
        metrics.follow(agent);
        AgentInfo info = agent.info();
        ObjectNode out = JSON.createObjectNode();
        out.set("agent", agentJson(info));
        ObjectNode run = runJson(new Runs.Run(Runs.runId(id, 1), id, 1, 1, 2, -1, "CREATING", info.createdAt(),
                info.updatedAt(), null, null, null), url);
        out.set("run", run);
        resp.setStatus(201);
        return out;
    }

    private JsonNode followUp(HttpServletRequest req, Agent agent) throws IOException {
        ObjectNode body = body(req);
        String prompt = text(requiredObject(body, "prompt"), "text", "prompt.text", true);
        synchronized (agent.id().intern()) {
            List<Runs.Run> runs = Runs.of(agent.info(), agent.events(0, Integer.MAX_VALUE));
            if (!runs.isEmpty() && runs.get(runs.size() - 1).isOpen()) {
                throw new ApiError(409, "agent_busy", "agent " + agent.id() + " has a run in progress");
            }
            agent.followUp(prompt);
            int number = runs.size() + 1;
            AgentInfo info = agent.info();
            return JSON.createObjectNode().set("run", runJson(new Runs.Run(Runs.runId(agent.id(), number), agent.id(),
                    number, 0, 0, -1, "RUNNING", info.updatedAt(), info.updatedAt(), null, null, null),
                    info.request().repository()));
        }
    }

    private Runs.Run run(Agent agent, String runId) {
        return Runs.of(agent.info(), agent.events(0, Integer.MAX_VALUE)).stream().filter(r -> r.id().equals(runId))
                .findFirst().orElseThrow(() -> ApiError.notFound("run " + runId + " not found"));
    }

    private JsonNode runs(HttpServletRequest req, Agent agent) {
        int limit = limit(req, 20, 100);
        List<Runs.Run> all = Runs.of(agent.info(), agent.events(0, Integer.MAX_VALUE));
        int from = 0;
        String cursor = req.getParameter("cursor");
        if (cursor != null) {
            try {
                from = Integer.parseInt(cursor);
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("cursor: not a cursor this server gave out");
            }
        }
        List<Runs.Run> newestFirst = new java.util.ArrayList<>(all);
        java.util.Collections.reverse(newestFirst);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        int to = Math.min(newestFirst.size(), from + limit);
        for (int i = Math.max(0, from); i < to; i++) {
            items.add(runJson(newestFirst.get(i), agent.info().request().repository()));
        }
        if (to < newestFirst.size()) {
            out.put("nextCursor", Integer.toString(to));
        }
        return out;
    }

    private JsonNode usage(Agent agent) {
        AgentInfo info = agent.info();
        ObjectNode out = JSON.createObjectNode();
        out.put("agentId", info.id());
        ObjectNode total = out.putObject("usage");
        total.put("inputTokens", info.usage().inputTokens());
        total.put("outputTokens", info.usage().outputTokens());
        total.put("cacheReadTokens", 0);
        total.put("cacheWriteTokens", 0);
        out.putArray("runs");
        return out;
    }

    private JsonNode list(HttpServletRequest req, ApiKeys.ApiKey key) {
        int limit = limit(req, 20, 100);
        boolean includeArchived = "true".equals(req.getParameter("includeArchived"));
        AgentQuery q = AgentQuery.all().withLimit(limit).withLabels(Map.of(OWNER_LABEL, key.owner()))
                .withCursor(req.getParameter("cursor"));
        Page<AgentInfo> page;
        try {
            page = engine.list(q);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("cursor: not a cursor this server gave out");
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        page.items().stream().filter(i -> includeArchived || !archive.contains(i.id()))
                .forEach(i -> items.add(agentJson(i)));
        if (page.next() != null) {
            out.put("nextCursor", page.next());
        }
        return out;
    }

    private JsonNode me(ApiKeys.ApiKey key) {
        return JSON.createObjectNode().put("apiKeyName", key.name()).put("createdAt", key.createdAt().toString())
                .put("userId", key.owner());
    }

    private JsonNode models() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (String m : models) {
            ObjectNode o = items.addObject().put("id", m)
                    .put("displayName", "shell".equals(m) ? "Shell script (Nightshift's offline driver)" : m);
            o.putArray("aliases");
        }
        return out;
    }

    private JsonNode repositories() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        repositories.forEach(r -> items.addObject().put("url", r));
        return out;
    }

    ObjectNode agentJson(AgentInfo info) {
        ObjectNode a = JSON.createObjectNode();
        a.put("id", info.id());
        a.put("name", info.request().name()
                .orElseGet(() -> info.request().prompt().strip().lines().findFirst().orElse("")));
        boolean active = !Runs.ENDS.contains(info.status());
        a.put("status", archive.contains(info.id()) ? "ARCHIVED" : active ? "ACTIVE" : "IDLE");
        a.putObject("env").put("type", "cloud");
        ObjectNode repo = a.putArray("repos").addObject().put("url", info.request().repository());
        info.request().ref().ifPresent(ref -> repo.put("startingRef", ref));
        a.put("url", info.request().repository());
        a.put("createdAt", info.createdAt().toString());
        a.put("updatedAt", info.updatedAt().toString());
        a.put("archived", archive.contains(info.id()));
        return a;
    }

    static ObjectNode runJson(Runs.Run run, String repository) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", run.id());
        r.put("agentId", run.agentId());
        r.put("status", run.status());
        r.put("createdAt", run.createdAt().toString());
        r.put("updatedAt", run.updatedAt().toString());
        if (!run.isOpen()) {
            if (run.summary() != null) {
                r.put("result", run.summary());
            }
            r.put("durationMs", Math.max(0, Duration.between(run.createdAt(), run.updatedAt()).toMillis()));
            if (run.error() != null) {
                r.putObject("error").put("message", run.error()).put("code", "agent_error");
            }
        }
        if (run.branch() != null) {
            r.set("git", git(run, repository));
        }
        return r;
    }

    static ObjectNode git(Runs.Run run, String repository) {
        ObjectNode git = JSON.createObjectNode();
        git.putArray("branches").addObject().put("repoUrl", repository).put("branch", run.branch());
        return git;
    }

    /** Whether an event ends a run (used by the stream). */
    static boolean ends(AgentEvent e) {
        return e instanceof AgentEvent.StatusChanged s && Runs.ENDS.contains(s.to());
    }
}
