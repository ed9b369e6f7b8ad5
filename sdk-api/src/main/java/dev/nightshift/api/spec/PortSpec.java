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
 * @param name label, or {@code null}
 * @param port 1..65535
 */
public record PortSpec(String name, int port) {
    public PortSpec {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
    }

    public static PortSpec of(String name, int port) {
        return new PortSpec(name, port);
    }

    public static PortSpec of(int port) {
        return new PortSpec(null, port);
    }

    public Optional<String> nameIfSet() {
        return Optional.ofNullable(name);
    }
}
