package dev.nightshift.model.internal;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Registration;
import dev.nightshift.api.Session;
import dev.nightshift.api.Todo;
import dev.nightshift.api.TokenUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link AgentContext} kept in memory for the loop's tests: what the engine does for a driver
 * (record, redact one secret value, events, usage, checkpoint with take-over and stop, interrupt
 * hooks), without a machine. The engine's own context is tested by the engine ITs.
 */
final class InMemoryContext implements AgentContext {
    static final String SECRET = "s3cr3t-value-0042";

    final List<ConversationMessage> conversation = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<TokenUsage> usage = new CopyOnWriteArrayList<>();
    final List<String> deltas = new CopyOnWriteArrayList<>();
    private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
    private boolean takenOver;
    private boolean stopped;
    volatile int checkpointsWhileTakenOver;

    InMemoryContext(String prompt) {
        conversation.add(new ConversationMessage(UUID.randomUUID().toString(), ConversationMessage.Type.USER_MESSAGE,
                prompt, Instant.now()));
    }

    @Override public String agentId() { return "test-agent"; }
    @Override public Session session() { throw new UnsupportedOperationException("no machine in this test"); }
    @Override public List<ConversationMessage> conversation() { return List.copyOf(conversation); }
    @Override public void say(String text) { record(new ConversationMessage(UUID.randomUUID().toString(),
            ConversationMessage.Type.ASSISTANT_MESSAGE, text, Instant.now())); }
    @Override public void warn(String message) { events.add("warning " + redact(message)); }
    @Override public void reportUsage(long in, long out) { throw new AssertionError("the loop reports model usage"); }

    @Override
    public synchronized void checkpoint() {
        while (takenOver && !stopped) {
            checkpointsWhileTakenOver++;
            notifyAll();
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (stopped) {
            throw new AgentCancelledException("stopped");
        }
    }

    @Override public synchronized boolean isCancelled() { return stopped; }

    @Override
    public ConversationMessage record(ConversationMessage m) {
        ConversationMessage r = m.withText(redact(m.text())).withToolCalls(m.toolCalls().stream()
                .map(c -> new ConversationMessage.ToolCall(c.id(), c.name(), redact(c.arguments()))).toList());
        conversation.add(r);
        return r;
    }

    @Override public String redact(String text) { return text.replace(SECRET, "[REDACTED]"); }
    @Override public void assistantDelta(String text) { deltas.add(text); }
    @Override public void toolCallStarted(String id, String name, String args) { events.add("started " + name + " " + args); }

    @Override
    public void toolCallFinished(String id, String name, String args, boolean error, String result, Integer exit,
            Duration d) {
        events.add((error ? "error " : "completed ") + name + " " + result);
    }

    @Override public void updateTodos(List<Todo> todos) { events.add("todos " + todos); }
    @Override public void reportModelUsage(TokenUsage u) { usage.add(u); }

    @Override
    public Registration onInterrupt(Runnable hook) {
        hooks.add(hook);
        synchronized (this) {
            if (takenOver || stopped) {
                new Thread(hook).start();
            }
        }
        return () -> hooks.remove(hook);
    }

    void takeOver() {
        synchronized (this) {
            takenOver = true;
        }
        new ArrayList<>(hooks).forEach(h -> new Thread(h).start());
    }

    synchronized void handBack() {
        takenOver = false;
        notifyAll();
    }

    void stop() {
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
        new ArrayList<>(hooks).forEach(h -> new Thread(h).start());
    }

    /** Waits until the loop sits in a checkpoint while taken over. */
    synchronized void awaitPaused(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (checkpointsWhileTakenOver == 0) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the loop did not pause at a checkpoint within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    List<ConversationMessage.Type> types() {
        return conversation.stream().map(ConversationMessage::type).toList();
    }
}
