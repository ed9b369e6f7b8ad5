package dev.nightshift.core.internal.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.api.spec.EgressMode;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.core.EgressSettings;
import dev.nightshift.core.internal.egress.EgressResolver.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressResolverTest {
    static EgressHost h(String s) {
        return EgressHost.parse(s);
    }

    static EnvironmentSpec spec(EgressMode mode, String... allow) {
        EnvironmentSpec.Builder b = EnvironmentSpec.builder().egressMode(mode);
        for (String a : allow) {
            b.egressAllow(a);
        }
        return b.build();
    }

    final EgressSettings team = EgressSettings.UNRESTRICTED.withNetworkSettings(List.of(h("git.corp.example")));

    @Test
    void theFourModes() {
        assertThat(EgressResolver.resolve(spec(EgressMode.ALLOW_ALL), team, Phase.TURN)).isEqualTo(EgressPolicy.ALLOW_ALL);
        EgressPolicy defaults = EgressResolver.resolve(spec(EgressMode.DEFAULT_WITH_NETWORK_SETTINGS, "x.org"), team, Phase.TURN);
        assertThat(defaults.allowAll()).isFalse();
        assertThat(defaults.permits("registry.npmjs.org")).isTrue();
        assertThat(defaults.permits("api.github.com")).isTrue();
        assertThat(defaults.permits("git.corp.example")).as("the embedder's list").isTrue();
        assertThat(defaults.permits("x.org")).as("the file's list").isTrue();
        assertThat(defaults.permits("evil.example")).isFalse();
        EgressPolicy only = EgressResolver.resolve(spec(EgressMode.NETWORK_SETTINGS_ONLY, "x.org"), team, Phase.TURN);
        assertThat(only.hosts()).containsExactly(h("git.corp.example"), h("x.org"));
        EgressSettings parent = team.withTurn(EgressPolicy.allowOnly(List.of(h("*.parent.example"))), EgressPolicy.ALLOW_ALL);
        EgressPolicy plus = EgressResolver.resolve(spec(EgressMode.PARENT_PLUS_NETWORK_SETTINGS, "x.org"), parent, Phase.TURN);
        assertThat(plus.hosts()).containsExactly(h("*.parent.example"), h("git.corp.example"), h("x.org"));
        assertThat(EgressResolver.resolve(spec(null), team, Phase.TURN)).as("no mode: the default").isEqualTo(EgressPolicy.ALLOW_ALL);
    }

    @Test
    void theFileCanOnlyNarrowWhatTheEmbedderAllows() {
        EgressPolicy max = EgressPolicy.allowOnly(List.of(h("*.example.com"), h("x.org")));
        EgressSettings s = team.withTurn(max, max);
        assertThat(EgressResolver.resolve(spec(EgressMode.ALLOW_ALL), s, Phase.TURN)).isEqualTo(max);
        EgressPolicy p = EgressResolver.resolve(spec(EgressMode.NETWORK_SETTINGS_ONLY, "a.example.com", "y.org"), s, Phase.TURN);
        assertThat(p.hosts()).as("y.org and the team host are beyond the maximum").containsExactly(h("a.example.com"));
        assertThat(EgressResolver.resolve(spec(null), s, Phase.TURN)).isEqualTo(max);
    }

    @Test
    void phasesHaveTheirOwnPolicies() {
        EgressSettings codexLike = EgressSettings.UNRESTRICTED.withTurn(EgressPolicy.DENY_ALL, EgressPolicy.DENY_ALL);
        EnvironmentSpec s = spec(null);
        assertThat(EgressResolver.resolve(s, codexLike, Phase.BUILD)).isEqualTo(EgressPolicy.ALLOW_ALL);
        assertThat(EgressResolver.resolve(s, codexLike, Phase.TURN).permits("registry.npmjs.org")).isFalse();
    }

    @Test
    void failsClosed() {
        assertThatThrownBy(() -> EgressResolver.resolve(spec(EgressMode.of("sometimes")), team, Phase.TURN))
                .isInstanceOf(ValidationException.class).hasMessageContaining("unknown egressMode");
        assertThatThrownBy(() -> EgressResolver.resolve(spec(EgressMode.NETWORK_SETTINGS_ONLY, "a.*.org"), team, Phase.BUILD))
                .isInstanceOf(ValidationException.class).hasMessageContaining("malformed");
    }

    @Test
    void narrowingIsAnIntersectionAndListsAreNormalised() {
        EgressPolicy a = EgressPolicy.allowOnly(List.of(h("*.example.com"), h("x.org")));
        EgressPolicy b = EgressPolicy.allowOnly(List.of(h("*.a.example.com"), h("y.org")));
        assertThat(a.narrow(b).hosts()).containsExactly(h("*.a.example.com"));
        assertThat(EgressPolicy.allowOnly(List.of(h("a.x.org"), h("*.x.org"), h("*.x.org"))).hosts())
                .containsExactly(h("*.x.org"));
        assertThat(EgressPolicy.DEFAULT_HOSTS).isNotEmpty();
    }
}
