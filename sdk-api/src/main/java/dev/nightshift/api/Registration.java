package dev.nightshift.api;

/**
 * Something registered (a hook, a callback) that {@link #close()} removes.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> active until closed; closing twice does
 * nothing.
 *
 * <pre>{@code
 * try (Registration r = context.onInterrupt(handle::cancel)) {
 *     handle.await();
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    /** A registration with nothing to remove. */
    Registration NONE = () -> { };

    /** Removes what was registered. Idempotent. */
    @Override
    void close();
}
