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

    /**
     * Blocks until the listener has been handed every event up to {@code sequence} (it returned
     * from them, or threw), or the subscription is closed, or {@code timeout} passes.
     *
     * @return true when every event up to {@code sequence} was delivered
     */
    boolean awaitDelivered(long sequence, java.time.Duration timeout);
    @Override
    void close();
}
