package dev.nightshift.spec.internal;

import dev.nightshift.api.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Collects the problems of one file, placing each at the line and column of its JSON pointer
 * (or of the nearest enclosing value that has a location).
 *
 * <p>Thread-safety: not thread-safe; one per parse. Lifecycle: created for a file, read once.
 */
public final class Findings {
    private final String file;
    private final boolean strict;
    private final List<Problem> problems = new ArrayList<>();
    private LocationIndex index = LocationIndex.EMPTY;

    public Findings(String file, boolean strict) {
        this.file = file;
        this.strict = strict;
    }

    public String file() {
        return file;
    }

    public boolean strict() {
        return strict;
    }

    void locations(LocationIndex locations) {
        this.index = locations;
    }

    public LocationIndex locations() {
        return index;
    }

    /** An error in every mode. */
    public void error(String pointer, String message, String hint) {
        add(Problem.Severity.ERROR, pointer, message, hint);
    }

    /** What real files do that the schema does not allow: a warning, or an error when strict. */
    public void lenient(String pointer, String message, String hint) {
        add(strict ? Problem.Severity.ERROR : Problem.Severity.WARNING, pointer, message, hint);
    }

    /** An error at an explicit place (the parser's position), for text that has no pointer yet. */
    public void errorAt(String pointer, int line, int column, String message, String hint) {
        problems.add(new Problem(Problem.Severity.ERROR, file, pointer, line, column, message,
                Optional.ofNullable(hint)));
    }

    private void add(Problem.Severity severity, String pointer, String message, String hint) {
        long at = index.find(pointer);
        problems.add(new Problem(severity, file, pointer, LocationIndex.line(at), LocationIndex.column(at),
                message, Optional.ofNullable(hint)));
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }

    /** The problems in document order (line, column), the order of discovery among equals. */
    public List<Problem> sorted() {
        List<Problem> out = new ArrayList<>(problems);
        out.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
        return List.copyOf(out);
    }
}
