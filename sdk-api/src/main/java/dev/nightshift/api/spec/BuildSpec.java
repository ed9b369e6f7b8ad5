package dev.nightshift.api.spec;

import java.util.Optional;

/**
 * The {@code build} object: a base image built from a Dockerfile. Exactly one of
 * {@code dockerfile} and {@code dockerfileContents} is set. Paths are as written in the file
 * (relative to {@code .cursor/}); {@code nightshift-sdk-spec} resolves them against the
 * repository and refuses any that leaves it.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * BuildSpec b = BuildSpec.dockerfile("Dockerfile", "..");
 * }</pre>
 *
 * @param dockerfile path of the Dockerfile relative to {@code .cursor/}, or {@code null}
 * @param dockerfileContents inline Dockerfile text, or {@code null}
 * @param context build context relative to {@code .cursor/}, or {@code null} for the default
 *     ({@code .cursor} itself)
 */
public record BuildSpec(String dockerfile, String dockerfileContents, String context) {
    public BuildSpec {
        if ((dockerfile == null) == (dockerfileContents == null)) {
            throw new IllegalArgumentException(
                    "build needs exactly one of 'dockerfile' and 'dockerfileContents'");
        }
    }

    public static BuildSpec dockerfile(String path, String context) {
        return new BuildSpec(path, null, context);
    }

    public static BuildSpec contents(String text, String context) {
        return new BuildSpec(null, text, context);
    }

    public Optional<String> dockerfilePath() {
        return Optional.ofNullable(dockerfile);
    }

    public Optional<String> inlineDockerfile() {
        return Optional.ofNullable(dockerfileContents);
    }

    public Optional<String> contextPath() {
        return Optional.ofNullable(context);
    }
}
