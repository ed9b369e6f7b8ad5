package dev.nightshift.api;

/**
 * Thrown inside a driver's turn (from {@link AgentContext#checkpoint()} and blocking calls)
 * once the agent has been cancelled or stopped; drivers let it propagate.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class AgentCancelledException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    public AgentCancelledException(String message) {
        super(message);
    }

    public AgentCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
