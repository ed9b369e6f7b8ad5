package dev.nightshift.core.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.Session;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.core.internal.control.Inbox;
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
 * <p><b>Two writers, each one at a time.</b> Every control (begin, follow-up, stop, cancel, the
 * turn's timeout, take-over, hand-back, promotion, network policy, hibernation, adoption, delete,
 * expiry, detach, an engine's verdict of error) is an {@link AgentCommand} put in the agent's
 * {@link Inbox}: one drainer at a time applies them in arrival order ({@link AgentControls}), on
 * the engine's control executor, and the caller waits for its outcome (up to
 * {@code Timeouts.controlWait}). The slow work of a control (waiting for the loop to end, a
 * restore, a snapshot, opening a terminal) runs on the caller's thread between two of its steps,
 * so a stop is never queued behind it. The work loop is the other writer: one loop at a time on
 * the engine's executor, it takes the pending prompts, moves the phase, sets the status of its
 * turns (running, then settled or failed), clears {@code loopScheduled}, {@code loopThread} and
 * sets {@code idleSince} when it ends, and its stages record events, usage and the environment
 * (a restore for a take-over or promotion does the same on that control's thread). Both write
 * under the agent's {@link #lock}, which every waiter waits on; a stop reaches a running turn by
 * the token and an interrupt, never by waiting for the turn. Every change of the record is
 * persisted, and every event goes through the agent's {@link EventLog}.
 *
 * <p>A control called on the loop's own thread (a driver calling back) is queued like any other;
 * a deletion or detach from there does not wait for the loop to end (it cannot while it waits). A
 * control asked on the drainer's thread is applied inline.
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
    private final AgentControls controls;
    private final Inbox<AgentCommand> inbox;
    private final MachineControls machineControls;

    public AgentActor(EngineContext engine, AgentInfo info) {
        this.engine = engine;
        this.id = info.id();
        this.record = new AgentRecorder(engine, info, lock);
        this.events = record.events();
        st.takenOver = info.takenOver(); // a human may still hold it from before a restart
        this.interruptHooks = new InterruptHooks(id);
        this.machines = new AgentMachine(scope, record::secretEnv, record::secretRedactor);
        this.controls = new AgentControls(engine, id, st, record, machines, phases, token, interruptHooks, scope,
                this::schedule);
        this.inbox = new Inbox<>(id, engine.controls(), engine.timeouts().controlWait(), controls::apply);
        this.machineControls = new MachineControls(engine, id, st, record, machines, scope, inbox::ask);
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

    /** ERROR, and no more turns (the loop's own verdict). */
    private void fail(String message) {
        controls.fail(message);
    }

    // ---------------------------------------------------------------- controls, through the inbox

    /** Starts a new agent: the first prompt is its first turn. */
    public void begin() {
        inbox.ask(new AgentCommand.Begin());
    }

    /** Starts the work loop unless it runs; called by the controls under way. */
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
        inbox.ask(new AgentCommand.FollowUp(prompt));
    }

    public void stop() {
        inbox.ask(new AgentCommand.Stop());
    }

    public void cancel() {
        inbox.ask(new AgentCommand.Cancel());
    }

    /** The watchdog of turn {@code turn}: the turn ran past its time (not waited for: it runs on the scheduler). */
    private void timeOut(long turn) {
        inbox.tell(new AgentCommand.TimeOut(turn));
    }

    public TakeOver takeOver(String person) {
        return machineControls.takeOver(person);
    }

    public void handBack() {
        machineControls.handBack();
    }

    public String promoteSnapshot() {
        return machineControls.promoteSnapshot();
    }

    /** Sets the network policy of the agent's machines ({@link MachineControls#updateEgress}). */
    public void updateEgress(dev.nightshift.api.runtime.EgressPolicy policy) { machineControls.updateEgress(policy); }

    /** Hibernates the machine when it has been idle longer than the limit; true when it did. */
    public boolean hibernateIfIdle(Instant now) {
        return machineControls.hibernateIfIdle(now);
    }

    /** Adopts a machine that outlived the previous engine. */
    public void adopt(Machine m, ResolvedSpec spec, String environmentKey) {
        inbox.ask(new AgentCommand.Adopt(m, spec, environmentKey));
    }

    public Optional<Session> session() {
        return machineControls.session();
    }

    /**
     * Ends the loop (waiting up to {@code Timeouts.stopWait} for it), then purges the agent.
     * Refused on the loop's own thread (a driver deleting its agent during its turn): the loop
     * cannot end while it waits here, and its turn would write to an agent already purged.
     */
    public void delete() {
        synchronized (lock) {
            if (Thread.currentThread() == st.loopThread && !st.deleted) {
                throw new IllegalStateException("agent " + id + " cannot be deleted from its own turn (the driver's"
                        + " thread): its turn would have to end first; stop or cancel it there, or delete it from"
                        + " another thread");
            }
        }
        if ((Boolean) inbox.ask(new AgentCommand.Delete())) {
            return; // deleted already
        }
        awaitLoopEnd();
        inbox.ask(new AgentCommand.Purge());
    }

    /**
     * Purges an agent untouched since before {@code cutoff} (not while it works) and leaves its
     * tombstone: status {@code EXPIRED}, the request, no machine, events or conversation. This
     * actor then stands for the tombstone, so waiters see {@code EXPIRED} and controls are refused
     * as for any final agent. False when the agent was touched meanwhile.
     */
    public boolean expire(Instant cutoff) {
        return (Boolean) inbox.ask(new AgentCommand.Expire(cutoff));
    }

    /**
     * Waits up to the engine's stop wait for the work loop to end (not on the loop's own thread:
     * it cannot end while it waits here).
     */
    private void awaitLoopEnd() {
        synchronized (lock) {
            if (Thread.currentThread() != st.loopThread) {
                Waits.until(lock, () -> !st.loopScheduled, engine.timeouts().stopWait());
            }
        }
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
                long turn;
                synchronized (lock) {
                    if (token.stopOrCancel() || pending.isEmpty() || st.deleted) {
                        break;
                    }
                    prompt = pending.poll();
                    turn = ++st.turn;
                }
                if (!machineControls.ensureMachineForTurn()) {
                    return;
                }
                record.setStatus(AgentStatus.RUNNING, null);
                if (!Lifecycle.turn(scope, prompt, () -> timeOut(turn))) {
                    return;
                }
            }
            settle(null);
        } catch (RuntimeException | Error e) {
            log.error("agent {}: unexpected failure", id, e);
            fail("internal error: " + e);
        } finally {
            synchronized (lock) {
                if (token.has(Reason.STOP) && !token.has(Reason.CANCEL) && !st.deleted
                        && record.info().status().equals(AgentStatus.FINISHED)) {
                    // a stop applied after the last turn had settled, while the loop was still running
                    record.setStatus(AgentStatus.STOPPED, "stopped by request");
                }
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
        inbox.ask(new AgentCommand.Detach(what));
        if (what == Detach.HIBERNATE) {
            awaitLoopEnd();
            if (machineControls.hibernateIfIdle(record.now(), Duration.ZERO)) {
                log.info("agent {}: machine hibernated as its engine closed", id);
            }
        }
        inbox.ask(new AgentCommand.Detached(what));
    }

    public void recordWarning(String code, String message) {
        record.emit(new AgentEvent.Warning(id, 0, record.now(), code, message));
    }

    /** An engine's verdict: the agent's work was cut off (ERROR, no more turns). */
    public void markError(String message) {
        inbox.ask(new AgentCommand.Fail(message));
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
        @Override public SecretHooks.Resolved secrets() { return record.secrets(); }
        @Override public Environment environment() { return st.environment; }
        @Override public void environment(Environment e) { st.environment = e; }
        @Override public AgentMachine machine() { return machines; }
        @Override public dev.nightshift.core.internal.egress.EgressOverride egressOverride() { return machineControls.egress(); }

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
