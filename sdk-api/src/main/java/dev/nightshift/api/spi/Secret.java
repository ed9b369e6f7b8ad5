package dev.nightshift.api.spi;

import java.util.Objects;

/**
 * One decrypted secret: its name (an environment variable name), value, kind, scope, owner and
 * version. The value is a {@code String} because it ends up in an environment variable, which is
 * a string anyway; {@link #toString()} never prints it, so a secret in a log line or an exception
 * message shows only where it came from.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; keep it no longer than the phase
 * that needs it.
 *
 * <pre>{@code
 * Secret s = new Secret("NPM_TOKEN", token, SecretKind.BUILD, SecretScope.TEAM, "payments", 3);
 * System.out.println(s); // Secret[TEAM/payments/NPM_TOKEN v3 BUILD, value=****]
 * }</pre>
 *
 * @param name the environment variable name
 * @param value the plaintext value
 * @param kind where the value may go
 * @param scope the scope it belongs to
 * @param owner the owner id within the scope (user, team, environment or agent id)
 * @param version the version, from 1; a set creates the next one
 */
public record Secret(String name, String value, SecretKind kind, SecretScope scope, String owner, int version) {
    public Secret {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(owner, "owner");
        if (version < 1) {
            throw new IllegalArgumentException("secret version must be >= 1, was " + version);
        }
    }

    /** Where the secret comes from, without its value: {@code SCOPE/owner/NAME vN}. */
    public String coordinates() {
        return scope + "/" + owner + "/" + name + " v" + version;
    }

    @Override
    public String toString() {
        return "Secret[" + coordinates() + " " + kind + ", value=****]";
    }
}
