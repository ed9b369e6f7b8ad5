package dev.nightshift.api.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link MachineRuntime} implementation passes: {@link RuntimeApiConformanceTest}'s
 * part, which runs no command, and here the part that needs real machines (exec, files,
 * terminals, the contents of snapshots). Extend it in the implementation's
 * integration tests and provide a runtime and a machine spec; the image must have a POSIX
 * {@code sh}, coreutils, {@code ps}, {@code tmux} and git, and the spec's user must exist.
 *
 * <p>Thread-safety: a JUnit test class. Lifecycle: one instance per test; the runtime is the
 * subclass's to close, every machine and snapshot a test makes is removed after it.
 *
 * <pre>{@code
 * class DockerRuntimeConformanceIT extends RuntimeConformanceTest {
 *     protected MachineRuntime runtime() { return SHARED; }
 *     protected MachineSpec.Builder spec() { return MachineSpec.builder("nightshift/base:bookworm").user("ubuntu"); }
 * }
 * }</pre>
 */
public abstract class RuntimeConformanceTest extends RuntimeApiConformanceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /**
     * A directory whose contents a snapshot keeps: {@code /tmp} where the whole disk is saved
     * (Docker); a runtime that saves only a volume (Kubernetes: {@code /workspace}) names it.
     */
    protected String persistentDir() {
        return "/tmp";
    }

    private static ExecResult run(Machine m, String script) {
        return m.exec(ExecRequest.bash(script).build()).await(WAIT);
    }

    @Test
    void execStreamsOutputAndReportsTheExitCode() {
        Machine m = start(spec());
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ExecResult r = m.exec(ExecRequest.bash("echo one; echo two >&2; exit 7")
                .listener(ExecListener.lines((s, l) -> lines.add(s + " " + l))).build()).await(WAIT);
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.EXITED);
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.stdoutTail()).isEqualTo("one\n");
        assertThat(r.stderrTail()).isEqualTo("two\n");
        assertThat(lines).containsExactlyInAnyOrder("STDOUT one", "STDERR two");
        assertThat(m.exec(ExecRequest.of("true")).await(WAIT).isSuccess()).isTrue();
    }

    @Test
    void execHonoursUserWorkdirEnvAndStdin() {
        Machine m = start(spec().env("SPEC_VAR", "from-spec"));
        ExecResult r = m.exec(ExecRequest.builder("sh", "-c", "echo \"$(id -un) $(pwd) $SPEC_VAR $REQ_VAR\"; cat")
                .user("root").workdir("/tmp").env("REQ_VAR", "from-request").stdin("piped\n").build()).await(WAIT);
        assertThat(r.stdoutTail()).isEqualTo("root /tmp from-spec from-request\npiped\n");
        ExecResult asDefault = run(m, "id -un");
        assertThat(asDefault.stdoutTail().strip()).isEqualTo(m.user());
    }

    @Test
    void aTimeoutKillsTheCommandAndItsChildren() {
        Machine m = start(spec());
        ExecResult r = m.exec(ExecRequest.bash("sleep 3131 & sleep 3132").timeout(Duration.ofSeconds(1)).build()).await(WAIT);
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.TIMED_OUT);
        assertThat(run(m, "ps -eo args").stdoutTail()).doesNotContain("sleep 3131").doesNotContain("sleep 3132");
    }

    @Test
    void cancelKillsTheCommand() {
        Machine m = start(spec());
        ExecHandle h = m.exec(ExecRequest.bash("sleep 3133 & sleep 3134").build());
        h.cancel();
        assertThat(h.await(WAIT).outcome()).isEqualTo(ExecResult.Outcome.CANCELLED);
        h.cancel();
        assertThat(run(m, "ps -eo args").stdoutTail()).doesNotContain("sleep 3133").doesNotContain("sleep 3134");
    }

    @Test
    void filesRoundTripAndAMissingFileIsNotFound() throws IOException {
        Machine m = start(spec());
        byte[] content = "line one\nline two\n".getBytes(UTF_8);
        m.writeFile("/tmp/conformance/dir/file.txt", content);
        assertThat(m.readFile("/tmp/conformance/dir/file.txt")).isEqualTo(content);
        assertThat(run(m, "cat /tmp/conformance/dir/file.txt").stdoutTail()).isEqualTo("line one\nline two\n");
        assertThatThrownBy(() -> m.readFile("/tmp/conformance/none.txt")).isInstanceOf(NotFoundException.class);

        Path src = Files.createDirectories(tmp.resolve("tree/nested"));
        Files.writeString(src.resolve("n.txt"), "nested");
        Files.writeString(tmp.resolve("tree/top.txt"), "top");
        m.copyIn(tmp.resolve("tree"), "/tmp/copied");
        assertThat(run(m, "cat /tmp/copied/top.txt /tmp/copied/nested/n.txt").stdoutTail()).isEqualTo("topnested");
        m.copyOut("/tmp/copied", tmp.resolve("out"));
        assertThat(Files.readString(tmp.resolve("out/copied/nested/n.txt"))).isEqualTo("nested");
    }

    @Test
    void aSnapshotStartsNewMachinesWithItsDisk() {
        Machine m = start(spec());
        String dir = persistentDir() + "/snap";
        run(m, "mkdir -p " + dir + " && echo from-the-snapshot > " + dir + "/f.txt");
        SnapshotInfo s = keep(m.snapshot(Map.of("dev.nightshift.conformance", testLabel)));
        assertThat(s.id()).matches("snapshot-\\d{8}-[0-9a-f-]{36}");
        assertThat(s.label(SnapshotInfo.LABEL_ID)).contains(s.id());
        assertThat(runtime().findSnapshot(s.id())).map(SnapshotInfo::imageId).contains(s.imageId());
        assertThat(runtime().snapshots(Map.of("dev.nightshift.conformance", testLabel))).extracting(SnapshotInfo::id)
                .contains(s.id());
        Image image = runtime().prepareImage(ImageSource.snapshot(s.id()), line -> { });
        Machine copy = start(spec().image(image.id()));
        assertThat(run(copy, "cat " + dir + "/f.txt").stdoutTail()).isEqualTo("from-the-snapshot\n");
        run(copy, "echo changed > " + dir + "/f.txt");
        assertThat(run(m, "cat " + dir + "/f.txt").stdoutTail()).as("copy-on-write").isEqualTo("from-the-snapshot\n");

        copy.close();
        runtime().deleteSnapshot(s.id());
        assertThat(runtime().findSnapshot(s.id())).isEmpty();
        assertThatThrownBy(() -> runtime().prepareImage(ImageSource.snapshot(s.id()), line -> { }))
                .isInstanceOf(NotFoundException.class);
        runtime().deleteSnapshot("snapshot-20000101-00000000-0000-0000-0000-000000000000");
    }

    @Test
    void hibernateRemovesTheMachineAndItsSnapshotRestores() {
        Machine m = start(spec());
        run(m, "echo asleep > " + persistentDir() + "/h.txt");
        SnapshotInfo s = keep(m.hibernate(Map.of()));
        assertThat(m.state()).isEqualTo(MachineState.GONE);
        assertThatThrownBy(() -> m.exec(ExecRequest.of("true")).await(WAIT)).isInstanceOf(NightshiftException.class);
        Machine back = start(spec().image(s.id()));
        assertThat(run(back, "cat " + persistentDir() + "/h.txt").stdoutTail()).isEqualTo("asleep\n");
    }

    @Test
    void machinesAreListedByLabelAndAttachable() {
        Machine m = start(spec());
        List<MachineInfo> found = runtime().machines(Map.of("dev.nightshift.conformance", testLabel));
        assertThat(found).extracting(MachineInfo::id).containsExactly(m.id());
        assertThat(found.get(0).state()).isEqualTo(MachineState.RUNNING);
        assertThat(found.get(0).labels()).containsEntry("dev.nightshift.conformance", testLabel);
        Machine attached = runtime().attach(m.id()).orElseThrow();
        assertThat(attached.id()).isEqualTo(m.id());
        assertThat(run(attached, "id -un").stdoutTail().strip()).isEqualTo(m.user());
        assertThat(runtime().attach("no-such-machine")).isEmpty();
    }

    @Test
    void stopKeepsTheMachineAndCloseRemovesItIdempotently() {
        Machine m = start(spec());
        m.stop();
        assertThat(m.state()).isEqualTo(MachineState.STOPPED);
        assertThatThrownBy(() -> m.exec(ExecRequest.of("true")).await(WAIT)).isInstanceOf(NightshiftException.class)
                .hasMessageContaining(m.id());
        m.close();
        m.close();
        assertThat(m.state()).isEqualTo(MachineState.GONE);
        assertThat(runtime().machines(Map.of("dev.nightshift.conformance", testLabel))).isEmpty();
    }

    @Test
    void terminalsRunCommandsAHumanCanAttachTo() throws Exception {
        Machine m = start(spec());
        Terminals t = m.terminals();
        assertThat(t.list()).isEmpty();
        t.start("main", "sh", null, Map.of("WHO", "conformance"));
        assertThatThrownBy(() -> t.start("main", "sh", null, Map.of())).isInstanceOf(ConflictException.class);
        t.sendKeys("main", "echo \"hello $WHO\"\n");
        waitFor(() -> t.read("main", 10).contains("hello conformance"), "the shell to echo");
        assertThat(t.list()).extracting(TerminalInfo::name).containsExactly("main");
        assertThat(t.attachCommand()).contains(t.sessionName());

        // A human attaches for real: the attach command runs on the host under a pty (util-linux
        // script), sees the agent's screen, types a command, and the agent's side sees its effect.
        String marker = "attached-" + UUID.randomUUID();
        String file = "/tmp/" + marker;
        // the window the human lands on is the session's active one: make it "main", whatever other
        // windows the runtime keeps in the session
        assertThat(run(m, "tmux select-window -t '" + t.sessionName() + ":main'").exitCode()).isZero();
        try (HostTerminal human = HostTerminal.run(t.attachCommand())) {
            human.awaitOutput("hello conformance", WAIT);
            human.type("echo typed-by-a-human > " + file + "\r");
            waitFor(() -> exists(m, file), "the command typed in the attached terminal to write " + file);
            assertThat(new String(m.readFile(file), UTF_8)).isEqualTo("typed-by-a-human\n");
            assertThat(t.read("main", 20)).as("the agent's window shows what the human typed").contains(file);
            human.type("\u0002d"); // tmux's prefix, then detach
            assertThat(human.awaitExit(WAIT)).as("the attach command ends when the human detaches").isTrue();
        }
        assertThat(t.list()).as("detaching leaves the terminal running").singleElement()
                .satisfies(i -> assertThat(i.running()).isTrue());
        t.stop("main");
        assertThat(t.list()).isEmpty();
    }

    private static boolean exists(Machine m, String path) {
        try {
            m.readFile(path);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** A command run on the host under a pseudo-terminal ({@code script} from util-linux), as a person would. */
    private static final class HostTerminal implements AutoCloseable {
        private final Process process;
        private final StringBuffer output = new StringBuffer();
        private final Thread reader;

        private HostTerminal(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (var in = process.getInputStream()) {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        output.append(new String(buf, 0, n, UTF_8));
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "nightshift-test-pty-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static HostTerminal run(List<String> command) throws IOException {
            String quoted = command.stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                    .collect(java.util.stream.Collectors.joining(" "));
            ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c", quoted, "/dev/null")
                    .redirectErrorStream(true);
            pb.environment().put("TERM", "xterm");
            try {
                return new HostTerminal(pb.start());
            } catch (IOException e) {
                throw new IOException("the attach test runs the attach command under a pty with 'script' "
                        + "(util-linux); install it on the host: " + e.getMessage(), e);
            }
        }

        void awaitOutput(String text, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (output.indexOf(text) < 0) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the attached terminal did not show '" + text + "' within " + timeout
                            + (process.isAlive() ? "" : " (the attach command exited " + process.exitValue() + ")")
                            + "; it showed:\n" + output);
                }
                Thread.onSpinWait();
            }
        }

        void type(String keys) throws IOException {
            process.getOutputStream().write(keys.getBytes(UTF_8));
            process.getOutputStream().flush();
        }

        boolean awaitExit(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }
}
