package dev.nightshift.api.spec;

/**
 * Where a machine's base comes from, in precedence order: {@code snapshot} &gt; {@code build}
 * &gt; {@code image} &gt; the default base.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a constant.
 */
public enum BaseKind {
    /** A saved machine snapshot ({@code snapshot}). */
    SNAPSHOT,
    /** An image built from a Dockerfile ({@code build}). */
    BUILD,
    /** An image reference ({@code image}). */
    IMAGE,
    /** The runtime's default base image. */
    DEFAULT
}
