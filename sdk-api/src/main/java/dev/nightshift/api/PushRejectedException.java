package dev.nightshift.api;

/**
 * The remote refused the agent's branch (for example it is not a fast-forward: someone else
 * pushed meanwhile). Nightshift never forces; the agent's commits are kept safe under
 * {@link #preservedRef()} in the host mirror and nothing is lost.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class PushRejectedException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    private final String branch;
    private final String commit;
    private final String preservedRef;

    public PushRejectedException(String message, String branch, String commit, String preservedRef) {
        super(message);
        this.branch = branch;
        this.commit = commit;
        this.preservedRef = preservedRef;
    }

    /** The branch that was refused. */
    public String branch() {
        return branch;
    }

    /** The commit that was offered. */
    public String commit() {
        return commit;
    }

    /** The ref in the host mirror that keeps the commit, e.g. {@code refs/nightshift/<agent>/<n>}. */
    public String preservedRef() {
        return preservedRef;
    }
}
