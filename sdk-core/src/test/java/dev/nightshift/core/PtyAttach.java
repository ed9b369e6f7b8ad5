package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AttachInfo;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A human at a take-over, for tests: runs the attach command under a pseudo-terminal made by
 * util-linux {@code script}, waits until tmux shows the client attached, types keys, and detaches
 * with Ctrl-b d.
 */
final class PtyAttach implements AutoCloseable {
    static final Path SCRIPT = Path.of("/usr/bin/script");
    private final Process process;
    private final OutputStream keys;
    private final Machine machine;
    private final AttachInfo attach;

    private PtyAttach(Process process, Machine machine, AttachInfo attach) {
        this.process = process;
        this.keys = process.getOutputStream();
        this.machine = machine;
        this.attach = attach;
    }

    /** Starts {@code attach} under a pty and returns once tmux counts the client as attached. */
    static PtyAttach start(AttachInfo attach, Machine machine, Duration timeout) throws IOException {
        assertThat(SCRIPT).as("util-linux script(1) makes the pseudo-terminal (apt-get install bsdutils)").exists();
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "-q", "-c", attach.commandLine(), "/dev/null")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TERM", "xterm");
        PtyAttach a = new PtyAttach(pb.start(), machine, attach);
        a.awaitClient(timeout);
        return a;
    }

    private void awaitClient(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            ExecResult r = machine.exec(ExecRequest.builder("tmux", "list-clients", "-t", attach.terminalSession(),
                    "-F", "#{client_tty}").user(attach.user()).build()).await();
            last = r.stdoutTail() + r.stderrTail();
            if (r.isSuccess() && !r.stdoutTail().isBlank()) {
                return;
            }
            assertThat(process.isAlive()).as("the attach command ended before tmux saw it: %s (%s)",
                    attach.commandLine(), last).isTrue();
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // poll interval, with a deadline
        }
        throw new AssertionError("no tmux client attached within " + timeout + ": " + last);
    }

    /** Types {@code text}; a {@code "\r"} is Enter. */
    void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** Presses Ctrl-b d and waits for the attach command to end; its exit code. */
    int detach(Duration timeout) throws IOException, InterruptedException {
        type("\u0002d");
        assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                .as("the attach command ends after Ctrl-b d").isTrue();
        return process.exitValue();
    }

    /** Reads {@code path} in the machine until it has content, or fails after {@code timeout}. */
    static String awaitFile(Machine machine, String path, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ExecResult r = machine.exec(ExecRequest.bash("cat " + path + " 2>/dev/null").build()).await();
            if (r.isSuccess() && r.stdoutTail().endsWith("\n")) {
                return r.stdoutTail().strip();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // poll interval, with a deadline
        }
        throw new AssertionError(path + " did not appear in machine " + machine.id() + " within " + timeout);
    }

    /**
     * Attaches with {@code attach}, types a command that records who, where and in which window it
     * ran into {@code file}, detaches, and returns what the command wrote.
     */
    static String typeAndReadBack(AttachInfo attach, Machine machine, String file) throws Exception {
        Duration wait = Duration.ofSeconds(60);
        try (PtyAttach a = start(attach, machine, wait)) {
            a.type("echo \"$(whoami) $(pwd) $(tmux display-message -p '#W')\" > " + file + "\r");
            String got = awaitFile(machine, file, wait);
            assertThat(a.detach(wait)).as("detaching ends the attach command cleanly").isZero();
            return got;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            keys.close();
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    static boolean available() {
        return Files.isExecutable(SCRIPT);
    }
}
