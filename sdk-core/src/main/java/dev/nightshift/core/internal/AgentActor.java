package dev.nightshift.core.internal;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.PushRejectedException;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.AttachInfo;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Session;
import dev.nightshift.api.Registration;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.Todo;
import dev.nightshift.api.TokenUsage;
import dev.nightshift.api.Turn;
import dev.nightshift.api.TurnResult;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.api.spec.PortSpec;
import dev.nightshift.api.spec.TerminalSpec;
import dev.nightshift.core.secrets.Redactor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One agent, driven: its state machine, its work loop (create, then one turn per prompt, each
 * followed by a handoff), its machine and its controls (stop, cancel, take-over, hibernation).
 *
 * <p>All work for an agent runs on one loop at a time on the engine's executor; controls called
 * from other threads change flags under {@link #lock} and wake the loop. Every change of the
 * record is persisted, and every event goes through the agent's {@link EventLog}.
 */
public final class AgentActor {
    private static final Logger log = LoggerFactory.getLogger(AgentActor.class);
    public static final String WORKSPACE = Session.DEFAULT_WORKSPACE;
    public static final String LABEL_AGENT = "dev.nightshift.agent";
    /** Which agent store (state directory) an agent's machine belongs to. */
    public static final String LABEL_STORE = "dev.nightshift.store";
    private static final Set<AgentStatus> SETTLED = Set.of(AgentStatus.FINISHED, AgentStatus.STOPPED,
            AgentStatus.ERROR, AgentStatus.CANCELLED, AgentStatus.EXPIRED);

    private final EngineContext engine;
    private final String id;
    private final EventLog events;
    private final Object lock = new Object();
    private final ArrayDeque<String> pending = new ArrayDeque<>();

    private volatile AgentInfo info;
    private boolean loopScheduled;
    private boolean stopRequested;
    private boolean cancelRequested;
    private boolean turnTimedOut;
    private boolean takenOver;
    private boolean deleted;
    private boolean expiring;
    private boolean hibernating;
    private Thread loopThread;
    private Machine machine;
    private RecordingMachine view;
    private boolean holdsSlot;
    private volatile String phase = "create";
    private SpecPort.Resolved resolved;
    private String environmentKey;
    private String user;
    private Instant idleSince;
    private SecretHooks.Resolved secrets = SecretHooks.Resolved.EMPTY;
    private final InterruptHooks interruptHooks;

    public AgentActor(EngineContext engine, AgentInfo info) {
        this.engine = engine;
        this.id = info.id();
        this.info = info;
        this.takenOver = info.takenOver(); // a human may still hold it from before a restart
        this.interruptHooks = new InterruptHooks(id);
        this.events = new EventLog(id, engine.store(), Math.max(info.lastSequence(), engine.store().lastSequence(id)),
                engine.redactor());
        if (!info.status().equals(AgentStatus.CREATING) && !info.status().isFinal()) {
            // an agent from before a restart: its secrets again (env for its commands, redaction, push guard)
            try {
                useSecrets(engine.secrets().resolve(id, info.request().repository(), Map.of()));
            } catch (RuntimeException e) {
                log.warn("agent {}: cannot resolve its secrets: {}", id, e.getMessage());
            }
        }
    }

    public String id() {
        return id;
    }

    public AgentInfo info() {
        checkNotDeleted();
        return info;
    }

    public EventLog events() {
        return events;
    }

    public List<ConversationMessage> conversation() {
        return engine.store().conversation(id);
    }

    // ---------------------------------------------------------------- recording

    private void emit(AgentEvent event) {
        events.append(event);
    }

    private Instant now() {
        return engine.clock().instant();
    }

    private void update(UnaryOperator<AgentInfo> change) {
        synchronized (lock) {
            info = change.apply(info).withLastSequence(events.lastSequence());
            engine.store().put(info);
            lock.notifyAll();
        }
    }

    private void setStatus(AgentStatus to, String reason) {
        AgentStatus from;
        synchronized (lock) {
            from = info.status();
            if (from.equals(to)) {
                return;
            }
            emit(new AgentEvent.StatusChanged(id, 0, now(), from, to, reason));
            update(i -> i.withStatus(to, now()));
        }
        log.info("agent {}: {} -> {}{}", id, from, to, reason == null ? "" : " (" + redactor().apply(reason) + ")");
    }

    private void fail(String message) {
        String redacted = redactor().apply(message);
        synchronized (lock) {
            pending.clear(); // an agent in ERROR takes no more turns
            emit(new AgentEvent.StatusChanged(id, 0, now(), info.status(), AgentStatus.ERROR, redacted));
            update(i -> i.withError(redacted, now()));
        }
        log.warn("agent {}: ERROR: {}", id, redacted);
    }

    private void addMessage(ConversationMessage.Type type, String text) {
        ConversationMessage m = Redaction.message(new ConversationMessage(UUID.randomUUID().toString(), type, text, now()),
                redactor());
        engine.store().appendMessage(id, m);
        emit(new AgentEvent.MessageAdded(id, 0, m.time(), m));
    }

    /** Redacts, stores and announces a driver's structured conversation entry; returns it as stored. */
    private ConversationMessage recordMessage(ConversationMessage message) {
        ConversationMessage m = Redaction.message(message, redactor());
        engine.store().appendMessage(id, m);
        emit(new AgentEvent.MessageAdded(id, 0, m.time(), m));
        return m;
    }

    private void addUsage(String usagePhase, Instant since) {
        double seconds = Duration.between(since, now()).toMillis() / 1000.0;
        emit(new AgentEvent.UsageReported(id, 0, now(), usagePhase, seconds, 0, 0));
        update(i -> i.withUsage(i.usage().plusMachineSeconds(usagePhase, seconds), now()));
    }

    // ---------------------------------------------------------------- lifecycle entry points

    /** Starts a new agent: the first prompt is its first turn. */
    public void begin() {
        synchronized (lock) {
            emit(new AgentEvent.StatusChanged(id, 0, now(), null, AgentStatus.CREATING, "spawned"));
            update(i -> i);
            pending.add(info.request().prompt());
        }
        addMessage(ConversationMessage.Type.USER_MESSAGE, info.request().prompt());
        schedule();
    }

    private void schedule() {
        synchronized (lock) {
            if (loopScheduled) {
                return;
            }
            loopScheduled = true;
        }
        engine.executor().execute(this::loop);
    }

    public void followUp(String prompt) {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("follow-up prompt must not be blank");
        }
        synchronized (lock) {
            checkNotDeleted();
            checkNotExpiring();
            AgentStatus s = info.status();
            if (!s.acceptsFollowUp()) {
                throw new ConflictException("agent " + id + " is " + s + ": it takes no follow-up"
                        + (s.equals(AgentStatus.ERROR) ? " (spawn a new agent on its branch " + info.branch() + ")" : ""));
            }
            pending.add(prompt);
            stopRequested = false;
            if (s.equals(AgentStatus.FINISHED) || s.equals(AgentStatus.STOPPED)) {
                setStatus(AgentStatus.RUNNING, "follow-up");
            }
        }
        addMessage(ConversationMessage.Type.USER_MESSAGE, prompt);
        schedule();
    }

    public void stop() {
        synchronized (lock) {
            checkNotDeleted();
            if (info.status().isFinal()) {
                throw new ConflictException("agent " + id + " is " + info.status() + ": it cannot be stopped");
            }
            pending.clear();
            if (loopScheduled) {
                stopRequested = true;
                interruptTurn();
            } else if (!info.status().equals(AgentStatus.STOPPED)) {
                setStatus(AgentStatus.STOPPED, "stopped by request");
            }
            lock.notifyAll();
        }
    }

    public void cancel() {
        boolean idle;
        synchronized (lock) {
            checkNotDeleted();
            if (info.status().isFinal()) {
                return;
            }
            pending.clear();
            cancelRequested = true;
            idle = !loopScheduled;
            if (!idle) {
                interruptTurn();
            }
            lock.notifyAll();
        }
        if (idle) {
            removeMachine("cancelled");
            setStatus(AgentStatus.CANCELLED, "cancelled by request");
        }
    }

    /** Cancels the turn's (or install's) commands and interrupts the driver; never a handoff in progress. */
    private void interruptTurn() {
        RecordingMachine v = view;
        String p = phase;
        if (v != null && !"handoff".equals(p) && !"after-turn".equals(p)) {
            v.cancelAll();
        }
        Thread t = loopThread;
        if (t != null && "turn".equals(phase)) {
            t.interrupt();
            interruptHooks.fire();
        }
    }

    public TakeOver takeOver(String person) {
        synchronized (lock) {
            checkNotDeleted();
            checkNotExpiring();
            if (info.status().isFinal() || machine == null && !info.hibernated() && !hibernating) {
                throw new ConflictException("agent " + id + " has no machine to take over (status " + info.status() + ")");
            }
            takenOver = true; // from here the idle sweep leaves the machine (and its restore) alone
        }
        if (!ensureMachine()) {
            synchronized (lock) {
                takenOver = info.takenOver();
            }
            throw new ConflictException("agent " + id + ": its machine could not be restored: " + info.error());
        }
        SessionView s;
        synchronized (lock) {
            interruptHooks.fire(); // a model call or tool in flight stops; the driver waits at its checkpoint
            emit(new AgentEvent.TakeOverChanged(id, 0, now(), true));
            update(i -> i.withTakenOver(true, now()));
            s = new SessionView();
        }
        // outside the lock: tmux round trips; the driver already waits at its checkpoint
        return TakeOverShell.open(s, person);
    }

    public void handBack() {
        synchronized (lock) {
            checkNotDeleted();
            if (!takenOver) {
                return;
            }
            takenOver = false;
            idleSince = now();
            emit(new AgentEvent.TakeOverChanged(id, 0, now(), false));
            update(i -> i.withTakenOver(false, now()));
            lock.notifyAll();
        }
    }

    public String promoteSnapshot() {
        Machine m;
        synchronized (lock) {
            checkNotDeleted();
            if (resolved == null || environmentKey == null) {
                throw new ConflictException("agent " + id + " has no environment yet");
            }
            if (!resolved.spec().effectiveAgentCanUpdateSnapshot()) {
                throw new ConflictException("environment.json does not let agents update the snapshot ("
                        + (resolved.spec().agentCanUpdateSnapshot() == Boolean.FALSE ? "agentCanUpdateSnapshot is false"
                        : "the base is a " + resolved.spec().baseKind().name().toLowerCase() + ", whose snapshot is fixed")
                        + ")");
            }
            if (machine == null && !info.hibernated() && !hibernating) {
                throw new ConflictException("agent " + id + " has no machine to snapshot");
            }
        }
        ensureMachine();
        synchronized (lock) {
            m = machine;
        }
        SnapshotInfo s = m.snapshot(engine.environments().promotionLabels(environmentKey, info.request().repository(), id));
        emit(new AgentEvent.MachineChanged(id, 0, now(), "snapshot-promoted", m.id(), s.id()));
        update(i -> i);
        return s.id();
    }

    public void delete() {
        synchronized (lock) {
            if (deleted) {
                return;
            }
            stopLoop();
            deleted = true;
            lock.notifyAll(); // waiters see the deletion at once
        }
        purge("deleted");
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
            if (deleted || expiring || info.status().isActive() || info.status().equals(AgentStatus.EXPIRED)
                    || loopScheduled || takenOver || !info.updatedAt().isBefore(cutoff)) {
                return false;
            }
            expiring = true; // follow-ups and take-overs are refused from here on
            was = info;
        }
        purge("expired");
        Instant now = now();
        // a tombstone keeps the id, the status and the times; of the request only what a listing
        // needs (the repository, without the prompt, names or labels)
        AgentRequest husk = AgentRequest.builder("[expired]", was.request().repository()).id(id)
                .driver(was.request().driver()).push(false).build();
        AgentInfo tombstone = new AgentInfo(id, husk, AgentStatus.EXPIRED, null, null, null, null, null, null,
                false, false, null, 0, was.createdAt(), now);
        synchronized (lock) {
            engine.store().delete(id);
            engine.store().put(tombstone);
            events.reset();
            info = tombstone;
            lock.notifyAll();
        }
        log.info("agent {}: expired (untouched since {})", id, was.updatedAt());
        return true;
    }

    /** Ends the work loop (waiting up to 30 s for it); called under {@link #lock}. */
    private void stopLoop() {
        pending.clear();
        cancelRequested = true;
        interruptTurn();
        lock.notifyAll();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (loopScheduled && System.nanoTime() < deadline) {
            try {
                lock.wait(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Removes the machine, the agent's snapshots and secrets, ends subscriptions, lets go of the lease. */
    private void purge(String why) {
        removeMachine(why);
        if (info.machineId() != null) { // a machine this actor never adopted (an agent from before a restart)
            engine.runtime().attach(info.machineId()).ifPresent(Machine::close);
        }
        for (SnapshotInfo s : engine.runtime().snapshots(Map.of(LABEL_AGENT, id))) {
            engine.runtime().deleteSnapshot(s.id());
        }
        events.closeAll();
        engine.secrets().agentDeleted(id);
        if (info.branch() != null) {
            engine.pushGuard().forget(info.branch());
        }
        engine.store().releaseLease(id, engine.owner());
    }

    public boolean isDeleted() {
        synchronized (lock) {
            return deleted;
        }
    }

    private void checkNotExpiring() {
        if (expiring && !info.status().equals(AgentStatus.EXPIRED)) {
            throw new ConflictException("agent " + id + " is past its retention window and being expired");
        }
    }

    private void checkNotDeleted() {
        if (deleted) {
            throw new NotFoundException("agent " + id + " was deleted");
        }
    }

    // ---------------------------------------------------------------- waiting

    public AgentInfo awaitStatus(Set<AgentStatus> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                checkNotDeleted();
                AgentStatus s = info.status();
                // EXPIRED alone: the retention sweep gets there without a call, so a settled agent is waited on
                boolean expiryAwaited = wanted.size() == 1 && wanted.contains(AgentStatus.EXPIRED);
                if (wanted.contains(s) || (SETTLED.contains(s) && !loopScheduled && pending.isEmpty()
                        && !expiryAwaited)) {
                    return info;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    List<AgentEvent> tail = events.read(Math.max(0, events.lastSequence() - 5), 5);
                    throw new NightshiftTimeoutException("agent " + id + " did not reach " + wanted + " within " + timeout
                            + "; it is " + s + " (phase " + phase + "); last events: " + tail);
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
            loopThread = Thread.currentThread();
        }
        try {
            if (info.status().equals(AgentStatus.CREATING)) {
                if (!create()) {
                    return;
                }
            }
            while (true) {
                String prompt;
                synchronized (lock) {
                    if (cancelRequested || stopRequested || pending.isEmpty() || deleted) {
                        break;
                    }
                    prompt = pending.poll();
                }
                if (!ensureMachine()) {
                    return;
                }
                setStatus(AgentStatus.RUNNING, null);
                if (!turn(prompt)) {
                    return;
                }
            }
            settle(null);
        } catch (RuntimeException | Error e) {
            log.error("agent {}: unexpected failure", id, e);
            fail("internal error: " + e);
        } finally {
            synchronized (lock) {
                loopScheduled = false;
                loopThread = null;
                idleSince = now();
                lock.notifyAll();
                if (!pending.isEmpty() && !deleted && !cancelRequested && !stopRequested
                        && !info.status().equals(AgentStatus.ERROR)) {
                    schedule();
                }
            }
            Thread.interrupted();
            MDC.remove(AgentMdc.KEY);
        }
    }

    /** The status the loop leaves the agent in when it runs out of work. */
    private void settle(String error) {
        if (deleted) {
            return;
        }
        if (cancelRequested) {
            removeMachine("cancelled");
            setStatus(AgentStatus.CANCELLED, "cancelled by request");
        } else if (error != null) {
            fail(error);
        } else if (stopRequested) {
            setStatus(AgentStatus.STOPPED, "stopped by request");
        } else {
            setStatus(AgentStatus.FINISHED, null);
        }
    }

    /** Git with this agent's credentials (its owner's; see AgentGitCredentials). */
    private GitPort git() {
        return engine.git().forAgent(info.request());
    }

    private boolean create() {
        String repo = info.request().repository();
        try {
            phase = "fetch";
            emit(new AgentEvent.BuildOutput(id, 0, now(), "fetching " + EnvironmentCache.labelSafe(repo)
                    + (info.request().ref() == null ? "" : " at " + info.request().ref())));
            GitPort.Source source = git().fetch(repo, info.request().ref());
            emit(new AgentEvent.BuildOutput(id, 0, now(), "source commit " + source.commit()));

            phase = "spec";
            resolved = engine.spec().resolve(source.tree());
            resolved.warnings().forEach(p -> emit(new AgentEvent.Warning(id, 0, now(), "spec", p.toString())));

            String branch = git().branchName(repo, info.request().prompt(), info.request().branchName());
            update(i -> i.withBranch(branch, now()));

            phase = "secrets";
            useSecrets(engine.secrets().resolve(id, repo, Map.of()));

            phase = "build";
            Instant buildStart = now();
            EnvironmentCache.Prepared prepared = engine.environments().prepare(new EnvironmentCache.Request(repo, source,
                    resolved, engine.limits().installTimeout(), engine.secrets().resolve(null, repo, Map.of()),
                    line -> emit(new AgentEvent.BuildOutput(id, 0, now(), line)),
                    warning -> emit(new AgentEvent.Warning(id, 0, now(), "snapshot-unknown", warning))).withGit(git()));
            environmentKey = prepared.key();
            user = prepared.user();
            if (prepared.built()) {
                addUsage("build", buildStart);
            }
            if (stopOrCancelRequested()) {
                settle(null);
                return false;
            }

            phase = "start-machine";
            Image image = engine.runtime().prepareImage(ImageSource.snapshot(prepared.snapshot().id()),
                    line -> emit(new AgentEvent.BuildOutput(id, 0, now(), line)));
            startMachine(image);

            phase = "checkout";
            // git's own commands run on the machine itself: not the agent's commands, not recorded as such
            git().moveIn(view.delegate(), repo, source.commit(), branch, WORKSPACE, user);
            emit(new AgentEvent.BuildOutput(id, 0, now(), "checked out " + source.commit().substring(0, 12) + " on "
                    + branch + " in " + WORKSPACE));

            if (prepared.installedAt(source.commit())) {
                // the snapshot is this commit's install: running it again would redo work (npm ci starts over)
                emit(new AgentEvent.BuildOutput(id, 0, now(), "install already ran on this commit in snapshot "
                        + prepared.snapshot().id()));
            } else {
                runPhase("install", resolved.spec().install(), engine.limits().installTimeout());
            }
            startServices();
            return true;
        } catch (AgentCancelledException e) {
            settle(null);
            return false;
        } catch (NightshiftException e) {
            if (stopOrCancelRequested()) {
                settle(null);
            } else {
                fail(e.getMessage());
            }
            return false;
        }
    }

    /** Secrets for this agent: its machine's env, redaction of what is recorded, the push guard. */
    private void useSecrets(SecretHooks.Resolved s) {
        synchronized (lock) {
            secrets = s;
        }
        UnaryOperator<String> base = engine.redactor();
        Redactor runtime = s.redactor();
        // command output left the agent's secrets behind at the byte stream (RecordingMachine)
        events.redactor(runtime.isEmpty() ? base : text -> base.apply(runtime.redact(text)), base);
        if (info.branch() != null) {
            engine.pushGuard().watch(info.branch(), s.pushGuard());
        }
    }

    /** The agent's secrets, for redacting the byte streams of its machine. */
    private Redactor secretRedactor() {
        synchronized (lock) {
            return secrets.redactor();
        }
    }

    private UnaryOperator<String> redactor() {
        return events.redactor();
    }

    private boolean stopOrCancelRequested() {
        synchronized (lock) {
            return stopRequested || cancelRequested || deleted;
        }
    }

    private void startMachine(Image image) {
        acquireSlot();
        EnvironmentSpec spec = resolved.spec();
        MachineSpec.Builder b = MachineSpec.builder(image.id()).user(user).limits(engine.machineLimits())
                .labels(engine.environments().storeLabels()) // snapshots of the machine name the store too
                .label(LABEL_AGENT, id).label(LABEL_STORE, engine.storeId()).workdir(WORKSPACE).env(engine.machineEnv());
        for (PortSpec p : spec.ports()) {
            b.port(p.port());
        }
        Machine m;
        try {
            dev.nightshift.core.internal.egress.EgressHooks.applyStart(b, engine.runtime(), spec, engine.egress()); // egress
            m = engine.runtime().start(b.build());
        } catch (RuntimeException e) {
            releaseSlot();
            throw e;
        }
        synchronized (lock) {
            machine = m;
            view = new RecordingMachine(m, id, this::emit, () -> phase, engine.clock(), this::secretEnv, this::secretRedactor);
        }
        emit(new AgentEvent.MachineChanged(id, 0, now(), "started", m.id(), null));
        update(i -> i.withMachine(m.id(), i.snapshotId(), false, now()));
    }

    /** This agent's secret variables (env and runtime kinds; never build secrets), for every exec. */
    private Map<String, String> secretEnv() {
        synchronized (lock) {
            return secrets.machineEnv();
        }
    }

    private void acquireSlot() {
        synchronized (lock) {
            if (holdsSlot) {
                return;
            }
        }
        if (!engine.machineSlots().tryAcquire(id)) {
            emit(new AgentEvent.Warning(id, 0, now(), "queued", "waiting for a machine: "
                    + engine.limits().maxRunningMachines() + " are running, the most allowed"));
            try {
                engine.machineSlots().acquire(id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentCancelledException("interrupted while waiting for a machine");
            }
        }
        synchronized (lock) {
            holdsSlot = true;
        }
    }

    private void releaseSlot() {
        synchronized (lock) {
            if (!holdsSlot) {
                return;
            }
            holdsSlot = false;
        }
        engine.machineSlots().release(id);
    }

    /** Runs a spec command ({@code install}, {@code start}) in the workspace; a failure is an agent error. */
    private void runPhase(String name, String command, Duration timeout) {
        if (command == null || command.isBlank()) {
            return;
        }
        phase = name;
        Instant start = now();
        ExecResult r = view.exec(ExecRequest.builder("bash", "-lc", command).workdir(WORKSPACE).user(user)
                .timeout(timeout).build()).await();
        addUsage(name, start);
        if (!r.isSuccess()) {
            String why = r.outcome() == ExecResult.Outcome.TIMED_OUT ? "did not finish within " + timeout
                    : r.outcome() == ExecResult.Outcome.CANCELLED ? "was cancelled"
                    : r.outcome() == ExecResult.Outcome.OOM_KILLED ? "was killed: out of memory"
                    : "exited " + r.exitCode();
            if (r.outcome() == ExecResult.Outcome.CANCELLED) {
                throw new AgentCancelledException(name + " was cancelled");
            }
            throw new NightshiftException(name + " " + why + ": " + String.join("\n", r.lastLines(20)));
        }
    }

    /** {@code start}, then the terminals: at every agent start and after every restore. */
    private void startServices() {
        runPhase("start", resolved.spec().start(), engine.limits().installTimeout());
        phase = "terminals";
        view.terminals().ensureSession(WORKSPACE); // the session a human attaches to always exists
        int n = 0;
        for (TerminalSpec t : resolved.spec().terminals()) {
            n++;
            String name = t.name() != null && !t.name().isBlank() ? t.name() : "terminal-" + n;
            view.terminals().start(name, t.command(), WORKSPACE, Map.of());
            emit(new AgentEvent.CommandStarted(id, 0, now(), "terminal:" + name, t.command()));
        }
    }

    /** Makes sure the agent has a running machine, restoring a hibernated one. */
    private boolean ensureMachine() {
        synchronized (lock) {
            while (hibernating) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AgentCancelledException("interrupted while the machine was being hibernated");
                }
            }
            if (machine != null) {
                return true;
            }
            if (!info.hibernated() || info.snapshotId() == null) {
                fail("agent " + id + " has no machine and nothing to restore it from");
                return false;
            }
        }
        String snapshotId = info.snapshotId();
        try {
            if (resolved == null) {
                GitPort.Source source = git().fetch(info.request().repository(), info.commit() != null
                        ? info.commit() : info.request().ref());
                resolved = engine.spec().resolve(source.tree());
                user = EnvironmentCache.userFor(resolved.spec(), resolved.spec().baseKind());
            }
            Image image = engine.runtime().prepareImage(ImageSource.snapshot(snapshotId), line -> { });
            startMachine(image);
            emit(new AgentEvent.MachineChanged(id, 0, now(), "restored", machine.id(), snapshotId));
            startServices();
            // the snapshot stays while the restored machine runs on it (the runtime refuses to delete it
            // before): it goes when the machine does (removeMachine) or is hibernated anew (hibernateIfIdle)
            update(i -> i.withMachine(machine.id(), snapshotId, false, now()));
            return true;
        } catch (NightshiftException e) {
            fail("cannot restore the hibernated machine from " + snapshotId + ": " + e.getMessage());
            return false;
        }
    }

    private boolean turn(String prompt) {
        AgentDriver driver = engine.drivers().get(info.request().driver());
        if (driver == null) {
            fail("no driver named '" + info.request().driver() + "'; known: " + engine.drivers().keySet());
            return false;
        }
        Duration budgetLeft = null;
        if (engine.limits().machineSecondsBudget() != null) {
            double used = info.usage().totalMachineSeconds();
            budgetLeft = engine.limits().machineSecondsBudget().minusMillis((long) (used * 1000));
            if (budgetLeft.isNegative() || budgetLeft.isZero()) {
                fail("the machine-seconds budget of " + engine.limits().machineSecondsBudget() + " is used up");
                return false;
            }
        }
        Duration limit = budgetLeft == null || engine.limits().turnTimeout().compareTo(budgetLeft) < 0
                ? engine.limits().turnTimeout() : budgetLeft;
        int number = (int) engine.store().conversation(id).stream()
                .filter(m -> m.type() == ConversationMessage.Type.USER_MESSAGE).count();
        dev.nightshift.core.internal.egress.EgressHooks.enterTurn(view.delegate(), resolved.spec(), engine.egress()); // egress
        phase = "turn";
        Instant start = now();
        ScheduledFuture<?> watchdog = engine.scheduler().schedule(() -> {
            synchronized (lock) {
                turnTimedOut = true;
                interruptTurn();
                lock.notifyAll();
            }
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        String error = null;
        String summary = null;
        try {
            TurnResult result = driver.runTurn(new Turn(Math.max(1, number), prompt), new Context());
            summary = result == null ? null : result.summary();
        } catch (AgentCancelledException e) {
            summary = "interrupted";
        } catch (InterruptedException e) {
            summary = "interrupted";
        } catch (Exception e) {
            error = "driver '" + driver.name() + "' failed: " + e.getMessage();
        } finally {
            watchdog.cancel(false);
            synchronized (lock) {
                // interrupts come only under this lock and only in the "turn" phase: none after this
                phase = "after-turn";
            }
            Thread.interrupted();
            addUsage("turn", start);
        }
        synchronized (lock) {
            if (turnTimedOut) {
                turnTimedOut = false;
                error = limit == engine.limits().turnTimeout() ? "the turn ran past its turn timeout of " + limit
                        : "the turn used up the machine-seconds budget of " + engine.limits().machineSecondsBudget()
                        + " (" + limit + " were left when it began)";
            } else if (stopRequested || cancelRequested || deleted) {
                // the driver saw its commands killed or its checkpoint refuse: that is the stop, not a failure
                error = null;
                summary = summary == null || summary.isBlank() ? "turn " + number + " interrupted" : summary;
            }
        }
        if (summary == null || summary.isBlank()) {
            summary = error != null ? "turn " + number + " failed" : "turn " + number;
        }
        summary = dev.nightshift.core.internal.egress.EgressEvents.summary(summary, // egress: blocked hosts
                dev.nightshift.core.internal.egress.EgressEvents.report(view.delegate(), start, "turn",
                        w -> emit(new AgentEvent.Warning(id, 0, now(), dev.nightshift.core.internal.egress.EgressEvents.CODE, w))));
        if (!handOff(summary)) {
            return false;
        }
        if (error != null) {
            settle(error);
            return false;
        }
        return true;
    }

    private boolean handOff(String summary) {
        phase = "handoff";
        try {
            GitPort.Handoff h = git().handOff(view.delegate(), info.request().repository(), info.branch(), WORKSPACE, user,
                    redactor().apply(summary), info.request().push());
            String recorded = redactor().apply(summary);
            emit(new AgentEvent.HandedOff(id, 0, now(), info.branch(), h.commit(), h.pushed(), recorded));
            update(i -> i.withHandoff(h.commit(), recorded, now()));
            return true;
        } catch (NightshiftException e) {
            String why = engine.pushGuard().refusal(info.branch()).map(r -> "push refused: " + r)
                    .orElse(e.getMessage());
            fail("handoff of " + info.branch() + " failed: " + why
                    + (e instanceof PushRejectedException p && p.preservedRef() != null
                            ? " (the agent's commits are kept under " + p.preservedRef() + " in the host mirror)" : ""));
            return false;
        }
    }

    // ---------------------------------------------------------------- machines

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
            if (machine == null || loopScheduled || takenOver || deleted || idleSince == null || !pending.isEmpty()
                    || Duration.between(idleSince, now).compareTo(after) < 0) {
                return false;
            }
            m = machine;
            machine = null;
            view = null;
            hibernating = true; // a follow-up or take-over meanwhile waits for the snapshot (ensureMachine)
        }
        String restoredFrom = info.snapshotId();
        try {
            SnapshotInfo s = m.hibernate(Map.of(LABEL_AGENT, id, EnvironmentCache.LABEL_KIND, "hibernation"));
            releaseSlot();
            deleteSnapshotQuietly(restoredFrom);
            synchronized (lock) {
                // the record says "hibernated" before anyone hears of it: a listener's follow-up finds the snapshot
                update(i -> i.withMachine(null, s.id(), true, now()));
                emit(new AgentEvent.MachineChanged(id, 0, now(), "hibernated", m.id(), s.id()));
                hibernating = false;
                lock.notifyAll();
            }
            return true;
        } catch (NightshiftException e) {
            log.warn("agent {}: cannot hibernate machine {}: {}", id, m.id(), e.getMessage());
            synchronized (lock) {
                machine = m;
                view = new RecordingMachine(m, id, this::emit, () -> phase, engine.clock(), this::secretEnv, this::secretRedactor);
                hibernating = false;
                lock.notifyAll();
            }
            return false;
        }
    }

    private void removeMachine(String why) {
        Machine m;
        synchronized (lock) {
            m = machine;
            machine = null;
            view = null;
        }
        if (m != null) {
            m.close();
            releaseSlot();
            emit(new AgentEvent.MachineChanged(id, 0, now(), "removed", m.id(), null));
            String restoredFrom = info.hibernated() ? null : info.snapshotId();
            deleteSnapshotQuietly(restoredFrom);
            update(i -> i.withMachine(null, restoredFrom == null ? i.snapshotId() : null, i.hibernated(), now()));
            log.info("agent {}: machine {} removed ({})", id, m.id(), why);
        }
    }

    /** Deletes a hibernation snapshot no machine runs on any more; a failure is logged (gc and delete retry). */
    private void deleteSnapshotQuietly(String snapshotId) {
        if (snapshotId == null) {
            return;
        }
        try {
            engine.runtime().deleteSnapshot(snapshotId);
        } catch (RuntimeException e) {
            log.warn("agent {}: cannot delete snapshot {}: {}", id, snapshotId, e.getMessage());
        }
    }

    /** Adopts a machine that outlived the previous engine. */
    public void adopt(Machine m, SpecPort.Resolved spec, String environmentKey) {
        synchronized (lock) {
            this.machine = m;
            this.view = new RecordingMachine(m, id, this::emit, () -> phase, engine.clock(), this::secretEnv, this::secretRedactor);
            this.resolved = spec;
            this.environmentKey = environmentKey;
            this.user = m.user();
            this.idleSince = now();
            // the machine runs already: count it, but never wait for a slot (it may be over the cap)
            engine.machineSlots().adopt(id);
            this.holdsSlot = true;
        }
    }

    /** Engine close: interrupts a running turn and lets the machine be. */
    public void detach(boolean removeMachine) {
        detach(removeMachine ? Detach.REMOVE : Detach.KEEP);
    }

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
            stopRequested = true;
            interruptTurn();
            lock.notifyAll();
            if (what == Detach.HIBERNATE) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (loopScheduled && System.nanoTime() < deadline) {
                    try {
                        lock.wait(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        if (what == Detach.HIBERNATE && hibernateIfIdle(now(), Duration.ZERO)) {
            log.info("agent {}: machine hibernated as its engine closed", id);
        }
        events.closeAll();
        if (what == Detach.REMOVE) {
            removeMachine("engine closed");
        }
    }

    public Optional<Session> session() {
        synchronized (lock) {
            return machine == null ? Optional.empty() : Optional.of(new SessionView());
        }
    }

    public void recordWarning(String code, String message) {
        emit(new AgentEvent.Warning(id, 0, now(), code, message));
    }

    public void markError(String message) {
        fail(message);
    }

    // ---------------------------------------------------------------- driver and human views

    private final class SessionView implements Session {
        private final RecordingMachine m;

        SessionView() {
            this.m = view;
        }

        @Override
        public Machine machine() {
            return m;
        }

        @Override
        public String workspace() {
            return WORKSPACE;
        }

        @Override
        public String branch() {
            return info.branch();
        }

        @Override
        public String user() {
            return user;
        }

        @Override
        public AttachInfo attach() {
            return new AttachInfo(m.terminals().attachCommand(), m.id(), user, m.terminals().sessionName());
        }

        @Override
        public void close() {
            // a view: the engine owns the machine
        }
    }

    private final class Context implements AgentContext {
        private final SessionView session = new SessionView();

        @Override
        public String agentId() {
            return id;
        }

        @Override
        public Session session() {
            return session;
        }

        @Override
        public List<ConversationMessage> conversation() {
            return engine.store().conversation(id);
        }

        @Override
        public void say(String text) {
            addMessage(ConversationMessage.Type.ASSISTANT_MESSAGE, text);
        }

        @Override
        public void warn(String message) {
            emit(new AgentEvent.Warning(id, 0, now(), "driver", message));
        }

        @Override
        public void reportUsage(long inputTokens, long outputTokens) {
            emit(new AgentEvent.UsageReported(id, 0, now(), "turn", 0, inputTokens, outputTokens));
            update(i -> i.withUsage(i.usage().plusTokens(inputTokens, outputTokens), now()));
        }

        @Override
        public void checkpoint() {
            synchronized (lock) {
                while (takenOver && !stopRequested && !cancelRequested && !turnTimedOut && !deleted) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (stopRequested || cancelRequested || turnTimedOut || deleted || Thread.currentThread().isInterrupted()) {
                    throw new AgentCancelledException("agent " + id + " was "
                            + (cancelRequested || deleted ? "cancelled" : turnTimedOut ? "timed out" : "stopped"));
                }
            }
        }

        @Override
        public boolean isCancelled() {
            synchronized (lock) {
                return stopRequested || cancelRequested || turnTimedOut || deleted;
            }
        }

        @Override
        public Optional<AgentRequest> request() {
            return Optional.of(info.request());
        }

        @Override
        public ConversationMessage record(ConversationMessage message) {
            return recordMessage(message);
        }

        @Override
        public String redact(String text) {
            return redactor().apply(text);
        }

        @Override
        public void assistantDelta(String text) {
            emit(new AgentEvent.AssistantDelta(id, 0, now(), text));
        }

        @Override
        public void toolCallStarted(String callId, String name, String arguments) {
            emit(new AgentEvent.ToolCallStarted(id, 0, now(), callId, name, arguments));
        }

        @Override
        public void toolCallFinished(String callId, String name, String arguments, boolean error, String result,
                Integer exitCode, Duration duration) {
            emit(new AgentEvent.ToolCallFinished(id, 0, now(), callId, name, arguments, error, result, exitCode,
                    duration.toMillis()));
        }

        @Override
        public void updateTodos(List<Todo> todos) {
            emit(new AgentEvent.TodosUpdated(id, 0, now(), todos));
        }

        @Override
        public void reportModelUsage(TokenUsage usage) {
            emit(new AgentEvent.ModelUsageReported(id, 0, now(), usage));
            update(i -> i.withUsage(i.usage().plus(usage), now()));
        }

        @Override
        public Registration onInterrupt(Runnable hook) {
            return interruptHooks.add(hook, () -> {
                synchronized (lock) {
                    return takenOver || stopRequested || cancelRequested || turnTimedOut || deleted;
                }
            });
        }
    }

    /** Labels for a machine of this agent (used by reattach). */
    public static Map<String, String> labels(String agentId) {
        Map<String, String> m = new HashMap<>();
        m.put(LABEL_AGENT, agentId);
        return m;
    }
}
