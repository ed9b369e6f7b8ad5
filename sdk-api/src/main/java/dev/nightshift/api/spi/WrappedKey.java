package dev.nightshift.api.spi;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A data key encrypted ("wrapped") by a {@link Kms}, with the id of the key-encryption key that
 * wrapped it, so a KMS holding several keys (after a rotation) knows which one unwraps it, and a
 * store knows which data keys to re-wrap.
 *
 * <p><b>Thread-safety:</b> immutable (the bytes are copied in and out). <b>Lifecycle:</b> a value,
 * stored next to the ciphertext it unlocks.
 *
 * @param keyId the id of the wrapping key, as the KMS names it
 * @param bytes the wrapped key, opaque to everyone but the KMS
 */
public record WrappedKey(String keyId, byte[] bytes) {
    public WrappedKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(bytes, "bytes");
        if (keyId.isBlank()) {
            throw new IllegalArgumentException("keyId must not be blank");
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The wrapped bytes in base64, for storage. */
    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WrappedKey w && keyId.equals(w.keyId) && Arrays.equals(bytes, w.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * keyId.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "WrappedKey[keyId=" + keyId + ", " + bytes.length + " bytes]";
    }
}
