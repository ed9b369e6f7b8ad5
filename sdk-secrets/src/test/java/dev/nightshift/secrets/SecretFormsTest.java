package dev.nightshift.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.secrets.internal.Encodings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every form of a secret a tool commonly prints (after the GitHub Actions runner's secret masker)
 * is redacted, in one piece and cut into chunks at every offset, and a value of the same shape
 * that is not a secret is left alone.
 */
class SecretFormsTest {
    /** A PEM-shaped multi-line secret: armour lines and 64-column base64 body lines. */
    static final String PEM = pem(new Random(3), "OPENSSH PRIVATE KEY", 7);
    /** A long (90 characters) token. */
    static final String TOKEN = token(new Random(5), 90);
    /** Same shapes, not secrets. */
    static final String OTHER_PEM = pem(new Random(4), "OPENSSH PRIVATE KEY", 7);
    static final String OTHER_TOKEN = token(new Random(6), 90);

    static final Redactor R = Redactor.of(Map.of("DEPLOY_KEY", PEM, "API_TOKEN", TOKEN));

    /** Runs of 16 or more encoding characters: what would give away part of a secret. */
    static final Pattern RUN = Pattern.compile("[A-Za-z0-9+/=_%\\\\-]{16,}");

    static String pem(Random r, String kind, int lines) {
        StringBuilder b = new StringBuilder("-----BEGIN " + kind + "-----\n");
        for (int i = 0; i < lines; i++) {
            byte[] bytes = new byte[i == lines - 1 ? 20 : 48];
            r.nextBytes(bytes);
            b.append(Base64.getEncoder().encodeToString(bytes)).append('\n');
        }
        return b.append("-----END ").append(kind).append("-----").toString();
    }

    static String token(Random r, int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        StringBuilder b = new StringBuilder("tok_");
        while (b.length() < length) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    static String wrap(String s, int width, String newline) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i += width) {
            b.append(s, i, Math.min(s.length(), i + width)).append(newline);
        }
        return b.toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Each form a tool prints of {@code value}, labelled; the base64 ones at the three byte alignments. */
    static Map<String, String> printed(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("plain", "value: " + value + "\n");
        out.put("crlf", "value: " + value.replace("\n", "\r\n") + "\r\n");
        out.put("json", "{\"key\":\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"}\n");
        out.put("json with \\/", "{\"key\":\"" + value.replace("\n", "\\n").replace("/", "\\/") + "\"}\n");
        out.put("percent", "k=" + URLEncoder.encode(value, StandardCharsets.UTF_8) + "&x=1\n");
        out.put("percent %20", "k=" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20") + "\n");
        out.put("hex", HexFormat.of().formatHex(utf8(value)) + "\n");
        out.put("HEX", HexFormat.of().formatHex(utf8(value)).toUpperCase(Locale.ROOT) + "\n");
        String[] prefixes = {"", "x", "ab"};
        for (String prefix : prefixes) {
            byte[] bytes = utf8(prefix + value);
            String a = "align " + prefix.length() + " ";
            String std = Base64.getEncoder().encodeToString(bytes);
            String url = Base64.getUrlEncoder().encodeToString(bytes);
            out.put(a + "base64 -w0", std + "\n");
            out.put(a + "base64 unpadded", std.replace("=", "") + "\n");
            out.put(a + "base64url", url + "\n");
            out.put(a + "base64url unpadded", url.replace("=", "") + "\n");
            out.put(a + "base64 (76)", wrap(std, 76, "\n"));
            out.put(a + "openssl base64 (64)", wrap(std, 64, "\n"));
            out.put(a + "base64url (76)", wrap(url, 76, "\n"));
            out.put(a + "base64 (76) crlf", wrap(std, 76, "\r\n"));
        }
        return out;
    }

    /**
     * The runs of encoding characters left in {@code redacted} that also occur in {@code forms},
     * but not in the forms of another key of the same kind (the PEM armour is no secret).
     */
    static List<String> leaks(String redacted, Map<String, String> forms) {
        List<String> out = new ArrayList<>();
        String shared = String.join(" ", printed(OTHER_PEM).values()).replace("\r", "").replace("\n", "");
        Matcher m = RUN.matcher(redacted.replace(Redactor.MARK, " "));
        while (m.find()) {
            for (String form : forms.values()) {
                if (form.replace("\r", "").replace("\n", "").contains(m.group()) && !shared.contains(m.group())) {
                    out.add(m.group());
                }
            }
        }
        return out;
    }

    @Test
    void everyFormOfTheFixtureSecretsIsRedacted() {
        for (String value : List.of(TOKEN, PEM)) {
            Map<String, String> forms = printed(value);
            for (Map.Entry<String, String> f : forms.entrySet()) {
                String redacted = R.redact(f.getValue());
                assertThat(redacted).as("%s of a %d-char secret", f.getKey(), value.length()).contains(Redactor.MARK);
                assertThat(leaks(redacted, forms)).as("%s: what is left of the secret in %s", f.getKey(), redacted)
                        .isEmpty();
            }
        }
    }

    @Test
    void eachLineOfAMultiLineValueIsAFormOfItsOwnButThePemArmourIsNot() {
        String[] lines = PEM.split("\n");
        for (int i = 1; i < lines.length - 1; i++) {
            assertThat(R.redact("> " + lines[i] + " <")).as("line %d alone", i).isEqualTo("> [REDACTED] <");
        }
        String armour = "-----BEGIN OPENSSH PRIVATE KEY-----";
        assertThat(R.redact(armour)).as("the armour every key shares is no secret").isEqualTo(armour);
        assertThat(R.redact(PEM)).isEqualTo(Redactor.MARK);
        assertThat(R.secretsIn(lines[3])).containsExactly("DEPLOY_KEY");
    }

    @Test
    void wrappedBase64LineByLineLeavesNoLineOfSixteenOrMore() {
        // the push guard looks at one line at a time: every wrapped line is a form of its own
        for (String value : List.of(TOKEN, PEM)) {
            Map<String, String> forms = printed(value);
            for (String key : forms.keySet()) {
                if (!key.contains("(")) {
                    continue;
                }
                for (String line : forms.get(key).split("\r?\n")) {
                    String redacted = R.redact(line);
                    assertThat(leaks(redacted, forms)).as("%s line %s", key, line).isEmpty();
                }
            }
        }
    }

    @Test
    void splitAcrossChunksAtEveryOffsetTheStreamFindsEveryForm() {
        Map<String, String> sample = new LinkedHashMap<>();
        printed(TOKEN).forEach((k, v) -> sample.put("token " + k, v));
        Map<String, String> pemForms = printed(PEM);
        for (String k : List.of("plain", "align 1 base64 (76)", "align 0 openssl base64 (64)", "json", "hex")) {
            sample.put("pem " + k, pemForms.get(k));
        }
        Random random = new Random(9);
        for (Map.Entry<String, String> f : sample.entrySet()) {
            String text = "before\n" + f.getValue() + "after\n";
            String expected = R.redact(text);
            for (int cut = 0; cut <= text.length(); cut++) {
                Redactor.Stream s = R.stream();
                String out = s.write(text.substring(0, cut)) + s.write(text.substring(cut)) + s.flush();
                assertThat(out).as("%s cut at %d", f.getKey(), cut).isEqualTo(expected);
            }
            for (int round = 0; round < 20; round++) {
                Redactor.Stream s = R.stream();
                StringBuilder out = new StringBuilder();
                for (int at = 0; at < text.length(); ) {
                    int len = Math.min(text.length() - at, 1 + random.nextInt(12));
                    out.append(s.write(text.substring(at, at + len)));
                    at += len;
                }
                assertThat(out.append(s.flush()).toString()).as("%s in small chunks", f.getKey()).isEqualTo(expected);
            }
            assertThat(expected).as(f.getKey()).contains(Redactor.MARK);
        }
    }

    @Test
    void theEnginesByteStreamPathFindsEveryFormCutAtEveryByte() {
        Map<String, String> sample = new LinkedHashMap<>(printed(TOKEN));
        Map<String, String> pemForms = printed(PEM);
        for (String k : List.of("plain", "crlf", "align 2 base64 (76)", "align 0 openssl base64 (64)", "json", "HEX")) {
            sample.put("pem " + k, pemForms.get(k));
        }
        for (Map.Entry<String, String> f : sample.entrySet()) {
            String text = "before ✓\n" + f.getValue() + "after\n";
            byte[] bytes = utf8(text);
            String expected = R.redact(text);
            for (int cut = 0; cut <= bytes.length; cut++) {
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                Redactor.OutputListener l = R.execListener(new dev.nightshift.api.runtime.ExecListener() {
                    @Override
                    public void onStdout(byte[] b, int off, int len) {
                        got.write(b, off, len);
                    }

                    @Override
                    public void onStderr(byte[] b, int off, int len) {
                    }
                });
                l.onStdout(bytes, 0, cut);
                l.onStdout(bytes, cut, bytes.length - cut);
                l.flush();
                assertThat(got.toString(StandardCharsets.UTF_8)).as("%s cut at byte %d", f.getKey(), cut)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void theSameShapesThatAreNotSecretsAreNotFlagged() {
        for (String value : List.of(OTHER_TOKEN, OTHER_PEM)) {
            for (Map.Entry<String, String> f : printed(value).entrySet()) {
                String text = f.getValue();
                assertThat(R.redact(text)).as("control %s", f.getKey()).isEqualTo(text);
                assertThat(R.containsSecret(text)).isFalse();
            }
        }
    }

    @Test
    void formsAreDistinctAndNoneIsShorterThanItsMinimum() {
        for (String form : Encodings.forms(TOKEN)) {
            assertThat(form.length()).isGreaterThanOrEqualTo(Encodings.MIN_ENCODED);
        }
        assertThat(Encodings.forms(PEM)).doesNotContain("-----BEGIN OPENSSH PRIVATE KEY-----",
                "-----END OPENSSH PRIVATE KEY-----");
    }
}
