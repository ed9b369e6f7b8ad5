package dev.nightshift.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.EnvironmentUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpiTest {
    static final String PROPERTY = "nightshift.test.spi";

    @AfterEach
    void clear() {
        System.clearProperty(PROPERTY);
    }

    @Test
    void aNamedClassIsMade() {
        System.setProperty(PROPERTY, ArrayList.class.getName());
        assertThat(Spi.find(RandomAccess.class, PROPERTY, "NIGHTSHIFT_TEST_SPI_UNSET", new ArrayList<>()))
                .get().isInstanceOf(ArrayList.class);
    }

    @Test
    void aNamedClassThatCannotBeMadeIsAClearErrorNotASilentFallback() {
        System.setProperty(PROPERTY, "com.example.NoSuchRuntime");
        assertThatThrownBy(() -> Spi.find(RandomAccess.class, PROPERTY, "NIGHTSHIFT_TEST_SPI_UNSET", new ArrayList<>()))
                .isInstanceOf(EnvironmentUnavailableException.class)
                .hasMessageContaining(PROPERTY).hasMessageContaining("com.example.NoSuchRuntime");
        System.setProperty(PROPERTY, String.class.getName()); // exists, but is not a RandomAccess
        assertThatThrownBy(() -> Spi.find(RandomAccess.class, PROPERTY, "NIGHTSHIFT_TEST_SPI_UNSET", new ArrayList<>()))
                .isInstanceOf(EnvironmentUnavailableException.class).hasMessageContaining("not a usable RandomAccess");
    }

    @Test
    void nothingNamedAndNoProviderIsEmptyAndSaysWhatWasTried() {
        List<String> tried = new ArrayList<>();
        assertThat(Spi.find(RandomAccess.class, PROPERTY, "NIGHTSHIFT_TEST_SPI_UNSET", tried)).isEmpty();
        assertThat(tried).anyMatch(t -> t.contains("not set")).anyMatch(t -> t.contains("no provider"));
    }
}
