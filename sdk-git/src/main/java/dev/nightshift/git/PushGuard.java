package dev.nightshift.git;

/**
 * Decides whether an outgoing push may leave the host. {@link GitHost#handOff} asks it after
 * the agent's commits have been verified in the host mirror and before anything is sent to the
 * remote; a refusal is a {@link dev.nightshift.api.PushRejectedException} refused by
 * {@link dev.nightshift.api.PushRejectedException.RefusedBy#GUARD GUARD} and the commits stay in the mirror. The
 * secrets module plugs in here to refuse a push whose diff or messages hold a runtime secret.
 *
 * <p><b>Thread-safety:</b> implementations must be thread-safe (agents hand off concurrently).
 * <b>Lifecycle:</b> owned by the host application, set once on {@link GitHost.Builder#pushGuard}.
 *
 * <pre>{@code
 * PushGuard guard = push -> push.commits().stream()
 *         .noneMatch(c -> c.diff().contains(secretValue) || c.message().contains(secretValue));
 * }</pre>
 */
@FunctionalInterface
public interface PushGuard {

    /** Lets everything through. */
    PushGuard ALLOW_ALL = push -> true;

    /** Whether {@code push} may go to the remote. It must not throw for a refusal: return false. */
    boolean allows(OutgoingPush push);
}
