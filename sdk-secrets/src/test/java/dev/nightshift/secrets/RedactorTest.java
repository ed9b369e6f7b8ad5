package dev.nightshift.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.secrets.internal.Patterns;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {
    static final String TOKEN = "ghp_R3alLookingT0kenValue42xyz";
    static final String PASSWORD = "p@ss word/with+chars&more";

    static final Redactor R = Redactor.of(Map.of("API_TOKEN", TOKEN, "DB_PASSWORD", PASSWORD));

    @Test
    void replacesTheValueAndKeepsTheRest() {
        assertThat(R.redact("token=" + TOKEN + " ok")).isEqualTo("token=[REDACTED] ok");
        assertThat(R.redact(TOKEN + TOKEN)).as("adjacent occurrences merge").isEqualTo("[REDACTED]");
        assertThat(R.redact(PASSWORD + " and " + TOKEN)).isEqualTo("[REDACTED] and [REDACTED]");
    }

    @Test
    void controlTextIsUntouched() {
        String control = "ghp_R3alLookingT0kenValue42xy (one char short) p@ss word/with+chars&mor";
        assertThat(R.redact(control)).isSameAs(control);
        assertThat(R.containsSecret(control)).isFalse();
        assertThat(R.secretsIn(control)).isEmpty();
        assertThat(Redactor.none().redact(TOKEN)).isEqualTo(TOKEN);
        assertThat(R.redact(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "ab", "prefix:"})
    void base64AtEveryAlignmentIsRedacted(String prefix) {
        for (String secret : List.of(TOKEN, PASSWORD)) {
            byte[] plain = (prefix + secret + " trailing").getBytes(StandardCharsets.UTF_8);
            String std = Base64.getEncoder().encodeToString(plain);
            String url = Base64.getUrlEncoder().encodeToString(plain);
            assertThat(R.containsSecret(std)).as("base64 of %s...", prefix).isTrue();
            assertThat(R.containsSecret(url)).as("base64url of %s...", prefix).isTrue();
            assertThat(R.redact("Authorization: Basic " + std)).contains(Redactor.MARK);
            String decoded = new String(Base64.getDecoder().decode(std.replace(' ', 'x')), StandardCharsets.UTF_8);
            assertThat(decoded).contains(secret); // the fixture really encodes the secret
        }
    }

    @Test
    void base64OfOtherTextIsNotFlagged() {
        String other = Base64.getEncoder().encodeToString("ghp_SomeOtherTokenValue42xyz0".getBytes(StandardCharsets.UTF_8));
        assertThat(R.containsSecret(other)).isFalse();
    }

    @Test
    void urlEncodedFormsAreRedacted() {
        String form = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
        assertThat(form).isNotEqualTo(PASSWORD);
        assertThat(R.redact("https://h/login?pw=" + form + "&x=1")).isEqualTo("https://h/login?pw=[REDACTED]&x=1");
        assertThat(R.redact("pw=" + form.replace("+", "%20"))).isEqualTo("pw=[REDACTED]");
        assertThat(R.redact("pw=" + form.replace("%2F", "%2f").replace("%2B", "%2b"))).isEqualTo("pw=[REDACTED]");
    }

    @Test
    void jsonEscapedFormsAreRedacted() {
        String value = "pa\"ss\\wo/rd\nline2";
        Redactor r = Redactor.of(Map.of("JSON_SECRET", value));
        String json = "{\"password\":\"pa\\\"ss\\\\wo/rd\\nline2\"}";
        assertThat(json).doesNotContain(value); // the fixture holds only the escaped form
        assertThat(r.redact(json)).isEqualTo("{\"password\":\"[REDACTED]\"}");
        assertThat(r.redact(json.replace("/", "\\/"))).isEqualTo("{\"password\":\"[REDACTED]\"}");
        assertThat(r.containsSecret("{\"password\":\"pa\\\"ss\\\\wo/rd\\nline3\"}")).as("control").isFalse();
    }

    @Test
    void namesWhichSecretsAreInATextButNeverValues() {
        assertThat(R.secretsIn("a " + TOKEN + " b")).containsExactly("API_TOKEN");
        assertThat(R.secretsIn(Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)) + TOKEN))
                .containsExactly("API_TOKEN", "DB_PASSWORD");
        assertThat(R.toString()).doesNotContain(TOKEN).doesNotContain(PASSWORD);
    }

    @Test
    void overlappingSecretsBecomeOneMark() {
        Redactor r = Redactor.of(List.of("abcdef123", "def123ghi"));
        assertThat(r.redact("x abcdef123ghi y")).isEqualTo("x [REDACTED] y");
    }

    @Test
    void streamFindsASecretSplitAcrossChunks() {
        Redactor.Stream s = R.stream();
        StringBuilder out = new StringBuilder();
        String text = "line one\nexport API_TOKEN=" + TOKEN + "\nline three\n";
        for (int i = 0; i < text.length(); i++) {
            out.append(s.write(text.substring(i, i + 1)));
            assertThat(s.pending()).isLessThanOrEqualTo(R.maxLength() - 1);
        }
        out.append(s.flush());
        assertThat(out.toString()).isEqualTo("line one\nexport API_TOKEN=[REDACTED]\nline three\n");
    }

    @Test
    void streamHoldsBackOnlyWhatMayBeginASecret() {
        Redactor.Stream s = R.stream();
        String text = "x".repeat(1000) + "\n";
        assertThat(s.write(text)).as("ordinary text is not delayed").isEqualTo(text);
        assertThat(s.pending()).isZero();
        String start = TOKEN.substring(0, 10);
        assertThat(s.write("token=" + start)).as("a possible beginning of a secret waits").isEqualTo("token=");
        assertThat(s.pending()).isEqualTo(10);
        assertThat(s.write(TOKEN.substring(10) + " ok")).isEqualTo("[REDACTED] ok");
        assertThat(s.write("x".repeat(10) + start)).isEqualTo("x".repeat(10));
        assertThat(s.flush()).as("the end releases it").isEqualTo(start);
    }

    @Test
    void streamAtRandomChunkBoundariesEqualsOneShotRedaction() {
        Random random = new Random(7);
        Map<String, String> secrets = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            secrets.put("S" + i, randomToken(random, 6 + random.nextInt(30)));
        }
        secrets.put("OVERLAP_A", "overlap-AAAA-BBBB");
        secrets.put("OVERLAP_B", "BBBB-CCCC-overlap");
        List<String> values = new ArrayList<>(secrets.values());
        for (boolean dense : new boolean[] {true, false}) {
            // the redactor's patterns with the dense, then the sparse automaton
            Patterns r = new Patterns(secrets, dense);
            for (int round = 0; round < 300; round++) {
                StringBuilder text = new StringBuilder();
                while (text.length() < 2000) {
                    int pick = random.nextInt(10);
                    String v = values.get(random.nextInt(values.size()));
                    if (pick == 0) {
                        text.append(v);
                    } else if (pick == 1) {
                        text.append(Base64.getEncoder().encodeToString((randomToken(random, random.nextInt(3)) + v)
                                .getBytes(StandardCharsets.UTF_8)));
                    } else if (pick == 2) {
                        text.append(v, 0, v.length() - 1); // near miss
                    } else {
                        text.append(randomToken(random, random.nextInt(40))).append(random.nextBoolean() ? '\n' : ' ');
                    }
                }
                String whole = text.toString();
                String expected = r.redact(whole);
                Redactor.Stream s = r.stream();
                StringBuilder out = new StringBuilder();
                int at = 0;
                while (at < whole.length()) {
                    int len = Math.min(whole.length() - at, random.nextInt(random.nextBoolean() ? 4 : 200) + 1);
                    out.append(s.write(whole.substring(at, at + len)));
                    at += len;
                }
                out.append(s.flush());
                assertThat(out.toString()).as("dense=%s round %d", dense, round).isEqualTo(expected);
                for (String v : values) {
                    assertThat(out.toString()).doesNotContain(v);
                }
            }
        }
    }

    @Test
    void denseAndSparseAutomataAgree() {
        Random random = new Random(11);
        Map<String, String> secrets = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            secrets.put("S" + i, randomToken(random, 8 + random.nextInt(20)));
        }
        Patterns dense = new Patterns(secrets, true);
        Patterns sparse = new Patterns(secrets, false);
        assertThat(dense.isDense()).isTrue();
        assertThat(sparse.isDense()).isFalse();
        List<String> values = new ArrayList<>(secrets.values());
        for (int round = 0; round < 200; round++) {
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < 30; k++) {
                text.append(random.nextInt(4) == 0 ? values.get(random.nextInt(values.size())) : randomToken(random, 10));
            }
            assertThat(sparse.redact(text.toString())).isEqualTo(dense.redact(text.toString()));
        }
    }

    static String randomToken(Random random, int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+/";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
