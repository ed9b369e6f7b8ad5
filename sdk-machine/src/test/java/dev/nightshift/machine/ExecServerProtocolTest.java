package dev.nightshift.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exec server's client against the real {@code execd.pl}, run by a local {@code perl} in
 * place of a machine (the transport is the only difference: a container's or a pod's exec gives
 * the same stdin/stdout/stderr byte streams). Commands run as this process's user in a temporary
 * directory; nothing outside it is touched.
 */
class ExecServerProtocolTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String user = System.getProperty("user.name");
    private ScheduledExecutorService scheduler;
    private Process process;
    private ExecServerClient server;
    private final List<ExecServerClient> gone = Collections.synchronizedList(new ArrayList<>());

    /** {@code perl -e execd.pl} as a local process: frames go to its stdin. */
    static ExecChannel channel(Process process) {
        return new ExecChannel() {
            @Override
            public synchronized void send(byte[] frame) throws IOException {
                OutputStream in = process.getOutputStream();
                in.write(frame);
                in.flush();
            }

            @Override
            public void close() {
                try {
                    process.getOutputStream().close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        };
    }

    private static void reader(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @BeforeEach
    void start() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        process = new ProcessBuilder(ExecServerClient.COMMAND).start();
        server = new ExecServerClient("local-test", "local-test", scheduler, WAIT, channel(process),
                (s, why, unexpected) -> gone.add(s));
        reader("execd-out", () -> server.readOutput(process.getInputStream()));
        reader("execd-err", () -> server.readDiagnostics(process.getErrorStream()));
        server.awaitReady(WAIT);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        process.destroyForcibly().waitFor();
        scheduler.shutdownNow();
    }

    private ExecResult run(ExecRequest r) {
        return server.exec(r, user, System.getProperty("java.io.tmpdir"), List.of()).await(WAIT);
    }

    @Test
    void outputStreamsSeparatelyAndTheExitCodeComesBack() {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ExecResult r = run(ExecRequest.bash("echo one; echo two >&2; exit 7")
                .listener(ExecListener.lines((s, l) -> lines.add(s + " " + l))).build());
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.EXITED);
        assertThat(r.stdoutTail()).isEqualTo("one\n");
        assertThat(r.stderrTail()).isEqualTo("two\n");
        assertThat(lines).containsExactlyInAnyOrder("STDOUT one", "STDERR two");
    }

    @Test
    void stdinEnvAndWorkdirReachTheCommand() {
        ExecResult r = server.exec(ExecRequest.builder("sh", "-c", "echo \"$(pwd) $REQ_VAR\"; cat").stdin("piped\n")
                .build(), user, "/", List.of("REQ_VAR=from-request")).await(WAIT);
        assertThat(r.stdoutTail()).isEqualTo("/ from-request\npiped\n");
    }

    @Test
    void binaryOutputArrivesByteForByte() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecResult r = run(ExecRequest.builder("sh", "-c", "head -c 300000 /dev/zero | tr '\\0' '\\377'")
                .listener(new ExecListener() {
                    @Override
                    public void onStdout(byte[] b, int off, int len) {
                        out.write(b, off, len);
                    }
                }).build());
        assertThat(r.stdoutBytes()).isEqualTo(300_000);
        byte[] all = out.toByteArray();
        assertThat(all).hasSize(300_000);
        for (byte b : all) {
            assertThat(b).isEqualTo((byte) 0xff);
        }
    }

    @Test
    void aTimeoutAndACancelKillTheWholeProcessGroup() {
        ExecResult timedOut = run(ExecRequest.bash("sleep 3141 & sleep 3142").timeout(Duration.ofMillis(500)).build());
        assertThat(timedOut.outcome()).isEqualTo(ExecResult.Outcome.TIMED_OUT);
        var h = server.exec(ExecRequest.bash("sleep 3143 & sleep 3144").build(), user, "/", List.of());
        h.cancel();
        assertThat(h.await(WAIT).outcome()).isEqualTo(ExecResult.Outcome.CANCELLED);
        assertThat(run(ExecRequest.of("ps", "-eo", "args")).stdoutTail())
                .doesNotContain("sleep 3141").doesNotContain("sleep 3142")
                .doesNotContain("sleep 3143").doesNotContain("sleep 3144");
    }

    @Test
    void aMissingUserFailsThatExecOnlyAsTheEnginesExecWould() {
        ExecResult r = server.exec(ExecRequest.of("true"), "no-such-user-xyz", "/", List.of()).await(WAIT);
        assertThat(r.exitCode()).isEqualTo(126);
        assertThat(r.stderrTail()).contains("unable to find user no-such-user-xyz");
        assertThat(run(ExecRequest.of("true")).isSuccess()).isTrue();
    }

    @Test
    void whenTheServerDiesRunningExecsFailNamingTheMachineAndItReportsItselfGone() throws Exception {
        var h = server.exec(ExecRequest.of("sleep", "3145"), user, "/", List.of());
        process.destroyForcibly().waitFor();
        assertThatThrownBy(() -> h.await(WAIT)).isInstanceOf(NightshiftException.class)
                .hasMessageContaining("local-test").hasMessageContaining("lost its exec server");
        assertThat(server.alive()).isFalse();
        assertThat(gone).containsExactly(server);
        assertThat(server.exec(ExecRequest.of("true"), user, "/", List.of())).as("a dead server takes no exec").isNull();
    }

    @Test
    void anOutputCollectorKeepsAllOutputAndATimeoutIsAnErrorNamingTheMachine() {
        OutputCollector collect = new OutputCollector();
        var h = server.exec(ExecRequest.bash("head -c 100000 /dev/zero | tr '\\0' a; echo err >&2; exit 3")
                .listener(collect).tailBytes(0).build(), user, "/", List.of());
        CommandOutput r = collect.await(h, "local-test", "bash", WAIT, e -> e);
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.ok()).isFalse();
        assertThat(r.stdout()).hasSize(100_000);
        assertThat(r.stderr()).isEqualTo("err\n");

        OutputCollector slow = new OutputCollector();
        Duration timeout = Duration.ofMillis(300);
        var s = server.exec(ExecRequest.builder("sleep", "3146").timeout(timeout).listener(slow).build(), user, "/", List.of());
        assertThatThrownBy(() -> slow.await(s, "local-test", "sleep", timeout, e -> e))
                .isInstanceOf(dev.nightshift.api.NightshiftTimeoutException.class)
                .hasMessageContaining("local-test").hasMessageContaining("sleep");
    }

    @Test
    void theRequestsEnvironmentOverridesTheMachines() {
        ExecRequest r = ExecRequest.builder("true").env("B", "request").env("C", "3").build();
        assertThat(ExecServerClient.environment(java.util.Map.of("A", "1", "B", "machine"), r))
                .containsExactlyInAnyOrder("A=1", "B=request", "C=3");
    }
}
