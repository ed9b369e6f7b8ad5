package dev.nightshift.core.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.core.internal.lifecycle.AgentMachine;
import dev.nightshift.core.internal.lifecycle.AgentScope;
import dev.nightshift.core.internal.lifecycle.AgentSession;
import dev.nightshift.core.internal.lifecycle.CancellationToken;
import dev.nightshift.core.internal.lifecycle.CancellationToken.Reason;
import dev.nightshift.core.internal.lifecycle.Environment;
import dev.nightshift.core.internal.lifecycle.InterruptHooks;
import dev.nightshift.core.internal.lifecycle.Phase;
import dev.nightshift.core.internal.lifecycle.PhaseMachine;
import dev.nightshift.core.internal.AgentCommand.*;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an agent's {@link AgentCommand}s, one at a time, in the order they reached its inbox:
 * the one writer of the agent's control state ({@link AgentState}) apart from its work loop (see
 * {@link AgentActor}). Each step takes the agent's lock while it changes state, so the loop and
 * the waiters see every change at once; a step may call the runtime (removing a machine) but never
 * waits for the loop or for another step.
 *
 * <p><b>Thread-safety:</b> confined to the inbox's drainer (one at a time). <b>Lifecycle:</b> one
 * per agent.
 */
final class AgentControls {
    private static final Logger log = LoggerFactory.getLogger(AgentScope.LOGGER);

    private final EngineContext engine;
    private final String id;
    private final AgentState st;
    private final Object lock;
    private final AgentRecorder record;
    private final AgentMachine machines;
    private final PhaseMachine phases;
    private final CancellationToken token;
    private final InterruptHooks interruptHooks;
    private final AgentScope scope;
    private final Runnable schedule;

    AgentControls(EngineContext engine, String id, AgentState st, AgentRecorder record, AgentMachine machines,
            PhaseMachine phases, CancellationToken token, InterruptHooks interruptHooks, AgentScope scope,
            Runnable schedule) {
        this.engine = engine;
        this.id = id;
        this.st = st;
        this.lock = st.lock;
        this.record = record;
        this.machines = machines;
        this.phases = phases;
        this.token = token;
        this.interruptHooks = interruptHooks;
        this.scope = scope;
        this.schedule = schedule;
    }

    /** Applies {@code c}; returns its result (null for none) or throws what refuses it. */
    Object apply(AgentCommand c) {
        try (AgentMdc m = AgentMdc.of(id)) {
            if (c instanceof Begin) {
                begin();
            } else if (c instanceof FollowUp f) {
                followUp(f.prompt());
            } else if (c instanceof Stop) {
                stop();
            } else if (c instanceof Cancel) {
                cancel();
            } else if (c instanceof TimeOut t) {
                timeOut(t.turn());
            } else if (c instanceof Delete) {
                return delete();
            } else if (c instanceof Purge) {
                purge();
            } else if (c instanceof Expire e) {
                return expire(e);
            } else if (c instanceof Detach) {
                interrupt(Reason.STOP); // the engine closes: the turn ends (the caller waits for the loop when it must)
            } else if (c instanceof Detached d) {
                detached(d.what());
            } else if (c instanceof Fail f) {
                fail(f.message());
            } else {
                return machineStep(c);
            }
            return null;
        }
    }

    /** ERROR, and no more turns. */
    void fail(String message) {
        synchronized (lock) {
            st.pending.clear();
            record.fail(message);
        }
    }

    private void begin() {
        synchronized (lock) {
            record.emit(new AgentEvent.StatusChanged(id, 0, record.now(), null, AgentStatus.CREATING, "spawned"));
            record.update(i -> i);
            st.pending.add(record.info().request().prompt());
        }
        record.addMessage(ConversationMessage.Type.USER_MESSAGE, record.info().request().prompt());
        schedule.run();
    }

    private void followUp(String prompt) {
        synchronized (lock) {
            st.checkNotDeleted(id);
            st.checkNotExpiring(id, record.info());
            AgentStatus s = record.info().status();
            if (!s.acceptsFollowUp()) {
                throw new ConflictException("agent " + id + " is " + s + ": it takes no follow-up"
                        + (s.equals(AgentStatus.ERROR) ? " (spawn a new agent on its branch " + record.info().branch().orElse(null) + ")" : ""));
            }
            st.pending.add(prompt);
            token.withdraw(Reason.STOP);
            if (s.equals(AgentStatus.FINISHED) || s.equals(AgentStatus.STOPPED)) {
                record.setStatus(AgentStatus.RUNNING, "follow-up");
            }
        }
        record.addMessage(ConversationMessage.Type.USER_MESSAGE, prompt);
        schedule.run();
    }

