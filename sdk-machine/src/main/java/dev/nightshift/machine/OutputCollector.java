package dev.nightshift.machine;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;

/**
 * Keeps all of an internal command's output (small outputs only: file reads, tmux, checks) and
 * waits for its end: a runtime's buffered {@code run} is an exec with this listener.
 *
 * <pre>{@code
 * OutputCollector collect = new OutputCollector();
 * ExecHandle h = machine.exec(ExecRequest.builder(command).timeout(timeout).listener(collect).tailBytes(0).build());
 * CommandOutput r = collect.await(h, machine.id(), command.get(0), timeout, e -> e);
 * }</pre>
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per command.
 */
public final class OutputCollector implements ExecListener {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Override
    public synchronized void onStdout(byte[] bytes, int offset, int length) {
        out.write(bytes, offset, length);
    }

    @Override
    public synchronized void onStderr(byte[] bytes, int offset, int length) {
        err.write(bytes, offset, length);
    }

    /**
     * Waits for {@code h} (whose request had this listener and {@code timeout}) to end and returns
     * its exit code and output. A timed-out command is a {@link NightshiftTimeoutException}; an
     * interrupt cancels it; a failed one throws its exception passed through {@code translate}.
     * {@code machineId} and {@code name} (the command's) go into the messages.
     */
    public CommandOutput await(ExecHandle h, String machineId, String name, Duration timeout,
            UnaryOperator<RuntimeException> translate) {
        ExecResult r;
        try {
            r = h.result().get();
        } catch (InterruptedException e) {
            h.cancel();
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while running an internal command in machine " + machineId, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? translate.apply(re)
                    : new NightshiftException("internal command " + name + " failed in machine " + machineId + ": "
                            + e.getCause(), e);
        }
        if (r.outcome() == ExecResult.Outcome.TIMED_OUT) {
            throw new NightshiftTimeoutException("internal command " + name + " in machine " + machineId
                    + " did not finish within " + timeout);
        }
        synchronized (this) {
            return new CommandOutput(r.exitCode(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        }
    }
}
