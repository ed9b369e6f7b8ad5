package dev.nightshift.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine a test moves commits into. Until sdk-docker's runtime is available this is a
 * {@link LocalDirectoryMachine} whose "machine paths" live under a test directory.
 */
final class MachineFixture implements AutoCloseable {
    private final Machine machine;
    private final Path root;

    private MachineFixture(Machine machine, Path root) {
        this.machine = machine;
        this.root = root;
    }

    static MachineFixture open(Path tempDir) {
        return new MachineFixture(new LocalDirectoryMachine(), tempDir.resolve("machine"));
    }

    Machine machine() {
        return machine;
    }

    /** An absolute directory in the machine for a workspace. */
    String dir(String name) {
        return root.resolve(name).toString();
    }

    /** Runs {@code script} (bash) as the machine's user; asserts success; returns stdout. */
    String sh(String script, String... args) {
        List<String> argv = new ArrayList<>(List.of("bash", "-c", script, "sh"));
        argv.addAll(List.of(args));
        ExecResult r = machine.exec(ExecRequest.builder(argv).timeout(Duration.ofMinutes(2)).build()).await();
        assertThat(r.isSuccess()).as("%s -> %s %s", script, r.stdoutTail(), r.stderrTail()).isTrue();
        return r.stdoutTail().strip();
    }

    /** Runs git in {@code dir} of the machine. */
    String git(String dir, String... args) {
        List<String> a = new ArrayList<>(List.of(dir));
        a.addAll(List.of(args));
        return sh("cd \"$1\" && shift && git \"$@\"", a.toArray(String[]::new));
    }

    /** Files in the machine (under {@code dir}) whose content holds {@code text}. */
    String grep(String dir, String text) {
        return sh("grep -rlF -- \"$1\" \"$2\" || true", text, dir);
    }

    @Override
    public void close() {
        machine.close();
    }
}
