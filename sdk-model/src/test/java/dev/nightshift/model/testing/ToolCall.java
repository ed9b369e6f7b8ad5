package dev.nightshift.model.testing;

import java.util.Objects;

/**
 * A tool call in a scripted reply.
 *
 * @param id the call id, or {@code null} for one made up per format ({@code call_N} /
 *     {@code toolu_N})
 * @param name the tool name
 * @param arguments the arguments as raw text, normally a JSON object; anything else is sent as
 *     written (OpenAI: the {@code arguments} string; Anthropic streamed: the
 *     {@code input_json_delta} pieces; Anthropic JSON: {@code "input": {}}, since Anthropic's
 *     JSON body always holds an object: the nearest malformed input it can carry is an object
 *     missing the required properties)
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    /** A call with a made-up id. */
    public static ToolCall of(String name, String argumentsJson) {
        return new ToolCall(null, name, argumentsJson);
    }

    /** The same call with this id. */
    public ToolCall withId(String newId) {
        return new ToolCall(newId, name, arguments);
    }
}
