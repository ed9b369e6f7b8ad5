package dev.nightshift.secrets.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The forms a secret value commonly takes in output, after the GitHub Actions runner's secret
 * masker (its ADR 0297 explains the base64 alignments):
 * <ul>
 * <li>the value itself, and each line of a multi-line value ({@code \n} or {@code \r\n}) of at
 *     least {@value #MIN_LINE} characters, except PEM armour lines ({@code -----BEGIN ...-----}),
 *     which every key of a kind shares;
 * <li>the JSON-string escape (also with {@code \/}, and with non-ASCII as {@code \\uXXXX});
 * <li>percent-encoding (form and RFC 3986 style, upper- and lower-case hex);
 * <li>hex of the UTF-8 bytes, lower and upper case;
 * <li>base64, standard and URL-safe alphabet, at each of the three byte alignments the value can
 *     have inside a longer encoded text: only the characters that depend on the value alone are
 *     kept, so the fragment matches wherever the value sits; at alignment 0 also the whole
 *     encoding with and without padding;
 * <li>the same base64 wrapped at 64 ({@code openssl base64}) and 76 ({@code base64}) columns, as
 *     if the encoded text began {@code align} bytes before the value: the wrapped text as a whole
 *     (newlines included, so the byte stream loses even a short last line), and each wrapped line
 *     of at least {@value #MIN_WRAPPED_LINE} characters (the part of it that depends on the value
 *     alone) as a form of its own, so a search that runs line by line (the push guard) finds it.
 * </ul>
 * Encoded forms shorter than {@value #MIN_ENCODED} characters are left out (they would match
 * ordinary text).
 *
 * <p><b>Thread-safety:</b> stateless. <b>Lifecycle:</b> static methods only; internal to
 * sdk-secrets (public for the redactor's tests in the package above).
 */
public final class Encodings {
    public static final int MIN_ENCODED = 8;
    /** Shortest line of a multi-line value that is a form of its own. */
    static final int MIN_LINE = 8;
    /** Shortest wrapped base64 line that is a form of its own. */
    static final int MIN_WRAPPED_LINE = 16;
    /** Column widths of wrapped base64: {@code openssl base64} and PEM (64), {@code base64} and MIME (76). */
    static final int[] WRAP_WIDTHS = {64, 76};

    private static final Pattern PEM_ARMOUR = Pattern.compile("-----(BEGIN|END) [A-Z0-9 ]+-----");

    private Encodings() {
    }

    /** Every form of {@code value} to look for, the value itself first; no duplicates. */
    public static Set<String> forms(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value.isEmpty()) {
            return out;
        }
        out.add(value);
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            for (String line : value.split("\r?\n|\r")) {
                if (line.length() >= MIN_LINE && !PEM_ARMOUR.matcher(line.strip()).matches()) {
                    out.add(line);
                }
            }
        }
        String json = jsonEscaped(value, false);
        out.add(json);
        out.add(json.replace("/", "\\/"));
        out.add(jsonEscaped(value, true));
        String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
        addEncoded(out, form);
        addEncoded(out, form.replace("+", "%20"));
        addEncoded(out, lowerHex(form));
        addEncoded(out, lowerHex(form.replace("+", "%20")));
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(bytes);
        addEncoded(out, hex);
        addEncoded(out, hex.toUpperCase(Locale.ROOT));
        boolean[] armour = armourBytes(value, bytes.length);
        Base64.Encoder std = Base64.getEncoder();
        addEncoded(out, std.encodeToString(bytes));
        addEncoded(out, std.withoutPadding().encodeToString(bytes));
        addEncoded(out, Base64.getUrlEncoder().encodeToString(bytes));
        addEncoded(out, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        for (int align = 0; align < 3; align++) {
            String fragment = base64Fragment(bytes, align, std.withoutPadding());
            addEncoded(out, fragment);
            addEncoded(out, urlSafe(fragment));
        }
        for (int width : WRAP_WIDTHS) {
            for (int align = 0; align < 3; align++) {
                Set<String> lines = wrappedLines(bytes, align, width, armour);
                String whole = wrapped(bytes, align, width);
                if (!whole.isEmpty()) {
                    out.add(whole);
                    out.add(urlSafe(whole));
                }
                for (String line : lines) {
                    out.add(line);
                    out.add(urlSafe(line));
                }
            }
        }
        return out;
    }

    static String jsonEscaped(String value) {
        return jsonEscaped(value, false);
    }

    /** The JSON string escape of {@code value} (without quotes); {@code ascii}: non-ASCII as {@code \\uXXXX}. */
    static String jsonEscaped(String value, boolean ascii) {
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
                    if (c < 0x20 || (ascii && c > 0x7e)) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static String urlSafe(String base64) {
        return base64.replace('+', '-').replace('/', '_');
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
        int[] range = new int[2];
        String encoded = shifted(value, align, encoder, range);
        return range[0] >= range[1] ? "" : encoded.substring(range[0], range[1]);
    }

    /**
     * The lines of the standard base64 of {@code value}, wrapped at {@code width} columns, when
     * the encoded text begins {@code align} bytes before the value: of each line the characters
     * determined by the value alone, where at least {@link #MIN_WRAPPED_LINE} are.
     */
    static Set<String> wrappedLines(byte[] value, int align, int width) {
        return wrappedLines(value, align, width, new boolean[value.length]);
    }

    /** As {@link #wrappedLines(byte[], int, int)}, leaving out lines that encode only bytes marked in {@code skip}. */
    static Set<String> wrappedLines(byte[] value, int align, int width, boolean[] skip) {
        Set<String> out = new LinkedHashSet<>();
        int[] range = new int[2];
        String encoded = shifted(value, align, Base64.getEncoder().withoutPadding(), range);
        if (encoded.length() <= width) {
            return out; // not wrapped: the unwrapped forms cover it
        }
        for (int line = 0; line < encoded.length(); line += width) {
            int from = Math.max(line, range[0]);
            int to = Math.min(line + width, range[1]);
            if (to - from >= MIN_WRAPPED_LINE && !onlySkipped(skip, 6 * from / 8 - align, (6 * to + 7) / 8 - align)) {
                out.add(encoded.substring(from, to));
            }
        }
        return out;
    }

    private static boolean onlySkipped(boolean[] skip, int from, int to) {
        for (int i = Math.max(0, from); i < Math.min(skip.length, to); i++) {
            if (!skip[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Which UTF-8 bytes of {@code value} belong to a PEM armour line or the line breaks around
     * one: every key of a kind shares them, so a wrapped base64 line that encodes only those is
     * no form of the secret.
     */
    private static boolean[] armourBytes(String value, int length) {
        boolean[] out = new boolean[length];
        Matcher m = PEM_ARMOUR.matcher(value);
        while (m.find()) {
            int from = m.start();
            int to = m.end();
            while (from > 0 && (value.charAt(from - 1) == '\n' || value.charAt(from - 1) == '\r')) {
                from--;
            }
            while (to < value.length() && (value.charAt(to) == '\n' || value.charAt(to) == '\r')) {
                to++;
            }
            int b = value.substring(0, from).getBytes(StandardCharsets.UTF_8).length;
            int e = b + value.substring(from, to).getBytes(StandardCharsets.UTF_8).length;
            java.util.Arrays.fill(out, b, Math.min(e, length), true);
        }
        return out;
    }

    /** The characters {@link #wrappedLines} draws from, with their newlines; empty when not wrapped. */
    static String wrapped(byte[] value, int align, int width) {
        int[] range = new int[2];
        String encoded = shifted(value, align, Base64.getEncoder().withoutPadding(), range);
        if (encoded.length() <= width || range[1] - range[0] < MIN_ENCODED) {
            return "";
        }
        StringBuilder b = new StringBuilder(encoded.length() + encoded.length() / width + 1);
        for (int i = range[0]; i < range[1]; i++) {
            if (i > range[0] && i % width == 0) {
                b.append('\n');
            }
            b.append(encoded.charAt(i));
        }
        return b.toString();
    }

    private static String shifted(byte[] value, int align, Base64.Encoder encoder, int[] range) {
        byte[] shifted = new byte[align + value.length];
        System.arraycopy(value, 0, shifted, align, value.length);
        String encoded = encoder.encodeToString(shifted);
        int firstBit = 8 * align;
        int endBit = 8 * (align + value.length);
        range[0] = (firstBit + 5) / 6; // first char whose 6 bits all lie in the value
        range[1] = endBit / 6;         // chars wholly before the value's end
        return encoded;
    }
}
