package dev.nightshift.api.spi;

import java.util.Objects;

/**
 * A username and password (or token) for one git remote. It exists only on the host: Nightshift
 * never puts it into a machine, a remote URL, a log or an exception message, and
 * {@link #toString()} hides the secret.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; do not keep it longer than
 * needed.
 *
 * <pre>{@code
 * GitCredential c = GitCredential.token(System.getenv("GITHUB_TOKEN"));
 * GitCredential d = GitCredential.basic("alice", passwordFromVault);
 * }</pre>
 *
 * @param username the user name ({@code x-access-token} for a bare token)
 * @param secret the password or token
 */
public record GitCredential(String username, String secret) {
    public GitCredential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
    }

    /** A token used as the password of user {@code x-access-token} (GitHub, Gitea, GitLab accept it). */
    public static GitCredential token(String token) {
        return new GitCredential("x-access-token", token);
    }

    public static GitCredential basic(String username, String password) {
        return new GitCredential(username, password);
    }

    @Override
    public String toString() {
        return "GitCredential[username=" + username + ", secret=****]";
    }
}
