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
    private final RemoteControls remote;

    /**
     * @param actors the actor driving an agent (taking its lease; {@link ConflictException} when
     *     another engine holds it)
     * @param readOnly a store-backed view, used for reads when another engine drives the agent
     * @param remote sends controls to the engine that drives the agent when this one does not
     *     (null: such controls are refused with the {@link DrivenElsewhereException})
     */
    public AgentHandle(String id, Function<String, AgentActor> actors, Function<String, Agent> readOnly,
            RemoteControls remote) {
        this.id = id;
        this.actors = actors;
        this.readOnly = readOnly;
        this.remote = remote;
    }

    /** A handle that never forwards controls (what the engine uses to run controls it received). */
    public AgentHandle(String id, Function<String, AgentActor> actors, Function<String, Agent> readOnly) {
        this(id, actors, readOnly, null);
    }

    /**
     * Runs a control here when this engine may drive the agent, else sends it to the engine that
     * does; when that one lets go before taking it, tries here again.
     */
    private <T> T control(String action, String argument, Function<AgentActor, T> local, Function<String, T> decode) {
        try (AgentMdc m = AgentMdc.of(id)) {
            for (int attempt = 1; ; attempt++) {
                AgentActor a;
                try {
                    a = actor();
                } catch (DrivenElsewhereException e) {
                    if (remote == null || attempt > 5) {
                        throw e;
                    }
                    RemoteControls.Outcome o = remote.send(id, action, argument, e);
                    if (o.driverGone()) {
                        continue;
                    }
                    return decode.apply(o.value());
                }
                return local.apply(a);
            }
        }
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
        control("followUp", prompt, a -> {
            a.followUp(prompt);
            return null;
        }, v -> null);
    }
    @Override
    public void stop() {
        control("stop", null, a -> {
            a.stop();
            return null;
        }, v -> null);
    }
    @Override
    public void cancel() {
        control("cancel", null, a -> {
            a.cancel();
            return null;
        }, v -> null);
    }
    @Override
    public TakeOver takeOver() {
        return takeOver(TakeOverShell.defaultPerson());
    }
    @Override
    public TakeOver takeOver(String person) {
        String who = TakeOverShell.checkPerson(person);
        return control("takeOver", who, a -> a.takeOver(who), v -> remote.takeOver(v));
    }
    @Override
    public void handBack() {
        control("handBack", null, a -> {
            a.handBack();
            return null;
        }, v -> null);
    }
    @Override
    public String promoteSnapshot() {
        return control("promoteSnapshot", null, AgentActor::promoteSnapshot, v -> v);
    }
    @Override
    public void updateEgress(dev.nightshift.api.runtime.EgressPolicy policy) {
        java.util.Objects.requireNonNull(policy, "policy");
        control("updateEgress", dev.nightshift.core.internal.egress.EgressOverride.encode(policy), a -> {
            a.updateEgress(policy);
            return null;
        }, v -> null);
    }
    @Override
    public void delete() {
        control("delete", null, a -> {
            a.delete();
            return null;
        }, v -> null);
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
        AgentActor a = actorOrNull();
        return a != null ? a.session() : readOnly.apply(id).session(); // none here while another engine drives it
    }

    @Override
    public String toString() {
        return "Agent[" + id + "]";
    }
}
