package dev.nightshift.secrets;

import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored version of a secret, without its value: what listing a store shows.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * @param scope the scope
 * @param owner the owner id within the scope
 * @param name the secret's name
 * @param kind its kind in this version
 * @param version the version number, from 1, never reused for the same name
 * @param created when this version was set
 * @param keyId the id of the KMS key its data key is wrapped with
 */
public record SecretVersion(SecretScope scope, String owner, String name, SecretKind kind, int version,
        Instant created, String keyId) {
    public SecretVersion {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(keyId, "keyId");
    }

    /** {@code SCOPE/owner/NAME vN}. */
    public String coordinates() {
        return scope + "/" + owner + "/" + name + " v" + version;
    }
}
