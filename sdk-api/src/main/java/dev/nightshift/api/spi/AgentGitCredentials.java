package dev.nightshift.api.spi;

import dev.nightshift.api.AgentRequest;
import java.util.Objects;

/**
 * Chooses the {@link GitCredentials} of one agent from its request, so an engine serving several
 * owners (a service behind API keys) fetches and pushes each agent's repository, submodules and
 * {@code repositoryDependencies} with its own owner's credentials and never another's. The
 * request is the one stored with the agent (its labels included), so the choice is the same
 * after an engine restart. Asked before each git operation of the agent (the returned
 * credentials are asked per remote in turn), so a rotated or removed credential takes effect at
 * the next fetch or push.
 *
 * <p><b>Thread-safety:</b> implementations must be thread-safe. <b>Lifecycle:</b> owned by the
 * host application; Nightshift never closes it.
 *
 * <pre>{@code
 * AgentGitCredentials perOwner = request -> Optional.ofNullable(request.labels().get("owner"))
 *         .map(owner -> stored.credentials(SecretContext.of(owner)))
 *         .orElse(GitCredentials.NONE);
 * Nightshift.builder().agentGitCredentials(perOwner);
 * }</pre>
 */
@FunctionalInterface
public interface AgentGitCredentials {

    /** The credentials for every git remote of the agent that {@code request} spawned; never null. */
    GitCredentials credentialsFor(AgentRequest request);

    /** The same {@code credentials} for every agent (what {@code Nightshift.Builder.gitCredentials} sets). */
    static AgentGitCredentials always(GitCredentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        return request -> credentials;
    }
}
