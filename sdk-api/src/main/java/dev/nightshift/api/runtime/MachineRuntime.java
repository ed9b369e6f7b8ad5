package dev.nightshift.api.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The runtime SPI: makes {@link Machine}s from images, and images (snapshots) from machines.
 *
 * <p>Implementations: Docker ({@code nightshift-sdk-docker}); local processes and Kubernetes
 * may follow. Each passes the abstract runtime conformance test. sdk-core finds a runtime by
 * explicit setting, then the {@code nightshift.runtime} system property /
 * {@code NIGHTSHIFT_RUNTIME} environment variable, then {@link java.util.ServiceLoader}.
 *
 * <p><b>Thread-safety:</b> implementations are thread-safe and meant to be shared.
 * <b>Lifecycle:</b> {@link #close()} releases the connection to the engine; machines it
 * started stay up unless closed themselves (a later runtime can {@link #attach} them).
 *
 * <pre>{@code
 * try (MachineRuntime runtime = DockerRuntime.builder().build()) {
 *     Image base = runtime.prepareImage(ImageSource.defaultBase(), System.out::println);
 *     try (Machine m = runtime.start(MachineSpec.builder(base.id()).build())) {
 *         m.exec(ExecRequest.of("true")).await();
 *     }
 * }
 * }</pre>
 */
public interface MachineRuntime extends AutoCloseable {

    /** Short name, e.g. {@code docker}. */
    String name();

    /**
     * Makes {@code source} available as an image: the default base, a reference (local, else
     * pulled), a snapshot, or a Dockerfile build (whose output lines go to {@code output}).
     *
     * @throws dev.nightshift.api.NotFoundException for an unknown snapshot or image
     * @throws dev.nightshift.api.BuildFailedException when a Dockerfile build fails
     */
    Image prepareImage(ImageSource source, Consumer<String> output);

    /** {@link #prepareImage(ImageSource, Consumer)} with the output dropped. */
    default Image image(ImageSource source) {
        return prepareImage(source, line -> { });
    }

    /**
     * Creates and starts a machine. {@link MachineSpec#image()} may be an image id, a reference
     * or a snapshot id. A user missing from the image, or an image without git, is an
     * {@link dev.nightshift.api.EnvironmentUnavailableException}; a privileged spec on a runtime
     * that does not allow it is an {@link IllegalStateException}.
     */
    Machine start(MachineSpec spec);

    /** Finds a machine that lives, possibly started by another process. */
    Optional<Machine> attach(String machineId);

    /** Machines managed by Nightshift whose labels include all of {@code labels}. */
    List<MachineInfo> machines(Map<String, String> labels);

    /** A snapshot by id. */
    Optional<SnapshotInfo> findSnapshot(String snapshotId);

    /** Snapshots whose labels include all of {@code labels}. */
    List<SnapshotInfo> snapshots(Map<String, String> labels);

    /**
     * Deletes a snapshot; unknown ids do nothing. A snapshot that a live machine was started
     * from may be refused with a {@link dev.nightshift.api.ConflictException} (close the machine
     * first).
     */
    void deleteSnapshot(String snapshotId);

    /**
     * Images this runtime made (Dockerfile builds and snapshots) whose labels include all of
     * {@code labels}, untagged ones included. A runtime may list layers of a build that carry only
     * some of its labels (Docker's classic builder gives each label a layer): filter on every
     * label that was set. The default lists the snapshots.
     */
    default List<ImageInfo> images(Map<String, String> labels) {
        return snapshots(labels).stream()
                .map(s -> new ImageInfo(s.imageId(), List.of(s.id()), s.createdAt(), s.labels())).toList();
    }

    /**
     * Removes an image this runtime made, by id, unless something still needs it (a machine, a
     * snapshot or another image built on it): then it stays and the answer is {@code false}.
     * An unknown id is already removed ({@code true}). The default removes nothing.
     */
    default boolean removeImage(String imageId) {
        return false;
    }

    /**
     * Whether this runtime enforces a restricted {@link MachineSpec#egress()}. A runtime that
     * does not refuses such a spec; callers check this to fail with a clear message first.
     */
    default boolean enforcesEgress() {
        return false;
    }

    /** Releases the runtime's resources. Idempotent. */
    @Override
    void close();
}
