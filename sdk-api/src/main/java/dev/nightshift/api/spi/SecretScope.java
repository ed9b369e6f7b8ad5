package dev.nightshift.api.spi;

/**
 * Who a secret belongs to. When two scopes define a secret of the same name, the later scope in
 * declaration order wins: {@code USER < TEAM < ENVIRONMENT < AGENT}. Agent secrets are given at
 * spawn and deleted with the agent.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a constant.
 */
public enum SecretScope {
    /** A person's own secrets, for every agent they spawn. */
    USER,
    /** Shared by a team. */
    TEAM,
    /** Bound to one environment, usually named after its repository. */
    ENVIRONMENT,
    /** Given to one agent at spawn; deleted with it. */
    AGENT;

    /** Whether this scope overrides {@code other} for secrets of the same name. */
    public boolean overrides(SecretScope other) {
        return compareTo(other) > 0;
    }
}
