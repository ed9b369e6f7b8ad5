package dev.nightshift.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.secrets.Redactor;
import dev.nightshift.git.OutgoingPush;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The push guard looks for every form of a secret on added lines, in file names, in commit
 * messages and in binary files' bytes, and names the file and the secret, never the value.
 */
class SecretPushGuardTest {
    static final String KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
            + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
            + "QyNTUxOQAAACDmX3q8Yb9dP6e0XWq2C0Jx7QH3c1T5Lr0K9ZbV1nHhQgAAAJgx2nT9MdpA\n"
            + "-----END OPENSSH PRIVATE KEY-----";
    static final String TOKEN = "tok_" + "Zq81mXv3PLk2Qw7RtY9uIo0pAsDfGhJkLzXcVbNm".repeat(3).substring(0, 86);
    static final Redactor SCANNER = Redactor.of(Map.of("DEPLOY_KEY", KEY, "API_TOKEN", TOKEN));

    static String added(String path, String content) {
        StringBuilder b = new StringBuilder("diff --git a/" + path + " b/" + path + "\nnew file mode 100644\n"
                + "--- /dev/null\n+++ b/" + path + "\n@@ -0,0 +1 @@\n");
        for (String line : content.split("\n")) {
            b.append('+').append(line).append('\n');
        }
        return b.toString();
    }

    static OutgoingPush push(String message, String diff, List<OutgoingPush.OutgoingFile> binaries) {
        return new OutgoingPush("file:///r", "b", "c0ffee", List.of(
                new OutgoingPush.OutgoingCommit("c0ffee0123456789", message, diff, binaries)));
    }

    static String wrapped76(String s) {
        String b64 = Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < b64.length(); i += 76) {
            out.append(b64, i, Math.min(b64.length(), i + 76)).append('\n');
        }
        return out.toString();
    }

    @Test
    void namesEachFileAndSecretNeverTheValue() {
        byte[] binary = ("\0\1\2 header " + TOKEN + " \0trailer").getBytes(StandardCharsets.UTF_8);
        String diff = added("deploy_key", KEY) + added("token.b64", wrapped76(TOKEN)) + added("README.md", "hello\n")
                + "diff --git a/app.bin b/app.bin\nnew file mode 100644\nBinary files /dev/null and b/app.bin differ\n";
        List<String> found = SecretPushGuard.findings(SCANNER, push("add things", diff, List.of(
                new OutgoingPush.OutgoingFile("app.bin", binary.length, () -> new ByteArrayInputStream(binary)))));
        assertThat(found).containsExactly(
                "file deploy_key (commit c0ffee012345) holds the secret DEPLOY_KEY",
                "file token.b64 (commit c0ffee012345) holds the secret API_TOKEN",
                "file app.bin (commit c0ffee012345) holds the secret API_TOKEN");
        assertThat(String.join("\n", found)).doesNotContain(TOKEN).doesNotContain(KEY.split("\n")[1]);
    }

    @Test
    void commitMessagesAndFileNamesAreLookedAtToo() {
        List<String> found = SecretPushGuard.findings(SCANNER, push("deploy with " + TOKEN,
                added("keys/" + TOKEN + ".txt", "nothing secret here"), List.of()));
        assertThat(found).containsExactly("the message of commit c0ffee012345 holds the secret API_TOKEN",
                "the name of a file (commit c0ffee012345) holds the secret API_TOKEN");
    }

    @Test
    void aSecretOnARemovedLineOrAPemArmourAloneIsNoLeak() {
        String diff = "diff --git a/k b/k\n--- a/k\n+++ b/k\n@@ -1,2 +1,2 @@\n-" + TOKEN + "\n"
                + "+-----BEGIN OPENSSH PRIVATE KEY-----\n+-----END OPENSSH PRIVATE KEY-----\n";
        byte[] other = ("\0 " + TOKEN.substring(1) + "X").getBytes(StandardCharsets.UTF_8);
        SecretPushGuard guard = new SecretPushGuard();
        guard.watch("b", SCANNER);
        assertThat(guard.allows(push("fine", diff, List.of(
                new OutgoingPush.OutgoingFile("x.bin", other.length, () -> new ByteArrayInputStream(other))))))
                .as("control: nothing of the secrets is added").isTrue();
        assertThat(guard.allows(push("fine", diff + added("t", TOKEN), List.of()))).isFalse();
        assertThat(guard.refusal("b")).contains("file t (commit c0ffee012345) holds the secret API_TOKEN");
    }
}
