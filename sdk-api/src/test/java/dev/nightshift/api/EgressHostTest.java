package dev.nightshift.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.spec.EgressHost;
import org.junit.jupiter.api.Test;

class EgressHostTest {
    @Test
    void exactEntriesMatchOneHostAndWildcardsADomain() {
        EgressHost exact = EgressHost.parse("Registry.NPMjs.org");
        assertThat(exact.matches("registry.npmjs.org")).isTrue();
        assertThat(exact.matches("REGISTRY.npmjs.org.")).isTrue();
        assertThat(exact.matches("x.registry.npmjs.org")).isFalse();
        EgressHost wild = EgressHost.parse("*.example.com");
        assertThat(wild.matches("example.com")).isTrue();
        assertThat(wild.matches("a.b.example.com")).isTrue();
        assertThat(wild.matches("badexample.com")).as("label boundary").isFalse();
        assertThat(wild.toString()).isEqualTo("*.example.com");
    }

    @Test
    void coverage() {
        assertThat(EgressHost.parse("a.example.com").coveredBy(EgressHost.parse("*.example.com"))).isTrue();
        assertThat(EgressHost.parse("*.a.example.com").coveredBy(EgressHost.parse("*.example.com"))).isTrue();
        assertThat(EgressHost.parse("*.example.com").coveredBy(EgressHost.parse("example.com"))).isFalse();
        assertThat(EgressHost.parse("example.com").coveredBy(EgressHost.parse("example.com"))).isTrue();
        assertThat(EgressHost.parse("example.com").coveredBy(EgressHost.parse("*.other.com"))).isFalse();
    }

    @Test
    void malformedEntriesAreRefused() {
        assertThatThrownBy(() -> EgressHost.parse("*")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EgressHost.parse("a.*.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EgressHost("x..org", false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(EgressHost.problem("10.0.0.1")).as("control: an address").isEmpty();
        assertThat(EgressHost.problem("10.0.0.300")).isPresent();
    }
}
