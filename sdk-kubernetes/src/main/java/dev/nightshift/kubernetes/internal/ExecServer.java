package dev.nightshift.kubernetes.internal;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.common.DaemonThreads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived exec per machine running {@code execd.pl} as root (the Docker runtime's exec
 * server, byte for byte), so a command costs one frame each way over one websocket instead of
 * a new pod exec (a new websocket through the API server and the kubelet) per command.
 *
 * <p>Thread-safety: thread-safe; frames are written under a lock, one thread reads stdout and
 * one stderr. Lifecycle: {@link #start} runs it; it ends when closed or when its stream ends,
 * and then every running exec fails with a message naming the machine.
 */
final class ExecServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecServer.class);
    static final String SCRIPT = load();
    /** The command that runs the server in a machine. */
    static final List<String> COMMAND = List.of("perl", "-e", SCRIPT, "nightshift-execd");

    private final String machineId;
    private final ExecTransport transport;
    private final ScheduledExecutorService scheduler;
    private final Consumer<ExecServer> onGone;
    private final Map<Integer, ServerExec> execs = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    private final Object writeLock = new Object();
    private volatile boolean gone;
    private volatile long lastUsed = System.nanoTime();

    private ExecServer(String machineId, ExecTransport transport, ScheduledExecutorService scheduler,
            Consumer<ExecServer> onGone) {
        this.machineId = machineId;
        this.transport = transport;
        this.scheduler = scheduler;
        this.onGone = onGone;
    }

    private static String load() {
        try (InputStream in = ExecServer.class.getResourceAsStream("execd.pl")) {
            if (in == null) {
                throw new IllegalStateException("execd.pl is missing from the sdk-kubernetes jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts reading {@code transport} and waits at most {@code readyWait} for the server's hello.
     * {@code onGone} is told when the server ends by itself.
     */
    static ExecServer start(String machineId, ExecTransport transport, ScheduledExecutorService scheduler,
            Duration readyWait, Consumer<ExecServer> onGone) {
        ExecServer s = new ExecServer(machineId, transport, scheduler, onGone);
        Thread out = DaemonThreads.daemon(s::readFrames, "nightshift-execd-" + machineId);
        out.start();
        Thread err = DaemonThreads.daemon(s::readDiagnostics, "nightshift-execd-err-" + machineId);
        err.start();
        try {
            String hello = s.ready.get(readyWait.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("exec server in machine {}: {}", machineId, hello);
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new NightshiftException("interrupted while starting the exec server in machine " + machineId, e);
        } catch (ExecutionException e) {
            s.close();
            throw new NightshiftException("the exec server in machine " + machineId + " did not start"
                    + " (the image needs perl with POSIX): " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            s.close();
            throw new NightshiftException("the exec server in machine " + machineId + " did not answer within "
                    + readyWait + s.diagnostics(), e);
        }
    }

    boolean alive() {
        return !gone;
    }

    boolean idle() {
        return execs.isEmpty();
    }

    /** Whether nothing runs and nothing started for {@code d}. */
    boolean idleFor(Duration d) {
        return execs.isEmpty() && System.nanoTime() - lastUsed >= d.toNanos();
    }

    String machineId() {
        return machineId;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Starts {@code request} as {@code user} in {@code workdir} with {@code env} ({@code K=V});
     * {@code null} when the server is gone.
     */
    ServerExec exec(ExecRequest request, String user, String workdir, List<String> env) {
        lastUsed = System.nanoTime();
        int id = ids.incrementAndGet();
        ServerExec e = new ServerExec(this, id, request);
        execs.put(id, e);
        if (gone) {
            execs.remove(id);
            return null;
        }
        byte[] frame = Frames.exec(id, user, workdir, request.stdin(), env, request.command());
        e.started();
        if (!send(frame)) {
            execs.remove(id);
            return null;
        }
        return e;
    }

    /** Asks the server to kill exec {@code id}'s process group. */
    void kill(int id) {
        send(Frames.kill(id));
    }

    private boolean send(byte[] frame) {
        synchronized (writeLock) {
            if (gone) {
                return false;
            }
            try {
                OutputStream in = transport.stdin();
                in.write(frame);
                in.flush();
                return true;
            } catch (IOException e) {
                onGone("writing to it failed: " + e.getMessage());
                return false;
            }
        }
    }

    private void readFrames() {
        Frames.Decoder decoder = new Frames.Decoder();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = transport.stdout()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                decoder.feed(buf, 0, n, this::dispatch);
            }
            onGone("its stream ended");
        } catch (IOException | RuntimeException e) {
            onGone(e.toString());
        }
    }

    private void readDiagnostics() {
        byte[] buf = new byte[4096];
        try (InputStream in = transport.stderr()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (diagnostics) {
                    if (diagnostics.size() < 4096) {
                        diagnostics.write(buf, 0, Math.min(n, 4096 - diagnostics.size()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("exec server in machine {}: its stderr ended: {}", machineId, e.toString());
        }
    }

    private String diagnostics() {
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

    private void onGone(String why) {
        synchronized (writeLock) {
            if (gone) {
                return;
            }
            gone = true;
        }
        String reason = "exec server in machine " + machineId + " ended (" + why + ")" + diagnostics();
        ready.completeExceptionally(new NightshiftException(reason));
        // the owner forgets this server before any exec fails, so a retry never finds it
        onGone.accept(this);
        for (ServerExec e : List.copyOf(execs.values())) {
            execs.remove(e.serverId());
            e.onServerGone(reason);
        }
        transport.close();
    }

    @Override
    public void close() {
        onGone("closed");
    }
}
