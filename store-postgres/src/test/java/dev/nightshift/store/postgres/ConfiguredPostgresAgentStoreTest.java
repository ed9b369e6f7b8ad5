package dev.nightshift.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.AgentStoreConformanceTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The store found by class name and configured from settings: a process given the URL, user and
 * password (environment) saves a record another store reads; a missing URL and a missing
 * password are clear errors.
 */
class ConfiguredPostgresAgentStoreTest {
    /** A store that passes on only what it must: the control case of the check below. */
    abstract static class OnlyTheAbstractMethods implements AgentStore {
    }

    @Test
    void everyMethodIsPassedOnToThePostgresStoreNoneLeftToTheDefaults() throws Exception {
        assertThat(AgentStoreConformanceTest.leftToDefaults(OnlyTheAbstractMethods.class)).as("the check sees defaults")
                .contains("supportsControls", "purgeControls", "acquireMachineSlot");
        assertThat(AgentStoreConformanceTest.leftToDefaults(ConfiguredPostgresAgentStore.class))
                .as("a default here would quietly switch a feature off (controls between engines did)").isEmpty();
    }

    @Test
    void aProcessConfiguredBySettingsSharesTheDatabase() throws Exception {
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dnightshift.store.url=" + url, "-Dnightshift.store.user=" + TestPostgres.USER,
                ConfiguredStoreMain.class.getName(), "from-child").redirectErrorStream(true);
        pb.environment().remove("PGPASSWORD");
        pb.environment().put("NIGHTSHIFT_STORE_PASSWORD", pg.password);
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("SAVED").doesNotContain(pg.password);
        } finally {
            p.destroyForcibly();
        }
        try (PostgresAgentStore store = pg.store(url).open()) {
            assertThat(store.get("from-child")).isPresent();
        }
    }

    @Test
    void aMissingUrlOrPasswordIsAClearError() {
        String before = System.getProperty("nightshift.store.url");
        try {
            System.clearProperty("nightshift.store.url");
            if (System.getenv("NIGHTSHIFT_STORE_URL") == null) {
                assertThatThrownBy(ConfiguredPostgresAgentStore::new).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("NIGHTSHIFT_STORE_URL");
            }
            if (System.getenv("NIGHTSHIFT_STORE_PASSWORD") == null && System.getenv("PGPASSWORD") == null) {
                System.setProperty("nightshift.store.url", TestPostgres.get().url("postgres"));
                assertThatThrownBy(ConfiguredPostgresAgentStore::new).isInstanceOf(NightshiftException.class)
                        .hasMessageContaining("unavailable");
            }
        } finally {
            if (before == null) {
                System.clearProperty("nightshift.store.url");
            } else {
                System.setProperty("nightshift.store.url", before);
            }
        }
    }
}
