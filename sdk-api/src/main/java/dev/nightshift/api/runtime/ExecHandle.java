package dev.nightshift.api.runtime;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A command running in a machine.
 *
 * <p>Output streams to the request's {@link ExecListener}; {@link #result()} completes when the
 * command has ended and every byte of output has been delivered. {@link #cancel()} kills the
 * command's whole process group inside the machine and completes the result with
 * {@link ExecResult.Outcome#CANCELLED}. A failure to run at all (machine gone, user missing)
 * completes the result exceptionally with a {@link NightshiftException}.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> lives until the result completes;
 * cancelling a finished command does nothing.
 *
 * <pre>{@code
 * ExecHandle h = machine.exec(ExecRequest.of("sleep", "600"));
 * h.cancel();
 * assert h.await().outcome() == ExecResult.Outcome.CANCELLED;
 * }</pre>
 */
public interface ExecHandle {

    /** An id for logs and diagnostics. */
    String id();

    /** Completes when the command has ended. */
    CompletableFuture<ExecResult> result();

    /** Kills the command (its whole process group) and waits until it is gone. Idempotent. */
    void cancel();

    /** Waits for the result without a limit of its own (the request's timeout still applies). */
    default ExecResult await() {
        try {
            return result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            throw new NightshiftException("interrupted while waiting for exec " + id(), e);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (CancellationException e) {
            throw new NightshiftException("exec " + id() + " was cancelled", e);
        }
    }

    /**
     * Waits at most {@code timeout}; when it runs out the command is cancelled and a
     * {@link NightshiftTimeoutException} is thrown.
     */
    default ExecResult await(Duration timeout) {
        try {
            return result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancel();
            throw new NightshiftTimeoutException("exec " + id() + " did not finish within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            throw new NightshiftException("interrupted while waiting for exec " + id(), e);
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    private static RuntimeException unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
            return re;
        }
        return new NightshiftException("exec failed: " + cause, cause);
    }
}
