package dev.nightshift.api;

import java.time.Duration;
import java.util.List;

/**
 * What a driver gets for a turn besides the prompt: the session, the conversation so far, and the
 * calls through which it talks back to the engine.
 *
 * <p>Drivers call {@link #checkpoint()} between steps: it returns at once normally, blocks while a
 * human has taken over (returning after hand-back, with whatever the human changed in the
 * workspace), and throws {@link AgentCancelledException} once the agent is stopped or cancelled.
 *
 * <p>A model driver also records its structured conversation ({@link #record}), redacts what it
 * sends the model ({@link #redact}), reports tool calls, streamed text, its checklist and each
 * model call's tokens, and registers {@linkplain #onInterrupt interrupt hooks} so that stop, cancel,
 * a turn timeout or a take-over can abort a model call or a tool in flight. The defaults of these
 * methods do nothing (or, for {@link #redact}, return the text as it is): the engine's context
 * implements them all.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> valid during one turn; do not keep it.
 *
 * <pre>{@code
 * public TurnResult runTurn(Turn turn, AgentContext ctx) {
 *     ctx.checkpoint();
 *     ExecResult r = ctx.session().machine().exec(ExecRequest.bash("make").workdir(ctx.session().workspace()).build()).await();
 *     ctx.say("make exited " + r.exitCode());
 *     return TurnResult.of("ran make");
 * }
 * }</pre>
 */
public interface AgentContext {

    /** The agent's id. */
    String agentId();

    /** The session: machine, workspace, branch. */
    Session session();

    /**
     * The request the agent was spawned with (its repository, model name, ...), when the engine
     * gives it; the default gives none.
     */
    default java.util.Optional<AgentRequest> request() {
        return java.util.Optional.empty();
    }

    /** The conversation so far, oldest first, this turn's prompt included. */
    List<ConversationMessage> conversation();

    /** Adds an assistant message to the conversation (redacted before it is recorded). */
    void say(String text);

    /** Records a warning event. */
    void warn(String message);

    /** Reports model tokens used by this turn. */
    void reportUsage(long inputTokens, long outputTokens);

    /**
     * Pauses while a human has taken over; throws {@link AgentCancelledException} once the agent
     * is stopped or cancelled.
     */
    void checkpoint();

    /** Whether the agent has been asked to stop or cancel. */
    boolean isCancelled();

    /**
     * Records a structured conversation entry (an assistant message with tool calls, a tool result,
     * a compaction summary): the engine redacts its text and tool-call arguments, stores it and
     * emits {@link AgentEvent.MessageAdded}. Returns it as stored. The default records plain
     * assistant text through {@link #say} and drops the rest.
     */
    default ConversationMessage record(ConversationMessage message) {
        if (message.type() == ConversationMessage.Type.ASSISTANT_MESSAGE && !message.text().isEmpty()) {
            say(message.text());
        }
        return message;
    }

    /**
     * {@code text} with this agent's secrets replaced by {@code [REDACTED]}: a driver passes every
     * tool result through it before the model sees it. The default returns {@code text} unchanged.
     */
    default String redact(String text) {
        return text;
    }

    /** A piece of streamed assistant text ({@link AgentEvent.AssistantDelta}). */
    default void assistantDelta(String text) {
    }

    /** A tool call began ({@link AgentEvent.ToolCallStarted}). */
    default void toolCallStarted(String callId, String name, String arguments) {
    }

    /**
     * A tool call ended ({@link AgentEvent.ToolCallFinished}).
     *
     * @param exitCode the exit code of the command the tool ran, or {@code null}
     */
    default void toolCallFinished(String callId, String name, String arguments, boolean error, String result,
            Integer exitCode, Duration duration) {
    }

    /** The driver's checklist is now {@code todos} ({@link AgentEvent.TodosUpdated}). */
    default void updateTodos(List<Todo> todos) {
    }

    /**
     * Reports one model call's tokens and cost: one {@link AgentEvent.ModelUsageReported}, added to
     * the agent's {@link Usage}. The default reports input and output through {@link #reportUsage}.
     */
    default void reportModelUsage(TokenUsage usage) {
        reportUsage(usage.inputTokens(), usage.outputTokens());
    }

    /**
     * Registers {@code hook}, run on another thread when this turn is interrupted: the agent is
     * stopped, cancelled or deleted, its turn timed out, or a human takes over. A driver registers
     * one around each model call and tool run (aborting the call, cancelling the command), then
     * calls {@link #checkpoint()}: it throws when the agent is to stop, and returns after
     * hand-back when a human took over, so the driver repeats the step. A hook registered while
     * the agent is already stopping or taken over runs at once. The default never runs it.
     */
    default Registration onInterrupt(Runnable hook) {
        return Registration.NONE;
    }
}
