package dev.nightshift.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.machine.TailBuffer;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One command in a machine on the engine's per-exec path (exec servers off or unavailable; see
 * {@link ExecServer} for the usual path), run under a small POSIX sh wrapper that makes it killable and its
 * OOM death detectable (docker-java has no exec-kill, and an exec's own state says nothing
 * about OOM):
 *
 * <ul>
 *   <li>the command runs under {@code setsid} in the background, so it leads a new process
 *       group whose id the wrapper writes to a pid file; a kill (timeout, cancel) is a second exec
 *       that kills that whole group;</li>
 *   <li>stdin, when given, was copied in as a file (readable by the exec's user only) and is
 *       redirected, so the command sees end-of-file; without stdin it reads {@code /dev/null};</li>
 *   <li>the cgroup's {@code oom_kill} counter (v2 {@code memory.events}, v1
 *       {@code memory.oom_control}) is read before and, if the command died of SIGKILL, after
 *       it; only when it grew does the wrapper leave an {@code .oom} marker, so a plain
 *       {@code exit 137} is not OOM.</li>
 * </ul>
 *
 * <p>Thread-safety: thread-safe. Lifecycle: until its result completes.
 */
final class DockerExec implements ExecHandle {
    static final String DIR = "/tmp";

    /** $1 pid file, $2 stdin file, rest: argv. */
    static final String WRAPPER = String.join("\n",
            "p=$1; i=$2; shift 2",
            ": > \"$p.w\"",
            "o() { n=none; for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do"
                    + " if [ -r \"$f\" ]; then while read -r k v; do"
                    + " if [ \"$k\" = oom_kill ]; then n=$v; return; fi; done < \"$f\"; fi; done; }",
            "o; b=$n",
            "setsid \"$@\" < \"$i\" &",
            "c=$!",
            "echo \"$c\" > \"$p\"",
            "wait \"$c\"; r=$?",
            "if [ \"$r\" -eq 137 ]; then o; if [ \"$n\" != \"$b\" ]; then echo oom > \"$p.oom\"; fi; fi",
            "rm -f \"$p\" \"$p.w\"; if [ \"$i\" != /dev/null ]; then rm -f \"$i\"; fi",
            "exit \"$r\"");

    /** $1 pid file: waits briefly for the wrapper to record its child, then kills its group until gone. */
    static final String KILLER = String.join("\n",
            "p=$1; n=0",
            "while [ ! -s \"$p\" ]; do",
            "  n=$((n+1)); if [ ! -e \"$p.w\" ] && [ $n -gt 200 ]; then exit 0; fi",
            "  if [ $n -gt 600 ]; then exit 0; fi; sleep 0.05",
            "done",
            "c=$(cat \"$p\")",
            "while kill -0 \"$c\" 2>/dev/null || kill -0 \"-$c\" 2>/dev/null; do",
            "  kill -KILL \"-$c\" 2>/dev/null; kill -KILL \"$c\" 2>/dev/null; sleep 0.02",
            "done",
            "exit 0");

    private final DockerMachine machine;
    private final ExecRequest request;
    private final String id = UUID.randomUUID().toString().substring(0, 12);
    private final String pidFile = DIR + "/.nightshift-exec-" + id + ".pid";
    private final CompletableFuture<ExecResult> result = new CompletableFuture<>();
    private final AtomicReference<ExecResult.Outcome> killedAs = new AtomicReference<>();
    private final TailBuffer out;
    private final TailBuffer err;
    private volatile String dockerExecId;
    private volatile Closeable stream;
    private volatile ScheduledFuture<?> timer;
    private long startNanos;

    DockerExec(DockerMachine machine, ExecRequest request) {
        this.machine = machine;
        this.request = request;
        this.out = new TailBuffer(request.tailBytes());
        this.err = new TailBuffer(request.tailBytes());
    }

