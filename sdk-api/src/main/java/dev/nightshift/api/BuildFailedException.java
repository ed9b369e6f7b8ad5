package dev.nightshift.api;

import java.util.List;

/**
 * Building an environment failed: the Dockerfile build or the {@code install} command exited
 * non-zero or ran out of time. {@link #lastLines()} holds the last lines of its output (already
 * redacted); the message repeats them so a log line is enough. The previous good snapshot stays
 * active.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 */
public class BuildFailedException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> lastLines;

    public BuildFailedException(String message, List<String> lastLines) {
        this(message, lastLines, null);
    }

    public BuildFailedException(String message, List<String> lastLines, Throwable cause) {
        super(lastLines.isEmpty() ? message
                : message + "\n--- last " + lastLines.size() + " lines of output ---\n"
                        + String.join("\n", lastLines), cause);
        this.lastLines = List.copyOf(lastLines);
    }

    /** The last lines of build output, oldest first; never null. */
    public List<String> lastLines() {
        return lastLines == null ? List.of() : lastLines;
    }
}
