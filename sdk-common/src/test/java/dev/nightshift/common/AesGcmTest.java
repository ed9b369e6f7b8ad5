package dev.nightshift.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

class AesGcmTest {
    private final byte[] key = AesGcm.newKey();
    private final byte[] iv = AesGcm.newIv();
    private final byte[] aad = "nightshift-test/v1 a".getBytes(StandardCharsets.US_ASCII);
    private final byte[] plain = "the value".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTrips() throws Exception {
        byte[] ct = AesGcm.encrypt(key, iv, aad, plain);
        assertThat(ct).hasSize(plain.length + AesGcm.TAG_BYTES);
        assertThat(AesGcm.decrypt(key, iv, aad, ct)).isEqualTo(plain);
        byte[] framed = new byte[ct.length + 5];
        System.arraycopy(ct, 0, framed, 3, ct.length);
        assertThat(AesGcm.decrypt(key, iv, aad, framed, 3, ct.length)).as("a slice").isEqualTo(plain);
    }

    @Test
    void matchesAKnownAnswer() throws Exception {
        // NIST GCM test case 13: 256-bit zero key, zero IV, no data: the tag alone
        byte[] zeroKey = new byte[32];
        byte[] zeroIv = new byte[12];
        assertThat(HexFormat.of().formatHex(AesGcm.encrypt(zeroKey, zeroIv, new byte[0], new byte[0])))
                .isEqualTo("530f8afbc74536b9a963b4f1c4cb738b");
    }

    @Test
    void aTamperedCiphertextIsRejected() throws Exception {
        byte[] ct = AesGcm.encrypt(key, iv, aad, plain);
        byte[] tampered = ct.clone();
        tampered[0] ^= 1;
        assertThatThrownBy(() -> AesGcm.decrypt(key, iv, aad, tampered)).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void otherAssociatedDataAKeyOrAnIvAreRejected() throws Exception {
        byte[] ct = AesGcm.encrypt(key, iv, aad, plain);
        byte[] otherAad = Arrays.copyOf(aad, aad.length);
        otherAad[otherAad.length - 1] = 'b';
        assertThatThrownBy(() -> AesGcm.decrypt(key, iv, otherAad, ct)).isInstanceOf(AEADBadTagException.class);
        assertThatThrownBy(() -> AesGcm.decrypt(AesGcm.newKey(), iv, aad, ct)).isInstanceOf(AEADBadTagException.class);
        assertThatThrownBy(() -> AesGcm.decrypt(key, AesGcm.newIv(), aad, ct)).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void aWrongSizedIvIsAProgrammingError() {
        assertThatThrownBy(() -> AesGcm.encrypt(key, new byte[16], aad, plain))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 bytes");
    }

    @Test
    void ivsAndKeysAreFresh() {
        assertThat(AesGcm.newIv()).hasSize(12).isNotEqualTo(AesGcm.newIv());
        assertThat(AesGcm.newKey()).hasSize(32).isNotEqualTo(AesGcm.newKey());
    }
}