    private void stop() {
        synchronized (lock) {
            st.checkNotDeleted(id);
            if (record.info().status().isFinal()) {
                throw new ConflictException("agent " + id + " is " + record.info().status() + ": it cannot be stopped");
            }
            st.pending.clear();
            if (st.loopScheduled) {
                token.request(Reason.STOP);
                interruptTurn();
            } else if (!record.info().status().equals(AgentStatus.STOPPED)) {
                record.setStatus(AgentStatus.STOPPED, "stopped by request");
            }
            lock.notifyAll();
        }
    }

    private void cancel() {
        boolean idle;
        synchronized (lock) {
            st.checkNotDeleted(id);
            if (record.info().status().isFinal()) {
                return;
            }
            st.pending.clear();
            token.request(Reason.CANCEL);
            idle = !st.loopScheduled;
            if (!idle) {
                interruptTurn();
            }
            lock.notifyAll();
        }
        if (idle) {
            machines.remove("cancelled");
            record.setStatus(AgentStatus.CANCELLED, "cancelled by request");
        }
    }

    /** The watchdog of turn {@code turn}: ignored once that turn has left its turn phase. */
    private void timeOut(long turn) {
        synchronized (lock) {
            if (st.turn == turn && phases.current() == Phase.TURN) {
                interrupt(Reason.TIMEOUT);
            }
        }
    }

    /** Asks the running work to end for {@code reason} (a timeout, a deletion, the engine closing). */
    private void interrupt(Reason reason) {
        synchronized (lock) {
            if (reason == Reason.CANCEL) {
                st.pending.clear();
            }
            token.request(reason);
            interruptTurn();
            lock.notifyAll();
        }
    }

    /** Cancels the turn's (or install's) commands and interrupts the driver; never a handoff in progress. */
    private void interruptTurn() {
        RecordingMachine v = machines.view();
        Phase p = phases.current();
        if (v != null && p != Phase.HANDOFF && p != Phase.AFTER_TURN) {
            v.cancelAll();
        }
        Thread t = st.loopThread;
        if (t != null && p == Phase.TURN) {
            t.interrupt(); // a driver blocked in a call (a model's HTTP request) learns of it only so
            interruptHooks.fire();
        }
    }

    /**
     * A deletion, first step: the loop is asked to end (the caller then waits for it); true when
     * the agent was deleted already.
     */
    private Boolean delete() {
        synchronized (lock) {
            if (st.deleted) {
                return true;
            }
        }
        interrupt(Reason.CANCEL);
        return false;
    }

    /** A deletion, last step, once the loop ended (or the wait for it ran out). */
    private void purge() {
        synchronized (lock) {
            if (st.deleted) {
                return;
            }
            st.deleted = true;
            lock.notifyAll(); // waiters see the deletion at once
        }
        record.purge(machines, "deleted");
        engine.store().delete(id);
        log.info("agent {}: deleted", id);
    }

    private Boolean expire(Expire e) {
        AgentInfo was;
        synchronized (lock) {
            if (st.deleted || st.expiring || record.info().status().isActive() || record.info().status().equals(AgentStatus.EXPIRED)
                    || st.loopScheduled || st.takenOver || !record.info().updatedAt().isBefore(e.cutoff())) {
                return false;
            }
            st.expiring = true; // follow-ups and take-overs are refused from here on
            was = record.info();
        }
        record.purge(machines, "expired");
        record.bury(was);
        log.info("agent {}: expired (untouched since {})", id, was.updatedAt());
        return true;
    }

    /** The engine closes, last step: listeners end; the machine is removed when asked. */
    private void detached(AgentActor.Detach what) {
        record.events().closeAll();
        if (what == AgentActor.Detach.REMOVE) {
            machines.remove("engine closed");
        }
    }

    // ---------------------------------------------------------------- the machine between turns

