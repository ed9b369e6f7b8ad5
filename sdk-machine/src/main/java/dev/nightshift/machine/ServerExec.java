package dev.nightshift.machine;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One command run by a machine's {@link ExecServerClient}: its output arrives as the server's frames,
 * timeout and cancel are kill requests for its process group.
 *
 * <p>Thread-safety: thread-safe; output callbacks come from the server's one reading thread.
 * Lifecycle: until its result completes.
 */
final class ServerExec implements ExecHandle {
    private final ExecServerClient server;
    private final int serverId;
    private final ExecRequest request;
    private final CompletableFuture<ExecResult> result = new CompletableFuture<>();
    private final AtomicReference<ExecResult.Outcome> killedAs = new AtomicReference<>();
    private final TailBuffer out;
    private final TailBuffer err;
    private final long startNanos = System.nanoTime();
    private volatile ScheduledFuture<?> timer;

    ServerExec(ExecServerClient server, int serverId, ExecRequest request) {
        this.server = server;
        this.serverId = serverId;
        this.request = request;
        this.out = new TailBuffer(request.tailBytes());
        this.err = new TailBuffer(request.tailBytes());
    }

    int serverId() {
        return serverId;
    }

    void started() {
        if (request.timeout() != null) {
            timer = server.scheduler().schedule(() -> kill(ExecResult.Outcome.TIMED_OUT),
                    request.timeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public String id() {
        return server.shortId() + "/s" + serverId;
    }

    @Override
    public CompletableFuture<ExecResult> result() {
        return result;
    }

    @Override
    public void cancel() {
        kill(ExecResult.Outcome.CANCELLED);
        try {
            result.get(server.cancelWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
            // the outcome is in the result (or the server is gone and says so there)
        }
    }

    private void kill(ExecResult.Outcome as) {
        if (result.isDone() || !killedAs.compareAndSet(null, as)) {
            return;
        }
        server.kill(serverId);
    }

    void stopTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    void onStdout(byte[] b, int off, int len) {
        if (result.isDone()) {
            return;
        }
        out.write(b, off, len);
        try {
            request.listener().onStdout(b, off, len);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    void onStderr(byte[] b, int off, int len) {
        if (result.isDone()) {
            return;
        }
        err.write(b, off, len);
        try {
            request.listener().onStderr(b, off, len);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    /** A listener that throws ends its exec (killed, failed with the listener's exception), not the server. */
    private void listenerFailed(RuntimeException e) {
        stopTimer();
        killedAs.compareAndSet(null, ExecResult.Outcome.CANCELLED);
        server.kill(serverId);
        result.completeExceptionally(e);
    }

    void onExit(int code, boolean oom) {
        stopTimer();
        if (result.isDone()) {
            return;
        }
        ExecResult.Outcome outcome = killedAs.get();
        if (outcome == null) {
            outcome = oom ? ExecResult.Outcome.OOM_KILLED : ExecResult.Outcome.EXITED;
        }
        try {
            if (request.listener() instanceof ExecListener.LineListener lines) {
                lines.flush();
            }
        } finally {
            result.complete(new ExecResult(code, outcome, out.toString(), err.toString(), out.total(), err.total(),
                    Duration.ofNanos(System.nanoTime() - startNanos)));
        }
    }

    void onFailed(String why) {
        stopTimer();
        result.completeExceptionally(new NightshiftException("exec " + request.command() + " failed in machine "
                + server.machineId() + ": " + why));
    }

    void onServerGone(String why) {
        stopTimer();
        result.completeExceptionally(new NightshiftException("exec " + request.command() + " in machine "
                + server.machineId() + " lost its exec server; its outcome is unknown: " + why));
    }
}
