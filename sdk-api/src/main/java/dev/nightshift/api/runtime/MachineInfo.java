package dev.nightshift.api.runtime;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a runtime knows about a machine without attaching to it.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value, true when it was listed.
 *
 * @param id the machine id
 * @param state its state
 * @param image the image it started from
 * @param createdAt when it was created
 * @param labels its labels
 */
public record MachineInfo(String id, MachineState state, String image, Instant createdAt, Map<String, String> labels) {
    public MachineInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
