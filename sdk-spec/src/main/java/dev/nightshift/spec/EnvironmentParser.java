package dev.nightshift.spec;

import dev.nightshift.api.spec.RepositoryTree;
import dev.nightshift.api.Problem;
import dev.nightshift.api.ValidationException;
import dev.nightshift.spec.internal.BuildPathRules;
import dev.nightshift.spec.internal.Findings;
import dev.nightshift.spec.internal.SpecReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reads {@code .cursor/environment.json} into an {@link dev.nightshift.api.spec.EnvironmentSpec}:
 * JSON with comments (trailing commas are an error, a UTF-8 byte order mark is tolerated,
 * duplicate keys are an error), validated against the shipped JSON Schema (draft 2019-09,
 * compiled once per JVM), with every finding a located {@link Problem}.
 *
 * <p>Lenient mode (the default) accepts what real files do outside the schema with a warning,
 * interpreting it where the intent is clear (a bare number in {@code ports} is
 * {@code {"port": N}}); unknown keys are kept in
 * {@link dev.nightshift.api.spec.EnvironmentSpec#extensions()} but not applied. Strict mode makes
 * every warning an error. Files larger than {@link #MAX_BYTES} and nesting deeper than 64 levels
 * are rejected before any deep work.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe; share one. <b>Lifecycle:</b> none; cheap to
 * make, holds no resources.
 *
 * <pre>{@code
 * EnvironmentParser parser = EnvironmentParser.builder().strict(false).build();
 * ParseResult r = parser.parse(".cursor/environment.json", bytes, DirectoryTree.of(repo));
 * EnvironmentSpec spec = r.orThrow(); // ValidationException with file, pointer, line, column
 * }</pre>
 */
public final class EnvironmentParser {
    /** The largest environment.json accepted: 1 MiB (real files are under 4 KiB). */
    public static final int MAX_BYTES = 1 << 20;

    /** Where the repository's own file lives. */
    public static final String REPOSITORY_FILE = ".cursor/environment.json";

    private static final EnvironmentParser LENIENT = new EnvironmentParser(false);
    private static final EnvironmentParser STRICT = new EnvironmentParser(true);

    private final boolean strict;

    private EnvironmentParser(boolean strict) {
        this.strict = strict;
    }

    public static EnvironmentParser lenient() {
        return LENIENT;
    }

    public static EnvironmentParser strict() {
        return STRICT;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().strict(strict);
    }

    public boolean isStrict() {
        return strict;
    }

    /** Parses {@code content}, checking build paths by their text only. */
    public ParseResult parse(String file, byte[] content) {
        return parse(file, content, null);
    }

    /**
     * Parses {@code content}; with a {@code tree}, the build's Dockerfile is looked up in it and
     * a path that leaves the repository through a symbolic link is an error.
     *
     * @param file the name problems carry (repository-relative where possible)
     * @param tree the repository, or {@code null} to check path text only
     */
    public ParseResult parse(String file, byte[] content, RepositoryTree tree) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(content, "content");
        Findings findings = new Findings(file, strict);
        if (content.length > MAX_BYTES) {
            return tooLarge(file, content.length);
        }
        SpecReader.Outcome out = SpecReader.read(content, tree, findings);
        BuildPathRules.Resolved paths = out.paths();
        return new ParseResult(file, out.spec(), findings.sorted(),
                paths == null ? null : paths.dockerfile(), paths == null ? null : paths.context());
    }

    /**
     * Reads and parses a file on disk, checking build paths by their text only. A file larger
     * than {@link #MAX_BYTES} is refused without being read.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public ParseResult parse(Path path) {
        String file = path.toString();
        try {
            long size = Files.size(path);
            if (size > MAX_BYTES) {
                return tooLarge(file, size);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                return tooLarge(file, bytes.length);
            }
            return parse(file, bytes, null);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no such file: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses and returns the spec, or throws {@link ValidationException} listing every problem. */
    public dev.nightshift.api.spec.EnvironmentSpec parseOrThrow(String file, byte[] content) {
        return parse(file, content).orThrow();
    }

    private static ParseResult tooLarge(String file, long size) {
        Problem p = Problem.error(file, "", 0, 0, "the file is " + size + " bytes; environment.json may be at most "
                + MAX_BYTES + " bytes").withHint("is this the right file?");
        return new ParseResult(file, null, List.of(p), null, null);
    }

    @Override
    public String toString() {
        return "EnvironmentParser[" + (strict ? "strict" : "lenient") + "]";
    }

    /**
     * Builds an {@link EnvironmentParser}.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable.
     */
    public static final class Builder {
        private boolean strict;

        private Builder() {
        }

        /** Whether every warning is an error (default false). */
        public Builder strict(boolean value) {
            strict = value;
            return this;
        }

        public EnvironmentParser build() {
            return strict ? STRICT : LENIENT;
        }
    }
}
