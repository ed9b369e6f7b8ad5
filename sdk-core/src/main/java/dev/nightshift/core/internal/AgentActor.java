package dev.nightshift.core.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.Session;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.core.internal.lifecycle.AgentMachine;
import dev.nightshift.core.internal.lifecycle.AgentScope;
import dev.nightshift.core.internal.lifecycle.CancellationToken;
import dev.nightshift.core.internal.lifecycle.CancellationToken.Reason;
import dev.nightshift.core.internal.lifecycle.Environment;
import dev.nightshift.core.internal.lifecycle.InterruptHooks;
import dev.nightshift.core.internal.lifecycle.Lifecycle;
import dev.nightshift.core.internal.lifecycle.Phase;
import dev.nightshift.core.internal.lifecycle.PhaseMachine;
import dev.nightshift.core.internal.lifecycle.Waits;
import dev.nightshift.git.GitHost;
import dev.nightshift.spec.ResolvedSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One agent, driven: its status, its work loop and its controls. The work itself is told by
 * {@link Lifecycle} (create once, then a turn and a handoff per prompt), stage by stage; the
 * phase the loop is in is a {@link PhaseMachine}; stops, cancels and timeouts are a
 * {@link CancellationToken}; the machine is an {@link AgentMachine}.
 *
 * <p>All work for an agent runs on one loop at a time on the engine's executor; controls called
 * from other threads change state under {@link #lock} and wake the loop. Every change of the
 * record is persisted, and every event goes through the agent's {@link EventLog}.
 */
public final class AgentActor {
    private static final Logger log = LoggerFactory.getLogger(AgentActor.class);
    public static final String WORKSPACE = AgentMachine.WORKSPACE;
    public static final String LABEL_AGENT = AgentMachine.LABEL_AGENT;
    /** Which agent store (state directory) an agent's machine belongs to. */
    public static final String LABEL_STORE = AgentMachine.LABEL_STORE;
    private static final Set<AgentStatus> SETTLED = Set.of(AgentStatus.FINISHED, AgentStatus.STOPPED,
            AgentStatus.ERROR, AgentStatus.CANCELLED, AgentStatus.EXPIRED);

    private final EngineContext engine;
    private final String id;
    private final AgentState st = new AgentState();
    private final Object lock = st.lock;
    private final AgentRecorder record;
    private final EventLog events;
    private final ArrayDeque<String> pending = st.pending;
    private final PhaseMachine phases = new PhaseMachine();
    private final CancellationToken token = new CancellationToken();
    private final InterruptHooks interruptHooks;
    private final Scope scope = new Scope();
    private final AgentMachine machines;
    private final MachineControls controls;

    public AgentActor(EngineContext engine, AgentInfo info) {
        this.engine = engine;
        this.id = info.id();
        this.record = new AgentRecorder(engine, info, lock);
        this.events = record.events();
        st.takenOver = info.takenOver(); // a human may still hold it from before a restart
        this.interruptHooks = new InterruptHooks(id);
        this.machines = new AgentMachine(scope, record::secretEnv, record::secretRedactor);
        this.controls = new MachineControls(engine, id, st, record, machines, scope, interruptHooks);
        if (!info.status().equals(AgentStatus.CREATING) && !info.status().isFinal()) {
            // an agent from before a restart: its secrets again (env for its commands, redaction, push guard)
            try {
                record.useSecrets(engine.secrets().resolve(id, info.request().repository(), Map.of()));
            } catch (RuntimeException e) {
                log.warn("agent {}: cannot resolve its secrets: {}", id, e.getMessage());
            }
        }
    }

    public String id() {
        return id;
    }

    public AgentInfo info() {
        st.checkNotDeleted(id);
        return record.info();
    }

    public EventLog events() {
        return events;
    }

    public List<ConversationMessage> conversation() {
        return engine.store().conversation(id);
    }

    /** ERROR, and no more turns. */
    private void fail(String message) {
        synchronized (lock) {
            pending.clear();
            record.fail(message);
        }
    }

    // ---------------------------------------------------------------- controls

    /** Starts a new agent: the first prompt is its first turn. */
    public void begin() {
        synchronized (lock) {
            record.emit(new AgentEvent.StatusChanged(id, 0, record.now(), null, AgentStatus.CREATING, "spawned"));
            record.update(i -> i);
            pending.add(record.info().request().prompt());
        }
        record.addMessage(ConversationMessage.Type.USER_MESSAGE, record.info().request().prompt());
        schedule();
    }

    private void schedule() {
        synchronized (lock) {
            if (st.loopScheduled) {
                return;
            }
            st.loopScheduled = true;
        }
        engine.executor().execute(this::loop);
    }

    public void followUp(String prompt) {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("follow-up prompt must not be blank");
        }
        synchronized (lock) {
            st.checkNotDeleted(id);
            st.checkNotExpiring(id, record.info());
            AgentStatus s = record.info().status();
            if (!s.acceptsFollowUp()) {
                throw new ConflictException("agent " + id + " is " + s + ": it takes no follow-up"
                        + (s.equals(AgentStatus.ERROR) ? " (spawn a new agent on its branch " + record.info().branch() + ")" : ""));
            }
            pending.add(prompt);
            token.withdraw(Reason.STOP);
            if (s.equals(AgentStatus.FINISHED) || s.equals(AgentStatus.STOPPED)) {
                record.setStatus(AgentStatus.RUNNING, "follow-up");
            }
        }
        record.addMessage(ConversationMessage.Type.USER_MESSAGE, prompt);
        schedule();
    }

    public void stop() {
        synchronized (lock) {
            st.checkNotDeleted(id);
            if (record.info().status().isFinal()) {
                throw new ConflictException("agent " + id + " is " + record.info().status() + ": it cannot be stopped");
            }
            pending.clear();
            if (st.loopScheduled) {
                token.request(Reason.STOP);
                interruptTurn();
            } else if (!record.info().status().equals(AgentStatus.STOPPED)) {
                record.setStatus(AgentStatus.STOPPED, "stopped by request");
            }
            lock.notifyAll();
        }
    }

    public void cancel() {
        boolean idle;
        synchronized (lock) {
            st.checkNotDeleted(id);
            if (record.info().status().isFinal()) {
                return;
            }
            pending.clear();
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

    /** The turn's watchdog: the turn ran past its time. */
    private void timeOut() {
        synchronized (lock) {
            token.request(Reason.TIMEOUT);
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

    public TakeOver takeOver(String person) {
        return controls.takeOver(person);
    }

    public void handBack() {
        controls.handBack();
    }

    public String promoteSnapshot() {
        return controls.promoteSnapshot();
    }

    /** Sets the network policy of the agent's machines ({@link MachineControls#updateEgress}). */
    public void updateEgress(dev.nightshift.api.runtime.EgressPolicy policy) { controls.updateEgress(policy); }

    /** Hibernates the machine when it has been idle longer than the limit; true when it did. */
    public boolean hibernateIfIdle(Instant now) {
        return controls.hibernateIfIdle(now);
    }

    /** Adopts a machine that outlived the previous engine. */
    public void adopt(Machine m, ResolvedSpec spec, String environmentKey) {
        controls.adopt(m, spec, environmentKey);
    }

    public Optional<Session> session() {
        return controls.session();
    }

    public void delete() {
        synchronized (lock) {
            if (st.deleted) {
                return;
            }
            stopLoop();
            st.deleted = true;
            lock.notifyAll(); // waiters see the deletion at once
        }
        record.purge(machines, "deleted");
        engine.store().delete(id);
        log.info("agent {}: deleted", id);
    }

    /**
     * Purges an agent untouched since before {@code cutoff} (not while it works) and leaves its
     * tombstone: status {@code EXPIRED}, the request, no machine, events or conversation. This
     * actor then stands for the tombstone, so waiters see {@code EXPIRED} and controls are refused
     * as for any final agent. False when the agent was touched meanwhile.
     */
    public boolean expire(Instant cutoff) {
        AgentInfo was;
        synchronized (lock) {
            if (st.deleted || st.expiring || record.info().status().isActive() || record.info().status().equals(AgentStatus.EXPIRED)
                    || st.loopScheduled || st.takenOver || !record.info().updatedAt().isBefore(cutoff)) {
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

    /** Ends the work loop, waiting up to the engine's stop wait for it; called under {@link #lock}. */
    private void stopLoop() {
        pending.clear();
        token.request(Reason.CANCEL);
        interruptTurn();
        lock.notifyAll();
        Waits.until(lock, () -> !st.loopScheduled, engine.timeouts().stopWait());
    }

    public boolean isDeleted() {
        synchronized (lock) {
            return st.deleted;
        }
    }

    // ---------------------------------------------------------------- waiting

    public AgentInfo awaitStatus(Set<AgentStatus> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                st.checkNotDeleted(id);
                AgentStatus s = record.info().status();
                // EXPIRED alone: the retention sweep gets there without a call, so a settled agent is waited on
                boolean expiryAwaited = wanted.size() == 1 && wanted.contains(AgentStatus.EXPIRED);
                if (wanted.contains(s) || (SETTLED.contains(s) && !st.loopScheduled && pending.isEmpty()
                        && !expiryAwaited)) {
                    return record.info();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    List<AgentEvent> tail = events.read(Math.max(0, events.lastSequence() - 5), 5);
                    throw new NightshiftTimeoutException("agent " + id + " did not reach " + wanted + " within " + timeout
                            + "; it is " + s + " (phase " + phases.current().label() + "); last events: " + tail);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new NightshiftException("interrupted while waiting for agent " + id, e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- the work loop

    private void loop() {
        MDC.put(AgentMdc.KEY, id);
        synchronized (lock) {
            st.loopThread = Thread.currentThread();
        }
        try {
            if (record.info().status().equals(AgentStatus.CREATING) && !Lifecycle.create(scope)) {
                return;
            }
            if (phases.createCutShort()) { // stopped before its checkout: this follow-up creates it anew
                machines.remove("its creation starts over");
                if (!Lifecycle.create(scope)) {
                    return;
                }
            }
            while (true) {
                String prompt;
                synchronized (lock) {
                    if (token.stopOrCancel() || pending.isEmpty() || st.deleted) {
                        break;
                    }
                    prompt = pending.poll();
                }
                if (!controls.ensureMachineForTurn()) {
                    return;
                }
                record.setStatus(AgentStatus.RUNNING, null);
                if (!Lifecycle.turn(scope, prompt, this::timeOut)) {
                    return;
                }
            }
            settle(null);
        } catch (RuntimeException | Error e) {
            log.error("agent {}: unexpected failure", id, e);
            fail("internal error: " + e);
        } finally {
            synchronized (lock) {
                st.loopScheduled = false;
                st.loopThread = null;
                st.idleSince = record.now();
                lock.notifyAll();
                if (!pending.isEmpty() && !st.deleted && !token.stopOrCancel()
                        && !record.info().status().equals(AgentStatus.ERROR)) {
                    schedule();
                }
            }
            Thread.interrupted();
            MDC.remove(AgentMdc.KEY);
        }
    }

    /** The status the loop leaves the agent in when it runs out of work. */
    private void settle(String error) {
        if (st.deleted) {
            return;
        }
        if (token.has(Reason.CANCEL)) {
            machines.remove("cancelled");
            record.setStatus(AgentStatus.CANCELLED, "cancelled by request");
        } else if (error != null) {
            fail(error);
        } else if (token.has(Reason.STOP)) {
            record.setStatus(AgentStatus.STOPPED, "stopped by request");
        } else {
            record.setStatus(AgentStatus.FINISHED, null);
        }
    }

    // ---------------------------------------------------------------- machines

    /** What becomes of the machine when the engine closes. */
    public enum Detach {
        /** It keeps running for a later engine to reattach. */
        KEEP,
        /** It is hibernated once the interrupted turn has ended, unless a human holds it. */
        HIBERNATE,
        /** It is removed. */
        REMOVE
    }

    /** Engine close: interrupts a running turn, then keeps, hibernates or removes the machine. */
    public void detach(Detach what) {
        synchronized (lock) {
            token.request(Reason.STOP);
            interruptTurn();
            lock.notifyAll();
            if (what == Detach.HIBERNATE) {
                Waits.until(lock, () -> !st.loopScheduled, engine.timeouts().stopWait());
            }
        }
        if (what == Detach.HIBERNATE && controls.hibernateIfIdle(record.now(), Duration.ZERO)) {
            log.info("agent {}: machine hibernated as its engine closed", id);
        }
        events.closeAll();
        if (what == Detach.REMOVE) {
            machines.remove("engine closed");
        }
    }

    public void recordWarning(String code, String message) {
        record.emit(new AgentEvent.Warning(id, 0, record.now(), code, message));
    }

    public void markError(String message) {
        fail(message);
    }

    /** Labels for a machine of this agent (used by reattach). */
    public static Map<String, String> labels(String agentId) {
        Map<String, String> m = new HashMap<>();
        m.put(LABEL_AGENT, agentId);
        return m;
    }

    // ---------------------------------------------------------------- what the stages see

    private final class Scope implements AgentScope {
        @Override public String id() { return id; }
        @Override public EngineContext engine() { return engine; }
        @Override public GitHost git() { return engine.gitFor(record.info().request()); } // its owner's credentials
        @Override public AgentInfo info() { return record.info(); }
        @Override public Instant now() { return record.now(); }
        @Override public void emit(AgentEvent event) { record.emit(event); }
        @Override public void update(UnaryOperator<AgentInfo> change) { record.update(change); }
        @Override public Phase phase() { return phases.current(); }
        @Override public CancellationToken token() { return token; }
        @Override public Object lock() { return lock; }
        @Override public InterruptHooks interruptHooks() { return interruptHooks; }
        @Override public UnaryOperator<String> redactor() { return record.redactor(); }
        @Override public void addUsage(String phase, Instant since) { record.addUsage(phase, since); }
        @Override public void fail(String message) { AgentActor.this.fail(message); }
        @Override public void settle(String error) { AgentActor.this.settle(error); }
        @Override public void useSecrets(SecretHooks.Resolved s) { record.useSecrets(s); }
        @Override public Environment environment() { return st.environment; }
        @Override public void environment(Environment e) { st.environment = e; }
        @Override public AgentMachine machine() { return machines; }
        @Override public dev.nightshift.core.internal.egress.EgressOverride egressOverride() { return controls.egress(); }

        @Override
        public void enter(Phase phase) {
            synchronized (lock) { // controls read the phase under the lock to decide what to interrupt
                phases.moveTo(phase);
            }
        }

        @Override
        public boolean takenOver() {
            synchronized (lock) {
                return st.takenOver;
            }
        }

        @Override
        public void addMessage(ConversationMessage.Type type, String text) {
            record.addMessage(type, text);
        }

        @Override
        public ConversationMessage record(ConversationMessage message) {
            return record.record(message);
        }
    }
}
