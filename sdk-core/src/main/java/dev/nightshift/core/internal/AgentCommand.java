package dev.nightshift.core.internal;

import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.spec.ResolvedSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A control of one agent, as it waits in the agent's inbox ({@code control.Inbox}) for
 * {@link AgentControls} to apply it. Each record is one step that changes the agent's control
 * state or record; the slow work around a step (a restore, a snapshot, opening a terminal) runs on
 * the caller's thread between two steps, so the inbox never waits on a runtime call it need not.
 */
sealed interface AgentCommand {

    /** A new agent: its first prompt is its first turn. */
    record Begin() implements AgentCommand {
    }

    /** Another prompt, run after the current turn. */
    record FollowUp(String prompt) implements AgentCommand {
        public FollowUp {
            if (prompt == null || prompt.isBlank()) {
                throw new IllegalArgumentException("follow-up prompt must not be blank");
            }
        }
    }

    /** Stop after the current turn's handoff (a running turn is interrupted). */
    record Stop() implements AgentCommand {
    }

    /** Cancel: the agent ends {@code CANCELLED}, its machine removed. */
    record Cancel() implements AgentCommand {
    }

    /**
     * The turn's watchdog: turn {@code turn} (the loop's count, {@code AgentState.turn}) ran past
     * its time. Sent without waiting (the watchdog runs on the engine's one scheduler thread), so
     * it is applied only while that very turn is still in its turn phase.
     */
    record TimeOut(long turn) implements AgentCommand {
    }

    /** A human asks for the machine: checked and marked; then the caller restores the machine. */
    record TakeOver() implements AgentCommand {
    }

    /** The take-over's machine could not be restored: the mark goes back to what the record says. */
    record TakeOverFailed() implements AgentCommand {
    }

    /** The take-over's machine runs: the driver is interrupted and the take-over recorded; returns the session. */
    record TakeOverOpened() implements AgentCommand {
    }

    /** The human hands the machine back. */
    record HandBack() implements AgentCommand {
    }

    /** Checks a promotion may happen; returns the agent's environment. */
    record PromoteCheck() implements AgentCommand {
    }

    /** The machine's snapshot was promoted: recorded. */
    record Promoted(Machine machine, SnapshotInfo snapshot) implements AgentCommand {
    }

    /** Checks the network policy may change (not deleted, expiring nor final). */
    record EgressCheck() implements AgentCommand {
    }

    /** The network policy was set: recorded. */
    record EgressSet(EgressPolicy policy) implements AgentCommand {
    }

    /**
     * Takes the machine away for hibernation when it has been idle for {@code after}; returns the
     * machine (the caller snapshots it, then says {@link Hibernated} or {@link HibernationFailed}),
     * or null when it stays.
     */
    record Hibernate(Instant now, Duration after) implements AgentCommand {
        public Hibernate {
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(after, "after");
        }
    }

    /** The machine was hibernated to {@code snapshot}: recorded, and restores may go on. */
    record Hibernated(Machine machine, SnapshotInfo snapshot) implements AgentCommand {
    }

    /** The hibernation of {@code machine} failed: it is the agent's running machine again. */
    record HibernationFailed(Machine machine) implements AgentCommand {
    }

    /** A machine that outlived the previous engine becomes the agent's. */
    record Adopt(Machine machine, ResolvedSpec spec, String environmentKey) implements AgentCommand {
    }

    /** ERROR, and no more turns (an engine found the agent's work cut off). */
    record Fail(String message) implements AgentCommand {
    }

    /**
     * A deletion, first step: the loop is asked to end (the caller then waits for it); returns true
     * when the agent was deleted already.
     */
    record Delete() implements AgentCommand {
    }

    /** A deletion, last step, once the loop ended: the agent marked deleted, its machine and records purged. */
    record Purge() implements AgentCommand {
    }

    /** The agent, untouched since {@code cutoff}, becomes a tombstone; returns whether it did. */
    record Expire(Instant cutoff) implements AgentCommand {
    }

    /**
     * The engine closes (or lets the agent go), first step: the turn is interrupted (the caller then
     * waits for the loop when the machine is to be hibernated, and hibernates it).
     */
    record Detach(AgentActor.Detach what) implements AgentCommand {
    }

    /** The engine closes, last step: listeners end; the machine is removed when {@code what} says so. */
    record Detached(AgentActor.Detach what) implements AgentCommand {
    }
}
