package dev.nightshift.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests, as lower-case hex where a name or a key is made of them. Not API (see the
 * package).
 *
 * <p><b>Thread-safety:</b> stateless; a new {@link MessageDigest} per call. <b>Lifecycle:</b>
 * static methods only.
 *
 * <pre>{@code
 * String key = Hashing.sha256Hex(repositoryUrl);   // 64 hex digits
 * }</pre>
 */
public final class Hashing {
    private Hashing() {
    }

    /** A new SHA-256 digest (every JVM has one: its absence is an {@link IllegalStateException}). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The SHA-256 of {@code text}'s UTF-8 bytes, as 64 lower-case hex digits. */
    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The SHA-256 of {@code bytes}, as 64 lower-case hex digits. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }
}
