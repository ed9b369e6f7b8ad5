package dev.nightshift.api.spi;

/**
 * A key management service: wraps and unwraps the data keys that encrypt secret values
 * (envelope encryption). The key-encryption key never leaves the KMS; Nightshift only ever holds
 * a data key in memory while it encrypts or decrypts one value.
 *
 * <p>Rotation: {@link #keyId()} names the key that {@link #wrap} uses now. A KMS that rotates
 * keeps unwrapping what older keys wrapped (by {@link WrappedKey#keyId()}) until they are
 * retired; a secret store re-wraps every data key whose key id differs from {@link #keyId()},
 * without re-encrypting any value. sdk-core ships a local key-file KMS; a cloud KMS (AWS KMS
 * {@code Encrypt}/{@code Decrypt}, Google Cloud KMS, Azure Key Vault {@code wrapKey}/{@code
 * unwrapKey}, HashiCorp Vault transit) implements these three methods.
 *
 * <p>Errors: a wrapped key this KMS cannot unwrap (unknown or retired key id, wrong key, damaged
 * bytes) is a {@link dev.nightshift.api.NightshiftException} whose message names the key id and
 * never holds key material.
 *
 * <p><b>Thread-safety:</b> implementations must be thread-safe. <b>Lifecycle:</b> owned by the
 * host application (or the engine's builder when it opened it); it must outlive every store
 * that uses it.
 *
 * <pre>{@code
 * byte[] dataKey = newRandomAes256Key();
 * WrappedKey wrapped = kms.wrap(dataKey);      // store this beside the ciphertext
 * byte[] again = kms.unwrap(wrapped);          // equals dataKey
 * }</pre>
 */
public interface Kms {

    /** The id of the key {@link #wrap} uses now; stable until the key is rotated. */
    String keyId();

    /** Encrypts a data key (32 bytes for AES-256) under the current key. */
    WrappedKey wrap(byte[] dataKey);

    /**
     * Decrypts a data key wrapped by this KMS under the current key or an older one it still
     * holds.
     *
     * @throws dev.nightshift.api.NightshiftException when it cannot, naming the key id
     */
    byte[] unwrap(WrappedKey wrapped);
}
