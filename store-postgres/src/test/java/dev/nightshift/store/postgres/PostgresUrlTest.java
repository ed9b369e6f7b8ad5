package dev.nightshift.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresAgentStore#fromUrl}: libpq-style URLs as {@code nightshift serve --store} takes
 * them, against the real server; the password never shows in a message or a builder's string.
 */
class PostgresUrlTest {

    @Test
    void aPostgresqlUrlWithUserAndPasswordOpensTheStore() {
        TestPostgres pg = TestPostgres.get();
        String jdbc = pg.newDatabase();
        String url = jdbc.replace("jdbc:postgresql://", "postgresql://" + TestPostgres.USER + ":" + pg.password + "@");
        PostgresAgentStore.Builder b = PostgresAgentStore.fromUrl(url, Map.of());
        assertThat(b.toString()).as("the builder's string").doesNotContain(pg.password).contains("***");
        try (PostgresAgentStore store = b.open(); PostgresAgentStore other = pg.store(jdbc).open()) {
            store.put(AgentInfo.creating("u1", AgentRequest.builder("x", "file:///r.git").id("u1").build(), Instant.now()));
            assertThat(other.get("u1")).as("the same database as the JDBC URL").isPresent();
        }
    }

    @Test
    void thePasswordMayComeFromTheEnvironmentInstead() {
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase().replace("jdbc:postgresql://", "postgres://" + TestPostgres.USER + "@");
        try (PostgresAgentStore store = PostgresAgentStore.fromUrl(url, Map.of("NIGHTSHIFT_STORE_PASSWORD", pg.password))
                .open()) {
            assertThat(store.lastSequence("none")).isZero();
        }
    }

    @Test
    void aWrongPasswordFailsWithoutShowingIt() {
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase().replace("jdbc:postgresql://", "postgresql://" + TestPostgres.USER + ":Wr0ngSecret%40x@");
        assertThatThrownBy(() -> PostgresAgentStore.fromUrl(url, Map.of()).connectTimeout(Duration.ofSeconds(2)).open())
                .satisfies(e -> assertThat(e.toString()).doesNotContain("Wr0ngSecret").contains("unavailable"));
    }

    @Test
    void badUrlsAreRefusedWithThePasswordMasked() {
        assertThatThrownBy(() -> PostgresAgentStore.fromUrl("mysql://me:S3cretPw@db/app", Map.of()))
                .hasMessageContaining("postgresql://").hasMessageContaining("mysql://me:***@db/app")
                .hasMessageNotContaining("S3cretPw");
        assertThatThrownBy(() -> PostgresAgentStore.fromUrl("postgresql://me:S3cretPw@db", Map.of()))
                .hasMessageContaining("database").hasMessageNotContaining("S3cretPw");
        assertThatThrownBy(() -> PostgresAgentStore.fromUrl("postgresql://db/app?password=S3cretPw", Map.of()))
                .hasMessageNotContaining("S3cretPw");
        assertThatThrownBy(() -> PostgresAgentStore.fromUrl("postgresql://me:S3cret Pw@db/app", Map.of()))
                .hasMessageNotContaining("S3cret");
        // the control: a good URL parses, user and password percent-decoded
        assertThat(PostgresAgentStore.fromUrl("postgresql://me%2Bx:p%40ss@db:6543/app?sslmode=require", Map.of()).toString())
                .isEqualTo("PostgresAgentStore.Builder[jdbc:postgresql://db:6543/app?sslmode=require, user=me+x, password=***]");
    }
}
