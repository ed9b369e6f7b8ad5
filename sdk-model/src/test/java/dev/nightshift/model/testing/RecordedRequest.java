package dev.nightshift.model.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request {@link ScriptedModelServer} received, as it came over the wire.
 *
 * @param index 0-based position among every request the server received
 * @param method the HTTP method
 * @param path the request path, without query
 * @param headers the headers, names in lower case
 * @param body the body as text (UTF-8)
 * @param format the wire format chosen by the path, or {@code null} for any other path
 */
public record RecordedRequest(int index, String method, String path, Map<String, List<String>> headers, String body,
        WireFormat format) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header (name case-insensitive). */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The body parsed as JSON; {@link MissingNode} when it is not JSON. */
    public JsonNode json() {
        return parsed().deepCopy();
    }

    /**
     * Bodies parsed once (the server reads the model name for every streamed chunk, and a
     * 100-step conversation's body runs to tens of kilobytes): weakly keyed by this record's body.
     */
    private static final Map<String, JsonNode> PARSED = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** The parsed body, shared: read it, never change it. */
    private JsonNode parsed() {
        JsonNode cached = PARSED.get(body);
        if (cached != null) {
            return cached;
        }
        JsonNode node;
        try {
            node = body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            node = MissingNode.getInstance();
        }
        PARSED.put(body, node);
        return node;
    }

    /** Whether the client asked for a stream ({@code "stream": true}). */
    public boolean streaming() {
        return parsed().path("stream").asBoolean(false);
    }

    /** Whether an OpenAI-style client asked for a usage chunk ({@code stream_options.include_usage}). */
    public boolean streamOptionsIncludeUsage() {
        return parsed().path("stream_options").path("include_usage").asBoolean(false);
    }

    /** The {@code model} the client asked for. */
    public String model() {
        return parsed().path("model").asText("");
    }

    /** The {@code messages} array (Anthropic's system prompt is separate: {@link #systemPrompt()}). */
    public JsonNode messages() {
        return json().path("messages");
    }

    /** The system prompt: OpenAI's first {@code system} message, or Anthropic's {@code system}. */
    public Optional<String> systemPrompt() {
        JsonNode json = json();
        if (format == WireFormat.ANTHROPIC) {
            JsonNode system = json.path("system");
            if (system.isTextual()) {
                return Optional.of(system.asText());
            }
            if (system.isArray()) {
                StringBuilder b = new StringBuilder();
                system.forEach(block -> b.append(block.path("text").asText("")));
                return Optional.of(b.toString());
            }
            return Optional.empty();
        }
        for (JsonNode m : json.path("messages")) {
            if ("system".equals(m.path("role").asText()) || "developer".equals(m.path("role").asText())) {
                return Optional.of(textOf(m.path("content")));
            }
        }
        return Optional.empty();
    }

    /** The names of the tools offered, in order. */
    public List<String> toolNames() {
        List<String> names = new ArrayList<>();
        for (JsonNode t : json().path("tools")) {
            names.add(format == WireFormat.ANTHROPIC ? t.path("name").asText() : t.path("function").path("name").asText());
        }
        return names;
    }

    /** Every tool result in the conversation, oldest first, as text. */
    public List<String> toolResults() {
        List<String> results = new ArrayList<>();
        for (JsonNode m : messages()) {
            if (format == WireFormat.ANTHROPIC) {
                for (JsonNode block : m.path("content")) {
                    if ("tool_result".equals(block.path("type").asText())) {
                        results.add(textOf(block.path("content")));
                    }
                }
            } else if ("tool".equals(m.path("role").asText())) {
                results.add(textOf(m.path("content")));
            }
        }
        return results;
    }

    /** The last tool result in the conversation, as text. */
    public Optional<String> lastToolResult() {
        List<String> all = toolResults();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Whether the last tool result was marked as an error (Anthropic {@code is_error}; OpenAI has
     * no such flag and always answers {@code false}).
     */
    public boolean lastToolResultIsError() {
        boolean error = false;
        if (format == WireFormat.ANTHROPIC) {
            for (JsonNode m : messages()) {
                for (JsonNode block : m.path("content")) {
                    if ("tool_result".equals(block.path("type").asText())) {
                        error = block.path("is_error").asBoolean(false);
                    }
                }
            }
        }
        return error;
    }

    /** The text of the last {@code user} message (tool results excluded). */
    public Optional<String> lastUserText() {
        String last = null;
        for (JsonNode m : messages()) {
            if (!"user".equals(m.path("role").asText())) {
                continue;
            }
            String text = textOf(m.path("content"));
            if (!text.isEmpty()) {
                last = text;
            }
        }
        return Optional.ofNullable(last);
    }

    /** A content value as text: a string, or the concatenated {@code text} of its blocks. */
    static String textOf(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder b = new StringBuilder();
        if (content.isArray()) {
            for (JsonNode block : content) {
                if (block.has("text")) {
                    b.append(block.path("text").asText());
                }
            }
        }
        return b.toString();
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectMapper mapper() {
        return JSON;
    }

    @Override
    public String toString() {
        return "#" + index + " " + method + " " + path + " (" + body.length() + " bytes)";
    }
}
