package dev.nightshift.secrets;

import dev.nightshift.api.spi.Kms;
import dev.nightshift.api.spi.KmsConformanceTest;
import java.util.Map;

class LocalKmsFromEnvironmentConformanceTest extends KmsConformanceTest {
    private final String key = LocalKms.generateKey();

    @Override
    protected Kms kms() {
        return LocalKms.fromEnvironment(Map.of(LocalKms.ENV_VAR, key)).orElseThrow();
    }

    @Override
    protected Kms otherKms() {
        return LocalKms.fromEnvironment(Map.of(LocalKms.ENV_VAR, LocalKms.generateKey())).orElseThrow();
    }
}
