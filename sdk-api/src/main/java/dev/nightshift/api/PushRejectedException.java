package dev.nightshift.api;

import java.util.Objects;

/**
 * A push of the agent's branch was refused, by the remote (for example it is not a fast-forward:
 * someone else pushed meanwhile) or, before anything was sent, by the host's pre-push guard (for
 * example the diff holds a runtime secret); {@link #refusedBy()} says which. Nightshift never
 * forces; the agent's commits are kept safe under {@link #preservedRef()} in the host mirror and
 * nothing is lost. A guard's refusal never repeats what the guard found.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class PushRejectedException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    /** Who refused the push. */
    public enum RefusedBy {
        /** The remote refused it (not a fast-forward, a protected branch, a hook). */
        REMOTE,
        /** The host's pre-push guard refused it; nothing was sent to the remote. */
        GUARD
    }

    private final String branch;
    private final String commit;
    private final String preservedRef;
    private final RefusedBy refusedBy;

    /** A push the remote refused. */
    public PushRejectedException(String message, String branch, String commit, String preservedRef) {
        this(message, branch, commit, preservedRef, RefusedBy.REMOTE);
    }

    /** A push refused by {@code refusedBy}. */
    public PushRejectedException(String message, String branch, String commit, String preservedRef,
            RefusedBy refusedBy) {
        super(message);
        this.branch = branch;
        this.commit = commit;
        this.preservedRef = preservedRef;
        this.refusedBy = Objects.requireNonNull(refusedBy, "refusedBy");
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

    /** Who refused the push: the remote, or the pre-push guard before anything was sent. */
    public RefusedBy refusedBy() {
        return refusedBy;
    }
}