    private Object machineStep(AgentCommand c) {
        if (c instanceof TakeOver) {
            synchronized (lock) {
                st.checkNotDeleted(id);
                st.checkNotExpiring(id, record.info());
                if (record.info().status().isFinal() || machines.current() == null && !record.info().hibernated() && !st.hibernating) {
                    throw new ConflictException("agent " + id + " has no machine to take over (status " + record.info().status() + ")");
                }
                st.takenOver = true; // from here the idle sweep leaves the machine (and its restore) alone
            }
        } else if (c instanceof TakeOverFailed) {
            synchronized (lock) {
                st.takenOver = record.info().takenOver();
            }
        } else if (c instanceof TakeOverOpened) {
            synchronized (lock) {
                interruptHooks.fire(); // a model call or tool in flight stops; the driver waits at its checkpoint
                record.emit(new AgentEvent.TakeOverChanged(id, 0, record.now(), true));
                record.update(i -> i.withTakenOver(true, record.now()));
                return new AgentSession(scope);
            }
        } else if (c instanceof HandBack) {
            synchronized (lock) {
                st.checkNotDeleted(id);
                if (!st.takenOver) {
                    return null;
                }
                st.takenOver = false;
                st.idleSince = record.now();
                record.emit(new AgentEvent.TakeOverChanged(id, 0, record.now(), false));
                record.update(i -> i.withTakenOver(false, record.now()));
                lock.notifyAll();
            }
        } else if (c instanceof PromoteCheck) {
            return promoteCheck();
        } else if (c instanceof Promoted p) {
            record.emit(new AgentEvent.MachineChanged(id, 0, record.now(), "snapshot-promoted", p.machine().id(),
                    p.snapshot().id()));
            record.update(i -> i);
        } else if (c instanceof EgressCheck) {
            synchronized (lock) {
                st.checkNotDeleted(id);
                st.checkNotExpiring(id, record.info());
                if (record.info().status().isFinal()) {
                    throw new ConflictException("agent " + id + " is " + record.info().status()
                            + ": its network policy cannot change");
                }
            }
        } else if (c instanceof EgressSet e) {
            synchronized (lock) {
                record.emit(new AgentEvent.Warning(id, 0, record.now(), dev.nightshift.core.internal.egress.EgressOverride.CODE,
                        dev.nightshift.core.internal.egress.EgressOverride.message(e.policy())));
                record.update(i -> i);
            }
        } else if (c instanceof Hibernate h) {
            return hibernate(h);
        } else if (c instanceof Hibernated h) {
            synchronized (lock) {
                // the record says "hibernated" before anyone hears of it: a listener's follow-up finds the snapshot
                record.update(i -> i.withMachine(null, h.snapshot().id(), true, record.now()));
                record.emit(new AgentEvent.MachineChanged(id, 0, record.now(), "hibernated", h.machine().id(),
                        h.snapshot().id()));
                st.hibernating = false;
                lock.notifyAll();
            }
        } else if (c instanceof HibernationFailed f) {
            synchronized (lock) {
                machines.takeBack(f.machine());
                st.hibernating = false;
                lock.notifyAll();
            }
        } else if (c instanceof Adopt a) {
            synchronized (lock) {
                // the machine runs already: count it, but never wait for a slot (it may be over the cap)
                machines.adopt(a.machine());
                st.environment = new Environment(a.spec(), a.environmentKey(), a.machine().user());
                st.idleSince = record.now();
            }
        } else {
            throw new IllegalStateException("unknown command " + c);
        }
        return null;
    }

    private Environment promoteCheck() {
        synchronized (lock) {
            st.checkNotDeleted(id);
            Environment env = st.environment;
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
            return env;
        }
    }

    /**
     * The machine, taken away for hibernation, when no turn runs or waits, no human holds it, and
     * it has been idle for the command's limit; else null.
     */
    private Machine hibernate(Hibernate h) {
        synchronized (lock) {
            if (machines.current() == null || st.loopScheduled || st.takenOver || st.deleted || st.idleSince == null
                    || !st.pending.isEmpty() || Duration.between(st.idleSince, h.now()).compareTo(h.after()) < 0) {
                return null;
            }
            st.hibernating = true; // a follow-up or take-over meanwhile waits for the snapshot (ensureMachine)
            return machines.release();
        }
    }
}
