package dev.nightshift.api;

/**
 * Something outside Nightshift that it needs is not there: no Docker engine answers, the
 * image is neither local nor pullable, git is missing from the image. The message says what was
 * tried and how to fix it.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class EnvironmentUnavailableException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    public EnvironmentUnavailableException(String message) {
        super(message);
    }

    public EnvironmentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
