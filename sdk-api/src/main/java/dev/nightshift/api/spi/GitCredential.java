package dev.nightshift.api.spi;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A credential for one git remote: a username and password (or token) for {@code https://}
 * remotes, or an SSH private key with the host keys to trust for {@code ssh://} and
 * {@code git@host:…} remotes. It exists only on the host: Nightshift never puts it into a
 * machine, a remote URL, a log or an exception message, and {@link #toString()} hides the secret
 * and the passphrase.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; do not keep it longer than
 * needed.
 *
 * <pre>{@code
 * GitCredential c = GitCredential.token("github.com", System.getenv("GITHUB_TOKEN")); // user x-access-token
 * GitCredential d = GitCredential.basic("alice", passwordFromVault);
 * GitCredential k = GitCredential.sshKey(Files.readString(keyFile), "", List.of("SHA256:abc…"));
 * }</pre>
 *
 * @param username the user name ({@code x-access-token} for a bare GitHub token; for SSH the
 *     user the remote URL does not name, usually {@code git})
 * @param secret the password or token, or the private key (OpenSSH or PEM text) for
 *     {@link Type#SSH_KEY}
 * @param type what {@code secret} is
 * @param passphrase the private key's passphrase, empty when it has none (always empty for
 *     {@link Type#PASSWORD})
 * @param hostKeys for {@link Type#SSH_KEY}: the server keys to trust, each a {@code known_hosts}
 *     line ({@code [host]:port ssh-ed25519 AAAA…}), a public key ({@code ssh-ed25519 AAAA…}) or
 *     a fingerprint ({@code SHA256:…}); empty to use the user's {@code ~/.ssh/known_hosts}. A
 *     server key found in neither is refused.
 */
public record GitCredential(String username, String secret, Type type, String passphrase, List<String> hostKeys) {

    /** What a credential's secret is. */
    public enum Type {
        /** A password or token, sent by HTTP basic authentication. */
        PASSWORD,
        /** An SSH private key, for {@code ssh://} remotes. */
        SSH_KEY
    }

    public GitCredential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(passphrase, "passphrase");
        hostKeys = List.copyOf(hostKeys);
        if (type == Type.PASSWORD && (!passphrase.isEmpty() || !hostKeys.isEmpty())) {
            throw new IllegalArgumentException("a password credential has no passphrase and no host keys");
        }
        if (type == Type.SSH_KEY && secret.isBlank()) {
            throw new IllegalArgumentException("an SSH key credential needs the private key");
        }
    }

    /** A username and password (or token) for {@code https://} remotes. */
    public GitCredential(String username, String secret) {
        this(username, secret, Type.PASSWORD, "", List.of());
    }

    /** A token used as the password of user {@code x-access-token} (GitHub, Gitea, Forgejo accept it). */
    public static GitCredential token(String token) {
        return new GitCredential("x-access-token", token);
    }

    /** A token for {@code host}, with the user name that host expects ({@link #tokenUsername(String)}). */
    public static GitCredential token(String host, String token) {
        return new GitCredential(tokenUsername(host), token);
    }

    public static GitCredential basic(String username, String password) {
        return new GitCredential(username, password);
    }

    /**
     * An SSH private key (OpenSSH or PEM text) for user {@code git}, with its passphrase (empty
     * for none) and the host keys to trust (empty: the user's {@code ~/.ssh/known_hosts}).
     */
    public static GitCredential sshKey(String privateKey, String passphrase, List<String> hostKeys) {
        return new GitCredential("git", privateKey, Type.SSH_KEY, passphrase, hostKeys);
    }

    /** This credential for another user name. */
    public GitCredential withUsername(String newUsername) {
        return new GitCredential(newUsername, secret, type, passphrase, hostKeys);
    }

    /**
     * The user name a host expects with an access token: {@code x-access-token} for GitHub,
     * {@code oauth2} for GitLab, {@code x-token-auth} for Bitbucket, else {@code x-access-token}
     * (Gitea and Forgejo accept any user name with a token).
     */
    public static String tokenUsername(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        if (h.equals("gitlab.com") || h.startsWith("gitlab.")) {
            return "oauth2";
        }
        if (h.equals("bitbucket.org") || h.startsWith("bitbucket.")) {
            return "x-token-auth";
        }
        return "x-access-token";
    }

    @Override
    public String toString() {
        return "GitCredential[username=" + username + ", type=" + type + ", secret=****"
                + (passphrase.isEmpty() ? "" : ", passphrase=****") + ", hostKeys=" + hostKeys.size() + "]";
    }
}
