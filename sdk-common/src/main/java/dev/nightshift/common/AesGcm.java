package dev.nightshift.common;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM with a 96-bit random IV and a 128-bit tag, the one cipher of the secret store and the
 * local KMS. The associated data binds a ciphertext to where it belongs: decrypting with other
 * associated data, another key or an altered ciphertext fails with {@link AEADBadTagException}.
 * Not API (see the package).
 *
 * <p><b>Thread-safety:</b> stateless (a new {@link Cipher} per call); the random source is
 * thread-safe. <b>Lifecycle:</b> static methods only; callers clear their key arrays.
 *
 * <pre>{@code
 * byte[] iv = AesGcm.newIv();
 * byte[] ct = AesGcm.encrypt(key, iv, aad, plain);
 * byte[] back = AesGcm.decrypt(key, iv, aad, ct);   // AEADBadTagException if anything changed
 * }</pre>
 */
public final class AesGcm {
    /** Bytes of an IV. */
    public static final int IV_BYTES = 12;
    /** Bytes of the authentication tag at the end of every ciphertext. */
    public static final int TAG_BYTES = 16;
    /** Bytes of an AES-256 key. */
    public static final int KEY_BYTES = 32;
    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcm() {
    }

    /** {@code n} random bytes from the shared {@link SecureRandom}. */
    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A new random IV; never use one twice with the same key. */
    public static byte[] newIv() {
        return randomBytes(IV_BYTES);
    }

    /** A new random AES-256 key. */
    public static byte[] newKey() {
        return randomBytes(KEY_BYTES);
    }

    /** Encrypts {@code plain}; returns the ciphertext followed by the tag. */
    public static byte[] encrypt(byte[] key, byte[] iv, byte[] aad, byte[] plain) throws GeneralSecurityException {
        Cipher c = cipher(Cipher.ENCRYPT_MODE, key, iv, aad);
        return c.doFinal(plain);
    }

    /**
     * Decrypts {@code ciphertext} (with its tag).
     *
     * @throws AEADBadTagException if the ciphertext, the IV, the associated data or the key is not
     *     the one it was encrypted with
     */
    public static byte[] decrypt(byte[] key, byte[] iv, byte[] aad, byte[] ciphertext) throws GeneralSecurityException {
        return decrypt(key, iv, aad, ciphertext, 0, ciphertext.length);
    }

    /** {@link #decrypt(byte[], byte[], byte[], byte[])} of {@code length} bytes from {@code offset}. */
    public static byte[] decrypt(byte[] key, byte[] iv, byte[] aad, byte[] ciphertext, int offset, int length)
            throws GeneralSecurityException {
        Cipher c = cipher(Cipher.DECRYPT_MODE, key, iv, aad);
        return c.doFinal(ciphertext, offset, length);
    }

    private static Cipher cipher(int mode, byte[] key, byte[] iv, byte[] aad) throws GeneralSecurityException {
        if (iv.length != IV_BYTES) {
            throw new IllegalArgumentException("an AES-GCM IV has " + IV_BYTES + " bytes, not " + iv.length);
        }
        Cipher c = Cipher.getInstance(CIPHER);
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, iv));
        c.updateAAD(aad);
        return c;
    }
}
