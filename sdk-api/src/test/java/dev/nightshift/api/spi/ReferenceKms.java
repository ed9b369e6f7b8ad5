package dev.nightshift.api.spi;

import dev.nightshift.api.NightshiftException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** A minimal in-memory AES-GCM KMS that the conformance suite is proven against. */
final class ReferenceKms implements Kms {
    private final String id = "ref-" + UUID.randomUUID();
    private final byte[] key = new byte[32];
    private final SecureRandom random = new SecureRandom();

    ReferenceKms() {
        random.nextBytes(key);
    }

    @Override
    public String keyId() {
        return id;
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        try {
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            byte[] ct = c.doFinal(dataKey);
            return new WrappedKey(id, ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped) {
        if (!wrapped.keyId().equals(id)) {
            throw new NightshiftException("unknown key id " + wrapped.keyId());
        }
        try {
            byte[] b = wrapped.bytes();
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, b, 0, 12));
            return c.doFinal(b, 12, b.length - 12);
        } catch (GeneralSecurityException e) {
            throw new NightshiftException("cannot unwrap with key " + id);
        }
    }
}
