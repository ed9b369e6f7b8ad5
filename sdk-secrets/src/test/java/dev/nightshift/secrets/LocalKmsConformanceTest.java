package dev.nightshift.secrets;

import dev.nightshift.api.spi.Kms;
import dev.nightshift.api.spi.KmsConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalKmsConformanceTest extends KmsConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected Kms kms() {
        return LocalKms.open(dir.resolve("a/kms.keys"));
    }

    @Override
    protected Kms otherKms() {
        return LocalKms.open(dir.resolve("b/kms.keys"));
    }
}
