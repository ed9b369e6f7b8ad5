package dev.nightshift.spec;

import dev.nightshift.api.Problem;
import dev.nightshift.api.spec.EnvironmentSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The environment spec in force for a repository, and where it came from.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * ResolvedSpec r = SpecResolver.builder().personal(saved).build().resolve(tree);
 * log.info("environment from {} ({})", r.origin(), r.digest());
 * }</pre>
 *
 * @param spec the spec in force
 * @param origin {@code repository:.cursor/environment.json}, {@code personal}, {@code team} or
 *     {@code defaults}
 * @param warnings warnings about the spec (empty in strict mode: there they are errors)
 * @param digest {@link EnvironmentSpec#buildDigest()} of the spec
 * @param dockerfilePath repository-relative Dockerfile when the base is a {@code build} from a
 *     file, else {@code null}
 * @param contextPath repository-relative build context ({@code ""} is the root) when the base is
 *     a {@code build}, else {@code null}
 */
public record ResolvedSpec(EnvironmentSpec spec, String origin, List<Problem> warnings, String digest,
        String dockerfilePath, String contextPath) {

    /** Origin of the repository's own file. */
    public static final String ORIGIN_REPOSITORY = "repository:" + EnvironmentParser.REPOSITORY_FILE;
    /** Origin of the personal saved config. */
    public static final String ORIGIN_PERSONAL = "personal";
    /** Origin of the team saved config. */
    public static final String ORIGIN_TEAM = "team";
    /** Origin when nothing was configured. */
    public static final String ORIGIN_DEFAULTS = "defaults";

    public ResolvedSpec {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(digest, "digest");
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public Optional<String> dockerfile() {
        return Optional.ofNullable(dockerfilePath);
    }

    public Optional<String> context() {
        return Optional.ofNullable(contextPath);
    }
}
