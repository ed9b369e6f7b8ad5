package dev.nightshift.api;

/**
 * Receives an agent's events as they are recorded, in sequence order.
 *
 * <p>Each listener has its own delivery queue and thread: a listener that throws is logged and
 * keeps receiving; one that blocks delays only itself, never the agent or other listeners.
 *
 * <p><b>Thread-safety:</b> called from one delivery thread per listener, never concurrently.
 * <b>Lifecycle:</b> from {@code addListener} until the returned {@link Subscription} is closed or
 * the engine closes.
 *
 * <pre>{@code
 * try (Subscription s = agent.addListener(e -> System.out.println(e), 0)) {
 *     agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(5));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface AgentListener {
    void onEvent(AgentEvent event);
}
