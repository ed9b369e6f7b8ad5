package dev.nightshift.api.runtime;

import java.util.Map;
import java.util.Objects;

/**
 * An image a runtime can start machines from.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; the image itself lives in the
 * runtime until deleted.
 *
 * <pre>{@code
 * Image image = runtime.prepareImage(ImageSource.defaultBase(), line -> {});
 * Machine m = runtime.start(MachineSpec.builder(image.id()).build());
 * }</pre>
 *
 * @param id the runtime's immutable id (for Docker, {@code sha256:...})
 * @param reference what the user named (tag, snapshot id), for messages
 * @param labels the image's labels
 */
public record Image(String id, String reference, Map<String, String> labels) {
    public Image {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(reference, "reference");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
