package dev.nightshift.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.spi.SecretKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record column's JSON of a request: the shape from before requests had secrets, never a secret. */
class StoreJsonTest {
    static final String VALUE = "pg-secret-7a41c0-value";

    @Test
    void aRequestIsWrittenWithoutASecretsKeyAndReadBackWithoutSecrets() throws Exception {
        AgentRequest plain = AgentRequest.builder("do a1", "file:///repo.git").id("a1").label("team", "x").build();
        AgentRequest withSecret = plain.toBuilder().secret("API_TOKEN", SecretKind.RUNTIME, VALUE).build();
        for (AgentRequest r : List.of(plain, withSecret)) {
            String json = StoreJson.write(AgentInfo.creating("a1", r, Instant.parse("2026-12-01T10:00:00Z")));
            List<String> keys = new ArrayList<>();
            StoreJson.MAPPER.readTree(json).get("request").fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactly("id", "prompt", "repository", "ref", "branchName", "push", "driver",
                    "model", "name", "labels");
            assertThat(json).doesNotContain("secrets").doesNotContain(VALUE).contains("\"labels\"");
            assertThat(StoreJson.read(json, AgentInfo.class, "a record").request()).isEqualTo(plain);
        }
        String sneaked = StoreJson.write(plain).replace("\"labels\"", "\"secrets\":[{\"name\":\"X\",\"kind\":\"ENV\","
                + "\"value\":\"v\"}],\"labels\"");
        assertThat(sneaked).contains("\"secrets\"");
        assertThat(StoreJson.read(sneaked, AgentRequest.class, "a request").secrets())
                .as("secrets in stored JSON are never read").isEmpty();
    }
}
