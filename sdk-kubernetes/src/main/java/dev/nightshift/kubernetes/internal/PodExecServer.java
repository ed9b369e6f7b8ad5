package dev.nightshift.kubernetes.internal;

import dev.nightshift.machine.ExecChannel;
import dev.nightshift.machine.ExecServerClient;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Runs sdk-machine's exec server over an {@link ExecTransport} (the pod exec websocket): frames
 * are written to its stdin under a lock, one thread reads its stdout and one its stderr.
 *
 * <p>Thread-safety: stateless. Lifecycle: static methods; the client returned owns the transport.
 */
final class PodExecServer {
    /** How long a cancel waits for the killed command's exit. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    private PodExecServer() {
    }

    /**
     * Starts reading {@code transport} and waits at most {@code readyWait} for the server's hello.
     * {@code onGone} is told when the server ends (before its running execs fail).
     */
    static ExecServerClient start(String machineId, ExecTransport transport, ScheduledExecutorService scheduler,
            Duration readyWait, Consumer<ExecServerClient> onGone) {
        ExecServerClient s = new ExecServerClient(machineId, machineId, scheduler, CANCEL_WAIT, new ExecChannel() {
            @Override
            public synchronized void send(byte[] frame) throws IOException {
                OutputStream in = transport.stdin();
                in.write(frame);
                in.flush();
            }

            @Override
            public void close() {
                transport.close();
            }
        }, (server, why, unexpected) -> onGone.accept(server));
        daemon("nightshift-execd-" + machineId, () -> s.readOutput(transport.stdout()));
        daemon("nightshift-execd-err-" + machineId, () -> s.readDiagnostics(transport.stderr()));
        s.awaitReady(readyWait);
        return s;
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
