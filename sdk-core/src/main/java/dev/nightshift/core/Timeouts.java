package dev.nightshift.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the engine waits for its own work to end: an agent's work loop when the agent is
 * deleted or its machine hibernated at close, the engine's threads at close, and another agent's
 * build of the same environment.
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
 */
public record Timeouts(Duration stopWait, Duration shutdownWait, Duration buildWait) {

    /** 30 s for a loop to stop, 10 s for the threads at close, 2 h for another agent's build. */
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofHours(2));

    public Timeouts {
        positive(stopWait, "stopWait");
        positive(shutdownWait, "shutdownWait");
        positive(buildWait, "buildWait");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    public Timeouts withStopWait(Duration d) {
        return new Timeouts(d, shutdownWait, buildWait);
    }

    public Timeouts withShutdownWait(Duration d) {
        return new Timeouts(stopWait, d, buildWait);
    }

    public Timeouts withBuildWait(Duration d) {
        return new Timeouts(stopWait, shutdownWait, d);
    }
}
