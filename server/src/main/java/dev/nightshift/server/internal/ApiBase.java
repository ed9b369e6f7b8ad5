package dev.nightshift.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.Agent;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.core.Nightshift;
import dev.nightshift.server.ApiKeys;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every API version shares: API-key authentication (Bearer, or Basic with the key as user
 * name), the per-key rate limit, bounded JSON bodies, field checks, owners, and Cursor's error
 * shape {@code {"error":{"message","code"}}}.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: lives with the server.
 */
abstract class ApiBase extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(ApiBase.class);
    /** The label that records which owner an agent belongs to. */
    static final String OWNER_LABEL = dev.nightshift.server.NightshiftServer.OWNER_LABEL;
    static final ObjectMapper JSON = new ObjectMapper();
    /** A route wrote its own answer (a stream): nothing more to write. */
    static final JsonNode ANSWERED = JSON.createObjectNode();

    private final transient ApiKeys keys;
    private final transient RateLimiter limiter;
    private final int maxBodyBytes;

    ApiBase(ApiKeys keys, RateLimiter limiter, int maxBodyBytes) {
        this.keys = keys;
        this.limiter = limiter;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Answers one authenticated request: the JSON body of a 200, {@link #ANSWERED}, or an {@link ApiError}. */
    protected abstract JsonNode route(HttpServletRequest req, HttpServletResponse resp, ApiKeys.ApiKey key)
            throws IOException;

    /** The HTTP status of a successful answer (200 unless the route set another). */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            ApiKeys.ApiKey key = authenticate(req);
            Duration wait = limiter.tryAcquire(key.name());
            if (!wait.isZero()) {
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                resp.setHeader("Retry-After", Long.toString(seconds));
                throw new ApiError(429, "rate_limited", "too many requests for this API key; retry after "
                        + seconds + " s");
            }
            JsonNode answer = route(req, resp, key);
            if (answer != ANSWERED) {
                write(resp, resp.getStatus() == 0 ? 200 : resp.getStatus(), answer);
            }
        } catch (ApiError e) {
            fail(resp, e.status(), e.code(), e.getMessage());
        } catch (NotFoundException e) {
            fail(resp, 404, "not_found", e.getMessage());
        } catch (ConflictException e) {
            fail(resp, 409, "conflict", e.getMessage());
        } catch (ValidationException | IllegalArgumentException e) {
            fail(resp, 400, "bad_request", e.getMessage());
        } catch (NightshiftException e) {
            log.warn("{} {} failed: {}", req.getMethod(), req.getRequestURI(), e.getMessage());
            fail(resp, 500, "internal", e.getMessage());
        } catch (RuntimeException e) {
            log.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            fail(resp, 500, "internal", "internal error; see the server's log");
        }
    }

    private static void fail(HttpServletResponse resp, int status, String code, String message) throws IOException {
        if (resp.isCommitted()) {
            return; // a stream already answered; the client sees it end
        }
        resp.resetBuffer(); // keeps headers set on the way (Retry-After)
        write(resp, status, error(code, message));
    }

    private ApiKeys.ApiKey authenticate(HttpServletRequest req) {
        String presented = presentedKey(req);
        if (presented == null || presented.isEmpty()) {
            throw new ApiError(401, "unauthorized", "an API key is required (Authorization: Bearer KEY)");
        }
        return keys.verify(presented)
                .orElseThrow(() -> new ApiError(401, "unauthorized", "the API key is not valid"));
    }

    static String presentedKey(HttpServletRequest req) {
        String header = req.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).strip();
        }
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? decoded : decoded.substring(0, colon);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    /** The agent {@code id} when it belongs to {@code key}'s owner; another owner's agent is as unknown as a missing one. */
    static Agent owned(Nightshift engine, String id, ApiKeys.ApiKey key) {
        Optional<Agent> agent = engine.get(id);
        if (agent.isEmpty() || !key.owner().equals(agent.get().info().request().labels().get(OWNER_LABEL))) {
            throw ApiError.notFound("agent " + id + " not found");
        }
        return agent.get();
    }

    /**
     * Reads and drops what is left of an oversized body, up to four times the limit, so the client,
     * still sending, reads the 413 rather than a connection reset (closing a socket with unread
     * bytes resets it, and the reset discards the answer); a larger body gets the answer and a close.
     */
    private void drain(HttpServletRequest req) {
        try (InputStream in = req.getInputStream()) {
            long left = 4L * maxBodyBytes;
            byte[] sink = new byte[8192];
            int n;
            while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /** The request's JSON object body, at most the configured size. */
    ObjectNode body(HttpServletRequest req) throws IOException {
        return body(req, false);
    }

    /** As {@link #body(HttpServletRequest)}; an empty body is {@code {}} when {@code emptyIsObject}. */
    ObjectNode body(HttpServletRequest req, boolean emptyIsObject) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > maxBodyBytes) {
            drain(req);
            throw new ApiError(413, "payload_too_large", "the body is larger than " + maxBodyBytes + " bytes");
        }
        byte[] bytes;
        try (InputStream in = req.getInputStream()) {
            bytes = in.readNBytes(maxBodyBytes + 1);
        }
        if (bytes.length > maxBodyBytes) {
            drain(req);
            throw new ApiError(413, "payload_too_large", "the body is larger than " + maxBodyBytes + " bytes");
        }
        if (bytes.length == 0) {
            if (emptyIsObject) {
                return JSON.createObjectNode();
            }
            throw ApiError.badRequest("a JSON object body is required");
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            // Jackson quotes the offending token, which may be anything the client sent: drop it
            throw ApiError.badRequest("the body is not valid JSON: " + e.getOriginalMessage()
                    .replaceAll("(?s)token '.*?'", "token").replaceAll("(?s)\\R.*", ""));
        }
        if (node == null || !node.isObject()) {
            throw ApiError.badRequest("the body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    static ObjectNode requiredObject(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw ApiError.badRequest(field + ": required");
        }
        if (!n.isObject()) {
            throw ApiError.badRequest(field + ": must be an object");
        }
        return (ObjectNode) n;
    }

    static ObjectNode optionalObject(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw ApiError.badRequest(field + ": must be an object");
        }
        return (ObjectNode) n;
    }

    static String text(ObjectNode parent, String field, String name, boolean required) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw ApiError.badRequest(name + ": required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw ApiError.badRequest(name + ": must be a string");
        }
        if (required && n.asText().isBlank()) {
            throw ApiError.badRequest(name + ": must not be blank");
        }
        return n.asText();
    }

    static int limit(HttpServletRequest req, int defaultValue, int max) {
        String l = req.getParameter("limit");
        if (l == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(l);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the same answer as out of range
        }
        throw ApiError.badRequest("limit: must be an integer in 1.." + max);
    }

    static ObjectNode error(String code, String message) {
        ObjectNode out = JSON.createObjectNode();
        out.putObject("error").put("message", message == null ? code : message).put("code", code);
        return out;
    }

    static void write(HttpServletResponse resp, int status, JsonNode body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("utf-8");
        byte[] bytes = JSON.writeValueAsBytes(body);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
