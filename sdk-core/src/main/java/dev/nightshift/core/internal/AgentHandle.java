package dev.nightshift.core.internal;

import dev.nightshift.api.ConflictException;
import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentListener;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Session;
import dev.nightshift.api.Subscription;
import dev.nightshift.api.TakeOver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** The public face of an agent: looks its actor up on every call, so it notices deletion. */
public final class AgentHandle implements Agent {
    private final String id;
    private final Function<String, AgentActor> actors;
    private final Function<String, Agent> readOnly;

    /**
     * @param actors the actor driving an agent (taking its lease; {@link ConflictException} when
     *     another engine holds it)
     * @param readOnly a store-backed view, used for reads when another engine drives the agent
     */
    public AgentHandle(String id, Function<String, AgentActor> actors, Function<String, Agent> readOnly) {
        this.id = id;
        this.actors = actors;
        this.readOnly = readOnly;
    }

    private AgentActor actor() {
        return actors.apply(id);
    }

    /** The actor when this engine may drive the agent, else null (reads then go to the store). */
    private AgentActor actorOrNull() {
        try {
            return actors.apply(id);
        } catch (ConflictException e) {
            return null;
        }
    }

    @Override public String id() { return id; }
    @Override
    public AgentInfo info() {
        AgentActor a = actorOrNull();
        return a != null ? a.info() : readOnly.apply(id).info();
    }

    @Override
    public void followUp(String prompt) {
        try (AgentMdc m = AgentMdc.of(id)) {
            actor().followUp(prompt);
        }
    }
    @Override
    public void stop() {
        try (AgentMdc m = AgentMdc.of(id)) {
            actor().stop();
        }
    }
    @Override
    public void cancel() {
        try (AgentMdc m = AgentMdc.of(id)) {
            actor().cancel();
        }
    }
    @Override
    public TakeOver takeOver() {
        return takeOver(TakeOverShell.defaultPerson());
    }
    @Override
    public TakeOver takeOver(String person) {
        try (AgentMdc m = AgentMdc.of(id)) {
            return actor().takeOver(TakeOverShell.checkPerson(person));
        }
    }
    @Override
    public void handBack() {
        try (AgentMdc m = AgentMdc.of(id)) {
            actor().handBack();
        }
    }
    @Override
    public String promoteSnapshot() {
        try (AgentMdc m = AgentMdc.of(id)) {
            return actor().promoteSnapshot();
        }
    }
    @Override
    public void delete() {
        try (AgentMdc m = AgentMdc.of(id)) {
            actor().delete();
        }
    }

    @Override
    public List<ConversationMessage> conversation() {
        AgentActor a = actorOrNull();
        if (a == null) {
            return readOnly.apply(id).conversation();
        }
        a.info();
        return a.conversation();
    }

    @Override
    public List<AgentEvent> events(long afterSequence, int limit) {
        AgentActor a = actorOrNull();
        if (a == null) {
            return readOnly.apply(id).events(afterSequence, limit);
        }
        a.info();
        return a.events().read(afterSequence, limit);
    }

    @Override
    public Subscription addListener(AgentListener listener, long afterSequence) {
        AgentActor a = actorOrNull();
        if (a == null) {
            return readOnly.apply(id).addListener(listener, afterSequence);
        }
        a.info();
        return a.events().subscribe(listener, afterSequence);
    }

    @Override
    public AgentInfo awaitStatus(Set<AgentStatus> statuses, Duration timeout) {
        AgentActor a = actorOrNull();
        return a != null ? a.awaitStatus(statuses, timeout) : readOnly.apply(id).awaitStatus(statuses, timeout);
    }

    @Override
    public Optional<Session> session() {
        return actor().session();
    }

    @Override
    public String toString() {
        return "Agent[" + id + "]";
    }
}
