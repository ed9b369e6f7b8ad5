package dev.nightshift.machine;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of one exec server: a long-running {@link #COMMAND} ({@code perl} running
 * {@code execd.pl} as root) in a machine, so that a command costs one frame each way instead of a
 * new exec through the runtime's API per command.
 *
 * <p>The host writes one frame per request to the server's stdin (exec: user, working directory,
 * stdin bytes, environment, argv; kill: an exec's id) and reads frames from its stdout: stdout
 * and stderr chunks of each exec, its exit (code, signal, whether the cgroup's {@code oom_kill}
 * counter grew around an exit 137) or why it could not start ({@link ExecFrames}). The server
 * forks each command in its own session as the requested user; a kill (timeout, cancel) kills the
 * whole process group. Output flows with back pressure: the server blocks writing while the host
 * is busy in a listener, so memory stays bounded whatever the output size.
 *
 * <p>How the bytes travel is the runtime's: it starts {@link #COMMAND} in the machine, gives this
 * client an {@link ExecChannel} for the server's stdin, and hands it what the server writes:
 * stdout through {@link #received} (or {@link #readOutput} for a stream), stderr through
 * {@link #diagnostic} (or {@link #readDiagnostics}), the end of the stream through {@link #ended}.
 *
 * <pre>{@code
 * ExecServerClient server = new ExecServerClient(id, shortId, scheduler, Duration.ofSeconds(30), channel,
 *         (s, why, unexpected) -> forget(s));
 * // ... the transport's thread calls server.received(bytes, 0, n) ...
 * server.awaitReady(Duration.ofSeconds(20));
 * ExecHandle h = server.exec(request, "ubuntu", "/workspace", List.of("A=1")); // null: the server ended
 * }</pre>
 *
 * <p>Thread-safety: thread-safe; {@link #received} is called by one thread at a time (the
 * transport's reading thread), and output listeners run on it. Lifecycle: made per server; it
 * ends once, when {@link #close()}d or told its stream {@link #ended}; running execs then fail
 * with a message naming the machine, and the {@link EndListener} is told before they do.
 */
public final class ExecServerClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecServerClient.class);
    /** The exec server, a Perl script that needs only perl with POSIX in the machine. */
    public static final String SCRIPT = load();
    /** The command that runs the server in a machine (as root, stdin, stdout and stderr attached). */
    public static final List<String> COMMAND = List.of("perl", "-e", SCRIPT, "nightshift-execd");
    private static final int DIAGNOSTICS_MAX = 4096;

    /** Told once when a server ends, before its running execs fail. */
    public interface EndListener {
        /**
         * @param server the server that ended
         * @param reason why, naming the machine, with what the server wrote to stderr
         * @param unexpected whether it had been serving and ended by itself (not closed, not
         *     failed before its hello)
         */
        void ended(ExecServerClient server, String reason, boolean unexpected);
    }

    private final String machineId;
    private final String shortId;
    private final ScheduledExecutorService scheduler;
    private final Duration cancelWait;
    private final ExecChannel channel;
    private final EndListener onEnd;
    private final ExecFrames.Decoder decoder = new ExecFrames.Decoder(1 << 17);
    private final Map<Integer, ServerExec> execs = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean gone;
    private volatile boolean closing;
    private volatile long lastUsed = System.nanoTime();

    /**
     * A client of a server in machine {@code machineId} ({@code shortId} names its execs),
     * writing through {@code channel}; timeouts run on {@code scheduler}; a cancel waits at most
     * {@code cancelWait} for the killed command's end.
     */
    public ExecServerClient(String machineId, String shortId, ScheduledExecutorService scheduler, Duration cancelWait,
            ExecChannel channel, EndListener onEnd) {
        this.machineId = Objects.requireNonNull(machineId, "machineId");
        this.shortId = Objects.requireNonNull(shortId, "shortId");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.cancelWait = Objects.requireNonNull(cancelWait, "cancelWait");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
    }

    private static String load() {
        try (InputStream in = ExecServerClient.class.getResourceAsStream("execd.pl")) {
            if (in == null) {
                throw new IllegalStateException("execd.pl is missing from the sdk-machine jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The environment of an exec as {@code K=V}: the machine's ({@code machineEnv}, each unless
     * the request sets it too), then the request's.
     */
    public static List<String> environment(Map<String, String> machineEnv, ExecRequest request) {
        List<String> out = new ArrayList<>(machineEnv.size() + request.env().size());
        for (Map.Entry<String, String> e : machineEnv.entrySet()) {
            if (!request.env().containsKey(e.getKey())) {
                out.add(e.getKey() + "=" + e.getValue());
            }
        }
        request.env().forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** Completes with the server's hello; fails when it ends first. */
    public CompletableFuture<String> ready() {
        return ready;
    }

    /**
     * Waits at most {@code wait} for the server's hello and returns it; when it does not come, the
     * server is closed and a {@link NightshiftException} says why (with what it wrote to stderr).
     */
    public String awaitReady(Duration wait) {
        try {
            String hello = ready.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("exec server in machine {}: {}", machineId, hello);
            return hello;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new NightshiftException("interrupted while starting the exec server in machine " + machineId, e);
        } catch (ExecutionException e) {
            close();
            throw new NightshiftException("the exec server in machine " + machineId + " did not start"
                    + " (the image needs perl with POSIX): " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            close();
            throw new NightshiftException("the exec server in machine " + machineId + " did not answer within "
                    + wait + diagnostics(), e);
        }
    }

    /** Whether it has not ended. */
    public boolean alive() {
        return !gone;
    }

    /** Whether no exec is running through it now. */
    public boolean idle() {
        return execs.isEmpty();
    }

    /** Whether nothing runs and nothing started or ended for {@code d}. */
    public boolean idleFor(Duration d) {
        return execs.isEmpty() && System.nanoTime() - lastUsed >= d.toNanos();
    }

    /** The machine it serves. */
    public String machineId() {
        return machineId;
    }

    String shortId() {
        return shortId;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Duration cancelWait() {
        return cancelWait;
    }

    /**
     * Starts {@code request} as {@code user} in {@code workdir} ({@code null}: the user's home)
     * with {@code env} ({@code K=V}, the request's already merged in); {@code null} when the
     * server has ended (the caller retries on a new one, or falls back to another path).
     */
    public ExecHandle exec(ExecRequest request, String user, String workdir, List<String> env) {
        lastUsed = System.nanoTime();
        int id = ids.incrementAndGet();
        ServerExec e = new ServerExec(this, id, request);
        execs.put(id, e);
        if (gone) {
            execs.remove(id);
            return null;
        }
        byte[] frame = ExecFrames.exec(id, user, workdir, request.stdin(), env, request.command());
        e.started();
        if (!send(frame)) {
            execs.remove(id);
            e.stopTimer();
            return null;
        }
        return e;
    }

    /** Asks the server to kill exec {@code id}'s process group. */
    void kill(int id) {
        send(ExecFrames.kill(id));
    }

    private boolean send(byte[] frame) {
        if (gone) {
            return false;
        }
        try {
            channel.send(frame);
            return true;
        } catch (IOException e) {
            ended("writing to it failed: " + e.getMessage());
            return false;
        }
    }

    /**
     * Bytes the server wrote to its stdout, in order, whatever their chunking. A malformed frame
     * ends the server (and fails its execs); output listeners run on the calling thread.
     */
    public void received(byte[] b, int off, int n) {
        try {
            decoder.feed(b, off, n, this::dispatch);
        } catch (RuntimeException e) {
            LOG.warn("exec server in machine {} failed: {}", machineId, e.toString());
            ended(e.toString());
        }
    }

    /** Bytes the server wrote to its stderr: kept (the first 4 KiB) for the messages that say why it ended. */
    public void diagnostic(byte[] b, int off, int n) {
        synchronized (diagnostics) {
            if (diagnostics.size() < DIAGNOSTICS_MAX) {
                diagnostics.write(b, off, Math.min(n, DIAGNOSTICS_MAX - diagnostics.size()));
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("exec server in machine {}: {}", machineId, new String(b, off, n, StandardCharsets.UTF_8).strip());
        }
    }

    /** Feeds {@code stdout} (the server's) to {@link #received} until it ends, then {@link #ended ends}. */
    public void readOutput(InputStream stdout) {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = stdout) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                received(buf, 0, n);
            }
            ended("its stream ended");
        } catch (IOException | RuntimeException e) {
            ended(e.toString());
        }
    }

    /** Feeds {@code stderr} (the server's) to {@link #diagnostic} until it ends. */
    public void readDiagnostics(InputStream stderr) {
        byte[] buf = new byte[4096];
        try (InputStream in = stderr) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                diagnostic(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("exec server in machine {}: its stderr ended: {}", machineId, e.toString());
        }
    }

    /** What the server wrote to stderr, as {@code ": text"}, or empty. */
    public String diagnostics() {
        synchronized (diagnostics) {
            String d = diagnostics.toString(StandardCharsets.UTF_8).strip();
            return d.isEmpty() ? "" : ": " + d;
        }
    }

    private void dispatch(char type, int id, byte[] b, int off, int n) {
        if (type == 'R') {
            ready.complete(new String(b, off, n, StandardCharsets.UTF_8));
            return;
        }
        ServerExec e = execs.get(id);
        if (e == null) {
            return;
        }
        switch (type) {
            case 'O' -> e.onStdout(b, off, n);
            case 'E' -> e.onStderr(b, off, n);
            case 'X' -> {
                execs.remove(id);
                lastUsed = System.nanoTime();
                String[] f = new String(b, off, n, StandardCharsets.US_ASCII).split(" ");
                e.onExit(Integer.parseInt(f[0]), f.length > 2 && "1".equals(f[2]));
            }
            case 'F' -> {
                execs.remove(id);
                e.onFailed(new String(b, off, n, StandardCharsets.UTF_8).strip());
            }
            default -> LOG.debug("exec server in machine {} sent an unknown frame type {}", machineId, type);
        }
    }

    /**
     * The server's stream ended ({@code why}): the client ends once, whoever calls first. The
     * {@link EndListener} is told, running execs fail, and the channel is closed.
     */
    public void ended(String why) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        gone = true;
        String reason = "exec server in machine " + machineId + " ended (" + why + ")" + diagnostics();
        boolean wasServing = ready.isDone() && !ready.isCompletedExceptionally();
        ready.completeExceptionally(new NightshiftException(reason));
        // the owner forgets this server before any exec fails, so a retry never finds it
        onEnd.ended(this, reason, !closing && wasServing);
        for (ServerExec e : List.copyOf(execs.values())) {
            execs.remove(e.serverId());
            e.onServerGone(reason);
        }
        channel.close();
    }

    /** Ends the server (its running execs fail); idempotent. */
    @Override
    public void close() {
        closing = true;
        ended("closed");
    }
}
