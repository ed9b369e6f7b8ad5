package dev.nightshift.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.spi.AgentGitCredentials;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.secrets.GitCredentialStore;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import dev.nightshift.server.NightshiftServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nightshift serve}'s credential sources ({@link GitCredentialsCommands#perOwner}) over a
 * real encrypted secret store: each agent gets its API key owner's stored credential, the
 * operator's per-host variables only after it (for every owner, with a warning), and an agent
 * without an owner the CLI's own sources.
 */
class ServeGitCredentialsTest {
    @TempDir
    Path home;

    static AgentRequest ownedBy(String owner) {
        AgentRequest.Builder b = AgentRequest.builder("echo hi", "https://git.example.com/acme/app.git");
        if (owner != null) {
            b.label(NightshiftServer.OWNER_LABEL, owner);
        }
        return b.build();
    }

    static Optional<GitCredential> lookup(AgentGitCredentials c, String owner, String remote) {
        return c.credentialsFor(ownedBy(owner)).credentialFor(URI.create(remote));
    }

    @Test
    void eachOwnerGetsItsStoredCredentialAndTheOperatorsVariablesOnlyAfterIt() {
        GitCredentialStore stored = new GitCredentialStore(SecretStore.open(home, LocalKms.openDefault(home)));
        stored.set(SecretScope.USER, "alice", "git.example.com", GitCredential.basic("alice", "token-of-alice"));
        stored.set(SecretScope.USER, "bob", "git.example.com", GitCredential.basic("bob", "token-of-bob"));
        List<String> warnings = new ArrayList<>();
        AgentGitCredentials c = GitCredentialsCommands.perOwner(home,
                Map.of("NIGHTSHIFT_GIT_TOKEN_OTHER_EXAMPLE_COM", "operator-token"), warnings);

        String repo = "https://git.example.com/acme/app.git";
        assertThat(lookup(c, "alice", repo)).map(GitCredential::secret).hasValue("token-of-alice");
        assertThat(lookup(c, "bob", repo)).map(GitCredential::secret).hasValue("token-of-bob");
        // an owner with nothing stored for the host gets nothing, not another owner's token
        assertThat(lookup(c, "carol", repo)).isEmpty();
        // the operator's variable is for every owner, after the owner's own
        assertThat(lookup(c, "carol", "https://other.example.com/x.git")).map(GitCredential::secret)
                .hasValue("operator-token");
        assertThat(warnings).anyMatch(w -> w.contains("NIGHTSHIFT_GIT_TOKEN_OTHER_EXAMPLE_COM")
                && w.contains("every API key owner"));
        // an agent the server did not spawn: the CLI's own sources (the OS user's credentials)
        stored.set(SecretScope.USER, System.getProperty("user.name"), "git.example.com",
                GitCredential.basic("me", "token-of-the-os-user"));
        assertThat(lookup(c, null, repo)).map(GitCredential::secret).hasValue("token-of-the-os-user");
    }

    @Test
    void noWarningWithoutOperatorCredentials() {
        List<String> warnings = new ArrayList<>();
        GitCredentialsCommands.perOwner(home, Map.of(), warnings);
        assertThat(warnings).isEmpty();
    }
}
