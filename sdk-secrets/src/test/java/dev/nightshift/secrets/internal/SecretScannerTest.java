package dev.nightshift.secrets.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SecretScanner} over files: names the file and the secret, never the value; skips what is
 * not a regular file under the root (the checks that were the build guard's in ResolvedSecretsTest).
 */
class SecretScannerTest {
    /** The build secret of ResolvedSecretsTest's fixture. */
    static final SecretScanner BUILD = SecretScanner.of(Map.of("NPM_TOKEN", "npm-build-token"));
    /** Its runtime and build secrets (what the engine redacts and guards pushes for). */
    static final SecretScanner RUNTIME = SecretScanner.of(Map.of("API_TOKEN", "agent-api-token",
            "NPM_TOKEN", "npm-build-token", "DEPLOY_KEY", "deploy-runtime-key"));

    @Test
    void theBuildGuardNamesTheFileAndSecretNotTheValue(@TempDir Path ws) throws Exception {
        Files.writeString(ws.resolve(".npmrc"), "//registry.npmjs.org/:_authToken=npm-build-token\n");
        Files.writeString(ws.resolve("ok.txt"), "nothing to see: npm-build-toke\n");
        Files.createDirectories(ws.resolve("cfg"));
        Files.writeString(ws.resolve("cfg/auth.json"), "{\"auth\":\""
                + Base64.getEncoder().encodeToString("u:npm-build-token".getBytes(StandardCharsets.UTF_8)) + "\"}");
        Files.writeString(ws.resolve("runtime.txt"), "agent-api-token"); // runtime, not build: not the build guard's business
        Files.write(ws.resolve("blob.bin"), new byte[] {0, (byte) 0xff, 'n', 'p', 'm', 0});
        List<SecretFinding> found = BUILD.scanFiles(ws,
                List.of(".npmrc", "ok.txt", "cfg/auth.json", "runtime.txt", "blob.bin", "deleted.txt", "../outside"));
        assertThat(found).containsExactly(new SecretFinding(".npmrc", "NPM_TOKEN"), new SecretFinding("cfg/auth.json", "NPM_TOKEN"));
        assertThat(found.toString()).doesNotContain("npm-build-token");
        assertThat(RUNTIME.scanFiles(ws, List.of("runtime.txt"))).containsExactly(new SecretFinding("runtime.txt", "API_TOKEN"));
    }

    @Test
    void theBuildGuardDoesNotFollowLinksOutOfTheWorkspace(@TempDir Path ws, @TempDir Path outside) throws Exception {
        Files.writeString(outside.resolve("secret.txt"), "npm-build-token");
        Files.createSymbolicLink(ws.resolve("link"), outside.resolve("secret.txt"));
        assertThat(BUILD.scanFiles(ws, List.of("link"))).isEmpty();
        assertThat(BUILD.scanFiles(outside, List.of("secret.txt"))).hasSize(1); // control
    }
}
