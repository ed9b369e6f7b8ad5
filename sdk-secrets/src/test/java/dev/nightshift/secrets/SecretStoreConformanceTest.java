package dev.nightshift.secrets;

import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.api.spi.SecretProviderConformanceTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

class SecretStoreConformanceTest extends SecretProviderConformanceTest {
    @TempDir
    Path root;

    @Override
    protected SecretProvider provider(List<Secret> seed) {
        SecretStore store = SecretStore.open(root, LocalKms.open(root.resolve("keys/kms.keys")));
        for (Secret s : seed) {
            store.set(s.scope(), s.owner(), s.name(), s.kind(), s.value());
        }
        return store;
    }
}
