package dev.nightshift.api;

import java.util.List;

/**
 * What a driver gets for a turn besides the prompt: the session, the conversation so far, and the
 * calls through which it talks back to the engine.
 *
 * <p>Drivers call {@link #checkpoint()} between steps: it returns at once normally, blocks while a
 * human has taken over (returning after hand-back, with whatever the human changed in the
 * workspace), and throws {@link AgentCancelledException} once the agent is stopped or cancelled.
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
}
