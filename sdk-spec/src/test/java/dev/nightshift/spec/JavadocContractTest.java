package dev.nightshift.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.JavadocContract;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JavadocContractTest {
    @Test
    void everyPublicTypeStatesThreadSafetyAndLifecycle() {
        Path sources = Path.of("src/main/java");
        assertThat(sources).as("run from the sdk-spec module directory").isDirectory();
        assertThat(JavadocContract.violations(sources)).isEmpty();
        assertThat(JavadocContract.check("X.java", "/** A thing. */\npublic final class X {}"))
                .as("control: the check bites here too").hasSize(2);
    }
}
