package dev.nightshift.api;

/**
 * A named thing does not exist: an agent id, a snapshot id, an image, a git ref, a machine.
 * The message names what was looked up and where.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class NotFoundException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
