package dev.nightshift.machine;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of an internal, fully buffered command in a machine (small outputs only): what a
 * runtime's own helpers (file access, tmux, start checks) get back.
 *
 * <p>Thread-safety: immutable (do not change {@link #stdout()}'s array). Lifecycle: a value.
 *
 * @param exit the command's exit code
 * @param stdout everything it wrote to stdout
 * @param stderr everything it wrote to stderr, as UTF-8 text
 */
public record CommandOutput(int exit, byte[] stdout, String stderr) {
    /** Validates. */
    public CommandOutput {
        java.util.Objects.requireNonNull(stdout, "stdout");
        java.util.Objects.requireNonNull(stderr, "stderr");
    }

    /** {@link #stdout()} as UTF-8 text. */
    public String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Whether it exited 0. */
    public boolean ok() {
        return exit == 0;
    }
}
