package dev.nightshift.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AuthenticationException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitHost against an SSH git server (Apache MINA SSHD with JGit's packs, on 127.0.0.1): fetch,
 * move-in and push with an SSH key from GitCredentials, host keys checked against the pins, and
 * the private key nowhere but the host's memory.
 */
class GitHostSshIT {
    @TempDir
    Path tmp;

    @AfterAll
    static void noMachineSurvives() {
        assertThat(MachineFixture.leftovers()).as("machines left running").isEmpty();
    }

    Remotes app;
    SshGitServer server;
    String key;
    String otherKey;
    /** A line from the middle of the private key: what must never leave the host's memory. */
    String keyCanary;

    @BeforeEach
    void setUp() throws Exception {
        app = Remotes.create(tmp.resolve("served"), "app");
        key = keygen("id_agent");
        otherKey = keygen("id_other");
        String[] lines = key.split("\n");
        keyCanary = lines[lines.length / 2];
        server = new SshGitServer(tmp.resolve("served"), publicKey("id_agent"));
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private String keygen(String name) throws Exception {
        Path f = tmp.resolve("keys").resolve(name);
        Files.createDirectories(f.getParent());
        Sh.run(tmp, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", f.toString()));
        return Files.readString(f, StandardCharsets.UTF_8);
    }

    private PublicKey publicKey(String name) throws Exception {
        String line = Files.readString(tmp.resolve("keys").resolve(name + ".pub"), StandardCharsets.UTF_8).strip();
        return PublicKeyEntry.parsePublicKeyEntry(line).resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
    }

    private GitHost host(GitCredential credential) {
        return GitHost.builder(tmp.resolve("cache"))
                .credentials(GitCredentials.forHost("127.0.0.1", credential))
                .author("Agent", "agent@example.com").build();
    }

    @Test
    void aStoredKeyFetchesMovesInAndPushesAndNeverReachesTheMachine() throws Exception {
        String url = server.url("app.git");
        try (GitHost git = host(GitCredential.sshKey(key, "", List.of(server.knownHostsLine())));
                MachineFixture fx = MachineFixture.open()) {
            GitHost.Source src = git.fetch(url, null);
            assertThat(src.commit()).isEqualTo(app.head("main"));
            String branch = git.branchName(url, "Ssh run", null);
            String ws = fx.dir("ws-ssh");
            git.moveIn(fx.machine(), url, src.commit(), branch, ws, null);
            fx.sh("cd \"$1\" && echo work > work.txt", ws);
            GitHost.Handoff h = git.handOff(fx.machine(), url, branch, ws, null, "Ssh run", true);
            assertThat(h.pushed()).isTrue();
            assertThat(app.head(branch)).as("the branch on the SSH server").isEqualTo(h.commit());
            assertThat(fx.grepEverywhere(keyCanary)).as("the private key in the machine's file system").isEmpty();
            assertThat(fx.sh("cat \"$1\"/.git/config", ws)).doesNotContain("BEGIN OPENSSH");
        }
        assertThat(server.refusedLogins.get()).as("no login refused").isZero();
        try (var files = Files.walk(tmp.resolve("cache"))) {
            assertThat(files.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.readString(p, StandardCharsets.ISO_8859_1).contains(keyCanary);
                } catch (java.io.IOException e) {
                    return false;
                }
            }).toList()).as("the private key on the host's disk").isEmpty();
        }
        Path log = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile", "/nonexistent"));
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).as("log").doesNotContain(keyCanary);
    }

    @Test
    void aPinnedFingerprintIsAcceptedAndAnUnknownHostKeyIsRefusedNamingItsFingerprint() {
        String url = server.url("app.git");
        try (GitHost pinned = host(GitCredential.sshKey(key, "", List.of(server.fingerprint())))) {
            assertThat(pinned.fetch(url, null).commit()).as("pinned by fingerprint").isEqualTo(app.head("main"));
        }
        try (GitHost unknown = host(GitCredential.sshKey(key, "",
                List.of("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")))) {
            assertThatThrownBy(() -> unknown.fetch(url, null))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("host key of 127.0.0.1:" + server.port() + " is not known")
                    .hasMessageContaining(server.fingerprint())
                    .hasMessageNotContaining(keyCanary);
        }
        assertThat(server.refusedLogins.get()).as("refused before any login").isZero();
    }

    @Test
    void aWrongKeyFailsClearlyAndAnUnreadableKeyIsAValidationError() {
        String url = server.url("app.git");
        try (GitHost wrong = host(GitCredential.sshKey(otherKey, "", List.of(server.knownHostsLine())))) {
            assertThatThrownBy(() -> wrong.fetch(url, null))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("127.0.0.1:" + server.port())
                    .hasMessageContaining("refused the credential")
                    .hasMessageNotContaining(keyCanary);
        }
        assertThat(server.refusedLogins.get()).as("the server saw the wrong key").isPositive();
        try (GitHost garbled = host(GitCredential.sshKey("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n", "",
                List.of(server.knownHostsLine())))) {
            assertThatThrownBy(() -> garbled.fetch(url, null))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("cannot read the SSH key")
                    .hasMessageNotContaining("not a key");
        }
    }
}
