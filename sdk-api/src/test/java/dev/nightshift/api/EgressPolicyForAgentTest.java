package dev.nightshift.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.api.spec.EgressMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyForAgentTest {
    private static final List<EgressHost> ONE = List.of(EgressHost.parse("api.example.com"));

    @Test
    void networkSettingsOnlyIsTheHostsAlone() {
        EgressPolicy p = EgressPolicy.forAgent(EgressMode.NETWORK_SETTINGS_ONLY, ONE);
        assertThat(p.allowAll()).isFalse();
        assertThat(p.hosts()).containsExactlyElementsOf(ONE);
        assertThat(EgressPolicy.forAgent(EgressMode.NETWORK_SETTINGS_ONLY, List.of())).isEqualTo(EgressPolicy.DENY_ALL);
    }

    @Test
    void defaultWithNetworkSettingsAddsTheDefaultHosts() {
        EgressPolicy p = EgressPolicy.forAgent(EgressMode.DEFAULT_WITH_NETWORK_SETTINGS, ONE);
        assertThat(p.permits("registry.npmjs.org")).isTrue();
        assertThat(p.permits("api.example.com")).isTrue();
        assertThat(p.permits("elsewhere.example.org")).isFalse();
    }

    @Test
    void modesARunningAgentCannotTakeAreRefusedNamingTheOnesItCan() {
        for (EgressMode m : List.of(EgressMode.ALLOW_ALL, EgressMode.PARENT_PLUS_NETWORK_SETTINGS, EgressMode.of("sometimes"))) {
            assertThatThrownBy(() -> EgressPolicy.forAgent(m, ONE)).as(m.value())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("network_settings_only or default_with_network_settings");
        }
    }
}
