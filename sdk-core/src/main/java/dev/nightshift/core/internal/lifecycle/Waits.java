package dev.nightshift.core.internal.lifecycle;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The one bounded wait of the lifecycle: on a monitor, until a condition holds or a time is up. */
public final class Waits {
    private Waits() {
    }

    /**
     * Waits on {@code monitor} (which the caller holds) until {@code done} or {@code timeout} has
     * passed; true when {@code done} holds. An interrupt ends the wait early and stays set.
     */
    public static boolean until(Object monitor, BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                // woken by notifyAll on every change; the slice bounds a missed wake-up
                long millis = Math.max(1, Math.min(200, left / 1_000_000));
                monitor.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return done.getAsBoolean();
            }
        }
        return true;
    }
}
