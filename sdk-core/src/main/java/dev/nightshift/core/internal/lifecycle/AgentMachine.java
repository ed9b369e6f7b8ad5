package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.api.spec.PortSpec;
import dev.nightshift.core.internal.EngineContext;
import dev.nightshift.core.internal.RecordingMachine;
import dev.nightshift.core.internal.egress.EgressHooks;
import dev.nightshift.secrets.Redactor;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's machine: starting it (with a running-machine slot), its recording view, removing it,
 * handing it to hibernation and taking it back.
 *
 * <p><b>Thread-safety:</b> state under the agent's lock (given); runtime calls outside it.
 */
public final class AgentMachine {
    private static final Logger log = LoggerFactory.getLogger(AgentScope.LOGGER);
    /** Labels an agent's machines and snapshots with its id. */
    public static final String LABEL_AGENT = "dev.nightshift.agent";
    /** Which agent store (state directory) an agent's machine belongs to. */
    public static final String LABEL_STORE = "dev.nightshift.store";
    /** Where an agent's repository is checked out on its machine. */
    public static final String WORKSPACE = dev.nightshift.api.Session.DEFAULT_WORKSPACE;

    private final AgentScope agent;
    private final Object lock;
    private final Supplier<Map<String, String>> secretEnv;
    private final Supplier<Redactor> secretRedactor;
    private Machine machine;
    private RecordingMachine view;
    private boolean holdsSlot;

    public AgentMachine(AgentScope agent, Supplier<Map<String, String>> secretEnv, Supplier<Redactor> secretRedactor) {
        this.agent = agent;
        this.lock = agent.lock();
        this.secretEnv = secretEnv;
        this.secretRedactor = secretRedactor;
    }

    private EngineContext engine() {
        return agent.engine();
    }

    /** The running machine, or null. */
    public Machine current() {
        synchronized (lock) {
            return machine;
        }
    }

    /** The recording view of the running machine (what the driver and humans use), or null. */
    public RecordingMachine view() {
        synchronized (lock) {
            return view;
        }
    }

    private void use(Machine m) {
        machine = m;
        view = m == null ? null : new RecordingMachine(m, agent.id(), agent::emit, () -> agent.phase().label(),
                engine().clock(), secretEnv, secretRedactor);
    }

    /** Starts a machine on {@code image} (waiting for a slot), records it and returns it. */
    public Machine start(Image image, String user, EnvironmentSpec spec) {
        acquireSlot();
        MachineSpec.Builder b = MachineSpec.builder(image.id()).user(user)
                .limits(engine().limits().machine().orElse(null))
                .labels(engine().environments().storeLabels()) // snapshots of the machine name the store too
                .label(LABEL_AGENT, agent.id()).label(LABEL_STORE, engine().storeId()).workdir(WORKSPACE)
                .env(engine().machineEnv()).keepOnOwnerExit(true); // a later engine reattaches it
        for (PortSpec p : spec.ports()) {
            b.port(p.port());
        }
        Machine m;
        java.util.Optional<EgressPolicy> override;
        try {
            // egress: the policy set on the agent, else the spec's for its setup and turns
            override = agent.egressOverride().current();
            if (override.isPresent()) {
                EgressHooks.applyOverride(b, engine().runtime(), override.get());
            } else {
                EgressHooks.applyStart(b, engine().runtime(), spec, engine().egress());
            }
            m = engine().runtime().start(b.build());
        } catch (RuntimeException e) {
            releaseSlot();
            throw e;
        }
        synchronized (lock) {
            use(m);
        }
        java.util.Optional<EgressPolicy> now = agent.egressOverride().current();
        if (now.isPresent() && !now.equals(override)) { // set while the machine started
            try {
                m.updateEgress(now.get());
            } catch (RuntimeException e) {
                log.warn("agent {}: the network policy set while machine {} started does not apply to it yet: {}",
                        agent.id(), m.id(), e.getMessage());
            }
        }
        agent.emit(new AgentEvent.MachineChanged(agent.id(), 0, agent.now(), "started", m.id(), null));
        agent.update(i -> i.withMachine(m.id(), i.snapshotId().orElse(null), false, agent.now()));
        return m;
    }

    /** Adopts a machine that outlived the previous engine: counted, never waiting for a slot. */
    public void adopt(Machine m) {
        synchronized (lock) {
            use(m);
            engine().machineSlots().adopt(agent.id());
            holdsSlot = true;
        }
    }

    /** Lets go of the machine for hibernation (the caller holds the lock); null when there is none. */
    public Machine release() {
        Machine m = machine;
        use(null);
        return m;
    }

    /** Takes back a machine whose hibernation failed (the caller holds the lock). */
    public void takeBack(Machine m) {
        use(m);
    }

    /** Removes the machine (and the snapshot it was restored from), if there is one. */
    public void remove(String why) {
        Machine m;
        synchronized (lock) {
            m = release();
        }
        if (m != null) {
            m.close();
            releaseSlot();
            agent.emit(new AgentEvent.MachineChanged(agent.id(), 0, agent.now(), "removed", m.id(), null));
            String restoredFrom = agent.info().hibernated() ? null : agent.info().snapshotId().orElse(null);
            deleteSnapshotQuietly(restoredFrom);
            agent.update(i -> i.withMachine(null, restoredFrom == null ? i.snapshotId().orElse(null) : null, i.hibernated(),
                    agent.now()));
            log.info("agent {}: machine {} removed ({})", agent.id(), m.id(), why);
        }
    }

    /** Deletes a hibernation snapshot no machine runs on any more; a failure is logged (gc and delete retry). */
    public void deleteSnapshotQuietly(String snapshotId) {
        if (snapshotId == null) {
            return;
        }
        try {
            engine().runtime().deleteSnapshot(snapshotId);
        } catch (RuntimeException e) {
            log.warn("agent {}: cannot delete snapshot {}: {}", agent.id(), snapshotId, e.getMessage());
        }
    }

    private void acquireSlot() {
        synchronized (lock) {
            if (holdsSlot) {
                return;
            }
        }
        if (!engine().machineSlots().tryAcquire(agent.id())) {
            agent.emit(new AgentEvent.Warning(agent.id(), 0, agent.now(), "queued", "waiting for a machine: "
                    + engine().limits().maxRunningMachines() + " are running, the most allowed"));
            java.time.Duration limit = engine().timeouts().machineWait();
            try {
                if (!engine().machineSlots().acquire(agent.id(), limit)) {
                    throw new dev.nightshift.api.NightshiftTimeoutException("no machine came free within " + limit + " ("
                            + engine().limits().maxRunningMachines() + " running, the most allowed; Timeouts.machineWait)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentCancelledException("interrupted while waiting for a machine");
            }
        }
        synchronized (lock) {
            holdsSlot = true;
        }
    }

    /** Gives the running-machine slot back, if held. */
    public void releaseSlot() {
        synchronized (lock) {
            if (!holdsSlot) {
                return;
            }
            holdsSlot = false;
        }
        engine().machineSlots().release(agent.id());
    }
}
