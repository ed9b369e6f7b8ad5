package dev.nightshift.docker;

import static dev.nightshift.docker.DockerTests.spec;
import static dev.nightshift.docker.DockerTests.track;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.ResourceLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Exec on a real engine: streams, exit codes, stdin, kill of the whole process group, OOM,
 * exact bytes, concurrency. This class runs every exec through the machine's exec server;
 * {@link DockerExecPerExecIT} runs the same tests on the engine's per-exec path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerExecIT {
    Machine machine;

    /** The runtime under test. */
    DockerRuntime runtime() {
        return DockerTests.runtime();
    }

    /** Whether execs of {@link #runtime()} go through the exec server. */
    boolean servers() {
        return true;
    }

    @BeforeAll
    void up() {
        machine = track(runtime().start(spec().env("FROM_SPEC", "spec-value").build()));
    }

    @AfterAll
    void down() {
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void streamsStdoutAndStderrSeparatelyWithTheExitCode() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        ExecResult r = machine.exec(ExecRequest.bash("echo out; echo err >&2; echo out2; exit 3")
                .listener(ExecListener.lines((s, l) -> seen.add(s + ":" + l))).build()).await(Duration.ofSeconds(60));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.EXITED);
        assertThat(r.stdoutTail()).isEqualTo("out\nout2\n");
        assertThat(r.stderrTail()).isEqualTo("err\n");
        assertThat(seen).containsExactlyInAnyOrder("STDOUT:out", "STDOUT:out2", "STDERR:err");
    }

    @Test
    void appliesUserWorkdirAndEnvironment() {
        ExecResult r = machine.exec(ExecRequest.bash("echo $(id -un) $(pwd) $FROM_SPEC $FROM_REQUEST")
                .env("FROM_REQUEST", "req").build()).await(Duration.ofSeconds(60));
        assertThat(r.stdoutTail()).isEqualTo("ubuntu /workspace spec-value req\n");
        ExecResult root = machine.exec(ExecRequest.builder("sh", "-c", "echo $(id -un) $(pwd)").user("root")
                .workdir("/tmp").build()).await(Duration.ofSeconds(60));
        assertThat(root.stdoutTail()).isEqualTo("root /tmp\n");
    }

    @Test
    void stdinArrivesWholeAndEndsWithEndOfFile() {
        ExecResult r = machine.exec(ExecRequest.builder("wc", "-c").stdin("hello\nworld\n").build())
                .await(Duration.ofSeconds(60));
        assertThat(r.stdoutTail().strip()).isEqualTo("12");
        ExecResult cat = machine.exec(ExecRequest.builder("cat").build()).await(Duration.ofSeconds(60));
        assertThat(cat.isSuccess()).as("cat without stdin ends at once").isTrue();
        ExecResult left = machine.exec(ExecRequest.bash("ls -a /tmp | grep -c 'nightshift-exec.*\\.in$' || true").user("root").build())
                .await(Duration.ofSeconds(60));
        assertThat(left.stdoutTail().strip()).as("stdin and pid files are cleaned up").isEqualTo("0");
    }

    @Test
    void commandNotFoundIsExit127WithAMessage() {
        ExecResult r = machine.exec(ExecRequest.of("no-such-command-xyz")).await(Duration.ofSeconds(60));
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.EXITED);
        assertThat(r.stderrTail()).contains("no-such-command-xyz");
    }

    @Test
    void timeoutKillsTheWholeProcessGroup() {
        String marker = "4242" + System.nanoTime() % 1000;
        ExecResult r = machine.exec(ExecRequest.bash("sleep " + marker + " & (sleep " + marker + " &) ; sleep " + marker)
                .timeout(Duration.ofSeconds(2)).build()).await(Duration.ofSeconds(60));
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.TIMED_OUT);
        ExecResult ps = machine.exec(ExecRequest.of("ps", "-eo", "pid,stat,args")).await(Duration.ofSeconds(60));
        assertThat(ps.stdoutTail()).as("processes left after the timeout").doesNotContain("sleep " + marker);
    }

    @Test
    void cancelKillsAndReportsCancelled() {
        ExecHandle h = machine.exec(ExecRequest.bash("sleep 776 & echo started; sleep 777").build());
        h.cancel();
        ExecResult r = h.await(Duration.ofSeconds(60));
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.CANCELLED);
        ExecResult ps = machine.exec(ExecRequest.of("ps", "-eo", "args")).await(Duration.ofSeconds(60));
        assertThat(ps.stdoutTail()).doesNotContain("sleep 777").doesNotContain("sleep 776");
    }

    @Test
    void oomIsReportedForARealOomAndNotForExit137() {
        try (Machine small = track(runtime().start(spec().limits(ResourceLimits.DEFAULT.withMemoryBytes(64L << 20)).build()))) {
            ExecResult plain = small.exec(ExecRequest.bash("exit 137").build()).await(Duration.ofSeconds(60));
            assertThat(plain.exitCode()).isEqualTo(137);
            assertThat(plain.outcome()).as("a plain exit 137").isEqualTo(ExecResult.Outcome.EXITED);
            ExecResult oom = small.exec(ExecRequest.bash("dd if=/dev/zero of=/dev/null bs=300M count=1").build())
                    .await(Duration.ofSeconds(120));
            assertThat(oom.outcome()).as("dd with a 300 MB buffer under 64 MB: %s", oom).isEqualTo(ExecResult.Outcome.OOM_KILLED);
            ExecResult after = small.exec(ExecRequest.bash("kill -KILL $$").build()).await(Duration.ofSeconds(60));
            assertThat(after.outcome()).as("a SIGKILL after an OOM is not OOM").isEqualTo(ExecResult.Outcome.EXITED);
        }
    }

    @Test
    void execInAStoppedMachineFailsNamingIt() {
        Machine m = track(runtime().start(spec().build()));
        try {
            m.stop();
            assertThatThrownBy(() -> m.exec(ExecRequest.of("true")).await(Duration.ofSeconds(60)))
                    .isInstanceOf(NightshiftException.class).hasMessageContaining(m.id()).hasMessageContaining("not running");
        } finally {
            m.close();
        }
    }

    @Test
    void aUserMissingFromTheImageIsAClearError() {
        assertThatThrownBy(() -> runtime().start(spec().user("nobody-here").build()))
                .isInstanceOf(EnvironmentUnavailableException.class)
                .hasMessageContaining("user 'nobody-here' does not exist");
    }

    @Test
    void bigOutputPassesThrough() {
        long[] count = new long[1];
        ExecResult r = machine.exec(ExecRequest.bash("head -c 5000000 /dev/zero").listener(new ExecListener() {
            @Override
            public void onStdout(byte[] bytes, int offset, int length) {
                count[0] += length;
            }
        }).build()).await(Duration.ofSeconds(60));
        assertThat(count[0]).isEqualTo(5_000_000L);
        assertThat(r.stdoutBytes()).isEqualTo(5_000_000L);
        assertThat(r.stdoutTail().getBytes(UTF_8)).hasSize(ExecRequest.DEFAULT_TAIL_BYTES);
    }

    @Test
    void aMissingUserOrWorkdirIsExit126WithTheReason() {
        ExecResult user = machine.exec(ExecRequest.builder("true").user("nobody-here").build()).await(Duration.ofSeconds(60));
        assertThat(user.exitCode()).isEqualTo(126);
        assertThat(user.stdoutTail() + user.stderrTail()).contains("unable to find user nobody-here");
        ExecResult dir = machine.exec(ExecRequest.builder("true").workdir("/no-such-dir").build()).await(Duration.ofSeconds(60));
        assertThat(dir.exitCode()).isEqualTo(126);
        assertThat(dir.stdoutTail() + dir.stderrTail()).contains("/no-such-dir");
        ExecResult control = machine.exec(ExecRequest.builder("true").user("root").workdir("/tmp").build())
                .await(Duration.ofSeconds(60));
        assertThat(control.exitCode()).isZero();
    }

    @Test
    void runsOnTheExpectedPath() {
        ExecHandle h = machine.exec(ExecRequest.of("true"));
        assertThat(h.await(Duration.ofSeconds(60)).isSuccess()).isTrue();
        assertThat(DockerTests.viaServer(h)).as("exec %s went through the exec server", h.id()).isEqualTo(servers());
    }

    @Test
    void outputArrivesByteExactOnEachStream() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        ExecResult r = machine.exec(ExecRequest.bash("head -c 3000000 /dev/urandom > /tmp/bytes-$$; cat /tmp/bytes-$$;"
                + " head -c 70000 /dev/urandom | tee /tmp/err-$$ >&2; sha256sum /tmp/bytes-$$ /tmp/err-$$ > /tmp/sums;"
                + " rm /tmp/bytes-$$ /tmp/err-$$").listener(new ExecListener() {
                    @Override
                    public void onStdout(byte[] b, int off, int len) {
                        out.write(b, off, len);
                    }

                    @Override
                    public void onStderr(byte[] b, int off, int len) {
                        err.write(b, off, len);
                    }
                }).build()).await(Duration.ofSeconds(120));
        assertThat(r.exitCode()).isZero();
        String[] sums = new String(machine.readFile("/tmp/sums"), UTF_8).strip().split("\n");
        assertThat(out.size()).isEqualTo(3_000_000);
        assertThat(err.size()).isEqualTo(70_000);
        assertThat(sums[0]).startsWith(sha256(out.toByteArray()) + " ");
        assertThat(sums[1]).startsWith(sha256(err.toByteArray()) + " ");
        assertThat(r.stdoutBytes()).isEqualTo(3_000_000L);
        assertThat(r.stderrBytes()).isEqualTo(70_000L);
    }

    @Test
    void concurrentExecsKeepTheirOwnStreamsAndResults() {
        List<ExecHandle> handles = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            handles.add(machine.exec(ExecRequest.bash("head -c " + (200_000 * (i + 1)) + " /dev/zero | tr '\\0' " + (char) ('a' + i)
                    + "; echo err" + i + " >&2; exit " + i).tailBytes(8).build()));
        }
        for (int i = 0; i < 8; i++) {
            ExecResult r = handles.get(i).await(Duration.ofSeconds(120));
            assertThat(r.exitCode()).isEqualTo(i);
            assertThat(r.stdoutBytes()).isEqualTo(200_000L * (i + 1));
            assertThat(r.stdoutTail()).isEqualTo(String.valueOf((char) ('a' + i)).repeat(8));
            assertThat(r.stderrTail()).isEqualTo("err" + i + "\n");
        }
    }

    private static String sha256(byte[] bytes) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
