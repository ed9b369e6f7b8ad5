package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.spec.ResolvedSpec;

/**
 * An agent's environment as far as it is known: its resolved spec, the key of its environment
 * snapshot, the user its commands run as. Each may be null (not resolved yet; an agent adopted
 * after a restart knows only its user).
 */
public record Environment(ResolvedSpec resolved, String key, String user) {
    public static final Environment NONE = new Environment(null, null, null);
}
