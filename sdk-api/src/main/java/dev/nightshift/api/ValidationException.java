package dev.nightshift.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An input was rejected; {@link #problems()} lists every finding (errors and the warnings
 * that came with them), each with file, JSON pointer, line and column.
 *
 * <p>The message is the errors in printed form, one per line, so a log line alone is enough
 * to fix the file.
 *
 * <p><b>Thread-safety:</b> immutable once thrown. <b>Lifecycle:</b> none.
 *
 * <pre>{@code
 * } catch (ValidationException e) {
 *     e.problems().forEach(System.err::println);
 * }
 * }</pre>
 */
public class ValidationException extends NightshiftException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public ValidationException(List<Problem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public ValidationException(String message) {
        super(message);
        this.problems = List.of();
    }

    /** Every problem found, errors first in document order, never null. */
    public List<Problem> problems() {
        return problems == null ? List.of() : problems;
    }

    private static String describe(List<Problem> problems) {
        List<Problem> errors = problems.stream().filter(Problem::isError).collect(Collectors.toList());
        List<Problem> shown = errors.isEmpty() ? problems : errors;
        if (shown.isEmpty()) {
            return "invalid input";
        }
        return shown.stream().map(Problem::toString).collect(Collectors.joining("\n"));
    }
}
