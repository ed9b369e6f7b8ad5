package dev.nightshift.core.internal.engine;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.Page;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.core.Nightshift;
import dev.nightshift.core.internal.AgentActor;
import dev.nightshift.core.internal.AgentMdc;
import dev.nightshift.core.internal.EngineContext;
import dev.nightshift.core.internal.ImageGc;
import dev.nightshift.core.internal.LeaseTakeover;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's housekeeping, on its schedule ({@link #sweep()}) and on demand ({@link #gcNow()}):
 * renews the leases of the agents it drives and takes over those whose engine died, hibernates idle
 * machines, renews the running-machine slots, expires agents past the retention window, purges old
 * controls from the store's inbox, and removes machines and images nothing needs any more.
 *
 * <p><b>Thread-safety:</b> runs on the engine's scheduler; {@link #gcNow()} may run beside it
 * (each step tolerates the other).
 */
final class Sweeper {
    private static final Logger log = LoggerFactory.getLogger(Nightshift.class);
    /** The least age at which the sweep purges a control from the store's inbox (or twice the control timeout). */
    static final Duration CONTROL_RETENTION = Duration.ofHours(1);

    private final EngineContext context;
    private final AgentRegistry agents;
    private final LeaseTakeover leases;
    private final ImageGc images;
    private final Duration imageGracePeriod;
    private final int environmentSnapshotsKept;
    private final Duration lease;
    /** Controls sent longer ago than this are purged from the store's inbox (their senders gave up). */
    private final Duration controlRetention;
    private Instant lastControlPurge = Instant.MIN;

    Sweeper(EngineContext context, AgentRegistry agents, LeaseTakeover leases, ImageGc images, Duration imageGracePeriod,
            int environmentSnapshotsKept, Duration controlTimeout, Duration lease) {
        this.context = context;
        this.agents = agents;
        this.leases = leases;
        this.images = images;
        this.imageGracePeriod = imageGracePeriod;
        this.environmentSnapshotsKept = environmentSnapshotsKept;
        this.lease = lease;
        Duration twice = controlTimeout.multipliedBy(2);
        this.controlRetention = twice.compareTo(CONTROL_RETENTION) > 0 ? twice : CONTROL_RETENTION;
    }

    /** What {@code Nightshift.gc()} does: the sweep's removals now, without the grace period. */
    Nightshift.GcReport gcNow() {
        int machines = removeOrphanMachines();
        int expired = expire(context.clock().instant());
        ImageGc.Result r = collectImages(context.clock().instant());
        return new Nightshift.GcReport(machines, r.snapshots(), expired, r.images());
    }

    void sweep() {
        try {
            Instant now = context.clock().instant();
            for (AgentActor a : agents.actors().values()) {
                try (AgentMdc m = AgentMdc.of(a.id())) {
                    if (!leases.renew(a)) {
                        continue; // another engine took it over
                    }
                    a.hibernateIfIdle(now);
                } catch (RuntimeException e) {
                    log.warn("sweep of agent {} failed: {}", a.id(), e.toString());
                }
            }
            leases.takeOverExpired(); // agents whose engine died
            try {
                context.machineSlots().renewAll();
            } catch (RuntimeException e) {
                log.warn("renewing the running-machine slots failed: {}", e.toString());
            }
            expire(now);
            purgeControls();
            if (!imageGracePeriod.isNegative()) {
                collectImages(now.minus(imageGracePeriod));
            }
        } catch (RuntimeException e) {
            log.warn("sweep failed: {}", e.toString());
        }
    }

    private ImageGc.Result collectImages(Instant cutoff) {
        return images.collect(cutoff, environmentSnapshotsKept, agents::info);
    }

    /** Removes this store's machines whose agent is gone or final; returns how many. */
    int removeOrphanMachines() {
        int removed = 0;
        for (MachineInfo m : context.runtime().machines(Map.of(AgentActor.LABEL_STORE, context.storeId()))) {
            String agentId = m.labels().get(AgentActor.LABEL_AGENT);
            if (agentId == null || agents.actors().containsKey(agentId)) {
                continue;
            }
            Optional<AgentInfo> a = context.store().get(agentId);
            if (a.isEmpty() || a.get().status().isFinal()) {
                context.runtime().attach(m.id()).ifPresent(Machine::close);
                log.info("removed machine {} of {} agent {}", m.id(), a.isEmpty() ? "deleted" : "final", agentId);
                removed++;
            }
        }
        return removed;
    }

    /** At most once a minute: drops controls older than {@link #controlRetention} (wall clock, as they are sent). */
    private void purgeControls() {
        Instant now = Instant.now();
        if (Duration.between(lastControlPurge, now).compareTo(Duration.ofMinutes(1)) < 0) {
            return;
        }
        lastControlPurge = now;
        int purged = context.store().purgeControls(now.minus(controlRetention));
        if (purged > 0) {
            log.info("purged {} control(s) older than {} from the store's inbox", purged, controlRetention);
        }
    }

    /** Purges agents untouched for longer than the retention window, leaving a tombstone. */
    private int expire(Instant now) {
        Instant cutoff = now.minus(context.limits().retention());
        String cursor = null;
        List<AgentInfo> old = new ArrayList<>();
        do {
            Page<AgentInfo> page = context.store().list(AgentQuery.all().withLimit(1000).withCursor(cursor));
            page.items().stream().filter(i -> !i.status().equals(AgentStatus.EXPIRED) && !i.status().isActive()
                    && i.updatedAt().isBefore(cutoff)).forEach(old::add);
            cursor = page.next();
        } while (cursor != null);
        int expired = 0;
        for (AgentInfo info : old) {
            if (!context.store().acquireLease(info.id(), context.owner(), lease)) {
                continue;
            }
            AgentActor a = agents.actors().get(info.id());
            if (a == null || a.isDeleted()) {
                a = new AgentActor(context, info);
            }
            try (AgentMdc m = AgentMdc.of(info.id())) {
                if (a.expire(cutoff)) { // the actor now stands for the tombstone
                    expired++;
                }
            }
        }
        return expired;
    }
}
