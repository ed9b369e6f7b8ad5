package dev.nightshift.common;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for Nightshift's background threads: daemon threads (a forgotten executor
 * never keeps the JVM alive) with a {@code nightshift-*} name that says what they do. Not API
 * (see the package).
 *
 * <p><b>Thread-safety:</b> the factories are thread-safe. <b>Lifecycle:</b> static factories;
 * the executor that uses a factory owns its threads.
 *
 * <pre>{@code
 * ExecutorService io = Executors.newCachedThreadPool(DaemonThreads.numbered("nightshift-store-io-"));
 * ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("nightshift-ticker"));
 * }</pre>
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Daemon threads that all have {@code name} (for an executor of one thread, or a few alike). */
    public static ThreadFactory named(String name) {
        requireName(name);
        return r -> daemon(r, name);
    }

    /** Daemon threads named {@code prefix} followed by 1, 2, 3… (this factory's count). */
    public static ThreadFactory numbered(String prefix) {
        requireName(prefix);
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + n.incrementAndGet());
    }

    /** A new daemon thread running {@code task}, named {@code name}, not started. */
    public static Thread daemon(Runnable task, String name) {
        requireName(name);
        Thread t = new Thread(Objects.requireNonNull(task, "task"), name);
        t.setDaemon(true);
        return t;
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a thread needs a name that says what it does");
        }
    }
}
