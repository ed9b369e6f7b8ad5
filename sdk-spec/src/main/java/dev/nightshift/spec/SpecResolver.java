package dev.nightshift.spec;

import dev.nightshift.api.spec.RepositoryTree;
import dev.nightshift.api.Problem;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spec.BaseKind;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.spec.internal.BuildPathRules;
import dev.nightshift.spec.internal.Findings;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which environment spec applies to a repository, in order: the repository's
 * {@code .cursor/environment.json} (read from the given tree, i.e. at the commit the agent starts
 * from), else the personal saved config, else the team saved config, else
 * {@link EnvironmentSpec#DEFAULTS}. A repository file with an error is an error; it never falls
 * back to a saved config.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe. <b>Lifecycle:</b> none; build one per
 * configuration and reuse it.
 *
 * <pre>{@code
 * SpecResolver resolver = SpecResolver.builder().strict(false).personal(mine).team(ours).build();
 * ResolvedSpec r = resolver.resolve(DirectoryTree.of(checkout));
 * r.warnings().forEach(w -> log.warn("{}", w));
 * }</pre>
 */
public final class SpecResolver {
    private final boolean strict;
    private final EnvironmentSpec personal;
    private final EnvironmentSpec team;

    private SpecResolver(Builder b) {
        this.strict = b.strict;
        this.personal = b.personal;
        this.team = b.team;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().strict(strict).personal(personal).team(team);
    }

    public boolean strict() {
        return strict;
    }

    public Optional<EnvironmentSpec> personal() {
        return Optional.ofNullable(personal);
    }

    public Optional<EnvironmentSpec> team() {
        return Optional.ofNullable(team);
    }

    /**
     * The spec in force for {@code tree}, with its warnings.
     *
     * @throws ValidationException when the repository file (or a saved config's build paths)
     *     has an error; in strict mode a warning is an error
     */
    public ResolvedSpec resolve(RepositoryTree tree) {
        Objects.requireNonNull(tree, "tree");
        String file = EnvironmentParser.REPOSITORY_FILE;
        if (tree.exists(file)) {
            byte[] bytes = read(tree, file);
            EnvironmentParser parser = EnvironmentParser.builder().strict(strict).build();
            ParseResult r = parser.parse(file, bytes, tree);
            EnvironmentSpec spec = r.orThrow();
            return new ResolvedSpec(spec, ResolvedSpec.ORIGIN_REPOSITORY, r.warnings(), spec.buildDigest(),
                    spec.baseKind() == BaseKind.BUILD ? r.dockerfilePath().orElse(null) : null,
                    spec.baseKind() == BaseKind.BUILD ? r.contextPath().orElse(null) : null);
        }
        if (personal != null) {
            return saved(personal, ResolvedSpec.ORIGIN_PERSONAL, tree);
        }
        if (team != null) {
            return saved(team, ResolvedSpec.ORIGIN_TEAM, tree);
        }
        EnvironmentSpec d = EnvironmentSpec.DEFAULTS;
        return new ResolvedSpec(d, ResolvedSpec.ORIGIN_DEFAULTS, List.of(), d.buildDigest(), null, null);
    }

    private static byte[] read(RepositoryTree tree, String file) {
        String real = file;
        if (tree.isSymlink(file)) {
            real = BuildPathRules.realPath(file, tree);
            if (real == null) {
                throw new ValidationException(List.of(Problem.error(file, "", 0, 0,
                        "environment.json is a symbolic link that leaves the repository")));
            }
        }
        Optional<byte[]> bytes = tree.read(real);
        if (bytes.isEmpty()) {
            throw new ValidationException(List.of(Problem.error(file, "", 0, 0,
                    "environment.json is not a regular file")));
        }
        return bytes.get();
    }

    private static ResolvedSpec saved(EnvironmentSpec spec, String origin, RepositoryTree tree) {
        String dockerfile = null;
        String context = null;
        if (spec.baseKind() == BaseKind.BUILD) {
            Findings findings = new Findings(origin, false);
            BuildPathRules.Resolved paths = BuildPathRules.resolve(spec.build(), "/build", tree, findings);
            if (paths == null) {
                throw new ValidationException(findings.sorted());
            }
            dockerfile = paths.dockerfile();
            context = paths.context();
        }
        return new ResolvedSpec(spec, origin, List.of(), spec.buildDigest(), dockerfile, context);
    }

    @Override
    public String toString() {
        return "SpecResolver[strict=" + strict + ", personal=" + (personal != null) + ", team=" + (team != null) + "]";
    }

    /**
     * Builds a {@link SpecResolver}.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable.
     */
    public static final class Builder {
        private boolean strict;
        private EnvironmentSpec personal;
        private EnvironmentSpec team;

        private Builder() {
        }

        /** Whether every warning is an error (default false). */
        public Builder strict(boolean value) {
            strict = value;
            return this;
        }

        /** The personal saved config, or {@code null} for none. */
        public Builder personal(EnvironmentSpec value) {
            personal = value;
            return this;
        }

        /** The team saved config, or {@code null} for none. */
        public Builder team(EnvironmentSpec value) {
            team = value;
            return this;
        }

        public SpecResolver build() {
            return new SpecResolver(this);
        }
    }
}
