package dev.nightshift.core.internal.control;

import dev.nightshift.api.NightshiftTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's mailbox of commands: first in, first applied, by one drainer at a time. Whoever
 * puts a command in an empty inbox schedules a drainer on the executor; the drainer applies the
 * commands one by one until the inbox is empty, so two commands never run at once and run in the
 * order they arrived. {@link #ask} waits for its command's outcome (the value, or the very
 * exception it threw) up to a bound; {@link #tell} does not wait.
 *
 * <p>Reentrancy: a command asked on the drainer's own thread (a command that asks another) is
 * applied at once, inline, since waiting for itself would never end. A caller interrupted while it
 * waits keeps waiting (controls are not interruptible, as a monitor is not) and finds its interrupt
 * flag set again afterwards. When the executor refuses (the engine closed it), the caller drains
 * the inbox itself.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> one per agent, for its whole life; it owns
 * no thread (the executor's owner does).
 *
 * <pre>{@code
 * Inbox<Command> inbox = new Inbox<>("bc-1", controlsExecutor, Duration.ofMinutes(10), this::apply);
 * String snapshot = (String) inbox.ask(new Promote());
 * }</pre>
 *
 * @param <C> the commands it carries
 */
public final class Inbox<C> {
    private static final Logger log = LoggerFactory.getLogger(Inbox.class);
    private static final ThreadLocal<Inbox<?>> DRAINING = new ThreadLocal<>();

    private final String agentId;
    private final Executor executor;
    private final Duration wait;
    private final Function<C, Object> apply;
    private final ArrayDeque<Entry<C>> queue = new ArrayDeque<>();
    private boolean draining;

    /**
     * @param executor where drainers run (never the caller's own pool if it may block on controls)
     * @param wait how long {@link #ask} waits for its command ({@code Timeouts.controlWait})
     * @param apply applies one command, returning its result (null for none)
     */
    public Inbox(String agentId, Executor executor, Duration wait, Function<C, Object> apply) {
        this.agentId = Objects.requireNonNull(agentId, "agentId");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.wait = Objects.requireNonNull(wait, "wait");
        this.apply = Objects.requireNonNull(apply, "apply");
    }

    /** How many commands wait behind the one being applied (for diagnostics and tests). */
    int waiting() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /** True on the thread that is applying this inbox's commands. */
    public boolean onDrainer() {
        return DRAINING.get() == this;
    }

    /**
     * Applies {@code command} after those before it and returns its result, or throws what it
     * threw (the same exception). Throws {@link NightshiftTimeoutException} when it waited longer
     * than the inbox's bound: withdrawn when it had not started, else still being applied.
     */
    public Object ask(C command) {
        Objects.requireNonNull(command, "command");
        if (onDrainer()) {
            return apply.apply(command); // reentrant: this thread is the writer
        }
        Entry<C> e = new Entry<>(command, true);
        post(e);
        return e.await(this);
    }

    /** Puts {@code command} in the inbox without waiting for it; what it throws is logged. */
    public void tell(C command) {
        Objects.requireNonNull(command, "command");
        post(new Entry<>(command, false));
    }

    private void post(Entry<C> e) {
        boolean start;
        synchronized (queue) {
            queue.add(e);
            start = !draining;
            draining = true;
        }
        if (start) {
            try {
                executor.execute(() -> drain(true));
            } catch (RejectedExecutionException closed) {
                drain(false); // the engine is closing: the caller is the writer now
            }
        }
    }

    private void drain(boolean ownThread) {
        Inbox<?> outer = DRAINING.get();
        DRAINING.set(this);
        try {
            while (true) {
                Entry<C> e;
                synchronized (queue) {
                    e = queue.poll();
                    if (e == null) {
                        draining = false;
                        return;
                    }
                    e.started = true;
                }
                e.run(apply, agentId);
                if (ownThread) {
                    Thread.interrupted(); // an interrupt meant for one command never reaches the next
                }
            }
        } finally {
            if (outer == null) {
                DRAINING.remove();
            } else {
                DRAINING.set(outer);
            }
        }
    }

    /** Takes {@code e} out when it has not started; true when it did. */
    private boolean withdraw(Entry<C> e) {
        synchronized (queue) {
            return !e.started && queue.remove(e);
        }
    }

    private static final class Entry<C> {
        final C command;
        /** Someone waits for the outcome (else a failure is only logged). */
        private final boolean asked;
        /** Guarded by the inbox's queue. */
        boolean started;
        private boolean done;
        private Object value;
        private Throwable failure;

        Entry(C command, boolean asked) {
            this.command = command;
            this.asked = asked;
        }

        void run(Function<C, Object> apply, String agentId) {
            Object v = null;
            Throwable f = null;
            try {
                v = apply.apply(command);
            } catch (RuntimeException | Error t) {
                f = t;
            }
            synchronized (this) {
                value = v;
                failure = f;
                done = true;
                notifyAll();
            }
            if (f != null && !asked) {
                log.warn("agent {}: {} failed: {}", agentId, command.getClass().getSimpleName(), f.toString());
            }
        }

        /** The value, or the very exception the command threw; called when done, holding this. */
        private Object outcome() {
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            return value;
        }

        Object await(Inbox<C> inbox) {
            long deadline = System.nanoTime() + inbox.wait.toNanos();
            boolean interrupted = false;
            try {
                synchronized (this) {
                    while (!done) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        try {
                            wait(Math.max(1, left / 1_000_000));
                        } catch (InterruptedException ie) {
                            interrupted = true; // as a monitor: the wait goes on, the flag is set again below
                        }
                    }
                    if (done) {
                        return outcome();
                    }
                }
                String what = command.getClass().getSimpleName();
                if (inbox.withdraw(this)) {
                    throw new NightshiftTimeoutException(what + " on agent " + inbox.agentId + " waited " + inbox.wait
                            + " (Timeouts.controlWait) for the controls before it and was not applied; try again");
                }
                synchronized (this) {
                    if (done) { // it ended just now
                        return outcome();
                    }
                }
                throw new NightshiftTimeoutException(what + " on agent " + inbox.agentId + " did not end within "
                        + inbox.wait + " (Timeouts.controlWait); it is still being applied");
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
