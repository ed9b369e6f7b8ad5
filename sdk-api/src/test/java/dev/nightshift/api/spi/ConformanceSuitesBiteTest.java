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
}
