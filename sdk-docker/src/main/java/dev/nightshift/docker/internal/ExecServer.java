package dev.nightshift.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecRequest;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived {@code docker exec} per machine running a small Perl server ({@code execd.pl})
 * as root, with stdin and stdout attached, so an exec costs one message each way instead of the
 * engine's exec create, start and inspect round trips.
 *
 * <p>The host writes one frame per request to the server's stdin (exec: user, working directory,
 * stdin bytes, environment, argv; kill: an exec's id) and reads frames from its stdout: stdout
 * and stderr chunks of each exec, its exit (code, signal, whether the cgroup's {@code oom_kill}
 * counter grew around an exit 137) or why it could not start. Every frame is a big-endian u32
 * length, a type byte, a u32 exec id and the payload, so output is binary-safe. The server forks
 * each command in its own session as the requested user; a kill (timeout, cancel) kills the whole
 * process group. Output flows with back pressure: the server blocks writing while the host is
 * busy in a listener, so memory stays bounded whatever the output size.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: {@link #start} runs it; it ends when closed, when the
 * machine stops, or when the server dies; running execs then fail and the machine falls back to
 * the per-exec path.
 */
final class ExecServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecServer.class);
    static final String SCRIPT = load();
    private static final Duration READY_WAIT = Duration.ofSeconds(20);

    private final DockerMachine machine;
    private final ExecServers owner;
    private final Requests requests = new Requests();
    private final Map<Integer, ServerExec> execs = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    private byte[] buf = new byte[1 << 17];
    private int len;
    private volatile boolean gone;
    private volatile boolean closing;
    private volatile Closeable stream;

    private ExecServer(DockerMachine machine, ExecServers owner) {
        this.machine = machine;
        this.owner = owner;
    }

    private static String load() {
        try (InputStream in = ExecServer.class.getResourceAsStream("execd.pl")) {
            if (in == null) {
                throw new IllegalStateException("execd.pl is missing from the sdk-docker jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server cannot run in this machine at all (no {@code perl}): do not try again. */
    static final class Unsupported extends NightshiftException {
        Unsupported(String message) {
            super(message);
        }
    }

    /**
     * Starts the server and waits for its hello; throws {@link Unsupported} when it cannot run in
     * this image (the exec exited 126 or 127: no {@code perl}; or it exited by itself before its
     * hello in a running machine), another exception otherwise.
     */
    static ExecServer start(DockerMachine machine, ExecServers owner) {
        ExecServer s = new ExecServer(machine, owner);
        String execId = machine.client().execCreateCmd(machine.id())
                .withCmd("perl", "-e", SCRIPT, "nightshift-execd")
                .withUser("root")
                .withAttachStdin(true)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .exec().getId();
        machine.client().execStartCmd(execId).withStdIn(s.requests).exec(s.new Callback());
        try {
            String hello = s.ready.get(READY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("exec server in machine {}: {}", machine.id(), hello);
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new NightshiftException("interrupted while starting the exec server in machine " + machine.id(), e);
        } catch (ExecutionException e) {
            s.close();
            Long code = null;
            try {
                var inspect = machine.client().inspectExecCmd(execId).exec();
                code = Boolean.TRUE.equals(inspect.isRunning()) ? null : inspect.getExitCodeLong();
            } catch (RuntimeException ignored) {
                // the machine is gone: not an image problem
            }
            if (code != null && (code == 126 || code == 127)) {
                throw new Unsupported("exec server cannot run (exit " + code + "; is perl installed?)" + s.diagnostics());
            }
            if (code != null && code != 137 && code != 143 && machine.state() == dev.nightshift.api.runtime.MachineState.RUNNING) {
                // it ended by itself before its hello, in a running machine: e.g. a perl without POSIX
                throw new Unsupported("exec server exited " + code + " before it was ready" + s.diagnostics());
            }
            throw e.getCause() instanceof RuntimeException re ? re
                    : new NightshiftException("exec server in machine " + machine.id() + " failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
            s.close();
            throw new NightshiftException("exec server in machine " + machine.id() + " did not answer within "
                    + READY_WAIT + s.diagnostics(), e);
        }
    }

    /** Whether no exec is running through this server now. */
    boolean idle() {
        return execs.isEmpty();
    }

    boolean alive() {
        return !gone;
    }

    /**
     * Starts {@code request} for {@code machine} (any object standing for this container: its
     * user, working directory and environment apply); {@code null} when the server is gone (use
     * the per-exec path).
     */
    ServerExec exec(DockerMachine machine, ExecRequest request) {
        int id = ids.incrementAndGet();
        ServerExec e = new ServerExec(machine, this, id, request);
        execs.put(id, e);
        if (gone) {
            execs.remove(id);
            return null;
        }
        String user = request.user() != null ? request.user() : machine.user();
        String workdir = request.workdir() != null ? request.workdir() : machine.workdir();
        List<byte[]> fields = new ArrayList<>();
        fields.add(utf8(user));
        fields.add(utf8(workdir == null ? "" : workdir));
        byte[] stdin = request.stdin();
        fields.add(utf8(stdin == null ? "0" : "1"));
        fields.add(stdin == null ? new byte[0] : stdin);
        List<String> env = machine.execEnv(request);
        fields.add(utf8(Integer.toString(env.size())));
        env.forEach(v -> fields.add(utf8(v)));
        request.command().forEach(a -> fields.add(utf8(a)));
        int size = 0;
        for (byte[] f : fields) {
            size += 4 + f.length;
        }
        byte[] frame = header('X', id, size);
        int o = 9;
        frame = java.util.Arrays.copyOf(frame, 9 + size);
        for (byte[] f : fields) {
            putInt(frame, o, f.length);
            System.arraycopy(f, 0, frame, o + 4, f.length);
            o += 4 + f.length;
        }
        e.started();
        requests.send(frame);
        return e;
    }

    /** Asks the server to kill exec {@code id}'s process group. */
    void kill(int id) {
        requests.send(header('K', id, 0));
    }

    void forget(int id) {
        execs.remove(id);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] header(char type, int id, int payload) {
        byte[] h = new byte[9];
        putInt(h, 0, 5 + payload);
        h[4] = (byte) type;
        putInt(h, 5, id);
        return h;
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }

    private String diagnostics() {
        synchronized (diagnostics) {
            String d = diagnostics.toString(StandardCharsets.UTF_8).strip();
            return d.isEmpty() ? "" : ": " + d;
        }
    }

    /** Called on the stream's thread only. */
    private void onStdout(byte[] p) {
        if (len + p.length > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + p.length));
        }
        System.arraycopy(p, 0, buf, len, p.length);
        len += p.length;
        int o = 0;
        while (len - o >= 4) {
            int n = getInt(buf, o);
            if (n < 5) {
                throw new NightshiftException("exec server in machine " + machine.id() + " sent a bad frame (length " + n + ")");
            }
            if (len - o < 4 + n) {
                break;
            }
            char type = (char) buf[o + 4];
            int id = getInt(buf, o + 5);
            dispatch(type, id, buf, o + 9, n - 5);
            o += 4 + n;
        }
        System.arraycopy(buf, o, buf, 0, len - o);
        len -= o;
        if (len == 0 && buf.length > 1 << 17) {
            buf = new byte[1 << 17];
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
                String[] f = new String(b, off, n, StandardCharsets.US_ASCII).split(" ");
                e.onExit(Integer.parseInt(f[0]), "1".equals(f[2]));
            }
            case 'F' -> {
                execs.remove(id);
                e.onFailed(new String(b, off, n, StandardCharsets.UTF_8).strip());
            }
            default -> LOG.debug("exec server in machine {} sent an unknown frame type {}", machine.id(), type);
        }
    }

    private void onGone(String why) {
        if (gone) {
            return;
        }
        gone = true;
        requests.close();
        String reason = "exec server in machine " + machine.id() + " ended (" + why + ")" + diagnostics();
        boolean wasServing = ready.isDone() && !ready.isCompletedExceptionally();
        ready.completeExceptionally(new NightshiftException(reason));
        if (!closing && wasServing) {
            LOG.debug("{}", reason);
            owner.gone(machine, this, reason);
        }
        for (ServerExec e : List.copyOf(execs.values())) {
            execs.remove(e.serverId());
            e.onServerGone(reason);
        }
    }

    @Override
    public void close() {
        closing = true;
        requests.close();
        Closeable s = stream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a stream that may already be gone
            }
        }
        onGone("closed");
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
                synchronized (diagnostics) {
                    if (diagnostics.size() < 4096) {
                        diagnostics.writeBytes(p);
                    }
                }
                LOG.debug("exec server in machine {}: {}", machine.id(), new String(p, StandardCharsets.UTF_8).strip());
                return;
            }
            try {
                onStdout(p);
            } catch (RuntimeException e) {
                LOG.warn("exec server in machine {} failed: {}", machine.id(), e.toString());
                onGone(e.toString());
                ExecServer.this.close();
            }
        }

        @Override
        public void onError(Throwable t) {
            onGone(t instanceof RuntimeException re ? machine.translate(re, "exec server").getMessage() : t.toString());
        }

        @Override
        public void onComplete() {
            onGone("its stream ended");
        }
    }

    /** The server's stdin: frames queued by any thread, read by the transport's copying thread. */
    private static final class Requests extends InputStream {
        private static final byte[] EOF = new byte[0];
        private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        private byte[] current;
        private int pos;
        private volatile boolean closed;

        void send(byte[] frame) {
            if (!closed) {
                queue.add(frame);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                queue.add(EOF);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int n) throws IOException {
            if (n == 0) {
                return 0;
            }
            try {
                while (current == null || pos == current.length) {
                    if (current == EOF) {
                        return -1;
                    }
                    current = queue.take();
                    pos = 0;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("exec server stdin interrupted");
            }
            if (current == EOF) {
                return -1;
            }
            int k = Math.min(n, current.length - pos);
            System.arraycopy(current, pos, b, off, k);
            pos += k;
            return k;
        }

        @Override
        public int available() {
            return current == null || current == EOF ? 0 : current.length - pos;
        }
    }
}
