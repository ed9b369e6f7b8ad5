package dev.nightshift.docker;

import static dev.nightshift.docker.DockerTests.runLabels;
import static dev.nightshift.docker.DockerTests.runtime;
import static dev.nightshift.docker.DockerTests.spec;
import static dev.nightshift.docker.DockerTests.track;
import static dev.nightshift.docker.DockerTests.viaServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What only the exec server path has: falling back without perl, a dying server, a throwing listener. */
class DockerExecServerIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path context;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rm -f /usr/bin/perl /usr/bin/perl5*",
        "rm -f /usr/bin/perl /usr/bin/perl5* && printf '#!/bin/sh\\necho broken perl >&2\\nexit 2\\n' > /usr/bin/perl"
                + " && chmod 755 /usr/bin/perl"})
    void anImageWhereTheServerCannotRunFallsBackToThePerExecPath(String breakPerl) throws IOException {
        Files.writeString(context.resolve("Dockerfile"), "FROM " + runtime().baseImage() + "\nRUN " + breakPerl + "\n");
        Image image = runtime().prepareImage(((ImageSource.Dockerfile) ImageSource.dockerfile(context, "Dockerfile", null,
                java.util.Map.of())).withLabels(runLabels()), null);
        try (Machine m = track(runtime().start(spec().image(image.id()).build()))) {
            ExecHandle h = m.exec(ExecRequest.bash("perl -e 'print 1' || echo no perl").build());
            assertThat(h.await(WAIT).stdoutTail()).isEqualTo("no perl\n");
            assertThat(viaServer(h)).as("exec %s without a working perl", h.id()).isFalse();
            ExecHandle again = m.exec(ExecRequest.of("true"));
            again.await(WAIT);
            assertThat(viaServer(again)).as("still the per-exec path").isFalse();
            ExecResult in = m.exec(ExecRequest.builder("wc", "-c").stdin("12345").build()).await(WAIT);
            assertThat(in.stdoutTail().strip()).isEqualTo("5");
            ExecResult late = m.exec(ExecRequest.bash("sleep 5151").timeout(Duration.ofSeconds(1)).build()).await(WAIT);
            assertThat(late.outcome()).isEqualTo(ExecResult.Outcome.TIMED_OUT);
        } finally {
            DockerMachineIT.docker().removeImageCmd(image.id()).withForce(true).exec();
        }
        try (Machine control = track(runtime().start(spec().build()))) {
            ExecHandle h = control.exec(ExecRequest.of("true"));
            h.await(WAIT);
            assertThat(viaServer(h)).as("control: the base image has perl").isTrue();
        }
    }

    /**
     * A command that closes its output and exits at once makes the server see the end of its
     * output just before its exit: the exit's SIGCHLD then arrived before the server's select
     * and woke nothing, and the exec never ended (measured against the old server: a hang within
     * 67 and 145 execs of this command). Each exec here must end within the wait.
     */
    @Test
    void commandsThatCloseTheirOutputAndExitAtOnceAllEnd() throws Exception {
        try (Machine m = track(runtime().start(spec().build()))) {
            for (int i = 0; i < 1500; i++) {
                ExecHandle h = m.exec(ExecRequest.builder("sh", "-c", "exec >&- 2>&-; :").user("root").build());
                ExecResult r;
                try {
                    r = h.result().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("exec " + (i + 1) + " (" + h.id() + ") never ended", e);
                }
                assertThat(r.exitCode()).as("exec %s", h.id()).isZero();
                assertThat(viaServer(h)).as("exec %s through the server", h.id()).isTrue();
            }
        }
    }

    @Test
    void aDeadServerFailsItsRunningExecsClearlyAndTheNextExecStartsANewOne() {
        try (Machine m = track(runtime().start(spec().build()))) {
            ExecHandle first = m.exec(ExecRequest.of("true"));
            first.await(WAIT);
            assertThat(viaServer(first)).isTrue();
            ExecHandle killer = m.exec(ExecRequest.bash("kill -KILL $PPID; sleep 5").user("root").build());
            assertThatThrownBy(() -> killer.await(WAIT)).isInstanceOf(NightshiftException.class)
                    .hasMessageContaining("lost its exec server").hasMessageContaining(m.id());
            ExecHandle next = m.exec(ExecRequest.bash("echo again").build());
            assertThat(next.await(WAIT).stdoutTail()).isEqualTo("again\n");
            assertThat(viaServer(next)).as("a new server serves %s", next.id()).isTrue();
        }
    }

    @Test
    void anIdleServerIsStoppedAndTheNextExecStartsANewOne() {
        try (Machine m = track(runtime().start(spec().build()))) {
            ExecHandle first = m.exec(ExecRequest.of("true"));
            first.await(WAIT);
            assertThat(viaServer(first)).isTrue();
            ExecHandle running = m.exec(ExecRequest.bash("sleep 2; echo survived").build());
            runtime().retireIdleExecServers(Duration.ZERO);
            assertThat(running.await(WAIT).stdoutTail()).as("a server with a running exec is not idle").isEqualTo("survived\n");
            runtime().retireIdleExecServers(Duration.ofHours(1));
            ExecHandle notYet = m.exec(ExecRequest.of("true"));
            notYet.await(WAIT);
            int n = Integer.parseInt(notYet.id().replaceAll(".*/s", ""));
            assertThat(n).as("control: not idle long enough, the same server numbered it")
                    .isEqualTo(Integer.parseInt(first.id().replaceAll(".*/s", "")) + 2);
            runtime().retireIdleExecServers(Duration.ZERO);
            ExecHandle next = m.exec(ExecRequest.bash("echo again").build());
            assertThat(next.await(WAIT).stdoutTail()).isEqualTo("again\n");
            assertThat(viaServer(next)).as("a new server serves %s", next.id()).isTrue();
            assertThat(Integer.parseInt(next.id().replaceAll(".*/s", ""))).as("numbering restarts with the new server")
                    .isLessThan(n);
        }
    }

    @Test
    void aThrowingListenerFailsOnlyItsExecAndKillsIt() {
        try (Machine m = track(runtime().start(spec().build()))) {
            ExecHandle bad = m.exec(ExecRequest.bash("echo x; sleep 6161").listener(new ExecListener() {
                @Override
                public void onStdout(byte[] b, int off, int len) {
                    throw new IllegalStateException("listener broke");
                }
            }).build());
            assertThatThrownBy(() -> bad.await(WAIT)).hasStackTraceContaining("listener broke");
            ExecHandle ps = m.exec(ExecRequest.of("ps", "-eo", "args"));
            assertThat(ps.await(WAIT).stdoutTail()).doesNotContain("sleep 6161");
            assertThat(viaServer(ps)).as("the server survived").isTrue();
        }
    }

    @Test
    void anAttachedMachineSharesTheContainersOneServerWithItsOwnDefaults() {
        try (Machine m = track(runtime().start(spec().build()))) {
            ExecHandle first = m.exec(ExecRequest.of("true"));
            first.await(WAIT);
            Machine attached = runtime().attach(m.id()).orElseThrow();
            ExecHandle second = attached.exec(ExecRequest.bash("echo $(id -un) $PWD").build());
            assertThat(second.await(WAIT).stdoutTail()).isEqualTo("ubuntu /workspace\n");
            int n = Integer.parseInt(first.id().replaceAll(".*/s", ""));
            assertThat(second.id()).as("the attached machine's exec is the server's next").endsWith("/s" + (n + 1));
            ExecResult perls = m.exec(ExecRequest.bash("ps -eo args | grep -c '^nightshift-execd$'").build()).await(WAIT);
            assertThat(perls.stdoutTail().strip()).as("exec servers in the machine").isEqualTo("1");
        }
    }
}
