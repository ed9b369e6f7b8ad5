package dev.nightshift.api.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a command ended: its exit code, why it ended, and the tail of its output.
 *
 * <p>{@link Outcome#OOM_KILLED} is reported only when the kernel's OOM killer killed the
 * command (read from the machine's cgroup), never merely because the exit code is 137.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * ExecResult r = handle.await();
 * if (!r.isSuccess()) {
 *     throw new IllegalStateException("failed: " + r.exitCode() + "\n" + r.stderrTail());
 * }
 * }</pre>
 *
 * @param exitCode the process's exit code (128+signal when killed; -1 when unknown)
 * @param outcome why it ended
 * @param stdoutTail the last {@link ExecRequest#tailBytes()} of stdout, decoded as UTF-8
 * @param stderrTail the last {@link ExecRequest#tailBytes()} of stderr, decoded as UTF-8
 * @param stdoutBytes total bytes of stdout seen
 * @param stderrBytes total bytes of stderr seen
 * @param duration wall time from start to end
 */
public record ExecResult(int exitCode, Outcome outcome, String stdoutTail, String stderrTail,
        long stdoutBytes, long stderrBytes, Duration duration) {

    /** Why a command ended. */
    public enum Outcome {
        /** It exited by itself (any exit code). */
        EXITED,
        /** Its timeout ran out and it was killed. */
        TIMED_OUT,
        /** {@link ExecHandle#cancel()} killed it. */
        CANCELLED,
        /** The kernel's OOM killer killed it. */
        OOM_KILLED
    }

    public ExecResult {
        Objects.requireNonNull(outcome, "outcome");
        stdoutTail = stdoutTail == null ? "" : stdoutTail;
        stderrTail = stderrTail == null ? "" : stderrTail;
        Objects.requireNonNull(duration, "duration");
    }

    /** Exited by itself with code 0. */
    public boolean isSuccess() {
        return outcome == Outcome.EXITED && exitCode == 0;
    }

    public boolean isOomKilled() {
        return outcome == Outcome.OOM_KILLED;
    }

    /** The last {@code n} lines of stdout and stderr together (stdout first), for error messages. */
    public List<String> lastLines(int n) {
        String all = (stdoutTail + (stdoutTail.isEmpty() || stdoutTail.endsWith("\n") ? "" : "\n") + stderrTail).strip();
        if (all.isEmpty()) {
            return List.of();
        }
        List<String> lines = List.of(all.split("\r?\n"));
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
