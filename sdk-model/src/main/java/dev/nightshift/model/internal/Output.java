package dev.nightshift.model.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** How tool output is made fit for a model: binary described, long text cut with head and tail kept. */
public final class Output {
    private Output() {
    }

    /** The mark left where text was cut. */
    public static final String TRUNCATED = "truncated";

    /**
     * {@code text} when it is at most {@code max} characters, else its first and last halves around a
     * {@code [... truncated N characters ...]} mark.
     */
    public static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int half = max / 2;
        int dropped = text.length() - 2 * half;
        return text.substring(0, half) + "\n[... " + TRUNCATED + " " + dropped + " characters ...]\n"
                + text.substring(text.length() - half);
    }

    /** Whether {@code bytes} look binary: a NUL byte, or not valid UTF-8. */
    public static boolean isBinary(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
            return false;
        } catch (CharacterCodingException e) {
            // a multi-byte character cut at the end of a capture is not binary
            return length > 4 && isBinaryStrict(bytes, length - 4);
        }
    }

    private static boolean isBinaryStrict(byte[] bytes, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
            return false;
        } catch (CharacterCodingException e) {
            return true;
        }
    }

    /** What a model is told instead of binary content. */
    public static String describeBinary(String what, long bytes) {
        return "[binary " + what + ": " + bytes + " bytes, not shown]";
    }
}
