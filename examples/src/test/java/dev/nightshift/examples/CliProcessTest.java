package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test of {@code bin/nightshift} run as a user runs it, one process per command, on a state
 * directory of its own ({@code dir/home}); afterwards every machine and image of that state
 * directory is removed, and the test fails when any was left behind.
 */
abstract class CliProcessTest {
    @TempDir
    Path dir;

    @AfterEach
    void removeWhatTheEnginesMade() throws Exception {
        Docker.removeUnder(dir);
        assertThat(Docker.under(dir)).as("machines and images of this test's stores left behind").isEmpty();
    }

    /** How long one command of {@link #ok} may take, in minutes. */
    long commandMinutes() {
        return 10;
    }

    /** The command line of {@code nightshift --home dir/home ARGS}. */
    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Processes.root().resolve("bin/nightshift").toString(),
                "--home", dir.resolve("home").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code nightshift ARGS} in {@code dir}, asserting it exits 0. */
    Processes.Result ok(String... args) throws Exception {
        Processes.Result r = Processes.run(dir, Map.of(), null, commandMinutes(), command(args));
        assertThat(r.exitCode()).as("nightshift %s%n%s", String.join(" ", args), r).isZero();
        return r;
    }
}
