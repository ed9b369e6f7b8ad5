package dev.nightshift.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.spi.SecretKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's own secrets in {@link AgentRequest}: builder, immutability, masking, stripping. */
class AgentRequestSecretsTest {
    static final String VALUE = "req-secret-5e1f0c2d-value";

    static AgentRequest.Builder base() {
        return AgentRequest.builder("do it", "file:///repo.git").id("a1").label("team", "x");
    }

    @Test
    void theBuilderCollectsSecretsInOrderAndAPlainRequestHasNone() {
        AgentRequest r = base().secret("API_TOKEN", SecretKind.RUNTIME, VALUE)
                .secrets(List.of(new AgentRequest.Secret("PLAIN", SecretKind.ENV, "p"))).build();
        assertThat(r.secrets()).containsExactly(new AgentRequest.Secret("API_TOKEN", SecretKind.RUNTIME, VALUE),
                new AgentRequest.Secret("PLAIN", SecretKind.ENV, "p"));
        assertThat(r.toBuilder().build()).as("toBuilder keeps them").isEqualTo(r);
        assertThat(base().build().secrets()).isEmpty();
    }

    @Test
    void theListIsCopiedAndImmutable() {
        List<AgentRequest.Secret> given = new ArrayList<>(List.of(new AgentRequest.Secret("A", SecretKind.ENV, "1")));
        AgentRequest r = base().secrets(given).build();
        given.add(new AgentRequest.Secret("B", SecretKind.ENV, "2"));
        assertThat(r.secrets()).extracting(AgentRequest.Secret::name).containsExactly("A");
        assertThatThrownBy(() -> r.secrets().add(new AgentRequest.Secret("C", SecretKind.ENV, "3")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void badSecretsAreRefusedClearly() {
        assertThatThrownBy(() -> base().secret("A", SecretKind.ENV, "1").secret("A", SecretKind.RUNTIME, "2").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A is given twice")
                .hasMessageNotContaining("1").hasMessageNotContaining("2");
        assertThatThrownBy(() -> new AgentRequest.Secret(" ", SecretKind.ENV, "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AgentRequest.Secret("A", SecretKind.ENV, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void toStringNamesTheSecretsButNeverShowsAValue() {
        AgentRequest r = base().secret("API_TOKEN", SecretKind.RUNTIME, VALUE).build();
        assertThat(r.toString()).doesNotContain(VALUE).contains("API_TOKEN(RUNTIME)=****").contains("do it")
                .contains("file:///repo.git").contains("team=x");
        assertThat(r.secrets().get(0).toString()).doesNotContain(VALUE).contains("API_TOKEN");
        assertThat(List.of(r).toString()).doesNotContain(VALUE);
        // control: the value is really in the request, so the checks above can fail
        assertThat(r.secrets().get(0).value()).isEqualTo(VALUE);
    }

    @Test
    void withoutSecretsIsTheSameRequestWithNone() {
        AgentRequest with = base().secret("API_TOKEN", SecretKind.RUNTIME, VALUE).build();
        AgentRequest other = base().secret("API_TOKEN", SecretKind.RUNTIME, "another-value").build();
        AgentRequest plain = base().build();
        assertThat(with).as("a record: the secrets are part of its value").isNotEqualTo(plain).isNotEqualTo(other);
        assertThat(with.withoutSecrets()).isEqualTo(plain).isEqualTo(other.withoutSecrets())
                .hasSameHashCodeAs(plain);
        assertThat(with.withoutSecrets().secrets()).isEmpty();
        assertThat(plain.withoutSecrets()).isSameAs(plain);
        assertThat(with.withoutSecrets()).as("a different request stays different")
                .isNotEqualTo(base().label("team", "y").build());
        assertThat(with.withId("a2").secrets()).as("withId keeps them").isEqualTo(with.secrets());
    }
}
