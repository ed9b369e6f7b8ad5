package dev.nightshift.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the engine waits for its own work to end: an agent's work loop when the agent is
 * deleted or its machine hibernated at close, the engine's threads at close, another agent's
 * build of the same environment, a running-machine slot, a hibernation under way, and a control
 * in its agent's inbox. (A human's
 * take-over holds an agent until it is handed back: that wait is the human's, not bounded here.)
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value given to the engine's builder.
 *
 * <pre>{@code
 * Nightshift.builder().timeouts(Timeouts.DEFAULT.withShutdownWait(Duration.ofSeconds(30)))
 * }</pre>
 *
 * @param stopWait how long a deletion (or a hibernation at close) waits for the agent's loop to
 *     end after interrupting it; past it the deletion goes on and the loop ends on its own
 * @param shutdownWait how long closing the engine waits for its own threads to end
 * @param buildWait how long an agent waits for the build of its environment that another agent
 *     started; past it the agent fails with a timeout
 * @param machineWait how long a new agent (or a restore) waits in the queue for a running-machine
 *     slot ({@code Limits.maxRunningMachines}); past it the agent fails with a timeout
 * @param hibernationWait how long a follow-up, take-over or promotion waits for a hibernation of
 *     the agent's machine that is under way; past it the control fails with a timeout
 * @param controlWait how long a control (follow-up, stop, cancel, take-over, hand-back, promotion,
 *     network policy, delete, hibernation, expiry) waits in its agent's inbox for the controls
 *     before it and for its own application; past it the control fails with a timeout (withdrawn
 *     when it had not started). Keep it above {@code stopWait}: a deletion waits that long for the
 *     agent's loop while it is applied
 */
public record Timeouts(Duration stopWait, Duration shutdownWait, Duration buildWait, Duration machineWait,
        Duration hibernationWait, Duration controlWait) {

    /** The default {@link #controlWait}. */
    private static final Duration CONTROL_WAIT = Duration.ofMinutes(10);

    /**
     * 30 s for a loop to stop, 10 s for the threads at close, 2 h for another agent's build, 24 h
     * in the queue for a machine, 10 min for a hibernation under way, 10 min for a control.
     */
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofHours(2), Duration.ofHours(24), Duration.ofMinutes(10), CONTROL_WAIT);

    public Timeouts {
        positive(stopWait, "stopWait");
        positive(shutdownWait, "shutdownWait");
        positive(buildWait, "buildWait");
        positive(machineWait, "machineWait");
        positive(hibernationWait, "hibernationWait");
        positive(controlWait, "controlWait");
    }

    /** The waits before {@link #controlWait} existed; the control wait is the default 10 min. */
    public Timeouts(Duration stopWait, Duration shutdownWait, Duration buildWait, Duration machineWait,
            Duration hibernationWait) {
        this(stopWait, shutdownWait, buildWait, machineWait, hibernationWait, CONTROL_WAIT);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    public Timeouts withStopWait(Duration d) {
        return new Timeouts(d, shutdownWait, buildWait, machineWait, hibernationWait, controlWait);
    }

    public Timeouts withShutdownWait(Duration d) {
        return new Timeouts(stopWait, d, buildWait, machineWait, hibernationWait, controlWait);
    }

    public Timeouts withBuildWait(Duration d) {
        return new Timeouts(stopWait, shutdownWait, d, machineWait, hibernationWait, controlWait);
    }

    public Timeouts withMachineWait(Duration d) {
        return new Timeouts(stopWait, shutdownWait, buildWait, d, hibernationWait, controlWait);
    }

    public Timeouts withHibernationWait(Duration d) {
        return new Timeouts(stopWait, shutdownWait, buildWait, machineWait, d, controlWait);
    }

    public Timeouts withControlWait(Duration d) {
        return new Timeouts(stopWait, shutdownWait, buildWait, machineWait, hibernationWait, d);
    }
}
