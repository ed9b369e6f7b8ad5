package dev.nightshift.api;

import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.spec.EnvironmentSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * An environment spec bound to a repository and a runtime: what agents on that repository start
 * from. {@link #prepare(Duration)} runs the build (base by precedence, checkout, {@code install},
 * snapshot), cached under a key made of everything that can change the result; a failed build
 * never replaces the last good snapshot.
 *
 * <p><b>Thread-safety:</b> thread-safe; concurrent {@code prepare} calls for one key share one
 * build. <b>Lifecycle:</b> obtained from the engine; holds no resources of its own.
 *
 * <pre>{@code
 * Environment env = nightshift.environment(repoUrl, "main");
 * SnapshotInfo ready = env.prepare(Duration.ofMinutes(20));
 * }</pre>
 */
public interface Environment {

    /** The repository URL. */
    String repository();

    /** The spec in force and where it came from. */
    EnvironmentSpec spec();

    /** Where the spec came from: {@code repository}, {@code personal}, {@code team} or {@code default}. */
    String specOrigin();

    /** The build cache key (a hex digest). */
    String cacheKey();

    /** The prepared snapshot for the current key, if one was built. */
    Optional<SnapshotInfo> activeSnapshot();

    /**
     * Builds (or finds) the prepared snapshot.
     *
     * @throws BuildFailedException when the build or {@code install} fails
     * @throws NightshiftTimeoutException when it takes longer than {@code timeout}
     */
    default SnapshotInfo prepare(Duration timeout) {
        return prepare(timeout, line -> { });
    }

    /**
     * Like {@link #prepare(Duration)}, handing every line of build output (Dockerfile build,
     * checkout, {@code install}) to {@code output} as it happens.
     */
    SnapshotInfo prepare(Duration timeout, java.util.function.Consumer<String> output);
}
