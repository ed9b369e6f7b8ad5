package dev.nightshift.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCredentialStoreTest {
    static final String TOKEN = "ghp_canaryTOKEN4c1e9b";

    @TempDir
    Path root;

    SecretStore secrets;
    GitCredentialStore store;

    @BeforeEach
    void setUp() {
        secrets = SecretStore.open(root, LocalKms.open(root.resolve("keys/local-kms.keys")));
        store = new GitCredentialStore(secrets);
    }

    private static Optional<GitCredential> lookup(GitCredentials c, String url) {
        return c.credentialFor(URI.create(url));
    }

    @Test
    void theLongestPrefixWinsPerTransportAndNeverAnotherHost() {
        store.set(SecretScope.USER, "alice", "github.com", GitCredential.token("github.com", "host-token"));
        store.set(SecretScope.USER, "alice", "https://GitHub.com/acme/", GitCredential.basic("bot", "org-token"));
        store.set(SecretScope.USER, "alice", "github.com", GitCredential.sshKey("KEY-TEXT", "", List.of("SHA256:x")));
        GitCredentials alice = store.credentials(SecretContext.of("alice"));

        assertThat(lookup(alice, "https://github.com/acme/shop.git")).get()
                .extracting(GitCredential::username, GitCredential::secret).containsExactly("bot", "org-token");
        assertThat(lookup(alice, "https://github.com/other/repo")).get()
                .extracting(GitCredential::username, GitCredential::secret)
                .containsExactly("x-access-token", "host-token");
        assertThat(lookup(alice, "ssh://git@github.com/acme/shop.git")).get()
                .extracting(GitCredential::type, GitCredential::secret, GitCredential::hostKeys)
                .containsExactly(GitCredential.Type.SSH_KEY, "KEY-TEXT", List.of("SHA256:x"));
        assertThat(lookup(alice, "https://github.com.evil.example/acme/shop")).as("another host").isEmpty();
        assertThat(lookup(alice, "https://gitlab.com/acme/shop")).isEmpty();
        assertThat(lookup(alice, "https://github.com/acmecorp/x")).as("a prefix is whole path segments")
                .get().extracting(GitCredential::secret).isEqualTo("host-token");
        assertThat(lookup(store.credentials(SecretContext.of("bob")), "https://github.com/acme/shop"))
                .as("another owner's credentials never answer").isEmpty();
    }

    @Test
    void aPortIsPartOfTheHostAndATeamOverridesItsUser() {
        store.set(SecretScope.USER, "alice", "127.0.0.1:8443", GitCredential.basic("alice", "port-pw"));
        store.set(SecretScope.USER, "alice", "127.0.0.1", GitCredential.basic("alice", "host-pw"));
        store.set(SecretScope.TEAM, "payments", "127.0.0.1", GitCredential.basic("team", "team-pw"));
        GitCredentials c = store.credentials(SecretContext.of("alice").withTeam("payments"));
        assertThat(lookup(c, "http://127.0.0.1:8443/git/app.git")).get().extracting(GitCredential::secret)
                .isEqualTo("port-pw");
        assertThat(lookup(c, "http://127.0.0.1:9000/git/app.git")).get().extracting(GitCredential::secret)
                .isEqualTo("team-pw");
        assertThat(lookup(store.credentials(SecretContext.of("alice")), "http://127.0.0.1:9000/x")).get()
                .extracting(GitCredential::secret).isEqualTo("host-pw");
    }

    @Test
    void listShowsNoSecretAndRemoveTakesOneTransportOrBoth() {
        store.set(SecretScope.USER, "alice", "github.com", GitCredential.token("github.com", TOKEN));
        store.set(SecretScope.USER, "alice", "github.com", GitCredential.sshKey("KEY-TEXT", "pass-phrase", List.of()));
        List<GitCredentialStore.Entry> all = store.list(SecretScope.USER, "alice");
        assertThat(all).extracting(GitCredentialStore.Entry::prefix, GitCredentialStore.Entry::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("github.com", GitCredential.Type.PASSWORD),
                        org.assertj.core.groups.Tuple.tuple("github.com", GitCredential.Type.SSH_KEY));
        assertThat(all.toString()).doesNotContain(TOKEN).doesNotContain("KEY-TEXT").doesNotContain("pass-phrase");

        assertThat(store.remove(SecretScope.USER, "alice", "github.com", GitCredential.Type.SSH_KEY)).isEqualTo(1);
        assertThat(store.list(SecretScope.USER, "alice")).hasSize(1);
        assertThat(store.remove(SecretScope.USER, "alice", "github.com", null)).isEqualTo(1);
        assertThatThrownBy(() -> store.remove(SecretScope.USER, "alice", "github.com", null))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("no git credential for github.com");
        assertThat(lookup(store.credentials(SecretContext.of("alice")), "https://github.com/a/b")).isEmpty();
    }

    @Test
    void storedEncryptedAndNeverHandedOutAsAnEnvironmentVariable() throws IOException {
        store.set(SecretScope.USER, "alice", "github.com", GitCredential.token("github.com", TOKEN));
        secrets.set(SecretScope.USER, "alice", "NPM_TOKEN", SecretKind.RUNTIME, "npm-value-1");
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> holding = files.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.readString(p, StandardCharsets.ISO_8859_1).contains(TOKEN);
                } catch (IOException e) {
                    return false;
                }
            }).toList();
            assertThat(holding).as("files holding the token in plain text").isEmpty();
        }
        assertThat(secrets.secrets(SecretContext.of("alice"))).as("what machines get")
                .extracting(s -> s.name()).containsExactly("NPM_TOKEN");
        assertThat(secrets.list(SecretScope.USER, "alice")).extracting(v -> v.kind())
                .contains(SecretKind.GIT_CREDENTIAL, SecretKind.RUNTIME);
    }

    @Test
    void badPrefixesAreRefusedClearly() {
        assertThat(GitCredentialStore.prefix("https://GitHub.com/acme/shop.git/")).isEqualTo("github.com/acme/shop");
        assertThatThrownBy(() -> GitCredentialStore.prefix("https://bob:pw@github.com"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("user info").hasMessageNotContaining("pw");
        assertThatThrownBy(() -> GitCredentialStore.prefix("github.com/a b"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("not a host[:port][/path]");
        assertThatThrownBy(() -> GitCredentialStore.prefix(" ")).isInstanceOf(ValidationException.class);
        assertThat(GitCredentialStore.name(GitCredential.Type.PASSWORD, "github.com/acme_x"))
                .isEqualTo("GIT_HTTP_github_2Ecom_2Facme_5Fx");
    }
}
