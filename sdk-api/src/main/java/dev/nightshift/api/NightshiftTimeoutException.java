package dev.nightshift.api;

/**
 * A wait ran past its {@link java.time.Duration}. The message carries the diagnostics a person
 * needs: what was waited for, the command, the last lines of output, the machine id.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class NightshiftTimeoutException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    public NightshiftTimeoutException(String message) {
        super(message);
    }

    public NightshiftTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
