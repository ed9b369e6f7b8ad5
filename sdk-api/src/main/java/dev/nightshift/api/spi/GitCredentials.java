package dev.nightshift.api.spi;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Supplies credentials for git remotes (the agent's repository and its
 * {@code repositoryDependencies}). Consulted on the host only, each time a remote is fetched or
 * pushed, so a rotated token takes effect at once.
 *
 * <p><b>Thread-safety:</b> implementations must be thread-safe. <b>Lifecycle:</b> owned by the
 * host application; Nightshift never closes it.
 *
 * <pre>{@code
 * GitCredentials creds = remote -> remote.getHost().equals("github.com")
 *         ? Optional.of(GitCredential.token(System.getenv("GITHUB_TOKEN")))
 *         : Optional.empty();
 * }</pre>
 */
@FunctionalInterface
public interface GitCredentials {

    /** No credentials for any remote (public or {@code file://} repositories). */
    GitCredentials NONE = remote -> Optional.empty();

    /**
     * The credential for {@code remote} (a URL without user info), or empty to try without one.
     */
    Optional<GitCredential> credentialFor(URI remote);

    /** The same credential for every remote whose host is {@code host}. */
    static GitCredentials forHost(String host, GitCredential credential) {
        return remote -> host.equalsIgnoreCase(remote.getHost()) ? Optional.of(credential) : Optional.empty();
    }

    /**
     * The first of {@code sources} that has a credential for a remote (in the order given), so
     * e.g. environment variables can come before a store and a user's credential helper last.
     */
    static GitCredentials firstOf(java.util.List<GitCredentials> sources) {
        java.util.List<GitCredentials> copy = java.util.List.copyOf(sources);
        return remote -> {
            for (GitCredentials s : copy) {
                Optional<GitCredential> c = s.credentialFor(remote);
                if (c.isPresent()) {
                    return c;
                }
            }
            return Optional.empty();
        };
    }

    /** Credentials by host name (compared without case, as DNS names are). */
    static GitCredentials byHost(Map<String, GitCredential> byHost) {
        Map<String, GitCredential> copy = new java.util.HashMap<>();
        byHost.forEach((host, credential) -> copy.put(host.toLowerCase(java.util.Locale.ROOT), credential));
        Map<String, GitCredential> hosts = Map.copyOf(copy);
        return remote -> Optional.ofNullable(remote.getHost() == null ? null
                : hosts.get(remote.getHost().toLowerCase(java.util.Locale.ROOT)));
    }
}
