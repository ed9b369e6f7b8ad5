package dev.nightshift.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SecretProvider} meets. An implementation's test extends this class
 * and returns a provider that holds exactly the given secrets.
 *
 * <p><b>Thread-safety:</b> JUnit creates one instance per test. <b>Lifecycle:</b> per test.
 */
public abstract class SecretProviderConformanceTest {

    /**
     * A provider holding exactly {@code seed} (each with a distinct scope, owner and name).
     * Stores that number versions themselves may return other version numbers.
     */
    protected abstract SecretProvider provider(List<Secret> seed);

    protected static final String ODD_VALUE = "pä$$wörd = \"quoted\" 'x' \\n\n✓ ${HOME}";

    protected static List<Secret> seed() {
        return List.of(
                new Secret("API_TOKEN", "user-alice-token-1", SecretKind.RUNTIME, SecretScope.USER, "alice", 1),
                new Secret("API_TOKEN", "user-bob-token-2", SecretKind.RUNTIME, SecretScope.USER, "bob", 1),
                new Secret("NPM_TOKEN", "team-npm-token-3", SecretKind.BUILD, SecretScope.TEAM, "payments", 1),
                new Secret("API_TOKEN", "team-api-token-4", SecretKind.RUNTIME, SecretScope.TEAM, "payments", 1),
                new Secret("REGION", "eu-west-1", SecretKind.ENV, SecretScope.ENVIRONMENT, "acme-shop", 1),
                new Secret("ODD", ODD_VALUE, SecretKind.RUNTIME, SecretScope.ENVIRONMENT, "acme-shop", 1),
                new Secret("API_TOKEN", "agent-token-5", SecretKind.RUNTIME, SecretScope.AGENT, "agent-1", 1),
                new Secret("OTHER", "agent-2-token-6", SecretKind.RUNTIME, SecretScope.AGENT, "agent-2", 1));
    }

    /** What identifies a secret's content, version aside. */
    protected static List<String> content(List<Secret> secrets) {
        return secrets.stream()
                .map(s -> s.scope() + "/" + s.owner() + "/" + s.name() + "/" + s.kind() + "=" + s.value())
                .sorted().toList();
    }

    private static final SecretContext FULL = new SecretContext("alice", "payments", "acme-shop", "agent-1");

    @Test
    protected void returnsEverySecretVisibleInTheContextAndNoOther() {
        SecretProvider p = provider(seed());
        List<Secret> expected = seed().stream().filter(s -> FULL.sees(s.scope(), s.owner())).toList();
        assertThat(expected).hasSize(6);
        assertThat(content(p.secrets(FULL)))
                .as("alice's, team payments', environment acme-shop's and agent-1's secrets, unmerged")
                .containsExactlyElementsOf(content(expected));
    }

    @Test
    protected void scopesTheContextLeavesOutSeeNothing() {
        SecretProvider p = provider(seed());
        assertThat(content(p.secrets(SecretContext.of("bob"))))
                .containsExactly("USER/bob/API_TOKEN/RUNTIME=user-bob-token-2");
        assertThat(p.secrets(SecretContext.EMPTY)).isNotNull().isEmpty();
        assertThat(p.secrets(SecretContext.of("nobody"))).isNotNull().isEmpty();
    }

    @Test
    protected void valuesRoundTripExactly() {
        SecretProvider p = provider(seed());
        List<Secret> got = p.secrets(SecretContext.EMPTY.withEnvironment("acme-shop"));
        assertThat(got).filteredOn(s -> s.name().equals("ODD")).singleElement()
                .satisfies(s -> assertThat(s.value()).isEqualTo(ODD_VALUE))
                .satisfies(s -> assertThat(s.version()).isPositive());
    }

    @Test
    protected void printedSecretsHideTheirValues() {
        SecretProvider p = provider(seed());
        for (Secret s : p.secrets(FULL)) {
            assertThat(s.toString()).contains(s.name()).doesNotContain(s.value());
        }
    }

    @Test
    protected void isThreadSafe() throws Exception {
        SecretProvider p = provider(seed());
        List<String> expected = content(p.secrets(FULL));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> content(p.secrets(FULL))));
            }
            for (Future<List<String>> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
