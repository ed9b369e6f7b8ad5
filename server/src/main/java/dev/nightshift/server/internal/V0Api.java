package dev.nightshift.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Page;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.api.spec.EgressMode;
import dev.nightshift.core.Nightshift;
import dev.nightshift.server.ApiKeys;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cursor's Cloud Agents API, v0, over one engine: agents create / list / get / conversation /
 * follow-up / stop / delete, {@code me}, {@code models}, {@code repositories}. Every request is
 * authenticated by an API key (Bearer, or Basic with the key as user name); each agent belongs to
 * the owner of the key that made it and is invisible (404) to every other owner. Bad input gets a
 * 4xx in Cursor's error shape and changes nothing.
 *
 * <p>Thread-safety: thread-safe (Jetty calls it from many threads). Lifecycle: lives with the server.
 */
public final class V0Api extends ApiBase {
    private static final long serialVersionUID = 1L;

    private final transient Nightshift engine;
    private final transient Webhooks webhooks;
    private final transient ServerMetrics metrics;
    private final List<String> models;
    private final List<String> repositories;

    public V0Api(Nightshift engine, ApiKeys keys, RateLimiter limiter, int maxBodyBytes, List<String> models,
            List<String> repositories, Webhooks webhooks, ServerMetrics metrics) {
        super(keys, limiter, maxBodyBytes);
        this.engine = engine;
        this.webhooks = webhooks;
        this.metrics = metrics;
        this.models = List.copyOf(models);
        this.repositories = List.copyOf(repositories);
    }

    @Override
    protected JsonNode route(HttpServletRequest req, HttpServletResponse resp, ApiKeys.ApiKey key) throws IOException {
        return route(req, key);
    }

    private JsonNode route(HttpServletRequest req, ApiKeys.ApiKey key) throws IOException {
        String path = req.getRequestURI();
        String method = req.getMethod();
        String[] p = path.replaceAll("/+$", "").split("/");
        // p[0] = "", p[1] = "v0"
        if (p.length < 3 || !"v0".equals(p[1])) {
            throw ApiError.notFound("no such endpoint: " + method + " " + path);
        }
        String resource = p[2];
        if (p.length == 3) {
            switch (resource + " " + method) {
                case "agents POST": return create(req, key);
                case "agents GET": return list(req, key);
                case "me GET": return me(key);
                case "models GET": return models();
                case "repositories GET": return repositories();
                default: break;
            }
        } else if ("agents".equals(resource)) {
            String id = p[3];
            if (p.length == 4) {
                switch (method) {
                    case "GET": return agentJson(owned(engine, id, key).info());
                    case "DELETE": {
                        owned(engine, id, key).delete();
                        return idOnly(id);
                    }
                    default: break;
                }
            } else if (p.length == 5) {
                switch (p[4] + " " + method) {
                    case "conversation GET": return conversation(owned(engine, id, key));
                    case "followup POST": return followUp(req, owned(engine, id, key));
                    case "egress POST": return egress(req, owned(engine, id, key));
                    case "stop POST": {
                        owned(engine, id, key).stop();
                        return idOnly(id);
                    }
                    default: break;
                }
            }
        }
        throw ApiError.notFound("no such endpoint: " + method + " " + path);
    }

