package dev.nightshift.api;

/**
 * A registered listener; {@link #close()} stops delivery.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> open until closed; closing twice does
 * nothing.
 *
 * <pre>{@code
 * Subscription s = agent.addListener(System.out::println, 0);
 * s.close();
 * }</pre>
 */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
