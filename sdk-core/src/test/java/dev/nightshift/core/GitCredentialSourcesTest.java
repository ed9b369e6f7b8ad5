package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCredentialSourcesTest {
    @TempDir
    Path tmp;

    @Test
    void environmentTokensArePerHostWithThePortFirstAndTheHostsUsername() {
        GitCredentials env = GitCredentialSources.environment(Map.of(
                "NIGHTSHIFT_GIT_TOKEN_GITHUB_COM", "gh-token",
                "NIGHTSHIFT_GIT_TOKEN_GITLAB_COM", "gl-token",
                "NIGHTSHIFT_GIT_TOKEN_127_0_0_1", "any-port",
                "NIGHTSHIFT_GIT_TOKEN_127_0_0_1_8080", "port-8080",
                "NIGHTSHIFT_GIT_USERNAME_127_0_0_1_8080", "alice",
                "NIGHTSHIFT_GIT_TOKEN", "bare-token"));
        assertThat(env.credentialFor(URI.create("https://github.com/acme/shop"))).get()
                .isEqualTo(GitCredential.basic("x-access-token", "gh-token"));
        assertThat(env.credentialFor(URI.create("https://gitlab.com/acme/shop"))).get()
                .isEqualTo(GitCredential.basic("oauth2", "gl-token"));
        assertThat(env.credentialFor(URI.create("http://127.0.0.1:8080/git/x"))).get()
                .isEqualTo(GitCredential.basic("alice", "port-8080"));
        assertThat(env.credentialFor(URI.create("http://127.0.0.1:9090/git/x"))).get()
                .extracting(GitCredential::secret).isEqualTo("any-port");
        assertThat(env.credentialFor(URI.create("https://bitbucket.org/a/b"))).as("the bare token is never offered")
                .isEmpty();
        assertThat(env.credentialFor(URI.create("ssh://git@github.com/acme/shop"))).as("tokens are for https only")
                .isEmpty();
        assertThat(GitCredentialSources.ignoredVariables(Map.of("NIGHTSHIFT_GIT_TOKEN", "x")))
                .singleElement().asString().contains("NIGHTSHIFT_GIT_TOKEN_GITHUB_COM").doesNotContain("=x");
        assertThat(GitCredentialSources.ignoredVariables(Map.of("NIGHTSHIFT_GIT_TOKEN_GITHUB_COM", "x"))).isEmpty();
        assertThat(GitCredentialSources.tokenVariable("git.example.com", 8443))
                .isEqualTo("NIGHTSHIFT_GIT_TOKEN_GIT_EXAMPLE_COM_8443");
    }

    @Test
    void theUsersCredentialHelperAnswersThroughGitCredentialFill() throws IOException {
        // a real git with the store helper, in a HOME of its own
        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        Files.writeString(home.resolve(".git-credentials"), "https://helper-user:helper-pw@git.example.com\n");
        Files.writeString(home.resolve(".gitconfig"), "[credential]\n\thelper = store\n");
        GitCredentials helper = GitCredentialSources.gitCredentialHelper(Duration.ofSeconds(30),
                Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve(".config").toString()));
        assertThat(helper.credentialFor(URI.create("https://git.example.com/acme/shop.git"))).get()
                .isEqualTo(GitCredential.basic("helper-user", "helper-pw"));
        assertThat(helper.credentialFor(URI.create("https://other.example.com/acme/shop.git")))
                .as("a host the helper has nothing for (and no prompt)").isEmpty();
        assertThat(helper.credentialFor(URI.create("ssh://git@git.example.com/acme/shop.git"))).isEmpty();
        assertThat(GitCredentials.firstOf(List.of(GitCredentialSources.environment(
                Map.of("NIGHTSHIFT_GIT_TOKEN_GIT_EXAMPLE_COM", "env-token")), helper))
                .credentialFor(URI.create("https://git.example.com/acme/shop.git"))).as("the first source wins")
                .get().extracting(GitCredential::secret).isEqualTo("env-token");
    }
}