    private JsonNode create(HttpServletRequest req, ApiKeys.ApiKey key) throws IOException {
        ObjectNode body = body(req);
        String prompt = text(requiredObject(body, "prompt"), "text", "prompt.text", true);
        if (body.hasNonNull("prompt") && body.get("prompt").hasNonNull("images")
                && !body.get("prompt").get("images").isEmpty()) {
            throw ApiError.badRequest("prompt.images: images are not supported by this server");
        }
        ObjectNode source = requiredObject(body, "source");
        String repository = text(source, "repository", "source.repository", true);
        String ref = text(source, "ref", "source.ref", false);
        ObjectNode target = optionalObject(body, "target");
        String branchName = target == null ? null : text(target, "branchName", "target.branchName", false);
        if (target != null && target.has("autoCreatePr") && !target.get("autoCreatePr").isBoolean()) {
            throw ApiError.badRequest("target.autoCreatePr: must be a boolean");
        }
        if (target != null && target.path("autoCreatePr").asBoolean(false)) {
            throw ApiError.badRequest("target.autoCreatePr: pull requests are not supported by this server");
        }
        String model = text(body, "model", "model", false);
        String[] hook = null;
        if (body.hasNonNull("webhook")) {
            ObjectNode webhook = requiredObject(body, "webhook");
            text(webhook, "url", "webhook.url", true);
            String secret = text(webhook, "secret", "webhook.secret", false);
            if (secret == null || secret.length() < 32) {
                throw ApiError.badRequest("webhook.secret: required, at least 32 characters");
            }
            URI url;
            try {
                url = URI.create(text(webhook, "url", "webhook.url", true));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("webhook.url: not a URL");
            }
            if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                throw ApiError.badRequest("webhook.url: must be an http or https URL");
            }
            hook = new String[] {url.toString(), secret};
        }
        if (model != null && !models.contains(model)) {
            throw ApiError.badRequest("model: unknown model '" + model + "'; GET /v0/models lists them");
        }
        AgentRequest.Builder b = AgentRequest.builder(prompt, repository).id("bc-" + UUID.randomUUID())
                .ref(ref).branchName(branchName).label(OWNER_LABEL, key.owner());
        if (model != null && !"shell".equals(model)) {
            b.driver("model").model(model);
        }
        Agent agent = engine.spawn(b.build());
        metrics.follow(agent);
        if (hook != null) {
            webhooks.add(agent.id(), hook[0], hook[1]);
        }
        return agentJson(agent.info());
    }

    private JsonNode list(HttpServletRequest req, ApiKeys.ApiKey key) {
        int limit = 20;
        String l = req.getParameter("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("limit: must be an integer in 1..100");
            }
            if (limit < 1 || limit > 100) {
                throw ApiError.badRequest("limit: must be an integer in 1..100");
            }
        }
        AgentQuery q = AgentQuery.all().withLimit(limit).withLabels(Map.of(OWNER_LABEL, key.owner()))
                .withCursor(req.getParameter("cursor"));
        Page<AgentInfo> page;
        try {
            page = engine.list(q);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("cursor: not a cursor this server gave out");
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode agents = out.putArray("agents");
        page.items().forEach(i -> agents.add(agentJson(i)));
        if (page.next() != null) {
            out.put("nextCursor", page.next());
        }
        return out;
    }

    private JsonNode me(ApiKeys.ApiKey key) {
        ObjectNode out = JSON.createObjectNode();
        out.put("apiKeyName", key.name());
        out.put("createdAt", key.createdAt().toString());
        out.put("owner", key.owner());
        return out;
    }

    private JsonNode models() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode a = out.putArray("models");
        models.forEach(a::add);
        return out;
    }

    private JsonNode repositories() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode a = out.putArray("repositories");
        repositories.forEach(r -> a.addObject().put("repository", r));
        return out;
    }

    private JsonNode conversation(Agent agent) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", agent.id());
        ArrayNode messages = out.putArray("messages");
        for (ConversationMessage m : agent.conversation()) {
            String type = switch (m.type()) {
                case USER_MESSAGE -> "user_message";
                case ASSISTANT_MESSAGE -> "assistant_message";
                default -> null; // tool calls and results are not v0 messages
            };
            if (type != null) {
                messages.addObject().put("id", m.id()).put("type", type).put("text", m.text());
            }
        }
        return out;
    }

    private JsonNode followUp(HttpServletRequest req, Agent agent) throws IOException {
        ObjectNode body = body(req);
        String prompt = text(requiredObject(body, "prompt"), "text", "prompt.text", true);
        agent.followUp(prompt);
        return idOnly(agent.id());
    }

    /**
     * {@code POST /v0/agents/{id}/egress}, a Nightshift extension (Cursor's API has no such call):
     * {@code {"egressMode": "network_settings_only" | "default_with_network_settings",
     * "egressAllowlist": ["registry.npmjs.org", "*.example.com"]}}, the names environment.json
     * uses; the mode defaults to {@code network_settings_only}. Answers the id and the hosts now
     * allowed ({@code "*"} never appears: a running agent cannot be given allow-all).
     */
    private JsonNode egress(HttpServletRequest req, Agent agent) throws IOException {
        ObjectNode body = body(req);
        String mode = text(body, "egressMode", "egressMode", false);
        JsonNode list = body.get("egressAllowlist");
        if (mode == null && list == null) {
            throw ApiError.badRequest("say what the agent may reach: egressAllowlist (an array of hosts) and/or"
                    + " egressMode (network_settings_only or default_with_network_settings)");
        }
        if (list != null && !list.isArray()) {
            throw ApiError.badRequest("egressAllowlist: must be an array of host names");
        }
        List<EgressHost> hosts = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; list != null && i < list.size(); i++) {
            JsonNode e = list.get(i);
            String at = "egressAllowlist[" + i + "]";
            if (!e.isTextual()) {
                problems.add(at + ": must be a string");
                continue;
            }
            String entry = e.asText().strip();
            EgressHost.problem(entry).ifPresentOrElse(p -> problems.add(at + " '" + entry + "': " + p),
                    () -> hosts.add(EgressHost.parse(entry)));
        }
        if (!problems.isEmpty()) {
            throw ApiError.badRequest(String.join("; ", problems));
        }
        EgressPolicy policy;
        try {
            policy = EgressPolicy.forAgent(EgressMode.of(mode == null ? "network_settings_only" : mode), hosts);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("egressMode: " + e.getMessage());
        }
        try {
            agent.updateEgress(policy);
        } catch (EnvironmentUnavailableException | UnsupportedOperationException e) {
            throw new ConflictException("this server's runtime cannot change an agent's network policy: "
                    + e.getMessage());
        }
        ObjectNode out = idOnly(agent.id());
        ArrayNode allowed = out.putArray("egressAllowlist");
        policy.hosts().forEach(h -> allowed.add(h.toString()));
        return out;
    }

    static ObjectNode agentJson(AgentInfo info) {
        ObjectNode a = JSON.createObjectNode();
        a.put("id", info.id());
        a.put("name", info.request().name().orElseGet(() -> title(info.request().prompt())));
        a.put("status", info.status().name());
        ObjectNode source = a.putObject("source");
        source.put("repository", info.request().repository());
        info.request().ref().ifPresent(ref -> source.put("ref", ref));
        ObjectNode target = a.putObject("target");
        info.branch().ifPresent(branch -> target.put("branchName", branch));
        target.put("url", info.request().repository());
        target.putNull("prUrl");
        target.put("autoCreatePr", false);
        info.summary().ifPresent(summary -> a.put("summary", summary));
        info.error().ifPresent(error -> a.put("error", error));
        a.put("createdAt", info.createdAt().toString());
        return a;
    }

    private static String title(String prompt) {
        String first = prompt.strip().lines().findFirst().orElse("");
        return first.length() <= 80 ? first : first.substring(0, 77) + "...";
    }

    private static ObjectNode idOnly(String id) {
        return JSON.createObjectNode().put("id", id);
    }

}
