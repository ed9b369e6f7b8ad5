package dev.nightshift.api;

/**
 * A remote refused the credentials Nightshift offered (or needed some and got none). The
 * message names the remote without any credential in it.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class AuthenticationException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
