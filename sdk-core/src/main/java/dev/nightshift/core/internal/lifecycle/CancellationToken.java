package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentCancelledException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Why an agent's work should end: a stop, a cancel (or deletion) or a turn timeout. Controls set
 * it; every stage checks it ({@link #throwIfStopOrCancel}, the driver's checkpoint through
 * {@link #throwIfCancelled}). A stop is withdrawn by a follow-up, a timeout at the end of its
 * turn; a cancel is for good.
 *
 * <p><b>Thread-safety:</b> synchronised; it never calls out. Whoever waits on the agent's lock for
 * a change is woken by the agent after it sets the token.
 */
public final class CancellationToken {
    /** What was asked. */
    public enum Reason {
        /** Stop after the current turn's handoff; the agent may take follow-ups. */
        STOP,
        /** Cancel: the agent ends {@code CANCELLED} (also set by a deletion). */
        CANCEL,
        /** The current turn ran past its timeout or the budget. */
        TIMEOUT
    }

    private final Set<Reason> reasons = EnumSet.noneOf(Reason.class);

    public synchronized void request(Reason reason) {
        reasons.add(reason);
    }

    /** Withdraws {@code reason}; true when it had been requested. */
    public synchronized boolean withdraw(Reason reason) {
        return reasons.remove(reason);
    }

    public synchronized boolean has(Reason reason) {
        return reasons.contains(reason);
    }

    /** A stop or a cancel was asked (not a timeout): the loop ends once the current step has. */
    public synchronized boolean stopOrCancel() {
        return reasons.contains(Reason.STOP) || reasons.contains(Reason.CANCEL);
    }

    /** Anything was asked: the driver's turn should end. */
    public synchronized boolean isCancelled() {
        return !reasons.isEmpty();
    }

    /** Throws {@link AgentCancelledException} when a stop or cancel was asked (between stages). */
    public void throwIfStopOrCancel(String agentId, String before) {
        if (stopOrCancel()) {
            throw new AgentCancelledException("agent " + agentId + " was " + word() + " before " + before);
        }
    }

    /**
     * Throws {@link AgentCancelledException} when anything was asked, or when {@code interrupted}
     * (the driver's checkpoint); the message says what: cancelled, timed out or stopped.
     */
    public void throwIfCancelled(String agentId, boolean interrupted) {
        if (isCancelled() || interrupted) {
            throw new AgentCancelledException("agent " + agentId + " was " + word());
        }
    }

    private synchronized String word() {
        return reasons.contains(Reason.CANCEL) ? "cancelled" : reasons.contains(Reason.TIMEOUT) ? "timed out" : "stopped";
    }

    @Override
    public synchronized String toString() {
        return "CancellationToken" + reasons;
    }
}
