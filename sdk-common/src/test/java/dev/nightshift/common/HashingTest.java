package dev.nightshift.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashingTest {
    @Test
    void sha256HexMatchesTheStandardTestVectors() {
        // FIPS 180-2 examples
        assertThat(Hashing.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Hashing.sha256Hex(""))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void textIsHashedAsUtf8() {
        assertThat(Hashing.sha256Hex("été")).isEqualTo(Hashing.sha256Hex("été".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(Hashing.sha256Hex("été".getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void eachCallGetsItsOwnDigest() {
        assertThat(Hashing.sha256()).isNotSameAs(Hashing.sha256());
    }
}
