package dev.nightshift.model.internal;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.nightshift.api.ConversationMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the stored conversation into the messages a model is sent: the newest compaction summary
 * in place of what it stands for, every tool call answered (a call left without a result, when a turn
 * was cut short, gets an error result saying so; a result whose call was compacted away is dropped).
 */
public final class Conversations {
    static final String SUMMARY_HEADER = "[Summary of the earlier conversation]\n";
    static final String NO_RESULT = "[no result: the turn was interrupted before this tool call finished]";

    private Conversations() {
    }

    /** The entries the model still sees, oldest first: the newest summary, then what came after what it covers. */
    public static List<ConversationMessage> live(List<ConversationMessage> all) {
        int summary = -1;
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).type() == ConversationMessage.Type.SUMMARY) {
                summary = i;
                break;
            }
        }
        if (summary < 0) {
            return all;
        }
        ConversationMessage s = all.get(summary);
        int through = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id().equals(s.compactedThrough().orElseThrow())) {
                through = i;
                break;
            }
        }
        List<ConversationMessage> out = new ArrayList<>();
        out.add(s);
        for (int i = through + 1; i < all.size(); i++) {
            if (all.get(i).type() != ConversationMessage.Type.SUMMARY) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    /** The model messages for {@code entries} (already {@link #live}). */
    public static List<ChatMessage> toMessages(List<ConversationMessage> entries) {
        List<ChatMessage> out = new ArrayList<>();
        Set<String> open = new LinkedHashSet<>();
        List<ConversationMessage.ToolCall> pending = new ArrayList<>();
        for (ConversationMessage m : entries) {
            if (m.type() != ConversationMessage.Type.TOOL_RESULT) {
                closeOpen(out, open, pending);
            }
            switch (m.type()) {
                case SUMMARY -> out.add(UserMessage.from(SUMMARY_HEADER + m.text()));
                case USER_MESSAGE -> {
                    if (!out.isEmpty() && out.get(out.size() - 1) instanceof UserMessage prev) {
                        out.set(out.size() - 1, UserMessage.from(prev.singleText() + "\n\n" + m.text()));
                    } else {
                        out.add(UserMessage.from(m.text()));
                    }
                }
                case ASSISTANT_MESSAGE -> {
                    if (!m.toolCalls().isEmpty() || !m.text().isBlank()) {
                        out.add(ai(m));
                    }
                    for (ConversationMessage.ToolCall c : m.toolCalls()) {
                        open.add(c.id());
                        pending.add(c);
                    }
                }
                case TOOL_RESULT -> {
                    ConversationMessage.ToolResult r = m.toolResult().orElseThrow();
                    if (open.remove(r.toolCallId())) {
                        out.add(result(r.toolCallId(), r.toolName(), m.text(), r.error()));
                    }
                }
                default -> throw new IllegalStateException("unknown entry type " + m.type());
            }
        }
        closeOpen(out, open, pending);
        return out;
    }

    private static void closeOpen(List<ChatMessage> out, Set<String> open, List<ConversationMessage.ToolCall> pending) {
        for (ConversationMessage.ToolCall c : pending) {
            if (open.remove(c.id())) {
                out.add(result(c.id(), c.name(), NO_RESULT, true));
            }
        }
        pending.clear();
        open.clear();
    }

    /** The model message of an assistant entry (text, tool calls, or both). */
    public static AiMessage ai(ConversationMessage m) {
        if (m.toolCalls().isEmpty()) {
            return AiMessage.from(m.text());
        }
        List<ToolExecutionRequest> calls = new ArrayList<>();
        for (ConversationMessage.ToolCall c : m.toolCalls()) {
            calls.add(ToolExecutionRequest.builder().id(c.id()).name(c.name()).arguments(c.arguments()).build());
        }
        return m.text().isBlank() ? AiMessage.from(calls) : AiMessage.from(m.text(), calls);
    }

    public static ToolExecutionResultMessage result(String id, String name, String text, boolean error) {
        return ToolExecutionResultMessage.builder().id(id).toolName(name).text(text.isEmpty() ? "(empty)" : text)
                .isError(error).build();
    }
}
