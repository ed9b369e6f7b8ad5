package dev.nightshift.api;

/**
 * The brain of an agent: gets a {@link Turn} and acts through the {@link AgentContext}'s session.
 *
 * <p>Nightshift ships deterministic drivers (a shell driver that runs each prompt as a bash
 * script, and a programmable one for tests); model-backed drivers plug in the same way. A driver
 * that throws puts the agent in {@code ERROR} with the exception's message (redacted); work it
 * committed is still handed off.
 *
 * <p><b>Thread-safety:</b> one driver instance may serve many agents at once, so implementations
 * must be thread-safe (keep per-agent state in locals). <b>Lifecycle:</b> registered with the
 * engine's builder and used until the engine closes.
 *
 * <pre>{@code
 * AgentDriver echo = new AgentDriver() {
 *     public String name() { return "echo"; }
 *     public TurnResult runTurn(Turn turn, AgentContext ctx) {
 *         ctx.say("you said: " + turn.prompt());
 *         return TurnResult.of("echoed");
 *     }
 * };
 * }</pre>
 */
public interface AgentDriver {

    /** The name requests use to pick this driver ({@link AgentRequest#driver()}). */
    String name();

    /** Runs one turn; returns when the work for it is done. */
    TurnResult runTurn(Turn turn, AgentContext context) throws Exception;

    /**
     * Checks at spawn that this driver can serve {@code request} (its model is known, a key for its
     * provider is present, ...), so that a bad request fails before anything is built. Throws a
     * {@link ValidationException} saying what is wrong and what to do. The default accepts every
     * request.
     */
    default void validate(AgentRequest request) {
    }
}
