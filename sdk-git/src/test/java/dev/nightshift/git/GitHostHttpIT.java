package dev.nightshift.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AuthenticationException;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitHost against a smart-HTTP server with basic auth, and the canary: a distinctive password
 * that must not appear in the logs, any exception, the mirror, the machine or the pushed objects.
 */
class GitHostHttpIT {
    static final String CANARY = "nsCANARY-7f3a9c2e51d4";
    static final String WRONG = "nsWRONGCANARY-b81c04";
    static final String USER = "alice";

    @TempDir
    Path tmp;

    @AfterAll
    static void noMachineSurvives() {
        assertThat(MachineFixture.leftovers()).as("machines left running").isEmpty();
    }

    Remotes app;
    HttpGitServer server;
    MachineFixture fx;
    final List<Throwable> thrown = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        app = Remotes.create(tmp.resolve("served"), "app");
        server = new HttpGitServer(tmp.resolve("served"), USER, CANARY);
        fx = MachineFixture.open();
    }

    @AfterEach
    void canaryIsNowhere() throws Exception {
        try {
            for (String secret : List.of(CANARY, WRONG, b64(USER + ":" + CANARY), b64(USER + ":" + WRONG))) {
                for (Throwable t : thrown) {
                    assertThat(chain(t)).as("exception chain").doesNotContain(secret);
                }
                assertThat(filesHolding(tmp.resolve("cache"), secret)).as("mirror cache").isEmpty();
                assertThat(fx.grepEverywhere(secret)).as("machine file system (grep -r /)").isEmpty();
                assertThat(Sh.git(app.bare, "cat-file", "--batch-all-objects", "--batch")).as("remote objects")
                        .doesNotContain(secret);
                Path log = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile", "/nonexistent"));
                assertThat(log).as("the log the canary is searched in").exists();
                assertThat(Files.readString(log, StandardCharsets.UTF_8)).as("log").doesNotContain(secret);
            }
        } finally {
            server.close();
            fx.close();
        }
    }

    private GitHost host(GitCredentials credentials) {
        return GitHost.builder(tmp.resolve("cache")).credentials(credentials).author("Agent", "agent@example.com").build();
    }

    @Test
    void rightCredentialsFetchNameMoveInAndPush() {
        String url = server.url("app.git");
        try (GitHost git = host(GitCredentials.forHost("127.0.0.1", GitCredential.basic(USER, CANARY)))) {
            GitHost.Source src = git.fetch(url, null);
            assertThat(src.commit()).isEqualTo(app.head("main"));
            assertThat(src.remoteKey()).doesNotContain(CANARY).startsWith("http://127.0.0.1:");
            String branch = git.branchName(url, "Canary run", null);
            String ws = fx.dir("ws-http");
            git.moveIn(fx.machine(), url, src.commit(), branch, ws, null);
            assertThat(fx.git(ws, "remote", "get-url", "origin")).isEqualTo(url);
            assertThat(fx.sh("cat \"$1\"/.git/config", ws)).doesNotContain(CANARY).doesNotContain("@127.0.0.1");
            fx.sh("cd \"$1\" && echo work > work.txt", ws);
            assertThat(server.refusedLogins.get()).as("the right credential is never refused (fetch, name, move-in)")
                    .isZero();
            try (GitHost wrong = host(GitCredentials.forHost("127.0.0.1", GitCredential.basic(USER, WRONG)))) {
                assertThatThrownBy(() -> record(() -> wrong.handOff(fx.machine(), url, branch, ws, null, "Canary run", true)))
                        .as("a push with the wrong password").isInstanceOf(AuthenticationException.class);
            }
            assertThat(Sh.git(app.bare, "branch", "--list", branch)).as("nothing pushed").isEmpty();
            int refusedByTheWrongPush = server.refusedLogins.get();
            assertThat(refusedByTheWrongPush).as("the wrong password reached the server and was refused").isPositive();
            GitHost.Handoff h = git.handOff(fx.machine(), url, branch, ws, null, "Canary run", true);
            assertThat(h.pushed()).isTrue();
            assertThat(app.head(branch)).isEqualTo(h.commit());
            assertThat(server.refusedLogins.get()).as("only the wrong push was refused, the right one was not")
                    .isEqualTo(refusedByTheWrongPush);
        }
    }

    @Test
    void wrongOrMissingCredentialsFailClearly() {
        String url = server.url("app.git");
        try (GitHost wrong = host(GitCredentials.forHost("127.0.0.1", GitCredential.basic(USER, WRONG)))) {
            assertThatThrownBy(() -> record(() -> wrong.fetch(url, null)))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("http://127.0.0.1:")
                    .hasMessageContaining("refused the credential")
                    .hasMessageContaining("'" + USER + "'");
            assertThatThrownBy(() -> record(() -> wrong.branchName(url, "x", null)))
                    .isInstanceOf(AuthenticationException.class);
        }
        assertThat(server.refusedLogins.get()).as("the wrong password reached the server").isPositive();
        try (GitHost none = host(GitCredentials.NONE)) {
            assertThatThrownBy(() -> record(() -> none.fetch(url, null)))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("supplied none");
        }
        assertThatThrownBy(() -> record(() -> GitHost.remoteKey("http://" + USER + ":" + CANARY + "@127.0.0.1/x.git")))
                .hasMessageContaining("carries credentials");
        assertThat(thrown).hasSize(4);
    }

    @Test
    void theCanaryChecksBite() throws IOException {
        Path planted = tmp.resolve("cache/planted.txt");
        Files.createDirectories(planted.getParent());
        Files.writeString(planted, "x" + CANARY + "y");
        assertThat(filesHolding(tmp.resolve("cache"), CANARY)).containsExactly(planted);
        Files.delete(planted);
        assertThat(chain(new IllegalStateException("outer", new RuntimeException("inner " + CANARY)))).contains(CANARY);
        String ws = fx.dir("ws-plant");
        fx.sh("mkdir -p \"$1\" && echo \"$2$3\" > \"$1\"/f", ws, CANARY.substring(0, 5), CANARY.substring(5));
        assertThat(fx.grepEverywhere(CANARY)).contains(ws + "/f");
        fx.sh("rm \"$1\"/f", ws);
    }

    private void record(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            thrown.add(e);
            throw e;
        }
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        b.append(w);
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append('\n');
        }
        return b.toString();
    }

    private static List<Path> filesHolding(Path dir, String text) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> {
                try {
                    return indexOf(Files.readAllBytes(p), needle) >= 0;
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
