package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.Registration;
import dev.nightshift.common.DaemonThreads;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interrupt hooks a driver registers for its turn ({@code AgentContext.onInterrupt}): fired on
 * stop, cancel, delete, a turn timeout and take-over. Each hook runs on a daemon thread of its own
 * ({@code nightshift-interrupt-<agent>}): never on the thread that fires (which may hold the agent's
 * lock), never on the driver's thread, and never on the engine's one scheduler thread (a hook may
 * block, e.g. while a command is killed). A hook registered while the agent is already interrupted
 * runs at once.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> one per agent, for its whole life.
 */
public final class InterruptHooks {
    private static final Logger log = LoggerFactory.getLogger(InterruptHooks.class);
    private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
    private final String agentId;

    public InterruptHooks(String agentId) {
        this.agentId = agentId;
    }

    public Registration add(Runnable hook, BooleanSupplier interruptedNow) {
        hooks.add(hook);
        if (interruptedNow.getAsBoolean()) {
            run(hook);
        }
        return () -> hooks.remove(hook);
    }

    public void fire() {
        for (Runnable hook : hooks) {
            run(hook);
        }
    }

    private void run(Runnable hook) {
        Thread t = DaemonThreads.daemon(() -> {
            try {
                hook.run();
            } catch (RuntimeException e) {
                log.warn("agent {}: an interrupt hook failed: {}", agentId, e.toString());
            }
        }, "nightshift-interrupt-" + agentId);
        t.start();
    }
}
