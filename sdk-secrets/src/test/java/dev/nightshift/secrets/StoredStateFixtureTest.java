package dev.nightshift.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory written by the secret store and local KMS as they were in sdk-core (before the
 * move to sdk-secrets; {@code src/test/resources/fixtures/state-v1}) still opens and decrypts: the
 * on-disk formats (key file, record JSON, associated data, owner encoding, git credential names)
 * did not change.
 */
class StoredStateFixtureTest {
    @TempDir
    Path tmp;

    @Test
    void aStateDirectoryFromTheFirstFormatStillOpens() throws Exception {
        Path root = copyFixture();
        LocalKms kms = LocalKms.openDefault(root);
        assertThat(kms.keyId()).isEqualTo("local-1d4548f636ef08b1");
        try (SecretStore store = SecretStore.open(root, kms)) {
            assertThat(store.get(SecretScope.USER, "alice@example.com", "API_TOKEN").map(Secret::value))
                    .contains("tok-fixture-version-two");
            assertThat(store.get(SecretScope.USER, "alice@example.com", "API_TOKEN", 1).value())
                    .isEqualTo("tok-fixture-1234567890");
            assertThat(store.versions(SecretScope.USER, "alice@example.com", "API_TOKEN"))
                    .extracting(SecretVersion::version, SecretVersion::kind)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1, SecretKind.RUNTIME),
                            org.assertj.core.groups.Tuple.tuple(2, SecretKind.RUNTIME));
            List<Secret> visible = store.secrets(SecretContext.of("alice@example.com").withTeam("payments"));
            assertThat(visible).extracting(Secret::name, Secret::value).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("API_TOKEN", "tok-fixture-version-two"),
                    org.assertj.core.groups.Tuple.tuple("NPM_TOKEN", "npm-fixture-abcdefgh"));
            GitCredential c = new GitCredentialStore(store).credentials(SecretContext.of("alice@example.com"))
                    .credentialFor(URI.create("https://github.com/acme/shop.git")).orElseThrow();
            assertThat(c.secret()).isEqualTo("ghp-fixture-token-xyz");
            assertThat(store.keyIdsInUse()).containsExactly("local-1d4548f636ef08b1");
            // a new version is written next to the old ones and numbered after them
            assertThat(store.set(SecretScope.USER, "alice@example.com", "API_TOKEN", SecretKind.RUNTIME,
                    "tok-fixture-version-three").version()).isEqualTo(3);
        }
    }

    /** The fixture, copied (git keeps no modes: the key file is made owner-only again, as it was written). */
    private Path copyFixture() throws IOException, URISyntaxException {
        Path source = Path.of(StoredStateFixtureTest.class.getResource("/fixtures/state-v1/keys/local-kms.keys").toURI())
                .getParent().getParent();
        Path root = tmp.resolve("state");
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path target = root.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                } else {
                    try (InputStream in = Files.newInputStream(p)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
                }
            }
        }
        return root;
    }
}
