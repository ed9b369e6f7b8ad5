package dev.nightshift.api;

/**
 * The root of every exception Nightshift throws on purpose.
 *
 * <p>Subclasses name what a caller can act on: {@link NotFoundException},
 * {@link ConflictException}, {@link ValidationException}, {@link NightshiftTimeoutException},
 * {@link EnvironmentUnavailableException}, {@link BuildFailedException},
 * {@link PushRejectedException}, {@link AuthenticationException} and
 * {@link AgentCancelledException}. Library exceptions ({@code IOException}, JGit's and
 * docker-java's) are wrapped at the module boundary with the original kept as the cause.
 * Messages say what happened, to what, and what to do; they never hold a secret.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 *
 * <pre>{@code
 * try {
 *     agent.followUp("fix the tests");
 * } catch (NotFoundException e) {
 *     // the agent was deleted meanwhile
 * } catch (NightshiftException e) {
 *     log.warn("follow-up failed: {}", e.getMessage());
 * }
 * }</pre>
 */
public class NightshiftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NightshiftException(String message) {
        super(message);
    }

    public NightshiftException(String message, Throwable cause) {
        super(message, cause);
    }
}
