package dev.nightshift.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
    @TempDir
    Path state;

    @Test
    void aKeyIsShownOnceAndTheFileKeepsOnlyItsDigest() throws Exception {
        ApiKeys keys = ApiKeys.open(state);
        String key = keys.create("ci-bot", "platform");
        assertThat(key).startsWith(ApiKeys.PREFIX).hasSizeGreaterThan(40);
        String file = Files.readString(keys.file());
        assertThat(file).as("the key file").doesNotContain(key).doesNotContain(key.substring(ApiKeys.PREFIX.length()))
                .contains("ci-bot").contains(ApiKeys.sha256(key));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.file()))).isEqualTo("rw-------");
        assertThat(keys.verify(key)).get().satisfies(k -> {
            assertThat(k.name()).isEqualTo("ci-bot");
            assertThat(k.owner()).isEqualTo("platform");
        });
        assertThat(keys.list()).extracting(ApiKeys.ApiKey::name).containsExactly("ci-bot");
    }

    @Test
    void wrongKeysAreRefused() {
        ApiKeys keys = ApiKeys.open(state);
        String key = keys.create("ci-bot", "platform");
        assertThat(keys.verify(key + "x")).isEmpty();
        assertThat(keys.verify(key.substring(ApiKeys.PREFIX.length()))).isEmpty();
        assertThat(keys.verify("")).isEmpty();
        assertThat(keys.verify(null)).isEmpty();
        assertThat(keys.verify(key)).as("control").isPresent();
    }

    @Test
    void namesAreUniqueAndRevokingWorksAcrossInstances() {
        ApiKeys keys = ApiKeys.open(state);
        String key = keys.create("ci-bot", "platform");
        assertThatThrownBy(() -> keys.create("ci-bot", "other")).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> keys.create("bad name", "x")).isInstanceOf(IllegalArgumentException.class);
        ApiKeys otherProcess = ApiKeys.open(state);
        assertThat(otherProcess.verify(key)).isPresent();
        otherProcess.revoke("ci-bot");
        assertThat(keys.verify(key)).as("the first instance sees the revocation").isEmpty();
        assertThatThrownBy(() -> keys.revoke("ci-bot")).isInstanceOf(NotFoundException.class);
    }
}
