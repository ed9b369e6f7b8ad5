package dev.nightshift.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.AuthenticationException;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The CLI's controls sent to a running {@code nightshift serve} over its v0 API ({@code --server URL},
 * the key from {@code NIGHTSHIFT_API_KEY}): status, follow-up, stop, delete. Answers map onto the
 * CLI's exit codes as the local engine's exceptions do (404 not found, 409 conflict, 400 invalid,
 * 401 a bad key). The key never appears in output or errors.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> one per command.
 */
final class ServerClient {
    static final String KEY_VARIABLE = "NIGHTSHIFT_API_KEY";
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final String base;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ServerClient(String url, String key) {
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new CliException.Usage("--server must be an http:// or https:// URL, not " + url);
        }
        if (key == null || key.isBlank()) {
            throw new CliException.Usage("--server needs the API key in " + KEY_VARIABLE
                    + " (nightshift keys create NAME on the server's state directory prints one)");
        }
        this.base = url.replaceAll("/+$", "");
        this.key = key.strip();
    }

    JsonNode status(String id) {
        return send("GET", agent(id), null);
    }

    JsonNode followUp(String id, String prompt) {
        ObjectNode body = Printer.JSON.createObjectNode();
        body.putObject("prompt").put("text", prompt);
        return send("POST", agent(id) + "/followup", body.toString());
    }

    JsonNode stop(String id) {
        return send("POST", agent(id) + "/stop", null);
    }

    JsonNode delete(String id) {
        return send("DELETE", agent(id), null);
    }

    private static String agent(String id) {
        return "/v0/agents/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private JsonNode send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new NightshiftException("cannot reach the server at " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while talking to " + base, e);
        }
        JsonNode json;
        try {
            json = r.body().isEmpty() ? Printer.JSON.createObjectNode() : Printer.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new NightshiftException("the server at " + base + " answered " + r.statusCode() + " with no JSON");
        }
        if (r.statusCode() / 100 == 2) {
            return json;
        }
        String message = json.path("error").path("message").asText("HTTP " + r.statusCode()) + " (server " + base + ")";
        switch (r.statusCode()) {
            case 404: throw new NotFoundException(message);
            case 409: throw new ConflictException(message);
            case 400: case 413: throw new ValidationException(message);
            case 401: case 403: throw new CliException.Usage("the server refused the key in " + KEY_VARIABLE + ": " + message);
            default: throw new NightshiftException(message);
        }
    }
}
