package dev.nightshift.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NightshiftException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Kms} meets. An implementation's test extends this class and supplies
 * two independent instances (different key material).
 *
 * <p><b>Thread-safety:</b> JUnit creates one instance per test. <b>Lifecycle:</b> per test.
 */
public abstract class KmsConformanceTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A KMS under test, ready to wrap. */
    protected abstract Kms kms();

    /** Another KMS of the same implementation with different key material. */
    protected abstract Kms otherKms();

    protected static byte[] dataKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return k;
    }

    @Test
    protected void wrapThenUnwrapReturnsTheDataKey() {
        Kms kms = kms();
        byte[] key = dataKey();
        WrappedKey wrapped = kms.wrap(key);
        assertThat(kms.unwrap(wrapped)).as("unwrap(wrap(k)) == k").isEqualTo(key);
    }

    @Test
    protected void wrappedKeyNamesTheCurrentKeyAndHidesTheDataKey() {
        Kms kms = kms();
        byte[] key = dataKey();
        WrappedKey wrapped = kms.wrap(key);
        assertThat(kms.keyId()).isNotBlank();
        assertThat(wrapped.keyId()).isEqualTo(kms.keyId());
        String hexWrapped = HexFormat.of().formatHex(wrapped.bytes());
        assertThat(hexWrapped).as("the wrapped bytes must not hold the data key in clear")
                .doesNotContain(HexFormat.of().formatHex(key, 0, 8))
                .doesNotContain(HexFormat.of().formatHex(key, 24, 32));
        assertThat(wrapped.toString()).doesNotContain(Base64.getEncoder().encodeToString(key));
    }

    @Test
    protected void wrapKeepsNoReferenceToTheCallersArray() {
        Kms kms = kms();
        byte[] key = dataKey();
        byte[] copy = key.clone();
        WrappedKey wrapped = kms.wrap(key);
        java.util.Arrays.fill(key, (byte) 0);
        assertThat(kms.unwrap(wrapped)).isEqualTo(copy);
    }

    @Test
    protected void tamperedWrappedKeyFailsClearly() {
        Kms kms = kms();
        byte[] key = dataKey();
        WrappedKey wrapped = kms.wrap(key);
        byte[] bytes = wrapped.bytes();
        bytes[bytes.length / 2] ^= 0x01;
        assertThatThrownBy(() -> kms.unwrap(new WrappedKey(wrapped.keyId(), bytes)))
                .isInstanceOf(NightshiftException.class)
                .hasMessageContaining(wrapped.keyId())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(Base64.getEncoder().encodeToString(key)));
    }

    @Test
    protected void anotherKmsCannotUnwrap() {
        Kms other = otherKms();
        WrappedKey wrapped = kms().wrap(dataKey());
        assertThatThrownBy(() -> other.unwrap(wrapped))
                .as("a data key wrapped by one KMS must not unwrap under another's key")
                .isInstanceOf(NightshiftException.class);
    }

    @Test
    protected void unknownKeyIdFailsNamingIt() {
        Kms kms = kms();
        WrappedKey wrapped = kms.wrap(dataKey());
        assertThatThrownBy(() -> kms.unwrap(new WrappedKey("no-such-key-7f3a", wrapped.bytes())))
                .isInstanceOf(NightshiftException.class)
                .hasMessageContaining("no-such-key-7f3a");
    }

    @Test
    protected void isThreadSafe() throws Exception {
        Kms kms = kms();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        byte[] key = dataKey();
                        if (!java.util.Arrays.equals(key, kms.unwrap(kms.wrap(key)))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("concurrent round trips").isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
