package dev.nightshift.core;

import dev.nightshift.api.spi.SecretKind;
import java.util.Objects;

/**
 * A secret given to one agent at spawn beside the request
 * ({@code Nightshift.spawn(AgentRequest, List<AgentSecret>)}): stored encrypted in scope {@code AGENT}, it overrides user, team and
 * environment secrets of the same name, and is deleted with the agent.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; {@link #toString()} never shows
 * the value.
 *
 * @param name an environment variable name (POSIX; no reserved prefix such as {@code NIGHTSHIFT_})
 * @param kind how it is injected and whether it is redacted
 * @param value the value
 * @deprecated give the agent's secrets in the request: {@link
 *     dev.nightshift.api.AgentRequest.Builder#secret} ({@link dev.nightshift.api.AgentRequest.Secret})
 */
@Deprecated
public record AgentSecret(String name, SecretKind kind, String value) {
    public AgentSecret {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "AgentSecret[name=" + name + ", kind=" + kind + ", value=****]";
    }
}
