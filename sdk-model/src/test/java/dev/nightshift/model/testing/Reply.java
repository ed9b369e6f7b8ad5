package dev.nightshift.model.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A successful scripted answer: optional assistant text, tool calls, reported token counts, and
 * how it is delivered (a delay before it, or a stall).
 *
 * <pre>{@code
 * Reply.text("Done.");
 * Reply.toolCall("read_file", "{\"path\":\"src/app.ts\"}");
 * Reply.text("Reading both.").withToolCalls(ToolCall.of("read_file", "{\"path\":\"a\"}"),
 *         ToolCall.of("read_file", "{\"path\":\"b\"}")).withUsage(new TokenCounts(120, 30, 800, 0));
 * Reply.text("slow").delayed(Duration.ofSeconds(30));  // a model call still in flight
 * Reply.text("never finishes").stalled();               // streams the first piece, then hangs
 * }</pre>
 *
 * @param text assistant text, or {@code null}
 * @param toolCalls tool calls, possibly empty
 * @param usage token counts to report, or {@code null} for an estimate (input: request body
 *     length / 4; output: reply length / 4 + 1)
 * @param delay how long to wait before answering
 * @param stall whether to send the first piece (streamed: the first chunk) and then hang until
 *     the server closes or the client goes away
 */
public record Reply(String text, List<ToolCall> toolCalls, TokenCounts usage, Duration delay, boolean stall)
        implements Step.Answer {

    public Reply {
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(delay, "delay");
        if (text == null && toolCalls.isEmpty()) {
            throw new IllegalArgumentException("a reply needs text or a tool call");
        }
    }

    /** Assistant text, no tool call: the end of a turn. */
    public static Reply text(String text) {
        return new Reply(Objects.requireNonNull(text, "text"), List.of(), null, Duration.ZERO, false);
    }

    /** One tool call, no text. */
    public static Reply toolCall(String name, String argumentsJson) {
        return toolCalls(ToolCall.of(name, argumentsJson));
    }

    /** Tool calls, no text. */
    public static Reply toolCalls(ToolCall... calls) {
        return new Reply(null, Arrays.asList(calls), null, Duration.ZERO, false);
    }

    /** This reply with these tool calls too. */
    public Reply withToolCalls(ToolCall... calls) {
        return new Reply(text, Arrays.asList(calls), usage, delay, stall);
    }

    /** This reply reporting these counts. */
    public Reply withUsage(TokenCounts counts) {
        return new Reply(text, toolCalls, Objects.requireNonNull(counts, "counts"), delay, stall);
    }

    /** This reply after {@code wait}. */
    public Reply delayed(Duration wait) {
        return new Reply(text, toolCalls, usage, wait, stall);
    }

    /** This reply, stalling after its first piece. */
    public Reply stalled() {
        return new Reply(text, toolCalls, usage, delay, true);
    }

    /** Whether the model stops to have tools run. */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }
}