    /** Starts the command; a failure to start completes the result exceptionally. */
    DockerExec start() {
        startNanos = System.nanoTime();
        try {
            String user = request.user() != null ? request.user() : machine.user();
            String stdinPath = "/dev/null";
            if (request.stdin() != null) {
                stdinPath = DIR + "/.nightshift-exec-" + id + ".in";
                machine.putFile(stdinPath, request.stdin(), user, 0600);
            }
            List<String> argv = new ArrayList<>(List.of("sh", "-c", WRAPPER, "nightshift-exec", pidFile, stdinPath));
            argv.addAll(request.command());
            List<String> env = machine.execEnv(request);
            String workdir = request.workdir() != null ? request.workdir() : machine.workdir();
            var create = machine.client().execCreateCmd(machine.id())
                    .withCmd(argv.toArray(String[]::new))
                    .withUser(user)
                    .withEnv(env)
                    .withAttachStdout(true)
                    .withAttachStderr(true);
            if (workdir != null) {
                create.withWorkingDir(workdir);
            }
            dockerExecId = create.exec().getId();
            machine.client().execStartCmd(dockerExecId).exec(new Callback());
            if (request.timeout() != null) {
                // the kill is itself an exec: run it off the timer thread so timeouts never queue
                timer = machine.scheduler().schedule(() -> machine.core().io().execute(() -> kill(ExecResult.Outcome.TIMED_OUT)),
                        request.timeout().toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(machine.translate(e, "exec " + request.command()));
        }
        return this;
    }

    @Override
    public String id() {
        return machine.shortId() + "/" + id;
    }

    @Override
    public CompletableFuture<ExecResult> result() {
        return result;
    }

    @Override
    public void cancel() {
        kill(ExecResult.Outcome.CANCELLED);
        awaitEnd(result);
    }

    /** Waits (up to a minute) for a killed exec's result, whatever it is. */
    static void awaitEnd(CompletableFuture<ExecResult> result) {
        try {
            result.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception ignored) {
            // the result carries any failure; cancel only waits for the end
        }
    }

    private void kill(ExecResult.Outcome as) {
        if (result.isDone() || !killedAs.compareAndSet(null, as)) {
            return;
        }
        try {
            machine.runRaw(List.of("sh", "-c", KILLER, "nightshift-kill", pidFile), "root", Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            if (!result.isDone()) {
                result.completeExceptionally(new NightshiftException("could not kill exec " + id() + " "
                        + request.command() + " in machine " + machine.id() + ": " + e.getMessage(), e));
            }
        }
    }

    private void finish() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        try {
            Long code = machine.client().inspectExecCmd(dockerExecId).exec().getExitCodeLong();
            int exit = code == null ? -1 : code.intValue();
            ExecResult.Outcome outcome = killedAs.get();
            if (outcome == null) {
                outcome = ExecResult.Outcome.EXITED;
                if (exit == 137 && machine.consumeOomMarker(pidFile + ".oom")) {
                    outcome = ExecResult.Outcome.OOM_KILLED;
                }
            }
            if (request.listener() instanceof ExecListener.LineListener lines) {
                lines.flush();
            }
            result.complete(new ExecResult(exit, outcome, out.toString(), err.toString(), out.total(), err.total(),
                    Duration.ofNanos(System.nanoTime() - startNanos)));
        } catch (RuntimeException e) {
            result.completeExceptionally(machine.translate(e, "exec " + request.command()));
        }
    }

    private final class Callback extends ResultCallback.Adapter<Frame> {
        @Override
        public void onStart(Closeable closeable) {
            stream = closeable;
        }

        @Override
        public void onNext(Frame frame) {
            byte[] p = frame.getPayload();
            if (p == null || p.length == 0) {
                return;
            }
            if (frame.getStreamType() == StreamType.STDERR) {
                err.write(p, 0, p.length);
                request.listener().onStderr(p, 0, p.length);
            } else {
                out.write(p, 0, p.length);
                request.listener().onStdout(p, 0, p.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            ScheduledFuture<?> tm = timer;
            if (tm != null) {
                tm.cancel(false);
            }
            result.completeExceptionally(t instanceof RuntimeException re
                    ? machine.translate(re, "exec " + request.command())
                    : new NightshiftException("exec " + request.command() + " in machine " + machine.id()
                            + " failed: " + t, t));
            try {
                close();
            } catch (java.io.IOException ignored) {
                // closing a failed stream
            }
        }

        @Override
        public void onComplete() {
            finish();
        }
    }
}
