package dev.nightshift.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's limits: how many machines run at once, how long a turn and an install may take,
 * how many machine seconds an agent may use, when idle machines hibernate and when old agents
 * expire.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value given to the engine's builder.
 *
 * <pre>{@code
 * Limits limits = Limits.DEFAULT.withMaxRunningMachines(4).withTurnTimeout(Duration.ofMinutes(30));
 * }</pre>
 *
 * @param maxRunningMachines machines running at once; spawns beyond it queue in order, visibly
 * @param turnTimeout how long one driver turn may take
 * @param installTimeout how long {@code install} may take (in the build and at agent start)
 * @param machineSecondsBudget machine seconds one agent may use in all, or {@code null} for no limit
 * @param idleHibernateAfter how long a machine may sit idle before it is hibernated
 * @param retention how long an agent is kept after its last change before it expires
 */
public record Limits(int maxRunningMachines, Duration turnTimeout, Duration installTimeout,
        Duration machineSecondsBudget, Duration idleHibernateAfter, Duration retention) {

    /** 8 machines, 1 h turns, 30 min installs, no budget, hibernate after 15 min, keep 3 days. */
    public static final Limits DEFAULT = new Limits(8, Duration.ofHours(1), Duration.ofMinutes(30), null,
            Duration.ofMinutes(15), Duration.ofDays(3));

    public Limits {
        if (maxRunningMachines < 1) {
            throw new IllegalArgumentException("maxRunningMachines must be >= 1");
        }
        positive(turnTimeout, "turnTimeout");
        positive(installTimeout, "installTimeout");
        if (machineSecondsBudget != null) {
            positive(machineSecondsBudget, "machineSecondsBudget");
        }
        positive(idleHibernateAfter, "idleHibernateAfter");
        positive(retention, "retention");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    public Limits withMaxRunningMachines(int n) {
        return new Limits(n, turnTimeout, installTimeout, machineSecondsBudget, idleHibernateAfter, retention);
    }

    public Limits withTurnTimeout(Duration d) {
        return new Limits(maxRunningMachines, d, installTimeout, machineSecondsBudget, idleHibernateAfter, retention);
    }

    public Limits withInstallTimeout(Duration d) {
        return new Limits(maxRunningMachines, turnTimeout, d, machineSecondsBudget, idleHibernateAfter, retention);
    }

    public Limits withMachineSecondsBudget(Duration d) {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout, d, idleHibernateAfter, retention);
    }

    public Limits withIdleHibernateAfter(Duration d) {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout, machineSecondsBudget, d, retention);
    }

    public Limits withRetention(Duration d) {
        return new Limits(maxRunningMachines, turnTimeout, installTimeout, machineSecondsBudget, idleHibernateAfter, d);
    }
}
