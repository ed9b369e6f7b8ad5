package dev.nightshift.api;

/**
 * The request contradicts current state: an idempotency id reused with a different request,
 * an operation not allowed in the agent's status, a branch that already exists, a lease held
 * by another engine.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class ConflictException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
