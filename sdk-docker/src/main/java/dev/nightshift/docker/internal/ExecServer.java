package dev.nightshift.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.machine.ExecChannel;
import dev.nightshift.machine.ExecServerClient;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived {@code docker exec} per machine running sdk-machine's exec server
 * ({@link ExecServerClient#COMMAND}) as root, with stdin and stdout attached, so an exec costs one
 * message each way instead of the engine's exec create, start and inspect round trips. The
 * protocol is {@link ExecServerClient}'s; this class is its Docker transport: requests are queued
 * for the engine's attach stream to read, the stream's frames go to the client as they arrive.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: {@link #start} runs it; it ends when closed, when the
 * machine stops, or when the server dies; running execs then fail and the machine falls back to
 * the per-exec path.
 */
final class ExecServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecServer.class);
    private static final Duration READY_WAIT = Duration.ofSeconds(20);
    /** How long a cancel waits for the killed command's end (as the per-exec path's). */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(60);

    private final DockerMachine machine;
    private final Requests requests = new Requests();
    private final ExecServerClient client;
    private volatile Closeable stream;

    private ExecServer(DockerMachine machine, ExecServers owner) {
        this.machine = machine;
        ExecChannel channel = new ExecChannel() {
            @Override
            public void send(byte[] frame) {
                requests.send(frame); // never blocks, never fails: the queue is unbounded
            }

            @Override
            public void close() {
                release();
            }
        };
        this.client = new ExecServerClient(machine.id(), machine.shortId(), machine.scheduler(), CANCEL_WAIT, channel,
                (server, reason, unexpected) -> {
                    if (unexpected) {
                        LOG.debug("{}", reason);
                        owner.gone(machine, this, reason);
                    }
                });
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
                .withCmd(ExecServerClient.COMMAND.toArray(String[]::new))
                .withUser("root")
                .withAttachStdin(true)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .exec().getId();
        machine.client().execStartCmd(execId).withStdIn(s.requests).exec(s.new Callback());
        try {
            String hello = s.client.ready().get(READY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
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
                throw new Unsupported("exec server cannot run (exit " + code + "; is perl installed?)" + s.client.diagnostics());
            }
            if (code != null && code != 137 && code != 143 && machine.state() == dev.nightshift.api.runtime.MachineState.RUNNING) {
                // it ended by itself before its hello, in a running machine: e.g. a perl without POSIX
                throw new Unsupported("exec server exited " + code + " before it was ready" + s.client.diagnostics());
            }
            throw e.getCause() instanceof RuntimeException re ? re
                    : new NightshiftException("exec server in machine " + machine.id() + " failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
            s.close();
            throw new NightshiftException("exec server in machine " + machine.id() + " did not answer within "
                    + READY_WAIT + s.client.diagnostics(), e);
        }
    }

    /** Whether no exec is running through this server now. */
    boolean idle() {
        return client.idle();
    }

    boolean alive() {
        return client.alive();
    }

    /**
     * Starts {@code request} for {@code machine} (any object standing for this container: its
     * user, working directory and environment apply); {@code null} when the server is gone (use
     * the per-exec path).
     */
    ExecHandle exec(DockerMachine machine, ExecRequest request) {
        String user = request.user() != null ? request.user() : machine.user();
        String workdir = request.workdir() != null ? request.workdir() : machine.workdir();
        return client.exec(request, user, workdir, machine.execEnv(request));
    }

    /** Ends the server; its running execs fail. */
    @Override
    public void close() {
        client.close();
    }

    /** The client ended: the server's stdin ends and the attach stream is let go. */
    private void release() {
        requests.close();
        Closeable s = stream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a stream that may already be gone
            }
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
                client.diagnostic(p, 0, p.length);
            } else {
                client.received(p, 0, p.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            client.ended(t instanceof RuntimeException re ? machine.translate(re, "exec server").getMessage() : t.toString());
        }

        @Override
        public void onComplete() {
            client.ended("its stream ended");
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
