package dev.nightshift.spec;

import dev.nightshift.api.spec.RepositoryTree;
import dev.nightshift.api.Problem;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spec.EnvironmentSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What reading one environment.json produced: the spec (present exactly when there is no
 * error), every problem in document order, and, when a {@link RepositoryTree} was given and the
 * spec has a {@code build}, the repository-relative Dockerfile and context.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * ParseResult r = EnvironmentParser.lenient().parse(".cursor/environment.json", bytes);
 * r.problems().forEach(System.err::println);
 * EnvironmentSpec spec = r.orThrow();
 * }</pre>
 */
public final class ParseResult {
    private final String file;
    private final EnvironmentSpec spec;
    private final List<Problem> problems;
    private final String dockerfilePath;
    private final String contextPath;

    ParseResult(String file, EnvironmentSpec spec, List<Problem> problems, String dockerfilePath, String contextPath) {
        this.file = file;
        this.spec = spec;
        this.problems = List.copyOf(problems);
        this.dockerfilePath = dockerfilePath;
        this.contextPath = contextPath;
    }

    /** The file name the problems carry. */
    public String file() {
        return file;
    }

    /** The spec; empty when there is an error. */
    public Optional<EnvironmentSpec> spec() {
        return Optional.ofNullable(spec);
    }

    /** Errors and warnings in document order. */
    public List<Problem> problems() {
        return problems;
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }

    public List<Problem> warnings() {
        return problems.stream().filter(p -> !p.isError()).toList();
    }

    /** Whether the file was accepted (there may be warnings). */
    public boolean isValid() {
        return spec != null;
    }

    /** Repository-relative path of the Dockerfile to build, when it was looked up in a tree. */
    public Optional<String> dockerfilePath() {
        return Optional.ofNullable(dockerfilePath);
    }

    /** Repository-relative build context ({@code ""} is the root), when the spec has a build. */
    public Optional<String> contextPath() {
        return Optional.ofNullable(contextPath);
    }

    /**
     * The spec, or a {@link ValidationException} listing every problem, errors first in
     * document order.
     */
    public EnvironmentSpec orThrow() {
        if (spec != null) {
            return spec;
        }
        List<Problem> ordered = new ArrayList<>(errors());
        ordered.addAll(warnings());
        throw new ValidationException(ordered);
    }

    @Override
    public String toString() {
        return "ParseResult[" + file + ", " + (isValid() ? "valid" : "invalid") + ", " + errors().size()
                + " errors, " + warnings().size() + " warnings]";
    }
}
