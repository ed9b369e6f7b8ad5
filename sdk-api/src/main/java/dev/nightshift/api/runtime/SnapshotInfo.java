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
 * the runtime until {@link Runtime#deleteSnapshot(String)}.
 *
 * @param id the snapshot id
 * @param imageId the runtime's image id
 * @param createdAt when it was taken
 * @param labels its labels (source, spec digest, owner agent, ...)
 */
public record SnapshotInfo(String id, String imageId, Instant createdAt, Map<String, String> labels) {
    /** Label keys every runtime sets on a snapshot. */
    public static final String LABEL_ID = "dev.nightshift.snapshot";

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
