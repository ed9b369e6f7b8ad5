package dev.nightshift.git;

import dev.nightshift.api.PushRejectedException;

/**
 * The {@link PushGuard} refused a push (for example its diff holds a runtime secret). Nothing was
 * sent; the commits are kept in the host mirror under {@link #preservedRef()}, as for any
 * {@link PushRejectedException}. The message never repeats what the guard found.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class PushRefusedException extends PushRejectedException {
    private static final long serialVersionUID = 1L;

    public PushRefusedException(String message, String branch, String commit, String preservedRef) {
        super(message, branch, commit, preservedRef);
    }
}
