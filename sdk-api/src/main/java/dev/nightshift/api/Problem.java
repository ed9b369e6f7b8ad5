package dev.nightshift.api;

import java.util.Objects;
import java.util.Optional;

/**
 * One finding about an input file, with enough location to fix it: the file, the JSON pointer
 * of the offending value, and its line and column.
 *
 * <p>{@link #toString()} prints the compiler-style form
 * {@code FILE:LINE:COL: error|warning: /pointer: message}, followed by
 * {@code  (hint: ...)} when there is a hint. Line and column are 1-based; {@code 0} means
 * unknown (for example a problem about the file as a whole).
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * Problem p = Problem.error(".cursor/environment.json", "/terminals/0", 7, 5,
 *         "required property 'command' is missing");
 * System.err.println(p); // .cursor/environment.json:7:5: error: /terminals/0: required property 'command' is missing
 * }</pre>
 *
 * @param severity error or warning
 * @param file the file as the user knows it (repository-relative where possible)
 * @param pointer RFC 6901 JSON pointer, {@code ""} for the whole document
 * @param line 1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @param message what is wrong, never holding a secret
 * @param hint what to do about it; empty when there is no hint ({@code null} becomes empty)
 */
public record Problem(Severity severity, String file, String pointer, int line, int column,
        String message, Optional<String> hint) {

    /** How bad a problem is. */
    public enum Severity {
        ERROR, WARNING;

        /** The lower-case word used in printed form. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Problem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
        hint = hint == null ? Optional.empty() : hint;
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must be >= 0");
        }
    }

    public static Problem error(String file, String pointer, int line, int column, String message) {
        return new Problem(Severity.ERROR, file, pointer, line, column, message, Optional.empty());
    }

    public static Problem warning(String file, String pointer, int line, int column, String message) {
        return new Problem(Severity.WARNING, file, pointer, line, column, message, Optional.empty());
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** The same problem with this hint ({@code null} for none). */
    public Problem withHint(String newHint) {
        return new Problem(severity, file, pointer, line, column, message, Optional.ofNullable(newHint));
    }

    public Problem withSeverity(Severity newSeverity) {
        return new Problem(newSeverity, file, pointer, line, column, message, hint);
    }

    public Problem withFile(String newFile) {
        return new Problem(severity, newFile, pointer, line, column, message, hint);
    }

    /** The compiler-style line, without the hint. */
    public String format() {
        return file + ":" + line + ":" + column + ": " + severity.label() + ": "
                + (pointer.isEmpty() ? "/" : pointer) + ": " + message;
    }

    @Override
    public String toString() {
        return hint.map(h -> format() + " (hint: " + h + ")").orElseGet(this::format);
    }
}
