package dev.nightshift.core.internal;

import dev.nightshift.api.Registration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interrupt hooks a driver registers for its turn ({@code AgentContext.onInterrupt}): fired on
 * stop, cancel, delete, a turn timeout and take-over. Hooks run on the given executor, never on the
 * thread that fires (which may hold the agent's lock) and never on the driver's thread; a hook
 * registered while the agent is already interrupted runs at once.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> one per agent, for its whole life.
 */
final class InterruptHooks {
    private static final Logger log = LoggerFactory.getLogger(InterruptHooks.class);
    private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
    private final Executor executor;

    InterruptHooks(Executor executor) {
        this.executor = executor;
    }

    Registration add(Runnable hook, BooleanSupplier interruptedNow) {
        hooks.add(hook);
        if (interruptedNow.getAsBoolean()) {
            run(hook);
        }
        return () -> hooks.remove(hook);
    }

    void fire() {
        for (Runnable hook : hooks) {
            run(hook);
        }
    }

    private void run(Runnable hook) {
        executor.execute(() -> {
            try {
                hook.run();
            } catch (RuntimeException e) {
                log.warn("an interrupt hook failed: {}", e.toString());
            }
        });
    }
}
