package dev.nightshift.core.internal;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.core.internal.lifecycle.Environment;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * An agent's control state, shared by its actor (the work loop, stop, cancel, delete) and its
 * {@link MachineControls} (take-over, hibernation): what it has to do, whether its loop runs,
 * whether a human holds it, whether it is going away.
 *
 * <p><b>Thread-safety:</b> every field is guarded by {@link #lock} (environment is volatile);
 * every change is followed by {@code lock.notifyAll()}.
 */
final class AgentState {
    final Object lock = new Object();
    /** Prompts waiting for a turn. */
    final ArrayDeque<String> pending = new ArrayDeque<>();
    boolean loopScheduled;
    boolean takenOver;
    boolean deleted;
    boolean expiring;
    /** The machine is being snapshotted for hibernation: restores wait for it. */
    boolean hibernating;
    Thread loopThread;
    Instant idleSince;
    volatile Environment environment = Environment.NONE;

    void checkNotDeleted(String id) {
        if (deleted) {
            throw new NotFoundException("agent " + id + " was deleted");
        }
    }

    void checkNotExpiring(String id, AgentInfo info) {
        if (expiring && !info.status().equals(AgentStatus.EXPIRED)) {
            throw new ConflictException("agent " + id + " is past its retention window and being expired");
        }
    }
}
