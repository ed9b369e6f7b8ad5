package dev.nightshift.core.secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The forms a secret value commonly takes in output: as is, JSON-escaped (when it holds quotes,
 * backslashes or control characters), URL-encoded (form and RFC 3986 style, upper- and lower-case
 * hex), and base64 (standard and URL-safe alphabet) at each of the three
 * byte alignments it can have inside a longer encoded text. For base64 only the characters that
 * depend on the value alone are kept, so the fragment matches wherever the value sits; fragments
 * shorter than {@link #MIN_ENCODED} characters are left out (they would match ordinary text).
 */
final class Encodings {
    static final int MIN_ENCODED = 8;

    private Encodings() {
    }

    /** Every form of {@code value} to look for, the value itself first; no duplicates. */
    static Set<String> forms(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value.isEmpty()) {
            return out;
        }
        out.add(value);
        out.add(jsonEscaped(value));
        out.add(jsonEscaped(value).replace("/", "\\/"));
        String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
        addEncoded(out, form);
        addEncoded(out, form.replace("+", "%20"));
        addEncoded(out, lowerHex(form));
        addEncoded(out, lowerHex(form.replace("+", "%20")));
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int align = 0; align < 3; align++) {
            String std = base64Fragment(bytes, align, Base64.getEncoder().withoutPadding());
            addEncoded(out, std);
            addEncoded(out, std.replace('+', '-').replace('/', '_'));
        }
        return out;
    }

    static String jsonEscaped(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static void addEncoded(Set<String> out, String form) {
        if (form.length() >= MIN_ENCODED) {
            out.add(form);
        }
    }

    private static String lowerHex(String percentEncoded) {
        StringBuilder b = new StringBuilder(percentEncoded.length());
        for (int i = 0; i < percentEncoded.length(); i++) {
            char c = percentEncoded.charAt(i);
            if (c == '%' && i + 2 < percentEncoded.length()) {
                b.append('%').append(percentEncoded.substring(i + 1, i + 3).toLowerCase(Locale.ROOT));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * The base64 characters determined by {@code value} alone when it starts {@code align} bytes
     * after a 3-byte group boundary of the encoded text.
     */
    static String base64Fragment(byte[] value, int align, Base64.Encoder encoder) {
        byte[] shifted = new byte[align + value.length];
        System.arraycopy(value, 0, shifted, align, value.length);
        String encoded = encoder.encodeToString(shifted);
        int firstBit = 8 * align;
        int endBit = 8 * (align + value.length);
        int from = (firstBit + 5) / 6; // first char whose 6 bits all lie in the value
        int to = endBit / 6;           // chars wholly before the value's end
        return from >= to ? "" : encoded.substring(from, to);
    }
}
