package dev.nightshift.api.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a runtime knows about an image it made (a Dockerfile build or a snapshot), for listing
 * and garbage collection.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value, true when it was listed; the
 * image lives until {@link MachineRuntime#removeImage(String)} or {@link MachineRuntime#deleteSnapshot(String)}.
 *
 * @param id the runtime's image id
 * @param references names it is known by (tags); empty for an untagged build
 * @param createdAt when the runtime made it
 * @param labels its labels
 */
public record ImageInfo(String id, List<String> references, Instant createdAt, Map<String, String> labels) {
    public ImageInfo {
        Objects.requireNonNull(id, "id");
        references = references == null ? List.of() : List.copyOf(references);
        Objects.requireNonNull(createdAt, "createdAt");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
