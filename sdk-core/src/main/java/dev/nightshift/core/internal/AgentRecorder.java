package dev.nightshift.core.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.core.internal.lifecycle.AgentMachine;
import dev.nightshift.core.internal.lifecycle.AgentScope;
import dev.nightshift.secrets.Redactor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent records: its record (persisted on every change), its events, its conversation,
 * its usage, and the secrets that decide what is redacted from all of them.
 *
 * <p><b>Thread-safety:</b> every change of the record is made under the agent's lock (given) and
 * wakes its waiters; the record itself is readable without it.
 */
final class AgentRecorder {
    private static final Logger log = LoggerFactory.getLogger(AgentScope.LOGGER);

    private final EngineContext engine;
    private final String id;
    private final EventLog events;
    private final Object lock;
    private volatile AgentInfo info;
    private SecretHooks.Resolved secrets = SecretHooks.Resolved.EMPTY;

    AgentRecorder(EngineContext engine, AgentInfo info, Object lock) {
        this.engine = engine;
        this.id = info.id();
        this.info = info;
        this.lock = lock;
        this.events = new EventLog(id, engine.store(), Math.max(info.lastSequence(), engine.store().lastSequence(id)),
                engine.redactor());
    }

    AgentInfo info() {
        return info;
    }

    EventLog events() {
        return events;
    }

    void emit(AgentEvent event) {
        events.append(event);
    }

    Instant now() {
        return engine.clock().instant();
    }

    void update(UnaryOperator<AgentInfo> change) {
        synchronized (lock) {
            info = change.apply(info).withLastSequence(events.lastSequence());
            engine.store().put(info);
            lock.notifyAll();
        }
    }

    void setStatus(AgentStatus to, String reason) {
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

    /** Puts the agent in ERROR; the caller holds the lock (and has cleared what the agent had to do). */
    void fail(String message) {
        String redacted = redactor().apply(message);
        synchronized (lock) {
            emit(new AgentEvent.StatusChanged(id, 0, now(), info.status(), AgentStatus.ERROR, redacted));
            update(i -> i.withError(redacted, now()));
        }
        log.warn("agent {}: ERROR: {}", id, redacted);
    }

    void addMessage(ConversationMessage.Type type, String text) {
        record(new ConversationMessage(UUID.randomUUID().toString(), type, text, now()));
    }

    /** Redacts, stores and announces a conversation entry; returns it as stored. */
    ConversationMessage record(ConversationMessage message) {
        ConversationMessage m = Redaction.message(message, redactor());
        engine.store().appendMessage(id, m);
        emit(new AgentEvent.MessageAdded(id, 0, m.time(), m));
        return m;
    }

    void addUsage(String usagePhase, Instant since) {
        double seconds = Duration.between(since, now()).toMillis() / 1000.0;
        emit(new AgentEvent.UsageReported(id, 0, now(), usagePhase, seconds, 0, 0));
        update(i -> i.withUsage(i.usage().plusMachineSeconds(usagePhase, seconds), now()));
    }

    /** Secrets for this agent: its machine's env, redaction of what is recorded, the push guard. */
    void useSecrets(SecretHooks.Resolved s) {
        synchronized (lock) {
            secrets = s;
        }
        UnaryOperator<String> base = engine.redactor();
        Redactor runtime = s.redactor();
        // command output left the agent's secrets behind at the byte stream (RecordingMachine)
        events.redactor(runtime.isEmpty() ? base : text -> base.apply(runtime.redact(text)), base);
        if (info.branch().isPresent()) {
            engine.pushGuard().watch(info.branch().get(), s.pushGuard());
        }
    }

    /** The agent's secrets, for redacting the byte streams of its machine. */
    Redactor secretRedactor() {
        synchronized (lock) {
            return secrets.redactor();
        }
    }

    /** The agent's secrets as resolved (what its machine's commands get, and what a build would). */
    SecretHooks.Resolved secrets() {
        synchronized (lock) {
            return secrets;
        }
    }

    /** This agent's secret variables (env and runtime kinds; never build secrets), for every exec. */
    Map<String, String> secretEnv() {
        synchronized (lock) {
            return secrets.machineEnv();
        }
    }

    UnaryOperator<String> redactor() {
        return events.redactor();
    }

    /** Removes the machine, the agent's snapshots and secrets, ends subscriptions, lets go of the lease. */
    void purge(AgentMachine machines, String why) {
        machines.remove(why);
        if (info.machineId().isPresent()) { // a machine this actor never adopted (an agent from before a restart)
            engine.runtime().attach(info.machineId().get()).ifPresent(Machine::close);
        }
        for (SnapshotInfo s : engine.runtime().snapshots(Map.of(AgentMachine.LABEL_AGENT, id))) {
            // its machine's label is on every snapshot of it; those that became the environment's
            // (promoted, or kept after an install re-run) are the cache's now, and ImageGc's to remove
            if (!List.of("environment", "promoted").contains(s.labels().get(EnvironmentCache.LABEL_KIND))) {
                engine.runtime().deleteSnapshot(s.id());
            }
        }
        events.closeAll();
        engine.secrets().agentDeleted(id);
        info.branch().ifPresent(b -> engine.pushGuard().forget(b));
        engine.store().releaseLease(id, engine.owner());
    }

    /** Replaces the purged agent {@code was} by its tombstone: status EXPIRED, no events or conversation. */
    void bury(AgentInfo was) {
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
    }
}
