package dev.nightshift.core.internal;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.Session;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.core.internal.egress.EgressOverride;
import dev.nightshift.core.internal.lifecycle.AgentMachine;
import dev.nightshift.core.internal.lifecycle.AgentScope;
import dev.nightshift.core.internal.lifecycle.AgentSession;
import dev.nightshift.core.internal.lifecycle.Environment;
import dev.nightshift.core.internal.lifecycle.Lifecycle;
import dev.nightshift.core.internal.lifecycle.Waits;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an agent's machine between turns, as seen by the caller of a control: a human
 * takes it over and hands it back, its snapshot is promoted, it is hibernated when idle and
 * restored ({@link Lifecycle#restore}) when needed, its network policy is set
 * ({@link EgressOverride}: on the running machine and on every later one). Each flow is a few
 * steps sent to the agent's inbox ({@link AgentCommand}, applied by {@link AgentControls}); the slow
 * work between them (a restore, a snapshot, a change of the proxy, opening a terminal) runs on the
 * caller's thread, so the inbox is never held up by it.
 *
 * <p><b>Thread-safety:</b> thread-safe; reads of the agent's {@link AgentState} under its lock.
 */
final class MachineControls {
    private static final Logger log = LoggerFactory.getLogger(AgentScope.LOGGER);
    private final EngineContext engine;
    private final String id;
    private final AgentState st;
    private final Object lock;
    private final AgentRecorder record;
    private final AgentMachine machines;
    private final AgentScope scope;
    private final Function<AgentCommand, Object> ask;
    private final Map<String, String> hibernationLabels;
    private final EgressOverride egress;

    MachineControls(EngineContext engine, String id, AgentState st, AgentRecorder record, AgentMachine machines,
            AgentScope scope, Function<AgentCommand, Object> ask) {
        this.engine = engine;
        this.id = id;
        this.st = st;
        this.lock = st.lock;
        this.record = record;
        this.machines = machines;
        this.scope = scope;
        this.ask = ask;
        this.hibernationLabels = Map.of(AgentMachine.LABEL_AGENT, id, EnvironmentCache.LABEL_KIND, "hibernation");
        this.egress = new EgressOverride((after, limit) -> record.events().read(after, limit));
    }

    public TakeOver takeOver(String person) {
        ask.apply(new AgentCommand.TakeOver());
        if (!ensureMachine()) {
            ask.apply(new AgentCommand.TakeOverFailed());
            throw new ConflictException("agent " + id + ": its machine could not be restored: " + record.info().error().orElse(null));
        }
        Session s = (Session) ask.apply(new AgentCommand.TakeOverOpened());
        // on the caller's thread: tmux round trips; the driver already waits at its checkpoint
        return TakeOverShell.open(s, person);
    }

    public void handBack() {
        ask.apply(new AgentCommand.HandBack());
    }

    public String promoteSnapshot() {
        Environment env = (Environment) ask.apply(new AgentCommand.PromoteCheck());
        ensureMachine();
        Machine m = machines.current();
        SnapshotInfo s = m.snapshot(engine.environments().promotionLabels(env.key(), record.info().request().repository(), id));
        ask.apply(new AgentCommand.Promoted(m, s));
        return s.id();
    }

    /**
     * Sets the network policy of the agent's machines: the running one follows at its next
     * connection, later ones (a restore, a new engine) start with it. Refused for a final agent, for
     * allow-all (a restricted machine has no route out) and when the running machine was started
     * allow-all (it has no proxy to change); then nothing changes.
     */
    public void updateEgress(EgressPolicy policy) {
        java.util.Objects.requireNonNull(policy, "policy");
        if (policy.allowAll()) {
            throw new IllegalArgumentException("a live change cannot lift an agent's network restriction (allow all):"
                    + " its machine's network has no route out; give the agent's repository egressMode allow_all"
                    + " (or widen the engine's EgressSettings) and spawn a new agent");
        }
        if (!engine.runtime().enforcesEgress()) {
            throw new EnvironmentUnavailableException("runtime '" + engine.runtime().name()
                    + "' cannot enforce a network policy");
        }
        ask.apply(new AgentCommand.EgressCheck());
        Machine m;
        synchronized (lock) {
            // its snapshot is being taken: wait, then the change applies at the restore
            if (!Waits.until(lock, () -> !st.hibernating, engine.timeouts().hibernationWait())) {
                throw new NightshiftTimeoutException("the machine of agent " + id + " was still being hibernated after "
                        + engine.timeouts().hibernationWait() + " (Timeouts.hibernationWait); try again");
            }
            m = machines.current();
        }
        if (m != null) {
            try {
                m.updateEgress(policy);
            } catch (UnsupportedOperationException e) {
                throw new ConflictException("agent " + id + ": " + e.getMessage());
            } catch (NightshiftException e) {
                synchronized (lock) {
                    if (machines.current() == m) {
                        throw e;
                    }
                } // hibernated or removed meanwhile: the change applies to its next machine
            }
        }
        egress.set(policy); // never under the agent's lock: a first read of the override scans the event log
        ask.apply(new AgentCommand.EgressSet(policy));
        log.info("agent {}: network policy set to {}", id, EgressOverride.encode(policy));
    }

    /**
     * {@link #ensureMachine} before a turn: a hibernation that outlasts {@code Timeouts.hibernationWait}
     * fails the agent (false), as a restore that fails does.
     */
    boolean ensureMachineForTurn() {
        try {
            return ensureMachine();
        } catch (dev.nightshift.api.NightshiftTimeoutException e) {
            scope.fail(e.getMessage());
            return false;
        }
    }

    /**
     * Makes sure the agent has a running machine, restoring a hibernated one; false (the agent in
     * ERROR) when there is nothing to restore it from or the restore failed. Throws
     * {@link dev.nightshift.api.NightshiftTimeoutException} when a hibernation under way outlasts
     * {@code Timeouts.hibernationWait}. Runs on the loop or a control's caller, never in the inbox
     * (a hibernation under way ends through it).
     */
    boolean ensureMachine() {
        String snapshotId;
        synchronized (lock) {
            java.time.Duration limit = engine.timeouts().hibernationWait();
            long deadline = System.nanoTime() + limit.toNanos();
            while (st.hibernating) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new dev.nightshift.api.NightshiftTimeoutException("the machine of agent " + id
                            + " was still being hibernated after " + limit + " (Timeouts.hibernationWait)");
                }
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AgentCancelledException("interrupted while the machine was being hibernated");
                }
            }
            if (machines.current() != null) {
                return true;
            }
            if (!record.info().hibernated() || record.info().snapshotId().isEmpty()) {
                scope.fail("agent " + id + " has no machine and nothing to restore it from");
                return false;
            }
            snapshotId = record.info().snapshotId().get();
        }
        return Lifecycle.restore(scope, snapshotId);
    }

    /** Hibernates the machine when it has been idle longer than the limit; true when it did. */
    public boolean hibernateIfIdle(Instant now) {
        return hibernateIfIdle(now, engine.limits().idleHibernateAfter());
    }

    /**
     * Hibernates the machine when no turn runs or waits, no human holds it, and it has been idle
     * for {@code after} ({@code Duration.ZERO}: at once); true when it did. The inbox takes the
     * machine away ({@link AgentCommand.Hibernate}); the snapshot is taken on this thread; the inbox
     * records the outcome.
     */
    public boolean hibernateIfIdle(Instant now, Duration after) {
        Machine m = (Machine) ask.apply(new AgentCommand.Hibernate(now, after));
        if (m == null) {
            return false;
        }
        String restoredFrom = record.info().snapshotId().orElse(null);
        SnapshotInfo s;
        try {
            s = m.hibernate(hibernationLabels);
        } catch (NightshiftException e) {
            log.warn("agent {}: cannot hibernate machine {}: {}", id, m.id(), e.getMessage());
            ask.apply(new AgentCommand.HibernationFailed(m));
            return false;
        } catch (RuntimeException | Error e) {
            ask.apply(new AgentCommand.HibernationFailed(m)); // never leaves restores waiting
            throw e;
        }
        machines.releaseSlot();
        machines.deleteSnapshotQuietly(restoredFrom);
        ask.apply(new AgentCommand.Hibernated(m, s));
        return true;
    }

    /** The network policy set on the agent itself. */
    EgressOverride egress() {
        return egress;
    }

    public Optional<Session> session() {
        synchronized (lock) {
            return machines.current() == null ? Optional.empty() : Optional.of(new AgentSession(scope));
        }
    }
}
