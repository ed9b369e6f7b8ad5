package dev.nightshift.core.internal;

import org.slf4j.MDC;

/**
 * Puts an agent's id in the logging context (key {@value #KEY}) for the work done for it on any
 * thread, and restores what was there before.
 */
public final class AgentMdc implements AutoCloseable {
    public static final String KEY = "agentId";
    private final String previous;

    private AgentMdc(String agentId) {
        this.previous = MDC.get(KEY);
        MDC.put(KEY, agentId);
    }

    public static AgentMdc of(String agentId) {
        return new AgentMdc(agentId);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, previous);
        }
    }
}
