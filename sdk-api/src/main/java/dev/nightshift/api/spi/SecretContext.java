package dev.nightshift.api.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * Whose secrets an agent may use: the owner id of each scope, or {@code null} where the scope
 * does not apply (no team, an agent not yet spawned).
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * SecretContext ctx = SecretContext.of("alice").withTeam("payments")
 *         .withEnvironment("github.com/acme/shop").withAgent("agent-42");
 * }</pre>
 *
 * @param user the user id, or {@code null}
 * @param team the team id, or {@code null}
 * @param environment the environment id (e.g. the repository), or {@code null}
 * @param agent the agent id, or {@code null}
 */
public record SecretContext(String user, String team, String environment, String agent) {

    /** No owner in any scope: resolves to no secrets. */
    public static final SecretContext EMPTY = new SecretContext(null, null, null, null);

    /** A context with only a user. */
    public static SecretContext of(String user) {
        return new SecretContext(Objects.requireNonNull(user, "user"), null, null, null);
    }

    /** The owner id for {@code scope}, if the context names one. */
    public Optional<String> owner(SecretScope scope) {
        return Optional.ofNullable(switch (scope) {
            case USER -> user;
            case TEAM -> team;
            case ENVIRONMENT -> environment;
            case AGENT -> agent;
        });
    }

    /** Whether a secret of {@code scope} owned by {@code owner} is visible in this context. */
    public boolean sees(SecretScope scope, String owner) {
        return owner(scope).map(o -> o.equals(owner)).orElse(false);
    }

    public SecretContext withUser(String newUser) {
        return new SecretContext(newUser, team, environment, agent);
    }

    public SecretContext withTeam(String newTeam) {
        return new SecretContext(user, newTeam, environment, agent);
    }

    public SecretContext withEnvironment(String newEnvironment) {
        return new SecretContext(user, team, newEnvironment, agent);
    }

    public SecretContext withAgent(String newAgent) {
        return new SecretContext(user, team, environment, newAgent);
    }
}
