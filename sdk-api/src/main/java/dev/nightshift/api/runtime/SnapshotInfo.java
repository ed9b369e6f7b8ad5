package dev.nightshift.api.runtime;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A saved machine disk a new machine can start from (copy-on-write).
 *
 * <p>Ids look like {@code snapshot-<yyyymmdd>-<uuid>} and are kept as an image label, so they
 * survive the process that made them.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; the snapshot itself lives in
 * the runtime until {@link MachineRuntime#deleteSnapshot(String)}.
 *
 * @param id the snapshot id
 * @param imageId the runtime's image id
 * @param createdAt when it was taken
 * @param labels its labels (source, spec digest, owner agent, ...)
 */
public record SnapshotInfo(String id, String imageId, Instant createdAt, Map<String, String> labels) {
    /** Label keys every runtime sets on a snapshot: its id. */
    public static final String LABEL_ID = "dev.nightshift.snapshot";
    /** Label every runtime sets on a snapshot: the id of the machine it was taken from. */
    public static final String LABEL_SOURCE = "dev.nightshift.snapshot.source";
    /** Label every runtime sets on a snapshot: when it was taken (ISO-8601 instant). */
    public static final String LABEL_CREATED = "dev.nightshift.snapshot.created";
    /** Label the caller sets on a snapshot (via the {@code labels} argument): the spec's digest. */
    public static final String LABEL_SPEC_DIGEST = "dev.nightshift.spec.digest";

    public SnapshotInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(createdAt, "createdAt");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public Optional<String> label(String key) {
        return Optional.ofNullable(labels.get(key));
    }
}
