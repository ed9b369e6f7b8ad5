package dev.nightshift.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.spi.Priority;
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

    public interface Ranked {
    }

    @Priority(1)
    public static final class Low implements Ranked {
    }

    @Priority(5)
    public static final class High implements Ranked {
    }

    public static final class Plain implements Ranked {
    }

    public interface Tied {
    }

    public static final class TiedA implements Tied {
    }

    public static final class TiedB implements Tied {
    }

    /** Its top candidate cannot be made; the one below it could. */
    public interface Broken {
    }

    @Priority(2)
    public static final class Throws implements Broken {
        public Throws() {
            throw new IllegalStateException("no credentials configured");
        }
    }

    public static final class Fine implements Broken {
    }

    @Test
    void serviceLoaderCandidatesAreRankedByPriority() {
        assertThat(Spi.find(Ranked.class, PROPERTY, "NIGHTSHIFT_TEST_SPI_UNSET", new ArrayList<>()))
                .get().isInstanceOf(High.class);
    }

    @Test
    void aNamedClassWinsOverServiceLoader() {
        System.setProperty(PROPERTY, Plain.class.getName());
        assertThat(Spi.find(Ranked.class, PROPERTY, "NIGHTSHIFT_TEST_SPI_UNSET", new ArrayList<>()))
                .get().isInstanceOf(Plain.class);
    }

    @Test
    void twoCandidatesAtTheTopFailFastListingEveryCandidate() {
        assertThatThrownBy(() -> Spi.find(Tied.class, PROPERTY, "NIGHTSHIFT_TEST_SPI_UNSET", new ArrayList<>()))
                .isInstanceOf(EnvironmentUnavailableException.class)
                .hasMessageContaining("more than one Tied at priority 0")
                .hasMessageContaining(TiedA.class.getName()).hasMessageContaining(TiedB.class.getName())
                .hasMessageContaining(PROPERTY);
    }

    @Test
    void aChosenCandidateThatCannotBeMadeFailsFastInsteadOfFallingBack() {
        assertThatThrownBy(() -> Spi.find(Broken.class, PROPERTY, "NIGHTSHIFT_TEST_SPI_UNSET", new ArrayList<>()))
                .isInstanceOf(EnvironmentUnavailableException.class)
                .hasMessageContaining(Throws.class.getName()).hasMessageContaining("cannot be made")
                .hasMessageContaining("no credentials configured").hasMessageContaining(Fine.class.getName());
    }
}
