package dev.nightshift.api.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a machine's image comes from; {@link MachineRuntime#prepareImage} turns one into an
 * {@link Image}.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * Image base = runtime.prepareImage(ImageSource.defaultBase(), System.out::println);
 * Image built = runtime.prepareImage(
 *         ImageSource.dockerfile(contextDir, ".cursor/Dockerfile", null, Map.of()), log::info);
 * }</pre>
 */
public sealed interface ImageSource {

    /** The runtime's default base image. */
    static ImageSource defaultBase() {
        return DefaultBase.INSTANCE;
    }

    /** An image reference: used when present locally, pulled otherwise. */
    static ImageSource reference(String reference) {
        return new Reference(reference);
    }

    /** A saved snapshot, by its id ({@code snapshot-<yyyymmdd>-<uuid>}). */
    static ImageSource snapshot(String snapshotId) {
        return new Snapshot(snapshotId);
    }

    /**
     * A Dockerfile build.
     *
     * @param contextDir the build context on the host (already checked to lie inside the repository)
     * @param dockerfile path of the Dockerfile relative to {@code contextDir}, or {@code null}
     *     when {@code dockerfileContents} is given
     * @param dockerfileContents inline Dockerfile text, or {@code null}
     * @param buildArgs build arguments (build secrets arrive here and only here)
     */
    static ImageSource dockerfile(Path contextDir, String dockerfile, String dockerfileContents,
            Map<String, String> buildArgs) {
        return new Dockerfile(contextDir, dockerfile, dockerfileContents, buildArgs, Map.of());
    }

    /** The runtime's default base image; see {@link #defaultBase()}. */
    enum DefaultBase implements ImageSource {
        INSTANCE
    }

    /** An image reference such as {@code node:20-bookworm}. */
    record Reference(String reference) implements ImageSource {
        public Reference {
            Objects.requireNonNull(reference, "reference");
            if (reference.isBlank()) {
                throw new IllegalArgumentException("image reference must not be blank");
            }
        }
    }

    /** A snapshot id. */
    record Snapshot(String snapshotId) implements ImageSource {
        public Snapshot {
            Objects.requireNonNull(snapshotId, "snapshotId");
        }
    }

    /**
     * A Dockerfile build; see {@link ImageSource#dockerfile}. {@code buildArgs} values are
     * never logged. {@code labels} are put on the built image.
     */
    record Dockerfile(Path contextDir, String dockerfile, String dockerfileContents,
            Map<String, String> buildArgs, Map<String, String> labels) implements ImageSource {
        public Dockerfile {
            Objects.requireNonNull(contextDir, "contextDir");
            if ((dockerfile == null) == (dockerfileContents == null)) {
                throw new IllegalArgumentException("exactly one of dockerfile and dockerfileContents");
            }
            buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }

        public Dockerfile withLabels(Map<String, String> newLabels) {
            return new Dockerfile(contextDir, dockerfile, dockerfileContents, buildArgs, newLabels);
        }

        @Override
        public String toString() {
            return "Dockerfile[contextDir=" + contextDir + ", dockerfile="
                    + (dockerfile != null ? dockerfile : "<inline>") + ", buildArgs=" + List.copyOf(buildArgs.keySet()) + "]";
        }
    }
}
