package dev.nightshift.core.internal;

import dev.nightshift.api.spi.AgentStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The {@code maxRunningMachines} count: a fair semaphore inside this engine (agents queue in
 * order) plus a lease-backed counter in the {@link AgentStore}, so the limit holds across every
 * process sharing the state directory. A slot's lease is renewed by the engine's sweep
 * ({@link #renewAll}); a slot of an engine that died lapses with its lease, or at once when its
 * process is known to be gone.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per engine.
 */
public final class MachineSlots {
    private static final long FIRST_WAIT_MS = 100;
    private static final long MAX_WAIT_MS = 2000;
    private final int max;
    private final Semaphore local;
    private final AgentStore store;
    private final String owner;
    private final Duration ttl;
    /** Holders with a store slot, and whether each also holds a local permit. */
    private final Map<String, Boolean> held = new ConcurrentHashMap<>();

    public MachineSlots(int max, AgentStore store, String owner, Duration ttl) {
        this.max = max;
        this.local = new Semaphore(max, true);
        this.store = store;
        this.owner = owner;
        this.ttl = ttl;
    }

    /** Takes a slot for {@code holder} if one is free now, here and in the store. */
    public boolean tryAcquire(String holder) {
        if (!local.tryAcquire()) {
            return false;
        }
        if (store.acquireMachineSlot(holder, owner, max, ttl)) {
            held.put(holder, true);
            return true;
        }
        local.release();
        return false;
    }

    /**
     * Takes a slot for {@code holder}, waiting up to {@code maxWait} for one: in order behind this
     * engine's other agents, then until another process sharing the store gives one up (the store
     * is asked again after 0.1 s, doubling to 2 s). False when none came in time.
     */
    public boolean acquire(String holder, java.time.Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        if (!local.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            long wait = FIRST_WAIT_MS;
            while (!store.acquireMachineSlot(holder, owner, max, ttl)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    local.release();
                    return false;
                }
                // another process holds the slots: ask the store again
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(wait)));
                wait = Math.min(MAX_WAIT_MS, wait * 2);
            }
        } catch (InterruptedException | RuntimeException e) {
            local.release();
            throw e;
        }
        held.put(holder, true);
        return true;
    }

    /**
     * Counts a machine that already runs (adopted after a restart): never waits, so the count may
     * go over the limit until the machine hibernates or goes.
     */
    public void adopt(String holder) {
        boolean permit = local.tryAcquire();
        store.acquireMachineSlot(holder, owner, Integer.MAX_VALUE, ttl);
        held.put(holder, permit);
    }

    /** Gives up {@code holder}'s slot, if it has one. */
    public void release(String holder) {
        Boolean permit = held.remove(holder);
        if (permit == null) {
            return;
        }
        if (permit) {
            local.release();
        }
        store.releaseMachineSlot(holder, owner);
    }

    /** Renews the store leases of every slot held here (the engine's sweep). */
    public void renewAll() {
        for (String holder : held.keySet()) {
            store.acquireMachineSlot(holder, owner, Integer.MAX_VALUE, ttl);
        }
    }

    /** The limit. */
    public int max() {
        return max;
    }
}
