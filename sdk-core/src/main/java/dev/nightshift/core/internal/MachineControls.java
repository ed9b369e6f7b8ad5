package dev.nightshift.core.internal;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.AgentEvent;
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
import dev.nightshift.core.internal.lifecycle.InterruptHooks;
import dev.nightshift.core.internal.lifecycle.Lifecycle;
import dev.nightshift.core.internal.lifecycle.Waits;
import dev.nightshift.spec.ResolvedSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an agent's machine between turns: a human takes it over and hands it back, its
 * snapshot is promoted, it is hibernated when idle and restored ({@link Lifecycle#restore}) when
 * needed, a machine from before a restart is adopted, its network policy is set
 * ({@link EgressOverride}: on the running machine and on every later one).
 *
 * <p><b>Thread-safety:</b> the agent's {@link AgentState}, under its lock; runtime calls outside it.
 */
final class MachineControls {
    private static final Logger log = LoggerFactory.getLogger(AgentScope.LOGGER);
    private static final String LABEL_AGENT = AgentMachine.LABEL_AGENT;

    private final EngineContext engine;
    private final String id;
    private final AgentState st;
    private final Object lock;
    private final AgentRecorder record;
    private final AgentMachine machines;
    private final AgentScope scope;
    private final InterruptHooks interruptHooks;
    private final EgressOverride egress;

    MachineControls(EngineContext engine, String id, AgentState st, AgentRecorder record, AgentMachine machines,
            AgentScope scope, InterruptHooks interruptHooks) {
        this.engine = engine;
        this.id = id;
        this.st = st;
        this.lock = st.lock;
        this.record = record;
        this.machines = machines;
        this.scope = scope;
        this.interruptHooks = interruptHooks;
        this.egress = new EgressOverride((after, limit) -> record.events().read(after, limit));
    }

    public TakeOver takeOver(String person) {
        synchronized (lock) {
            st.checkNotDeleted(id);
            st.checkNotExpiring(id, record.info());
            if (record.info().status().isFinal() || machines.current() == null && !record.info().hibernated() && !st.hibernating) {
                throw new ConflictException("agent " + id + " has no machine to take over (status " + record.info().status() + ")");
            }
            st.takenOver = true; // from here the idle sweep leaves the machine (and its restore) alone
        }
        if (!ensureMachine()) {
            synchronized (lock) {
                st.takenOver = record.info().takenOver();
            }
            throw new ConflictException("agent " + id + ": its machine could not be restored: " + record.info().error());
        }
        Session s;
        synchronized (lock) {
            interruptHooks.fire(); // a model call or tool in flight stops; the driver waits at its checkpoint
            record.emit(new AgentEvent.TakeOverChanged(id, 0, record.now(), true));
            record.update(i -> i.withTakenOver(true, record.now()));
            s = new AgentSession(scope);
        }
        // outside the lock: tmux round trips; the driver already waits at its checkpoint
        return TakeOverShell.open(s, person);
    }

    public void handBack() {
        synchronized (lock) {
            st.checkNotDeleted(id);
            if (!st.takenOver) {
                return;
            }
            st.takenOver = false;
            st.idleSince = record.now();
            record.emit(new AgentEvent.TakeOverChanged(id, 0, record.now(), false));
            record.update(i -> i.withTakenOver(false, record.now()));
            lock.notifyAll();
        }
    }

    public String promoteSnapshot() {
        Environment env;
        synchronized (lock) {
            st.checkNotDeleted(id);
            env = st.environment;
            if (env.resolved() == null || env.key() == null) {
                throw new ConflictException("agent " + id + " has no environment yet");
            }
            if (!env.resolved().spec().effectiveAgentCanUpdateSnapshot()) {
                throw new ConflictException("environment.json does not let agents update the snapshot ("
                        + (env.resolved().spec().agentCanUpdateSnapshot() == Boolean.FALSE
                        ? "agentCanUpdateSnapshot is false"
                        : "the base is a " + env.resolved().spec().baseKind().name().toLowerCase()
                        + ", whose snapshot is fixed")
                        + ")");
            }
            if (machines.current() == null && !record.info().hibernated() && !st.hibernating) {
                throw new ConflictException("agent " + id + " has no machine to snapshot");
            }
        }
        ensureMachine();
        Machine m = machines.current();
        SnapshotInfo s = m.snapshot(engine.environments().promotionLabels(env.key(), record.info().request().repository(), id));
        record.emit(new AgentEvent.MachineChanged(id, 0, record.now(), "snapshot-promoted", m.id(), s.id()));
        record.update(i -> i);
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
        Machine m;
        synchronized (lock) {
            st.checkNotDeleted(id);
            st.checkNotExpiring(id, record.info());
            if (record.info().status().isFinal()) {
                throw new ConflictException("agent " + id + " is " + record.info().status()
                        + ": its network policy cannot change");
            }
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
        synchronized (lock) {
            record.emit(new AgentEvent.Warning(id, 0, record.now(), EgressOverride.CODE, EgressOverride.message(policy)));
            record.update(i -> i);
        }
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
     * {@code Timeouts.hibernationWait}.
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
            if (!record.info().hibernated() || record.info().snapshotId() == null) {
                scope.fail("agent " + id + " has no machine and nothing to restore it from");
                return false;
            }
            snapshotId = record.info().snapshotId();
        }
        return Lifecycle.restore(scope, snapshotId);
    }

    /** Hibernates the machine when it has been idle longer than the limit; true when it did. */
    public boolean hibernateIfIdle(Instant now) {
        return hibernateIfIdle(now, engine.limits().idleHibernateAfter());
    }

    /**
     * Hibernates the machine when no turn runs or waits, no human holds it, and it has been idle
     * for {@code after} ({@code Duration.ZERO}: at once); true when it did.
     */
    public boolean hibernateIfIdle(Instant now, Duration after) {
        Machine m;
        synchronized (lock) {
            if (machines.current() == null || st.loopScheduled || st.takenOver || st.deleted || st.idleSince == null
                    || !st.pending.isEmpty() || Duration.between(st.idleSince, now).compareTo(after) < 0) {
                return false;
            }
            m = machines.release();
            st.hibernating = true; // a follow-up or take-over meanwhile waits for the snapshot (ensureMachine)
        }
        String restoredFrom = record.info().snapshotId();
        try {
            SnapshotInfo s = m.hibernate(Map.of(LABEL_AGENT, id, EnvironmentCache.LABEL_KIND, "hibernation"));
            machines.releaseSlot();
            machines.deleteSnapshotQuietly(restoredFrom);
            synchronized (lock) {
                // the record says "hibernated" before anyone hears of it: a listener's follow-up finds the snapshot
                record.update(i -> i.withMachine(null, s.id(), true, record.now()));
                record.emit(new AgentEvent.MachineChanged(id, 0, record.now(), "hibernated", m.id(), s.id()));
                st.hibernating = false;
                lock.notifyAll();
            }
            return true;
        } catch (NightshiftException e) {
            log.warn("agent {}: cannot hibernate machine {}: {}", id, m.id(), e.getMessage());
            synchronized (lock) {
                machines.takeBack(m);
                st.hibernating = false;
                lock.notifyAll();
            }
            return false;
        }
    }

    /** Adopts a machine that outlived the previous engine. */
    public void adopt(Machine m, ResolvedSpec spec, String environmentKey) {
        synchronized (lock) {
            // the machine runs already: count it, but never wait for a slot (it may be over the cap)
            machines.adopt(m);
            st.environment = new Environment(spec, environmentKey, m.user());
            st.idleSince = record.now();
        }
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
