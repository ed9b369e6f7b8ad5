package dev.nightshift.core;

import dev.nightshift.api.runtime.ResourceLimits;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The engine's limits: how many machines run at once, how long a turn and an install may take,
 * how many machine seconds an agent may use, when idle machines hibernate, when old agents
 * expire, and the CPU, memory and processes of each agent's machine.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value given to the engine's builder.
 *
 * <pre>{@code
 * Limits limits = Limits.DEFAULT.withMaxRunningMachines(4).withTurnTimeout(Duration.ofMinutes(30))
 *         .withMachine(ResourceLimits.DEFAULT.withMemoryBytes(8L << 30));
 * }</pre>
 *
 * @param maxRunningMachines machines running at once; spawns beyond it queue in order, visibly
 * @param turnTimeout how long one driver turn may take
 * @param installTimeout how long {@code install} may take (in the build and at agent start)
 * @param machineSecondsBudget machine seconds one agent may use in all; absent: no limit
 * @param idleHibernateAfter how long a machine may sit idle before it is hibernated
 * @param retention how long an agent is kept after its last change before it expires
 * @param machine CPU, memory and process limits of every machine the engine starts (agents,
 *     environment builds, setups); absent: the runtime's own default (e.g.
 *     {@code DockerRuntime.Builder#defaultLimits})
 */
public record Limits(int maxRunningMachines, Duration turnTimeout, Duration installTimeout,
        Optional<Duration> machineSecondsBudget, Duration idleHibernateAfter, Duration retention,
        Optional<ResourceLimits> machine) {

    /**
     * 8 machines, 1 h turns, 30 min installs, no budget, hibernate after 15 min, keep 3 days,
     * the runtime's default machine.
     */
    public static final Limits DEFAULT = new Limits(8, Duration.ofHours(1), Duration.ofMinutes(30), Optional.empty(),
            Duration.ofMinutes(15), Duration.ofDays(3), Optional.empty());

    public Limits {
        if (maxRunningMachines < 1) {
            throw new IllegalArgumentException("maxRunningMachines must be >= 1, not " + maxRunningMachines);
        }
        positive(turnTimeout, "turnTimeout");
        positive(installTimeout, "installTimeout");
        Objects.requireNonNull(machineSecondsBudget, "machineSecondsBudget (Optional.empty() for no budget)");
        machineSecondsBudget.ifPresent(d -> positive(d, "machineSecondsBudget"));
        positive(idleHibernateAfter, "idleHibernateAfter");
        positive(retention, "retention");
        Objects.requireNonNull(machine, "machine (Optional.empty() for the runtime's default)");
    }

    /**
     * The limits before {@code machine} existed, with the runtime's default machine.
     *
     * @param machineSecondsBudget machine seconds one agent may use in all, or {@code null} for no limit
     * @deprecated use {@link #DEFAULT} and the {@code with…} methods
     */
    @Deprecated
    public Limits(int maxRunningMachines, Duration turnTimeout, Duration installTimeout,
            Duration machineSecondsBudget, Duration idleHibernateAfter, Duration retention) {
        this(maxRunningMachines, turnTimeout, installTimeout, Optional.ofNullable(machineSecondsBudget),
                idleHibernateAfter, retention, Optional.empty());
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    public Limits withMaxRunningMachines(int n) {
        return new Limits(n, turnTimeout, installTimeout, machineSecondsBudget, idleHibernateAfter, retention, machine);
    }

    public Limits withTurnTimeout(Duration d) {
        return new Limits(maxRunningMachines, d, installTimeout, machineSecondsBudget, idleHibernateAfter, retention,
                machine);
    }

    public Limits withInstallTimeout(Duration d) {
        return new Limits(maxRunningMachines, turnTimeout, d, machineSecondsBudget, idleHibernateAfter, retention,
                machine);
    }

    /** A budget of machine seconds per agent (positive); {@link #withoutMachineSecondsBudget()} removes it. */
    public Limits withMachineSecondsBudget(Duration d) {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout,
                Optional.of(Objects.requireNonNull(d, "machineSecondsBudget")), idleHibernateAfter, retention, machine);
    }

    /** No budget of machine seconds (the default). */
    public Limits withoutMachineSecondsBudget() {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout, Optional.empty(), idleHibernateAfter,
                retention, machine);
    }

    public Limits withIdleHibernateAfter(Duration d) {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout, machineSecondsBudget, d, retention, machine);
    }

    public Limits withRetention(Duration d) {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout, machineSecondsBudget, idleHibernateAfter, d,
                machine);
    }

    /** CPU, memory and process limits of every machine the engine starts, instead of the runtime's default. */
    public Limits withMachine(ResourceLimits value) {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout, machineSecondsBudget, idleHibernateAfter,
                retention, Optional.of(Objects.requireNonNull(value, "machine")));
    }

    /** The runtime's own default limits for every machine (the default). */
    public Limits withRuntimeDefaultMachine() {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout, machineSecondsBudget, idleHibernateAfter,
                retention, Optional.empty());
    }
}
