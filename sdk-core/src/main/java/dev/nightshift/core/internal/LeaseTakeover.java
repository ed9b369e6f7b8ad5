package dev.nightshift.core.internal;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.Page;
import dev.nightshift.api.runtime.Machine;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ownership of agents among the engines that share one store, run by the engine's periodic sweep.
 *
 * <ul>
 *   <li>{@link #renew} keeps this engine's lease on an agent it drives; when another engine holds
 *       the lease (this engine stalled past its expiry, e.g. while the store was unreachable, and
 *       the other took the agent over), this engine lets the agent go: its turn is interrupted, its
 *       machine left to the new owner.</li>
 *   <li>{@link #takeOverExpired} takes over every agent whose engine stopped renewing its lease
 *       (it died): a non-final agent that is working or has a machine. A machine that lives on this
 *       engine's runtime is adopted; an agent that was working is moved to {@code ERROR} (its turn
 *       died with its engine; its machine lives for a take-over or a new agent), as a restarted
 *       engine does. Each take-over is recorded as a {@code lease-taken-over} warning event.</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> called from the engine's single scheduler thread; adoption runs under
 * the engine's spawn lock, so it never races a spawn or a control that adopts the same agent.
 */
public final class LeaseTakeover {
    /** The code of the warning event a take-over records. */
    public static final String WARNING = "lease-taken-over";
    private static final Logger log = LoggerFactory.getLogger(LeaseTakeover.class);

    private final EngineContext context;
    private final Map<String, AgentActor> actors;
    private final Object adoptLock;
    private final Duration lease;

    /**
     * @param actors the engine's agents by id (shared, concurrent)
     * @param adoptLock the lock under which the engine adds agents to {@code actors}
     * @param lease how long a lease lasts
     */
    public LeaseTakeover(EngineContext context, Map<String, AgentActor> actors, Object adoptLock, Duration lease) {
        this.context = context;
        this.actors = actors;
        this.adoptLock = adoptLock;
        this.lease = lease;
    }

    /**
     * Renews this engine's lease on {@code actor}'s agent. False when another engine holds it: the
     * actor is then detached (its turn interrupted, its machine kept for the new owner) and dropped.
     */
    public boolean renew(AgentActor actor) {
        if (context.store().acquireLease(actor.id(), context.owner(), lease)) {
            return true;
        }
        log.warn("agent {}: another engine holds its lease now (this engine missed renewing it); letting it go",
                actor.id());
        actors.remove(actor.id(), actor);
        actor.detach(AgentActor.Detach.KEEP);
        return false;
    }

    /** Takes over the agents whose engine stopped renewing their lease; returns how many. */
    public int takeOverExpired() {
        int taken = 0;
        String cursor = null;
        do {
            Page<AgentInfo> page = context.store().list(AgentQuery.all().withLimit(1000).withCursor(cursor));
            for (AgentInfo info : page.items()) {
                if (needsAnEngine(info) && !actors.containsKey(info.id())) {
                    try (AgentMdc m = AgentMdc.of(info.id())) {
                        if (takeOver(info.id())) {
                            taken++;
                        }
                    } catch (RuntimeException e) {
                        log.warn("agent {}: take-over failed: {}", info.id(), e.toString());
                    }
                }
            }
            cursor = page.next();
        } while (cursor != null);
        return taken;
    }

    /** Not final, and working or holding a machine: an engine must drive it. */
    private static boolean needsAnEngine(AgentInfo info) {
        return !info.status().isFinal() && (info.status().isActive() || info.machineId().isPresent());
    }

    private boolean takeOver(String id) {
        synchronized (adoptLock) {
            if (actors.containsKey(id) || !context.store().acquireLease(id, context.owner(), lease)) {
                return false; // ours already, or its engine is alive
            }
            Optional<AgentInfo> fresh = context.store().get(id); // read after the lease: the last owner's final word
            if (fresh.isEmpty() || !needsAnEngine(fresh.get())) {
                context.store().releaseLease(id, context.owner());
                return false;
            }
            AgentInfo info = fresh.get();
            AgentActor actor = new AgentActor(context, info);
            actors.put(id, actor);
            Optional<Machine> machine = info.machineId().flatMap(context.runtime()::attach);
            machine.ifPresent(mc -> actor.adopt(mc, null, null));
            String where = machine.isPresent() ? "its machine " + info.machineId().get() + " was reattached"
                    : info.machineId().map(mid -> "its machine " + mid + " is gone").orElse("it had no machine");
            actor.recordWarning(WARNING, "the engine driving the agent stopped renewing its lease while it was "
                    + info.status() + "; engine " + context.owner() + " took it over and " + where);
            if (info.status().isActive()) {
                actor.markError("the engine driving the agent stopped during " + info.status()
                        + (machine.isPresent() ? "; the machine lives: send a new agent or take over to continue"
                                : info.machineId().map(mid -> " and its machine " + mid + " is gone").orElse("")));
            }
            log.info("agent {}: taken over from an engine that stopped renewing its lease ({}, {})", id,
                    info.status(), where);
            return true;
        }
    }
}
