package dev.nightshift.core.internal;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.core.internal.lifecycle.Environment;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * An agent's control state: what it has to do, whether its loop runs, whether a human holds it,
 * whether it is going away. Written by the agent's controls ({@link AgentControls}, applying the
 * commands of its inbox one at a time) and by its work loop (prompts taken, {@link #loopScheduled}
 * cleared, {@link #loopThread}, {@link #idleSince} and {@link #turn}, the environment its stages
 * build), see {@link AgentActor}.
 *
 * <p><b>Thread-safety:</b> every field is guarded by {@link #lock} (environment and turn are
 * volatile); every change is followed by {@code lock.notifyAll()}.
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
    /** How many turns the loop began (written by the loop alone; a turn's watchdog names its turn). */
    volatile long turn;
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
