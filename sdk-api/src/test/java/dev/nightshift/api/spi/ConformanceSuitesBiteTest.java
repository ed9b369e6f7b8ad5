package dev.nightshift.api.spi;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The conformance suites reject implementations that break their contract. */
class ConformanceSuitesBiteTest {

    /** "Wraps" by returning the data key itself and unwraps anything. */
    static final class ClearKms implements Kms {
        @Override
        public String keyId() {
            return "clear";
        }

        @Override
        public WrappedKey wrap(byte[] dataKey) {
            return new WrappedKey("clear", dataKey);
        }

        @Override
        public byte[] unwrap(WrappedKey wrapped) {
            return wrapped.bytes();
        }
    }

    static final class ClearKmsSuite extends KmsConformanceTest {
        @Override
        protected Kms kms() {
            return new ClearKms();
        }

        @Override
        protected Kms otherKms() {
            return new ClearKms();
        }
    }

    static final class LeakyProviderSuite extends SecretProviderConformanceTest {
        @Override
        protected SecretProvider provider(List<Secret> seed) {
            return ctx -> List.copyOf(seed); // ignores the context
        }
    }

    @Test
    void kmsSuiteRejectsAKmsThatStoresKeysInClear() {
        ClearKmsSuite suite = new ClearKmsSuite();
        assertThatThrownBy(suite::wrappedKeyNamesTheCurrentKeyAndHidesTheDataKey).isInstanceOf(AssertionError.class);
        assertThatThrownBy(suite::tamperedWrappedKeyFailsClearly).isInstanceOf(AssertionError.class);
        assertThatThrownBy(suite::anotherKmsCannotUnwrap).isInstanceOf(AssertionError.class);
        assertThatThrownBy(suite::unknownKeyIdFailsNamingIt).isInstanceOf(AssertionError.class);
    }

    @Test
    void providerSuiteRejectsAProviderThatIgnoresTheContext() {
        LeakyProviderSuite suite = new LeakyProviderSuite();
        assertThatThrownBy(suite::returnsEverySecretVisibleInTheContextAndNoOther).isInstanceOf(AssertionError.class);
        assertThatThrownBy(suite::scopesTheContextLeavesOutSeeNothing).isInstanceOf(AssertionError.class);
    }

    /** Matches hosts by suffix: {@code github.com.evil.example.org} gets github.com's token. */
    static final class SuffixCredentialsSuite extends GitCredentialsConformanceTest {
        @Override
        protected GitCredentials credentials(java.util.Map<String, GitCredential> byHost) {
            return remote -> byHost.entrySet().stream()
                    .filter(e -> remote.getHost() != null && remote.getHost().toLowerCase().contains(e.getKey()))
                    .map(java.util.Map.Entry::getValue).findFirst();
        }
    }

    /** Accepts an event whatever its sequence. */
    static final class GappyStoreSuite extends AgentStoreConformanceTest {
        @Override
        protected AgentStore open(java.time.Clock clock) {
            return new ReferenceAgentStore(clock) {
                @Override
                boolean sequenceOk(long last, long sequence) {
                    return true;
                }
            };
        }
    }

    @Test
    void gitCredentialsSuiteRejectsMatchingByPartOfTheHostName() {
        SuffixCredentialsSuite suite = new SuffixCredentialsSuite();
        assertThatThrownBy(suite::anotherHostGetsNothingEvenWhenItsNameLooksAlike).isInstanceOf(AssertionError.class);
    }

    @Test
    void agentStoreSuiteRejectsAStoreThatAcceptsGapsAndRepeats() {
        GappyStoreSuite suite = new GappyStoreSuite();
        assertThatThrownBy(suite::anEventOutOfSequenceIsAConflictAndChangesNothing).isInstanceOf(AssertionError.class);
        suite.closeStores();
    }
}
