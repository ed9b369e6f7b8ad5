package dev.nightshift.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of an agent's conversation: a user's prompt or follow-up, the agent's answer (with the
 * tool calls it asked for, when a model drives it), the result of one tool call, or a compaction
 * summary standing for older entries. Text is recorded after redaction of runtime secrets.
 *
 * <p>A model driver rebuilds what it sends the model from these entries: user and assistant
 * messages as they are, each {@link Type#TOOL_RESULT} answering the {@link ToolCall} with the same
 * id, and the newest {@link Type#SUMMARY} in place of every entry up to
 * {@link #compactedThrough()}.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value, kept until the agent is deleted
 * or expires.
 *
 * <pre>{@code
 * agent.conversation().forEach(m -> System.out.println(m.type() + ": " + m.text()));
 * ConversationMessage call = ConversationMessage.assistant(id, "", List.of(
 *         new ConversationMessage.ToolCall("call_1", "read_file", "{\"path\":\"README.md\"}")), now);
 * ConversationMessage result = ConversationMessage.toolResult(id2, "call_1", "read_file", "# Title", false, now);
 * }</pre>
 *
 * @param id unique within the agent
 * @param type who spoke
 * @param text the message (for a tool result: what the tool returned, as the model saw it)
 * @param time when it was recorded
 * @param toolCalls the tool calls of an assistant message, in order; empty otherwise
 * @param toolResult for {@link Type#TOOL_RESULT}: which call it answers; empty otherwise
 * @param compactedThrough for {@link Type#SUMMARY}: the id of the newest entry the summary stands
 *     for; empty otherwise
 */
public record ConversationMessage(String id, Type type, String text, Instant time, List<ToolCall> toolCalls,
        Optional<ToolResult> toolResult, Optional<String> compactedThrough) {

    /** Who spoke. */
    public enum Type {
        /** A prompt or follow-up. */
        USER_MESSAGE,
        /** The agent's text, with any tool calls it asked for. */
        ASSISTANT_MESSAGE,
        /** What one tool call returned. */
        TOOL_RESULT,
        /** A model-written summary standing for older entries (context compaction). */
        SUMMARY
    }

    /**
     * A tool call the model asked for.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
     *
     * @param id the provider's call id (answers refer to it)
     * @param name the tool's name
     * @param arguments the arguments as the model wrote them (JSON text, possibly malformed)
     */
    public record ToolCall(String id, String name, String arguments) {
        public ToolCall {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            arguments = arguments == null ? "" : arguments;
        }
    }

    /**
     * Which call a {@link Type#TOOL_RESULT} answers, and whether the tool failed.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
     *
     * @param toolCallId the {@link ToolCall#id()} answered
     * @param toolName the tool's name
     * @param error whether the tool failed (the text says why)
     */
    public record ToolResult(String toolCallId, String toolName, boolean error) {
        public ToolResult {
            Objects.requireNonNull(toolCallId, "toolCallId");
            Objects.requireNonNull(toolName, "toolName");
        }
    }

    public ConversationMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(time, "time");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        toolResult = toolResult == null ? Optional.empty() : toolResult;
        compactedThrough = compactedThrough == null ? Optional.empty() : compactedThrough;
        if (!toolCalls.isEmpty() && type != Type.ASSISTANT_MESSAGE) {
            throw new IllegalArgumentException("only assistant messages carry tool calls, not " + type);
        }
        if ((type == Type.TOOL_RESULT) != toolResult.isPresent()) {
            throw new IllegalArgumentException("a TOOL_RESULT, and only it, names the call it answers");
        }
        if ((type == Type.SUMMARY) != compactedThrough.isPresent()) {
            throw new IllegalArgumentException("a SUMMARY, and only it, names the newest entry it stands for");
        }
    }

    /** A plain user or assistant message. */
    public ConversationMessage(String id, Type type, String text, Instant time) {
        this(id, type, text, time, List.of(), Optional.empty(), Optional.empty());
    }

    /** An assistant message with the tool calls it asked for ({@code text} may be empty). */
    public static ConversationMessage assistant(String id, String text, List<ToolCall> toolCalls, Instant time) {
        return new ConversationMessage(id, Type.ASSISTANT_MESSAGE, text == null ? "" : text, time, toolCalls, Optional.empty(),
                Optional.empty());
    }

    /** The result of one tool call. */
    public static ConversationMessage toolResult(String id, String toolCallId, String toolName, String text,
            boolean error, Instant time) {
        return new ConversationMessage(id, Type.TOOL_RESULT, text, time, List.of(),
                Optional.of(new ToolResult(toolCallId, toolName, error)), Optional.empty());
    }

    /** A compaction summary standing for every entry up to and including {@code compactedThrough}. */
    public static ConversationMessage summary(String id, String text, String compactedThrough, Instant time) {
        return new ConversationMessage(id, Type.SUMMARY, text, time, List.of(), Optional.empty(),
                Optional.of(Objects.requireNonNull(compactedThrough, "compactedThrough")));
    }

    /** The same message with other text (used by redaction). */
    public ConversationMessage withText(String newText) {
        return new ConversationMessage(id, type, newText, time, toolCalls, toolResult, compactedThrough);
    }

    /** The same message with other tool calls (used by redaction of their arguments). */
    public ConversationMessage withToolCalls(List<ToolCall> calls) {
        return new ConversationMessage(id, type, text, time, calls, toolResult, compactedThrough);
    }
}
