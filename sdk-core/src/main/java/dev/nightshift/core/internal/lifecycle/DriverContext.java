package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentContext;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Registration;
import dev.nightshift.api.Session;
import dev.nightshift.api.Todo;
import dev.nightshift.api.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a driver sees of its agent during a turn: the session, the conversation, the recording
 * calls, and the checkpoint where it waits while a human holds the machine and learns of a stop,
 * cancel or timeout (the {@link CancellationToken}).
 */
final class DriverContext implements AgentContext {
    private final AgentScope a;
    private final AgentSession session;

    DriverContext(AgentScope agent) {
        this.a = agent;
        this.session = new AgentSession(agent);
    }

    @Override
    public String agentId() {
        return a.id();
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public List<ConversationMessage> conversation() {
        return a.engine().store().conversation(a.id());
    }

    @Override
    public void say(String text) {
        a.addMessage(ConversationMessage.Type.ASSISTANT_MESSAGE, text);
    }

    @Override
    public void warn(String message) {
        a.emit(new AgentEvent.Warning(a.id(), 0, a.now(), "driver", message));
    }

    @Override
    public void reportUsage(long inputTokens, long outputTokens) {
        a.emit(new AgentEvent.UsageReported(a.id(), 0, a.now(), "turn", 0, inputTokens, outputTokens));
        a.update(i -> i.withUsage(i.usage().plusTokens(inputTokens, outputTokens), a.now()));
    }

    @Override
    public void checkpoint() {
        Object lock = a.lock();
        synchronized (lock) {
            while (a.takenOver() && !a.token().isCancelled()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            a.token().throwIfCancelled(a.id(), Thread.currentThread().isInterrupted());
        }
    }

    @Override
    public boolean isCancelled() {
        return a.token().isCancelled();
    }

    @Override
    public Optional<AgentRequest> request() {
        return Optional.of(a.info().request());
    }

    @Override
    public ConversationMessage record(ConversationMessage message) {
        return a.record(message);
    }

    @Override
    public String redact(String text) {
        return a.redactor().apply(text);
    }

    @Override
    public void assistantDelta(String text) {
        a.emit(new AgentEvent.AssistantDelta(a.id(), 0, a.now(), text));
    }

    @Override
    public void toolCallStarted(String callId, String name, String arguments) {
        a.emit(new AgentEvent.ToolCallStarted(a.id(), 0, a.now(), callId, name, arguments));
    }

    @Override
    public void toolCallFinished(String callId, String name, String arguments, boolean error, String result,
            Integer exitCode, Duration duration) {
        a.emit(new AgentEvent.ToolCallFinished(a.id(), 0, a.now(), callId, name, arguments, error, result,
                Optional.ofNullable(exitCode), duration.toMillis()));
    }

    @Override
    public void updateTodos(List<Todo> todos) {
        a.emit(new AgentEvent.TodosUpdated(a.id(), 0, a.now(), todos));
    }

    @Override
    public void reportModelUsage(TokenUsage usage) {
        a.emit(new AgentEvent.ModelUsageReported(a.id(), 0, a.now(), usage));
        a.update(i -> i.withUsage(i.usage().plus(usage), a.now()));
    }

    @Override
    public Registration onInterrupt(Runnable hook) {
        return a.interruptHooks().add(hook, () -> {
            synchronized (a.lock()) {
                return a.takenOver() || a.token().isCancelled();
            }
        });
    }
}
