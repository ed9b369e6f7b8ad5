package dev.nightshift.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.docker.DockerRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A real machine for the in-machine parts: a container from {@code new DockerRuntime()} on the
 * base image {@code nightshift/base:bookworm}, user {@code ubuntu}. sdk-git talks to it only
 * through the {@link Machine} interface. With {@code CI=true} a missing engine fails the test;
 * elsewhere the test is skipped with a message saying how to start one.
 */
final class MachineFixture implements AutoCloseable {
    static final String IMAGE = "nightshift/base:bookworm";
    /** Labels every machine of this test JVM, so the leak check sees only its own. */
    static final java.util.Map<String, String> LABELS = java.util.Map.of("dev.nightshift.test", "sdk-git",
            "dev.nightshift.test.run", java.util.UUID.randomUUID().toString());
    private static DockerRuntime runtime;
    private final Machine machine;

    private MachineFixture(Machine machine) {
        this.machine = machine;
    }

    static synchronized DockerRuntime runtime() {
        if (runtime == null) {
            DockerRuntime r = new DockerRuntime();
            try {
                r.dockerHost();
                r.machines(java.util.Map.of("dev.nightshift.test", "sdk-git"));
            } catch (RuntimeException e) {
                r.close();
                String why = "no Docker engine: " + e.getMessage()
                        + " (start one with 'bash scripts/docker-up', then 'bash scripts/base-image')";
                if ("true".equals(System.getenv("CI"))) {
                    fail("CI=true: " + why, e);
                }
                Assumptions.abort(why);
            }
            runtime = r;
        }
        return runtime;
    }

    static MachineFixture open() {
        return new MachineFixture(runtime().start(MachineSpec.builder(IMAGE).user("ubuntu").labels(LABELS).build()));
    }

    /** Machines of this test JVM still known to the runtime (none, once every test has closed its own). */
    static List<String> leftovers() {
        if (runtime == null) {
            return List.of();
        }
        return runtime.machines(LABELS).stream().map(m -> m.toString()).toList();
    }

    Machine machine() {
        return machine;
    }

    /** An absolute directory in the machine for a workspace. */
    String dir(String name) {
        return "/workspace/" + name;
    }

    /** Runs {@code script} (bash) as the machine's user; asserts success; returns stdout. */
    String sh(String script, String... args) {
        return shAs(null, script, args);
    }

    String shAs(String user, String script, String... args) {
        List<String> argv = new ArrayList<>(List.of("bash", "-c", script, "sh"));
        argv.addAll(List.of(args));
        ExecResult r = machine.exec(ExecRequest.builder(argv).user(user).timeout(Duration.ofMinutes(2)).build()).await();
        assertThat(r.isSuccess()).as("%s -> %s %s", script, r.stdoutTail(), r.stderrTail()).isTrue();
        return r.stdoutTail().strip();
    }

    /** Runs git in {@code dir} of the machine. */
    String git(String dir, String... args) {
        List<String> a = new ArrayList<>(List.of(dir));
        a.addAll(List.of(args));
        return sh("cd \"$1\" && shift && git \"$@\"", a.toArray(String[]::new));
    }

    /**
     * Files anywhere in the machine's file system whose content holds {@code text} (grep -r as
     * root). The text travels in two halves, so the command itself (which the runtime may log)
     * never holds it whole.
     */
    String grepEverywhere(String text) {
        int half = text.length() / 2;
        return shAs("root", "grep -rlF --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev -- \"$1$2\" / 2>/dev/null"
                + " || true", text.substring(0, half), text.substring(half));
    }

    @Override
    public void close() {
        machine.close();
    }
}
