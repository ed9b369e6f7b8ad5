package dev.nightshift.core.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Todo;
import java.util.function.UnaryOperator;

/** Applies a text redactor to every free-text field of an event. */
public final class Redaction {
    private Redaction() {
    }

    public static AgentEvent redact(AgentEvent e, UnaryOperator<String> r) {
        if (e instanceof AgentEvent.StatusChanged s) {
            return new AgentEvent.StatusChanged(s.agentId(), s.sequence(), s.time(), s.from(), s.to(), nullable(s.reason(), r));
        } else if (e instanceof AgentEvent.BuildOutput b) {
            return new AgentEvent.BuildOutput(b.agentId(), b.sequence(), b.time(), r.apply(b.line()));
        } else if (e instanceof AgentEvent.CommandStarted c) {
            return new AgentEvent.CommandStarted(c.agentId(), c.sequence(), c.time(), c.phase(), r.apply(c.command()));
        } else if (e instanceof AgentEvent.CommandOutput o) {
            return new AgentEvent.CommandOutput(o.agentId(), o.sequence(), o.time(), o.phase(), o.stream(), r.apply(o.line()));
        } else if (e instanceof AgentEvent.MessageAdded m) {
            return new AgentEvent.MessageAdded(m.agentId(), m.sequence(), m.time(), message(m.message(), r));
        } else if (e instanceof AgentEvent.Warning w) {
            return new AgentEvent.Warning(w.agentId(), w.sequence(), w.time(), w.code(), r.apply(w.message()));
        } else if (e instanceof AgentEvent.AssistantDelta d) {
            return new AgentEvent.AssistantDelta(d.agentId(), d.sequence(), d.time(), r.apply(d.text()));
        } else if (e instanceof AgentEvent.ToolCallStarted t) {
            return new AgentEvent.ToolCallStarted(t.agentId(), t.sequence(), t.time(), t.callId(), t.name(),
                    r.apply(t.arguments()));
        } else if (e instanceof AgentEvent.ToolCallFinished t) {
            return new AgentEvent.ToolCallFinished(t.agentId(), t.sequence(), t.time(), t.callId(), t.name(),
                    r.apply(t.arguments()), t.error(), r.apply(t.result()), t.exitCode(), t.durationMillis());
        } else if (e instanceof AgentEvent.TodosUpdated t) {
            return new AgentEvent.TodosUpdated(t.agentId(), t.sequence(), t.time(), t.todos().stream()
                    .map(todo -> new Todo(todo.id(), r.apply(todo.content()), todo.status())).toList());
        } else if (e instanceof AgentEvent.HandedOff h) {
            return new AgentEvent.HandedOff(h.agentId(), h.sequence(), h.time(), h.branch(), h.commit(), h.pushed(),
                    nullable(h.summary(), r));
        }
        return e;
    }

    public static ConversationMessage message(ConversationMessage m, UnaryOperator<String> r) {
        return m.withText(r.apply(m.text())).withToolCalls(m.toolCalls().stream()
                .map(c -> new ConversationMessage.ToolCall(c.id(), c.name(), r.apply(c.arguments()))).toList());
    }

    private static String nullable(String s, UnaryOperator<String> r) {
        return s == null ? null : r.apply(s);
    }
}
