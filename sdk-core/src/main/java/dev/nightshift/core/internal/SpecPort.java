package dev.nightshift.core.internal;

import dev.nightshift.api.Problem;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.api.spec.RepositoryTree;
import java.util.List;

/** What the engine needs of sdk-spec; implemented by {@link SdkSpecPort}. */
public interface SpecPort {

    /**
     * The spec in force for {@code tree} (repository file, else saved configs, else defaults),
     * with its warnings; throws {@link dev.nightshift.api.ValidationException} on errors.
     */
    Resolved resolve(RepositoryTree tree);

    /**
     * A resolved spec.
     *
     * @param dockerfilePath repository-relative Dockerfile for a {@code build}, or null
     * @param contextPath repository-relative build context, or null
     */
    record Resolved(EnvironmentSpec spec, String origin, List<Problem> warnings, String digest,
            String dockerfilePath, String contextPath) {
    }
}
