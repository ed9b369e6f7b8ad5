package dev.nightshift.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.spi.WrappedKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKmsTest {
    @TempDir
    Path dir;

    @Test
    void createsTheKeyFileOwnerOnlyAndReopensIt() throws Exception {
        Path file = dir.resolve("nested/keys/kms.keys");
        LocalKms kms = LocalKms.open(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(kms.keyId()).matches("local-[0-9a-f]{16}");
        WrappedKey w = kms.wrap(new byte[32]);
        assertThat(LocalKms.open(file).unwrap(w)).isEqualTo(new byte[32]);
        assertThat(LocalKms.open(file).keyId()).isEqualTo(kms.keyId());
    }

    @Test
    void refusesAKeyFileOthersCanRead() throws Exception {
        Path file = dir.resolve("kms.keys");
        LocalKms.open(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> LocalKms.open(file)).isInstanceOf(NightshiftException.class)
                .hasMessageContaining("chmod 600").hasMessageContaining(file.toString());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(LocalKms.open(file).keyIds()).hasSize(1);
    }

    @Test
    void aDamagedKeyFileIsAClearErrorWithItsLine() throws Exception {
        Path file = dir.resolve("kms.keys");
        LocalKms.open(file);
        Files.writeString(file, Files.readString(file) + "garbage line\n");
        assertThatThrownBy(() -> LocalKms.open(file)).isInstanceOf(NightshiftException.class)
                .hasMessageContaining("kms.keys:4:");
    }

    @Test
    void keysFromTheEnvironmentCurrentFirst() {
        String oldKey = LocalKms.generateKey();
        String newKey = LocalKms.generateKey();
        LocalKms old = LocalKms.fromEnvironment(Map.of(LocalKms.ENV_VAR, oldKey)).orElseThrow();
        WrappedKey w = old.wrap(new byte[32]);
        LocalKms both = LocalKms.fromEnvironment(Map.of(LocalKms.ENV_VAR, newKey + "," + oldKey)).orElseThrow();
        assertThat(both.keyId()).isNotEqualTo(old.keyId());
        assertThat(both.keyIds()).containsExactly(both.keyId(), old.keyId());
        assertThat(both.unwrap(w)).isEqualTo(new byte[32]);
        assertThat(both.wrap(new byte[32]).keyId()).isEqualTo(both.keyId());
        assertThat(both.toString()).doesNotContain(newKey).doesNotContain(oldKey);
        assertThatThrownBy(both::rotate).isInstanceOf(IllegalStateException.class).hasMessageContaining(LocalKms.ENV_VAR);
        assertThat(LocalKms.fromEnvironment(Map.of())).isEmpty();
    }

    @Test
    void badEnvironmentKeysAreClearErrorsWithoutTheKey() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> LocalKms.fromEnvironment(Map.of(LocalKms.ENV_VAR, shortKey)))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("16 bytes")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(shortKey));
        assertThatThrownBy(() -> LocalKms.fromEnvironment(Map.of(LocalKms.ENV_VAR, "not base64 !!")))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("not base64");
    }

    @Test
    void aWrappedKeyIsBoundToItsKeyId() {
        LocalKms kms = LocalKms.open(dir.resolve("kms.keys"));
        kms.rotate();
        WrappedKey w = kms.wrap(new byte[32]);
        String otherId = kms.keyIds().get(1);
        assertThatThrownBy(() -> kms.unwrap(new WrappedKey(otherId, w.bytes())))
                .as("bytes wrapped by one key, labelled with another key's id")
                .isInstanceOf(NightshiftException.class).hasMessageContaining(otherId);
    }
}
