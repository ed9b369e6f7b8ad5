package dev.nightshift.api.spec;

import java.util.Optional;

/**
 * A port to expose from the machine ({@code ports[]} in environment.json).
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * PortSpec web = PortSpec.of("web", 3000);
 * }</pre>
 *
 * @param name label; empty for none
 * @param port 1..65535
 */
public record PortSpec(Optional<String> name, int port) {
    public PortSpec {
        name = name == null ? Optional.empty() : name;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
    }

    /** A port with this label ({@code null} for none). */
    public static PortSpec of(String name, int port) {
        return new PortSpec(Optional.ofNullable(name), port);
    }

    /** A port without a label. */
    public static PortSpec of(int port) {
        return new PortSpec(Optional.empty(), port);
    }
}
