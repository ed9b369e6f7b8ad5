package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A multi-line (PEM-shaped) runtime secret and a long token, printed by an agent in the forms
 * tools print them (plainly, split across writes with pauses, wrapped base64 from {@code base64}
 * and {@code openssl base64}, URL-safe base64, hex, inside JSON) and written to files: no form
 * reaches the events, the engine's log, the error, the summary or the conversation, and the push
 * is refused naming the files and the secrets. A token of the same shape that is no secret goes
 * through untouched (the control).
 */
class SecretFormsIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(3);
    static final String KEY = pem(new Random(21));
    static final String TOKEN = token(new Random(22));
    static final String CONTROL = token(new Random(23));
    static final String ARMOUR = "-----BEGIN OPENSSH PRIVATE KEY----- -----END OPENSSH PRIVATE KEY-----";

    static String pem(Random r) {
        StringBuilder b = new StringBuilder("-----BEGIN OPENSSH PRIVATE KEY-----\n");
        for (int i = 0; i < 6; i++) {
            byte[] bytes = new byte[i == 5 ? 25 : 52];
            r.nextBytes(bytes);
            b.append(Base64.getEncoder().encodeToString(bytes)).append('\n');
        }
        return b.append("-----END OPENSSH PRIVATE KEY-----").toString();
    }

    static String token(Random r) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder b = new StringBuilder("ghs_");
        while (b.length() < 90) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    static List<String> wrapped(String b64, int width) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < b64.length(); i += width) {
            out.add(b64.substring(i, Math.min(b64.length(), i + width)));
        }
        return out;
    }

    /** What must not be seen of {@code value}: its forms, their lines of 16+ and 24-char pieces of each. */
    static Set<String> forbidden(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        String std = Base64.getEncoder().encodeToString(bytes);
        String url = Base64.getUrlEncoder().encodeToString(bytes);
        String hex = HexFormat.of().formatHex(bytes);
        List<String> whole = List.of(value, value.replace("\n", "\\n"), std, url, hex, hex.toUpperCase(Locale.ROOT));
        Set<String> out = new LinkedHashSet<>();
        for (String form : whole) {
            for (String line : form.split("\n")) {
                for (int at = 0; at + 24 <= line.length(); at += 8) {
                    String piece = line.substring(at, at + 24);
                    if (!ARMOUR.contains(piece)) { // the PEM armour is no secret
                        out.add(piece);
                    }
                }
            }
        }
        for (String b64 : List.of(std, url)) {
            for (int width : new int[] {64, 76}) {
                List<String> lines = wrapped(b64, width);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    // the last line keeps at most one char of partial bits and the padding
                    String determined = i == lines.size() - 1 ? line.replace("=", "").substring(0,
                            Math.max(0, line.replace("=", "").length() - 1)) : line;
                    if (determined.length() >= 16) {
                        out.add(determined);
                    }
                }
            }
        }
        return out;
    }

    static void assertNoForm(String text, String where) {
        for (String value : List.of(KEY, TOKEN)) {
            for (String f : forbidden(value)) {
                assertThat(text).as("%s holds a form of a secret: %s", where, f).doesNotContain(f);
            }
        }
    }

    static final String PRINT = String.join("\n",
            "printf '%s\\n' \"$DEPLOY_KEY\"",
            // split across writes, with pauses: the output arrives in pieces that cut the secrets anywhere
            "for ((i=0; i<${#LONG_TOKEN}; i+=7)); do printf '%s' \"${LONG_TOKEN:$i:7}\"; sleep 0.02; done; echo",
            "printf '%s' \"${DEPLOY_KEY:0:150}\"; sleep 0.3; printf '%s\\n' \"${DEPLOY_KEY:150}\"",
            "printf 'token=%s' \"${LONG_TOKEN:0:45}\"; sleep 0.3; printf '%s\\n' \"${LONG_TOKEN:45}\"",
            "# checkpoint",
            "printf '%s' \"$LONG_TOKEN\" | base64",
            "printf '%s' \"$DEPLOY_KEY\" | base64",
            "printf '%s' \"$LONG_TOKEN\" | openssl base64",
            "printf '%s' \"$DEPLOY_KEY\" | openssl base64",
            "printf '%s' \"$LONG_TOKEN\" | basenc --base64url -w0; echo",
            "printf '%s' \"$DEPLOY_KEY\" | basenc --base64url",
            "printf '%s' \"$LONG_TOKEN\" | od -An -v -tx1 | tr -d ' \\n'; echo",
            "printf '%s' \"$DEPLOY_KEY\" | basenc --base16 -w0; echo",
            "printf '{\"key\":\"%s\",\"token\":\"%s\"}\\n' \"$(printf '%s' \"$DEPLOY_KEY\" | sed -z 's/\\n/\\\\n/g')\""
                    + " \"$LONG_TOKEN\"",
            "echo 'control: " + CONTROL + "'",
            "printf '%s' '" + CONTROL + "' | base64",
            "# checkpoint",
            "printf '%s\\n' \"$DEPLOY_KEY\" > deploy_key",
            "printf '%s' \"$LONG_TOKEN\" | base64 > token.b64",
            "{ head -c 32 /dev/zero; printf '%s' \"$LONG_TOKEN\"; } > blob.bin",
            "echo \"SUMMARY: wrote the files for $LONG_TOKEN\"");

    @Test
    void noFormOfAMultiLineKeyOrALongTokenIsRecordedOrPushed() throws Exception {
        TestRemote remote = TestRemote.create(dir.resolve("r"), SecretsIT.project("true"));
        Path state = dir.resolve("state");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err;
        // the engine logs through slf4j-simple to System.err, looked up on every line
        System.setErr(new PrintStream(new Tee(err, log), true, StandardCharsets.UTF_8));
        try (SecretStore store = SecretStore.open(state, LocalKms.openDefault(state));
                Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(state).secretProvider(store)
                        .secretContext(SecretContext.of("tester")).build()) {
            store.set(SecretScope.USER, "tester", "DEPLOY_KEY", SecretKind.RUNTIME, KEY);
            store.set(SecretScope.USER, "tester", "LONG_TOKEN", SecretKind.RUNTIME, TOKEN);

            Agent a = ns.spawn(AgentRequest.builder(PRINT, remote.url()).build());
            AgentInfo refused = a.awaitStatus(AgentStatus.ERROR, WAIT);
            assertThat(refused.status()).as("%s", refused.error()).isEqualTo(AgentStatus.ERROR);
            String events = a.events(0, 100_000).toString();
            List<String> output = a.events(0, 100_000).stream().filter(e -> e instanceof AgentEvent.CommandOutput)
                    .map(e -> ((AgentEvent.CommandOutput) e).line()).toList();
            assertThat(output).as("the control, no secret, goes through untouched")
                    .contains("control: " + CONTROL)
                    .contains(wrapped(Base64.getEncoder().encodeToString(CONTROL.getBytes(StandardCharsets.UTF_8)), 76)
                            .get(0));
            assertThat(output).as("the forms were printed and redacted, the split ones too")
                    .contains("[REDACTED]", "token=[REDACTED]");
            assertNoForm(events, "events");
            assertNoForm(a.conversation().toString(), "conversation");
            assertThat(a.conversation().toString()).as("the summary, redacted")
                    .contains("wrote the files for [REDACTED]");
            assertThat(refused.error().orElseThrow()).as("the push is refused naming the files and the secrets")
                    .contains("file deploy_key").contains("the secret DEPLOY_KEY")
                    .contains("file token.b64").contains("file blob.bin").contains("the secret LONG_TOKEN")
                    .contains("refs/nightshift/");
            assertNoForm(refused.error().orElseThrow(), "error");
            assertThat(remote.branches()).as("nothing was pushed").containsExactly("main");

            // the summary became the kept commit's message: redacted too
            Path mirror;
            try (Stream<Path> m = Files.list(state.resolve("mirrors"))) {
                mirror = m.filter(p -> p.toString().endsWith(".git")).findFirst().orElseThrow();
            }
            String kept = SecretsIT.sh("git -C " + mirror + " log --format=%B --all");
            assertThat(kept).contains("wrote the files for [REDACTED]");
            assertNoForm(kept, "commit messages");

            // an error made of the command's own output
            Agent b = ns.spawn(AgentRequest.builder("printf '%s\\n' \"$DEPLOY_KEY\"\nprintf 'token %s\\n' \"$LONG_TOKEN\" >&2"
                    + "\nexit 3", remote.url()).push(false).build());
            AgentInfo failed = b.awaitStatus(AgentStatus.ERROR, WAIT);
            assertThat(failed.error().orElseThrow()).as("%s", failed.error()).contains("exited 3").contains("token [REDACTED]");
            assertNoForm(failed.error().orElseThrow(), "error of a failed step");
            assertNoForm(b.events(0, 100_000).toString(), "events of a failed step");
            ns.closeAndRemoveMachines();
        } finally {
            System.setErr(err);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged).as("the engine logged the agents' errors").contains("ERROR");
        assertNoForm(logged, "the engine's log");
    }

    /** Writes to both streams. */
    static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
