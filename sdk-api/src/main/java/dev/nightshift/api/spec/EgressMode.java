package dev.nightshift.api.spec;

import java.util.Objects;

/**
 * The machine's network policy ({@code egressMode}). An open set: the known values are
 * constants, and a value Nightshift does not know yet round-trips unchanged.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * EgressMode m = EgressMode.of("allow_all");
 * boolean known = m.isKnown(); // true
 * }</pre>
 *
 * @param value the wire value, e.g. {@code allow_all}
 */
public record EgressMode(String value) {
    public static final EgressMode ALLOW_ALL = new EgressMode("allow_all");
    public static final EgressMode PARENT_PLUS_NETWORK_SETTINGS = new EgressMode("parent_plus_network_settings");
    public static final EgressMode DEFAULT_WITH_NETWORK_SETTINGS = new EgressMode("default_with_network_settings");
    public static final EgressMode NETWORK_SETTINGS_ONLY = new EgressMode("network_settings_only");

    public EgressMode {
        Objects.requireNonNull(value, "value");
    }

    public static EgressMode of(String value) {
        return new EgressMode(value);
    }

    /** Whether this is one of the documented values. */
    public boolean isKnown() {
        return equals(ALLOW_ALL) || equals(PARENT_PLUS_NETWORK_SETTINGS)
                || equals(DEFAULT_WITH_NETWORK_SETTINGS) || equals(NETWORK_SETTINGS_ONLY);
    }

    @Override
    public String toString() {
        return value;
    }
}
