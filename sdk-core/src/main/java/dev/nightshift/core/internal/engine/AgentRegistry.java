package dev.nightshift.core.internal.engine;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Page;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.core.internal.AgentActor;
import dev.nightshift.core.internal.AgentHandle;
import dev.nightshift.core.internal.AgentMdc;
import dev.nightshift.core.internal.DrivenElsewhereException;
import dev.nightshift.core.internal.EngineContext;
import dev.nightshift.core.internal.ReadOnlyAgent;
import dev.nightshift.core.internal.RemoteControls;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents this engine drives, by id: one {@link AgentActor} each, created when an agent is
 * spawned, when a control reaches an agent this engine does not drive yet (it takes the lease and
 * adopts the machine), or when the engine starts ({@link #reattach()}). Handles given out route
 * controls to the actor, or, for an agent another engine drives, through the store's inbox.
 *
 * <p><b>Thread-safety:</b> thread-safe; creating an actor happens under {@link #spawnLock()}.
 */
final class AgentRegistry {
    private final EngineContext context;
    private final RemoteControls remoteControls;
    private final Duration lease;
    private final Map<String, AgentActor> actors = new ConcurrentHashMap<>();
    private final Object spawnLock = new Object();

    AgentRegistry(EngineContext context, RemoteControls remoteControls, Duration lease) {
        this.context = context;
        this.remoteControls = remoteControls;
        this.lease = lease;
    }

    /** The live map of actors (shared with the lease take-over and the sweep). */
    Map<String, AgentActor> actors() {
        return actors;
    }

    /** Held while an actor is created, so one agent never gets two. */
    Object spawnLock() {
        return spawnLock;
    }

    /** Stores and begins a new agent of {@code request} (its id set); the same request again returns the agent. */
    Agent spawn(AgentRequest normalized) {
        String id = normalized.id().orElseThrow();
        synchronized (spawnLock) {
            Optional<AgentInfo> existing = context.store().get(id);
            if (existing.isPresent()) {
                if (existing.get().request().equals(normalized)) {
                    return handle(id);
                }
                throw new ConflictException("agent " + id + " already exists with a different request");
            }
            if (!context.store().acquireLease(id, context.owner(), lease)) {
                throw new ConflictException("agent " + id + " is driven by another engine");
            }
            AgentInfo info = AgentInfo.creating(id, normalized, context.clock().instant());
            context.store().put(info);
            AgentActor actor = new AgentActor(context, info);
            actors.put(id, actor);
            try (AgentMdc m = AgentMdc.of(id)) {
                actor.begin();
            }
        }
        return handle(id);
    }

    /** The agent with {@code id}, if it exists (tombstones included). */
    Optional<Agent> get(String id) {
        AgentActor known = actors.get(id);
        if (known != null && known.isDeleted()) {
            actors.remove(id, known);
        }
        if (actors.containsKey(id) || context.store().get(id).isPresent()) {
            return Optional.of(handle(id));
        }
        return Optional.empty();
    }

    /** The agent's record: the actor's when this engine drives it, else the store's. */
    Optional<AgentInfo> info(String id) {
        return actors.containsKey(id) ? Optional.of(actors.get(id).info()) : context.store().get(id);
    }

    private Agent handle(String id) {
        return new AgentHandle(id, this::actor, this::readOnly, remoteControls);
    }

    /** A handle that runs controls here and never forwards them again (for controls other engines sent). */
    Agent localHandle(String id) {
        return new AgentHandle(id, this::actor, this::readOnly);
    }

    /** A view of an agent another engine drives: reads from the store, refuses controls. */
    private Agent readOnly(String id) {
        return new ReadOnlyAgent(id, context.store());
    }

    private AgentActor actor(String id) {
        AgentActor a = actors.get(id);
        if (a != null && !a.isDeleted()) {
            return a;
        }
        if (a != null) {
            actors.remove(id, a);
        }
        // an agent this engine does not drive yet (from before a restart, or let go by another
        // engine): take its lease, then read it afresh and adopt its machine if it lives
        synchronized (spawnLock) {
            return actors.computeIfAbsent(id, k -> {
                if (context.store().get(id).isEmpty()) {
                    throw new NotFoundException("no agent with id " + id);
                }
                if (!context.store().acquireLease(id, context.owner(), lease)) {
                    throw new DrivenElsewhereException("agent " + id + " is driven by another engine"
                            + (context.store().supportsControls() ? "" : " and the store carries no controls between"
                            + " engines; it lets go when the agent's turn ends"));
                }
                AgentInfo info = context.store().get(id).orElseThrow(() -> new NotFoundException("no agent with id " + id));
                AgentActor actor = new AgentActor(context, info);
                if (info.machineId().isPresent() && !info.status().isFinal()) {
                    context.runtime().attach(info.machineId().get()).ifPresent(m -> actor.adopt(m, null, null));
                }
                return actor;
            });
        }
    }

    /** Reattaches agents a previous engine left: adopt live machines, report the rest. */
    void reattach() {
        String cursor = null;
        do {
            Page<AgentInfo> page = context.store().list(AgentQuery.all().withLimit(1000).withCursor(cursor));
            for (AgentInfo info : page.items()) {
                if (info.status().isFinal()) {
                    continue;
                }
                boolean active = info.status().isActive();
                boolean hasMachine = info.machineId().isPresent();
                if (!active && !hasMachine) {
                    continue;
                }
                if (!context.store().acquireLease(info.id(), context.owner(), lease)) {
                    continue;
                }
                AgentActor actor = new AgentActor(context, info);
                actors.put(info.id(), actor);
                Optional<Machine> machine = info.machineId().flatMap(context.runtime()::attach);
                if (machine.isPresent()) {
                    actor.adopt(machine.get(), null, null);
                    if (active) {
                        actor.recordWarning("reattached", "the engine restarted while the agent was " + info.status()
                                + "; its machine " + info.machineId().get() + " was reattached and the interrupted turn stopped");
                        actor.markError("the engine stopped during " + info.status()
                                + "; the machine lives: send a new agent or take over to continue");
                    }
                } else if (active) {
                    actor.markError("the engine stopped while the agent was " + info.status()
                            + (hasMachine ? " and its machine " + info.machineId().get() + " is gone" : ""));
                }
            }
            cursor = page.next();
        } while (cursor != null);
    }
}
