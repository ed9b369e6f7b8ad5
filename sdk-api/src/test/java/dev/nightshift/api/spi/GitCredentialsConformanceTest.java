package dev.nightshift.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link GitCredentials} meets: the credential of a remote's host and of no
 * other host; host names compare without case; a remote with no host (a {@code file://} path) or
 * an unknown host gets none; asking never throws and never changes the answer.
 * An implementation's test extends this class and supplies credentials for the given hosts.
 *
 * <p><b>Thread-safety:</b> JUnit creates one instance per test. <b>Lifecycle:</b> per test.
 */
public abstract class GitCredentialsConformanceTest {
    protected static final GitCredential ALICE = GitCredential.basic("alice", "alice-secret-0001");
    protected static final GitCredential TOKEN = GitCredential.token("token-secret-0002");

    /** Credentials that know exactly these hosts (lower-case names). */
    protected abstract GitCredentials credentials(Map<String, GitCredential> byHost);

    private GitCredentials standard() {
        return credentials(Map.of("git.example.com", ALICE, "github.com", TOKEN));
    }

    @Test
    protected void aRemoteGetsItsHostsCredential() {
        GitCredentials c = standard();
        assertThat(c.credentialFor(URI.create("https://git.example.com/team/app.git"))).contains(ALICE);
        assertThat(c.credentialFor(URI.create("https://github.com/acme/shop.git"))).contains(TOKEN);
        assertThat(c.credentialFor(URI.create("https://github.com:443/acme/other.git")))
                .as("a port does not change the host").contains(TOKEN);
    }

    @Test
    protected void hostNamesCompareWithoutCase() {
        assertThat(standard().credentialFor(URI.create("https://GitHub.COM/acme/shop.git"))).contains(TOKEN);
    }

    @Test
    protected void anotherHostGetsNothingEvenWhenItsNameLooksAlike() {
        GitCredentials c = standard();
        assertThat(c.credentialFor(URI.create("https://evil.example.org/acme/shop.git"))).isEmpty();
        assertThat(c.credentialFor(URI.create("https://github.com.evil.example.org/acme/shop.git"))).isEmpty();
        assertThat(c.credentialFor(URI.create("https://notgithub.com/acme/shop.git"))).isEmpty();
    }

    @Test
    protected void aRemoteWithoutAHostGetsNothing() {
        assertThat(standard().credentialFor(URI.create("file:///srv/git/app.git"))).isEmpty();
    }

    @Test
    protected void askingTwiceGivesTheSameAnswer() {
        GitCredentials c = standard();
        URI remote = URI.create("https://git.example.com/team/app.git");
        assertThat(c.credentialFor(remote)).isEqualTo(c.credentialFor(remote));
    }

    @Test
    protected void theSecretNeverShowsInText() {
        GitCredential got = standard().credentialFor(URI.create("https://git.example.com/team/app.git")).orElseThrow();
        assertThat(got.toString()).doesNotContain(ALICE.secret());
    }
}
